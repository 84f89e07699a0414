import type { FastifyInstance } from 'fastify';
import type { Config } from './config.ts';
import { openDatabase, type Database } from './db/open.ts';
import { buildApp } from './http/app.ts';
import { seedDemo } from './importers/demo/index.ts';
import { createProgressReporter } from './importers/progress.ts';
import { loadR4Definitions } from './model/index.ts';
import { loadNos } from './nos/index.ts';
import { indexingPlan } from './store/indexing.ts';
import { Repository } from './store/repository.ts';
import { resourceTypes } from './store/search-parameters/registry.ts';

export interface RunningServer {
  app: FastifyInstance;
  db: Database;
  url: string;
  close(): Promise<void>;
}

async function isEmpty(db: Database): Promise<boolean> {
  const { rows } = await db.pool.query<{ any: boolean }>('SELECT EXISTS (SELECT 1 FROM resource) AS any');
  return !rows[0]?.any;
}

/** Loads the nomenclatures, the R4 definitions and the search parameters now rather than on the first request. */
function warmUp(): void {
  loadNos();
  loadR4Definitions();
  for (const type of resourceTypes) indexingPlan(type);
}

/** Start: load the model → open the database → migrate → seed the demo dataset into an empty database → listen. */
export async function startServer(config: Config, options: { seedDemoIfEmpty?: boolean } = {}): Promise<RunningServer> {
  warmUp();
  const db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  try {
    const repo = new Repository(db);
    if (options.seedDemoIfEmpty !== false && (await isEmpty(db))) {
      process.stderr.write('Empty database: loading the Pays de la Loire demo dataset…\n');
      const summary = await seedDemo(repo, { progress: createProgressReporter() });
      process.stderr.write(`Demo dataset loaded: ${JSON.stringify(summary)}\n`);
    }
    const app = await buildApp({ repo, logger: { level: config.logLevel } });
    const url = await app.listen({ port: config.port, host: config.host });
    return {
      app,
      db,
      url,
      async close() {
        await app.close();
        await db.close();
      },
    };
  } catch (err) {
    await db.close();
    throw err;
  }
}

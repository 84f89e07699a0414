import type { FastifyInstance } from 'fastify';
import { Authenticator } from './auth/authenticator.ts';
import { createDemoAccounts, formatDemoCredentials, type DemoCredential } from './auth/demo-accounts.ts';
import { loadServerKeys } from './auth/keys.ts';
import type { Config } from './config.ts';
import { openDatabase, type Database } from './db/open.ts';
import { purgeExpiredExports } from './fhir/export.ts';
import { openBeds } from './beds/index.ts';
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
  auth: Authenticator;
  url: string;
  /** The demo credentials created at this start (already printed), empty otherwise. */
  demoCredentials: DemoCredential[];
  close(): Promise<void>;
}

async function hasRows(db: Database, table: 'resource' | 'account'): Promise<boolean> {
  const { rows } = await db.pool.query<{ any: boolean }>(`SELECT EXISTS (SELECT 1 FROM ${table}) AS any`);
  return rows[0]?.any === true;
}

/** How often dead sessions and run-out login counters are deleted. */
const PURGE_INTERVAL_MS = 60 * 60_000;

/** The authenticator of the configuration; the signing keys come from AUTH_SECRET or the database. */
async function createAuthenticator(db: Database, config: Config): Promise<Authenticator> {
  return new Authenticator(db, {
    keys: await loadServerKeys(db, config.authSecret),
    sessionIdleMinutes: config.sessionIdleMinutes,
    sessionAbsoluteHours: config.sessionAbsoluteHours,
    tokenTtlSeconds: config.tokenTtlSeconds,
  });
}

/** Loads the nomenclatures, the R4 definitions and the search parameters now rather than on the first request. */
function warmUp(): void {
  loadNos();
  loadR4Definitions();
  for (const type of resourceTypes) indexingPlan(type);
}

/**
 * Start: load the model → open the database → migrate → seed the demo dataset and its accounts into an empty
 * database (their credentials printed once on stdout) → listen.
 */
export async function startServer(config: Config, options: { seedDemoIfEmpty?: boolean } = {}): Promise<RunningServer> {
  warmUp();
  const db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  try {
    const repo = new Repository(db);
    let demoCredentials: DemoCredential[] = [];
    if (options.seedDemoIfEmpty !== false && !(await hasRows(db, 'resource'))) {
      process.stderr.write('Empty database: loading the Pays de la Loire demo dataset…\n');
      const summary = await seedDemo(repo, { progress: createProgressReporter() });
      process.stderr.write(`Demo dataset loaded: ${JSON.stringify(summary)}\n`);
      demoCredentials = await createDemoAccounts(db, repo);
      if (demoCredentials.length > 0) process.stdout.write(formatDemoCredentials(demoCredentials));
    }
    if (!(await hasRows(db, 'account'))) {
      process.stderr.write('No account yet: create one with `ror user add EMAIL --role national-admin`.\n');
    }
    const auth = await createAuthenticator(db, config);
    const beds = await openBeds(db, repo, { policy: config.beds, background: true });
    const app = await buildApp({ repo, db, auth, beds, oidc: config.oidc, ...config.http, exportDir: config.exportDir, logger: { level: config.logLevel } });
    const url = await app.listen({ port: config.port, host: config.host });
    const purge = (): void => {
      auth.purgeExpired().catch((err: unknown) => app.log.error({ err }, 'purging expired sessions failed'));
      purgeExpiredExports(db, config.exportDir).catch((err: unknown) => app.log.error({ err }, 'purging expired exports failed'));
    };
    purge();
    const purgeTimer = setInterval(purge, PURGE_INTERVAL_MS).unref();
    return {
      app,
      db,
      auth,
      url,
      demoCredentials,
      async close() {
        clearInterval(purgeTimer);
        await app.close();
        await beds.close();
        await db.close();
      },
    };
  } catch (err) {
    await db.close();
    throw err;
  }
}

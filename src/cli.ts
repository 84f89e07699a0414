import { parseArgs } from 'node:util';
import { loadConfig, type Config } from './config.ts';
import { DataDirLockedError, openDatabase } from './db/open.ts';
import { seedDemo } from './importers/demo/index.ts';
import { importFinessFiles } from './importers/finess/index.ts';
import { createProgressReporter } from './importers/progress.ts';
import { seedSynthetic } from './importers/synthetic/index.ts';
import { startServer } from './server.ts';
import { Repository } from './store/repository.ts';

const USAGE = `Usage: ror <command> [options]

Commands:
  serve                         start the HTTP server (FHIR API on /fhir); seeds the demo dataset into an empty database
  import finess [--partial] FILE…
                                import FINESS files (etalab cs1100501/502/505/507 CSV, FINESS+ JSON structures);
                                structures missing from a full stock are closed, unless --partial (e.g. a regional cut)
  seed --demo                   load the Pays de la Loire demo dataset
  seed --scale national|N       generate the synthetic national dataset (N = number of établissements)
  help                          show this help

Environment: DATABASE_URL (PostgreSQL server; default: embedded database in DATA_DIR=./.data), PORT (3000), HOST, LOG_LEVEL.`;

class UsageError extends Error {}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const config = loadConfig();
  try {
    switch (command) {
      case 'serve':
        return await serve(config);
      case 'import':
        return await importCommand(config, rest);
      case 'seed':
        return await seedCommand(config, rest);
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        process.stdout.write(`${USAGE}\n`);
        return 0;
      default:
        throw new UsageError(`Unknown command "${command}"`);
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code?.startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`ror: ${(err as Error).message}\n\n${USAGE}\n`);
      return 64;
    }
    if (err instanceof UsageError) {
      process.stderr.write(`ror: ${err.message}\n\n${USAGE}\n`);
      return 64;
    }
    if (err instanceof DataDirLockedError) {
      process.stderr.write(`ror: ${err.message}\n`);
      return 75;
    }
    throw err;
  }
}

async function serve(config: Config): Promise<number> {
  const server = await startServer(config);
  process.stderr.write(`ROR listening on ${server.url} (FHIR base ${server.url}/fhir, database: ${server.db.kind})\n`);
  await new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  await server.close();
  return 0;
}

async function withRepository<T>(config: Config, fn: (repo: Repository) => Promise<T>): Promise<T> {
  const db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  try {
    return await fn(new Repository(db));
  } finally {
    await db.close();
  }
}

async function importCommand(config: Config, args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args, options: { partial: { type: 'boolean' } }, allowPositionals: true, strict: true });
  const [source, ...files] = positionals;
  if (source !== 'finess') throw new UsageError(`Unknown import source "${source ?? ''}" (expected: finess)`);
  if (files.length === 0) throw new UsageError('import finess needs at least one FILE');
  const closeMissing = values.partial !== true;
  const summary = await withRepository(config, (repo) => importFinessFiles(files, repo, { progress: createProgressReporter(), closeMissing }));
  process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
  return 0;
}

async function seedCommand(config: Config, args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { demo: { type: 'boolean' }, scale: { type: 'string' } }, strict: true });
  if (values.demo === Boolean(values.scale)) throw new UsageError('seed takes exactly one of --demo or --scale national|N');
  if (values.demo) {
    const summary = await withRepository(config, (repo) => seedDemo(repo, { progress: createProgressReporter() }));
    process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
    return 0;
  }
  const scale = values.scale === 'national' ? 'national' : Number(values.scale);
  if (scale !== 'national' && (!Number.isInteger(scale) || scale < 1)) {
    throw new UsageError(`--scale must be "national" or a positive integer, got "${values.scale}"`);
  }
  const summary = await withRepository(config, (repo) => seedSynthetic(repo, { scale, progress: createProgressReporter() }));
  process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
  return 0;
}

/**
 * Synthetic seed benchmark: writes the synthetic dataset through the store (validation, indexing, history) into a
 * fresh schema of the PostgreSQL server named by DATABASE_URL, then prints the time, the resources per second
 * and the database / table sizes. The schema is dropped at the end unless KEEP_SCHEMA=1.
 * Run: DATABASE_URL=postgres://… node --import tsx bench/seed.ts [national|N, default national]
 */
import { createProgressReporter, formatAmount, formatDuration } from '../src/importers/progress.ts';
import { establishmentsFor, seedSynthetic } from '../src/importers/synthetic/index.ts';
import { Repository } from '../src/store/repository.ts';
import { machine, openBenchDatabase } from './bench-db.ts';

if (!process.env.DATABASE_URL) throw new Error('bench/seed.ts needs DATABASE_URL (a PostgreSQL server); the embedded database is not benchmarked here');
const arg = process.argv[2] ?? 'national';
const scale = arg === 'national' ? 'national' : Number(arg);
const establishments = establishmentsFor(scale);
const { db, schema, label, drop } = await openBenchDatabase();
try {
  const repo = new Repository(db);
  const started = performance.now();
  const summary = await seedSynthetic(repo, { scale, progress: createProgressReporter() });
  const seconds = (performance.now() - started) / 1000;
  const written = Object.values(summary.resources).reduce((a, b) => a + b, 0);

  await db.pool.query('ANALYZE');
  const { rows: dbSize } = await db.pool.query<{ size: string }>('SELECT pg_database_size(current_database())::text AS size');
  const { rows: tables } = await db.pool.query<{ table: string; total: string; rows: string }>(
    `SELECT c.relname AS table, pg_total_relation_size(c.oid)::text AS total, c.reltuples::bigint::text AS rows
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = $1 AND c.relkind IN ('r', 'p')
      ORDER BY pg_total_relation_size(c.oid) DESC`,
    [schema],
  );

  console.log(`\nbench/seed — synthetic seed, ${establishments} établissements; ${label}; ${machine()}`);
  for (const [type, n] of Object.entries(summary.resources)) console.log(`  ${type.padEnd(20)} ${String(n).padStart(10)}`);
  console.log(`  ${'total'.padEnd(20)} ${String(written).padStart(10)}  (${summary.created} created, ${summary.updated} updated, ${summary.unchanged} unchanged)`);
  console.log(`time ${formatDuration(seconds * 1000)} (${seconds.toFixed(1)} s), ${(written / seconds).toFixed(0)} resources/s`);
  console.log(`database size ${formatAmount(Number(dbSize[0]?.size ?? 0), 'bytes')} (pg_database_size, whole database)`);
  let schemaTotal = 0;
  for (const t of tables) {
    schemaTotal += Number(t.total);
    console.log(`  ${t.table.padEnd(28)} ${formatAmount(Number(t.total), 'bytes').padStart(10)}  ~${t.rows} rows`);
  }
  console.log(`  ${'schema total'.padEnd(28)} ${formatAmount(schemaTotal, 'bytes').padStart(10)}  (pg_total_relation_size: table + indexes + TOAST)`);
} finally {
  if (process.env.KEEP_SCHEMA === '1') await db.close();
  else await drop();
}

import os from 'node:os';
import pg from 'pg';
import { openDatabase, type Database } from '../src/db/open.ts';
import { openScratchDatabase, type ScratchDatabase } from '../src/db/testing.ts';
import { formatDuration } from '../src/importers/progress.ts';
import { establishmentsFor, seedSynthetic, type SyntheticOptions } from '../src/importers/synthetic/index.ts';
import { Repository } from '../src/store/repository.ts';

/** A fresh database for one benchmark (see openScratchDatabase) and a label saying which one. */
export async function openBenchDatabase(): Promise<ScratchDatabase & { label: string }> {
  const scratch = await openScratchDatabase('bench');
  if (!scratch.schema) return { ...scratch, label: 'PGlite 0.5.16 (in-memory)' };
  const { rows } = await scratch.db.pool.query<{ server_version: string }>('SHOW server_version');
  return { ...scratch, label: `PostgreSQL ${rows[0]?.server_version ?? '?'} (schema ${scratch.schema})` };
}

/**
 * The synthetic dataset to benchmark: the schema named by BENCH_SCHEMA on the server of DATABASE_URL (one kept by
 * `KEEP_SCHEMA=1 … bench/seed.ts`), else a fresh bench database seeded at `scale` and ANALYZEd. `done` closes it
 * (and drops a fresh one).
 */
export async function openSeededBenchDatabase(scale: SyntheticOptions['scale']): Promise<{ db: Database; label: string; done: () => Promise<void> }> {
  const existing = process.env.BENCH_SCHEMA;
  if (existing) {
    if (!process.env.DATABASE_URL) throw new Error('BENCH_SCHEMA needs DATABASE_URL');
    const db = await openDatabase({ databaseUrl: process.env.DATABASE_URL, schema: existing });
    // Opening ran the migrations the schema lacked; a column rewritten or added has no statistics yet.
    const { rows: tables } = await db.pool.query<{ name: string }>(
      `SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relkind = 'r'`,
      [existing],
    );
    for (const t of tables) await db.pool.query(`ANALYZE ${pg.escapeIdentifier(existing)}.${pg.escapeIdentifier(t.name)}`);
    const { rows } = await db.pool.query<{ server_version: string }>('SHOW server_version');
    return { db, label: `PostgreSQL ${rows[0]?.server_version ?? '?'} (existing schema ${existing})`, done: () => db.close() };
  }
  const bench = await openBenchDatabase();
  const started = performance.now();
  const summary = await seedSynthetic(new Repository(bench.db), { scale });
  const written = Object.values(summary.resources).reduce((a, b) => a + b, 0);
  console.log(`seeded ${written} resources (${establishmentsFor(scale)} établissements) in ${formatDuration(performance.now() - started)}`);
  await bench.db.pool.query('ANALYZE');
  return { db: bench.db, label: bench.label, done: bench.drop };
}

/** `Type count, …` of the current resources, for the header of a benchmark's output. */
export async function datasetSummary(db: Database): Promise<string> {
  const { rows } = await db.pool.query<{ resource_type: string; n: string }>(
    'SELECT resource_type, count(*)::text AS n FROM resource WHERE NOT deleted GROUP BY resource_type ORDER BY resource_type',
  );
  return rows.map((r) => `${r.resource_type} ${r.n}`).join(', ');
}

export function machine(): string {
  return `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
}

export function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

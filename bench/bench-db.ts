import { randomUUID } from 'node:crypto';
import os from 'node:os';
import pg from 'pg';
import { openDatabase, type Database } from '../src/db/open.ts';

/** A fresh database for one benchmark: a new schema on DATABASE_URL, or an in-memory PGlite. */
export async function openBenchDatabase(): Promise<{ db: Database; label: string; drop(): Promise<void> }> {
  const url = process.env.DATABASE_URL;
  if (!url) {
    const db = await openDatabase({ dataDir: 'memory://' });
    return { db, label: 'PGlite 0.5.16 (in-memory)', drop: () => db.close() };
  }
  const schema = `bench_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  const db = await openDatabase({ databaseUrl: url, schema });
  const version = (await db.pool.query<{ server_version: string }>('SHOW server_version')).rows[0]?.server_version;
  return {
    db,
    label: `PostgreSQL ${version} (schema ${schema})`,
    async drop() {
      await db.close();
      const admin = new pg.Client({ connectionString: url });
      await admin.connect();
      await admin.query(`DROP SCHEMA ${pg.escapeIdentifier(schema)} CASCADE`);
      await admin.end();
    },
  };
}

export function machine(): string {
  return `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
}

export function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

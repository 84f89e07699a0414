import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { openDatabase, type Database } from './open.ts';

/**
 * A fresh, migrated database for one test file: in-memory PGlite by default, or a private schema on the
 * PostgreSQL server named by DATABASE_URL (dropped on close).
 */
export async function openTestDatabase(): Promise<Database> {
  const url = process.env.DATABASE_URL;
  if (!url) return openDatabase({ dataDir: 'memory://' });
  const schema = `test_${randomUUID().replace(/-/g, '').slice(0, 16)}`;
  const db = await openDatabase({ databaseUrl: url, schema });
  return {
    ...db,
    async close() {
      await db.close();
      const admin = new pg.Client({ connectionString: url });
      await admin.connect();
      try {
        await admin.query(`DROP SCHEMA IF EXISTS ${pg.escapeIdentifier(schema)} CASCADE`);
      } finally {
        await admin.end();
      }
    },
  };
}

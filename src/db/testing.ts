import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { openDatabase, type Database } from './open.ts';

export interface ScratchDatabase {
  db: Database;
  /** The private schema on the server, or undefined for the in-memory embedded database. */
  schema: string | undefined;
  /** Closes the database and drops its schema. */
  drop(): Promise<void>;
}

/**
 * A fresh, migrated database for one test file or benchmark: in-memory PGlite by default, or a private
 * schema (`<prefix>_<random>`) on the PostgreSQL server named by DATABASE_URL.
 */
export async function openScratchDatabase(prefix: string): Promise<ScratchDatabase> {
  const url = process.env.DATABASE_URL;
  if (!url) {
    const db = await openDatabase({ dataDir: 'memory://' });
    return { db, schema: undefined, drop: () => db.close() };
  }
  const schema = `${prefix}_${randomUUID().replace(/-/g, '').slice(0, 16)}`;
  const db = await openDatabase({ databaseUrl: url, schema });
  return {
    db,
    schema,
    async drop() {
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

/** {@link openScratchDatabase} for a test file: closing the database drops its schema. */
export async function openTestDatabase(): Promise<Database> {
  const scratch = await openScratchDatabase('test');
  return { ...scratch.db, close: scratch.drop };
}

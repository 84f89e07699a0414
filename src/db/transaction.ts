import type pg from 'pg';
import type { Database } from './open.ts';

/** Runs `fn` in one transaction on one connection of the pool: committed when it resolves, rolled back when it throws. */
export async function transaction<T>(db: Database, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await db.pool.connect();
  try {
    await client.query('BEGIN');
    const result = await fn(client);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    await client.query('ROLLBACK');
    throw err;
  } finally {
    client.release();
  }
}

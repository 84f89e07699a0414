import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { PGlite } from '@electric-sql/pglite';
import { createPgConfig } from '@electric-sql/pglite/node-postgres';
import { Kysely, PostgresDialect } from 'kysely';
import { migrateToLatest } from './migrate.ts';

export type Listener = (payload: string) => void;

/** One PostgreSQL database, embedded (PGlite) or server, behind the same `pg.Pool` API. */
export interface Database {
  readonly kind: 'pglite' | 'postgres';
  readonly pool: pg.Pool;
  readonly kysely: Kysely<unknown>;
  /** Subscribe to a NOTIFY channel; resolves once listening. Returns the unsubscribe function. */
  listen(channel: string, cb: Listener): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

export interface OpenOptions {
  /** PostgreSQL connection string; when absent the embedded PGlite database in `dataDir` is used. */
  databaseUrl?: string | undefined;
  /** PGlite data directory, or `memory://` for an in-memory database. */
  dataDir?: string;
  /** Run migrations after opening (default true). */
  migrate?: boolean;
  /** Server only: a schema to work in (created if missing), used by tests to isolate themselves. */
  schema?: string;
}

export class DataDirLockedError extends Error {
  constructor(dir: string, pid: number) {
    super(
      `The embedded database in ${dir} is held by another process (pid ${pid}), probably a running "ror serve". ` +
        'Stop it first, or run this command against the same server database with DATABASE_URL.',
    );
  }
}

export async function openDatabase(opts: OpenOptions): Promise<Database> {
  const db = opts.databaseUrl ? await openServer(opts.databaseUrl, opts.schema) : await openEmbedded(opts.dataDir ?? 'memory://');
  if (opts.migrate !== false) {
    try {
      await migrateToLatest(db.kysely, opts.databaseUrl ? opts.schema : undefined);
    } catch (err) {
      await db.close();
      throw err;
    }
  }
  return db;
}

async function openServer(url: string, schema: string | undefined): Promise<Database> {
  const options = schema ? `-c search_path=${schema}` : undefined;
  if (schema) {
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    try {
      await admin.query(`CREATE SCHEMA IF NOT EXISTS ${pg.escapeIdentifier(schema)}`);
    } finally {
      await admin.end();
    }
  }
  const pool = new pg.Pool({ connectionString: url, max: 10, options });
  const kysely = new Kysely<unknown>({ dialect: new PostgresDialect({ pool }) });
  let listenClient: pg.Client | undefined;
  let listenReady: Promise<pg.Client> | undefined;
  const listeners = new Map<string, Set<Listener>>();

  async function listenConnection(): Promise<pg.Client> {
    if (!listenReady) {
      listenReady = (async () => {
        const client = new pg.Client({ connectionString: url });
        await client.connect();
        client.on('notification', (msg) => {
          for (const cb of listeners.get(msg.channel) ?? []) cb(msg.payload ?? '');
        });
        listenClient = client;
        return client;
      })();
    }
    return listenReady;
  }

  return {
    kind: 'postgres',
    pool,
    kysely,
    async listen(channel, cb) {
      const client = await listenConnection();
      let set = listeners.get(channel);
      if (!set) {
        set = new Set();
        listeners.set(channel, set);
        await client.query(`LISTEN ${pg.escapeIdentifier(channel)}`);
      }
      set.add(cb);
      return async () => {
        set.delete(cb);
      };
    },
    async close() {
      await listenClient?.end();
      await kysely.destroy();
    },
  };
}

async function openEmbedded(dataDir: string): Promise<Database> {
  const inMemory = dataDir.startsWith('memory://');
  let releaseLock = (): void => {};
  if (!inMemory) {
    fs.mkdirSync(dataDir, { recursive: true });
    releaseLock = acquireDirLock(dataDir);
  }
  let lite: PGlite;
  try {
    lite = new PGlite(inMemory ? undefined : dataDir);
    await lite.waitReady;
  } catch (err) {
    releaseLock();
    throw err;
  }
  const pool = new pg.Pool(createPgConfig(lite) as unknown as pg.PoolConfig);
  const kysely = new Kysely<unknown>({ dialect: new PostgresDialect({ pool }) });
  return {
    kind: 'pglite',
    pool,
    kysely,
    async listen(channel, cb) {
      const unlisten = await lite.listen(channel, cb);
      return async () => unlisten();
    },
    async close() {
      await kysely.destroy();
      await lite.close();
      releaseLock();
    },
  };
}

/**
 * A PGlite directory must have exactly one writer: a lock file holds the owner's pid.
 * A stale lock (owner gone) is taken over.
 */
function acquireDirLock(dir: string): () => void {
  const lockPath = path.join(dir, 'ror.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.writeFileSync(lockPath, String(process.pid), { flag: 'wx' });
      let released = false;
      const release = (): void => {
        if (released) return;
        released = true;
        process.removeListener('exit', release);
        try {
          if (fs.readFileSync(lockPath, 'utf8') === String(process.pid)) fs.unlinkSync(lockPath);
        } catch {
          /* already gone */
        }
      };
      process.on('exit', release);
      return release;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const owner = Number(fs.readFileSync(lockPath, 'utf8'));
      if (Number.isInteger(owner) && owner > 0 && isAlive(owner)) {
        throw new DataDirLockedError(dir, owner);
      }
      fs.rmSync(lockPath, { force: true });
    }
  }
  throw new Error(`Could not take the lock on ${dir}`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

import { hkdfSync, randomBytes } from 'node:crypto';
import type { Database } from '../db/open.ts';

/** The server's secrets; every instance on one database gets the same ones. */
export interface ServerKeys {
  /** Signs the session cookie (`@fastify/cookie` secret). */
  cookieSecret: string;
  /** HS256 key of the API access tokens. */
  jwtKey: Uint8Array;
}

export const MIN_AUTH_SECRET_LENGTH = 32;

/**
 * Derived from `authSecret` (env `AUTH_SECRET`) when given; otherwise each key is generated once and kept in
 * `auth_key`, so that restarts and other instances agree. Concurrent first starts insert, lose or win, then
 * all read the stored winner.
 */
export async function loadServerKeys(db: Database, authSecret?: string): Promise<ServerKeys> {
  if (authSecret !== undefined && authSecret.length < MIN_AUTH_SECRET_LENGTH) {
    throw new Error(`AUTH_SECRET must be at least ${MIN_AUTH_SECRET_LENGTH} characters long`);
  }
  const key = (name: string): Promise<Buffer> =>
    authSecret !== undefined ? Promise.resolve(Buffer.from(hkdfSync('sha256', authSecret, '', `ror ${name}`, 32))) : storedKey(db, name);
  return {
    cookieSecret: (await key('cookie')).toString('base64url'),
    jwtKey: new Uint8Array(await key('jwt')),
  };
}

async function storedKey(db: Database, name: string): Promise<Buffer> {
  await db.pool.query('INSERT INTO auth_key (name, secret) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING', [
    name,
    randomBytes(32).toString('base64url'),
  ]);
  const { rows } = await db.pool.query<{ secret: string }>('SELECT secret FROM auth_key WHERE name = $1', [name]);
  if (!rows[0]) throw new Error(`auth_key "${name}" vanished`);
  return Buffer.from(rows[0].secret, 'base64url');
}

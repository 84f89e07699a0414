import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Database } from '../db/open.ts';
import { openTestDatabase } from '../db/testing.ts';
import { ClientStore } from './clients.ts';
import { AuthError } from './errors.ts';
import { EMPTY_PERIMETER, type Perimeter } from './principal.ts';

let db: Database;
let clients: ClientStore;
const chu: Perimeter = { ...EMPTY_PERIMETER, organizations: ['ej-440000289'] };
const authError = (status: number, code: string) => (err: unknown) => err instanceof AuthError && err.status === status && err.code === code;

before(async () => {
  db = await openTestDatabase();
  clients = new ClientStore(db);
});
after(() => db.close());

test('a client is created with a hashed secret that verifies; defaults to profile CU18', async () => {
  const { client_id, client_secret } = await clients.create({ name: 'Gestion des lits', scopes: ['read', 'write-capacities'], perimeter: chu });
  assert.match(client_secret, /^[A-Za-z0-9_-]{43}$/);
  const { rows } = await db.pool.query<{ secret_hash: string }>('SELECT secret_hash FROM api_client WHERE id = $1', [client_id]);
  assert.match(rows[0]?.secret_hash ?? '', /^\$argon2id\$/);
  const client = await clients.verify(client_id, client_secret);
  assert.equal(client?.name, 'Gestion des lits');
  assert.deepEqual(client?.scopes, ['read', 'write-capacities']);
  assert.deepEqual(client?.profileCodes, ['CU18']);
  assert.deepEqual(client?.perimeter, chu);
  assert.equal(await clients.verify(client_id, `${client_secret}x`), null);
  assert.equal(await clients.verify('00000000-0000-0000-0000-000000000000', client_secret), null);
});

test('a disabled client no longer verifies', async () => {
  const { client_id, client_secret } = await clients.create({ name: 'Portail', scopes: ['read'], perimeter: EMPTY_PERIMETER, profileCodes: ['CU23', 'CU18'] });
  assert.deepEqual((await clients.get(client_id))?.profileCodes, ['CU23', 'CU18']);
  await clients.disable(client_id);
  assert.equal(await clients.verify(client_id, client_secret), null);
  assert.equal((await clients.get(client_id))?.disabled, true);
  assert.ok((await clients.list()).some((c) => c.id === client_id && c.disabled));
  await assert.rejects(clients.disable('nope'), authError(404, 'unknown-client'));
});

test('scopes must be known and present, profiles known, and writes need a perimeter', async () => {
  await assert.rejects(clients.create({ name: 'x', scopes: [], perimeter: chu }), authError(400, 'invalid-scope'));
  await assert.rejects(clients.create({ name: 'x', scopes: ['read', 'admin'], perimeter: chu }), authError(400, 'invalid-scope'));
  await assert.rejects(clients.create({ name: 'x', scopes: ['read'], perimeter: chu, profileCodes: ['CU99'] }), authError(400, 'invalid-profile'));
  await assert.rejects(clients.create({ name: 'x', scopes: ['read'], perimeter: chu, profileCodes: [] }), authError(400, 'invalid-profile'));
  await assert.rejects(clients.create({ name: 'x', scopes: ['write-offer'], perimeter: EMPTY_PERIMETER }), authError(400, 'invalid-perimeter'));
  await assert.rejects(clients.create({ name: ' ', scopes: ['read'], perimeter: chu }), authError(400, 'invalid-name'));
  assert.ok(await clients.create({ name: 'Lecture seule', scopes: ['read'], perimeter: EMPTY_PERIMETER }));
});

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Database } from '../db/open.ts';
import { openTestDatabase } from '../db/testing.ts';
import { loadServerKeys } from './keys.ts';

let db: Database;
before(async () => {
  db = await openTestDatabase();
});
after(() => db.close());

test('without AUTH_SECRET the keys are generated once and every load agrees, even concurrent ones', async () => {
  const loads = await Promise.all([loadServerKeys(db), loadServerKeys(db), loadServerKeys(db)]);
  const again = await loadServerKeys(db);
  for (const k of [...loads, again]) {
    assert.equal(k.cookieSecret, again.cookieSecret);
    assert.deepEqual(k.jwtKey, again.jwtKey);
  }
  assert.equal(again.jwtKey.length, 32);
  assert.notEqual(Buffer.from(again.jwtKey).toString('base64url'), again.cookieSecret, 'distinct keys');
  const { rows } = await db.pool.query<{ name: string }>('SELECT name FROM auth_key ORDER BY name');
  assert.deepEqual(rows.map((r) => r.name), ['cookie', 'jwt']);
});

test('AUTH_SECRET derives distinct, stable keys that differ from the stored ones; a short one is refused', async () => {
  const secret = 'a'.repeat(20) + 'b'.repeat(20);
  const a = await loadServerKeys(db, secret);
  const b = await loadServerKeys(db, secret);
  const stored = await loadServerKeys(db);
  assert.deepEqual(a, b);
  assert.notEqual(a.cookieSecret, stored.cookieSecret);
  assert.notEqual(Buffer.from(a.jwtKey).toString('base64url'), a.cookieSecret);
  assert.notDeepEqual(a, await loadServerKeys(db, `${secret}c`));
  await assert.rejects(loadServerKeys(db, 'too-short'), /at least 32 characters/);
});

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Database } from '../db/open.ts';
import { openTestDatabase } from '../db/testing.ts';
import { AccountStore, type Account } from './accounts.ts';
import { EMPTY_PERIMETER } from './principal.ts';
import { sessionIdHash, SessionStore } from './sessions.ts';

let db: Database;
let accounts: AccountStore;
let clock: Date;
let sessions: SessionStore;
const MINUTE = 60_000;
const advance = (ms: number): void => {
  clock = new Date(clock.getTime() + ms);
};

before(async () => {
  db = await openTestDatabase();
  accounts = new AccountStore(db);
  clock = new Date('2026-03-02T08:00:00Z');
  sessions = new SessionStore(db, { idleMinutes: 120, absoluteHours: 12, now: () => clock });
});
after(() => db.close());

let n = 0;
async function newAccount(): Promise<Account> {
  return (await accounts.create({ email: `s${++n}@ror.test`, role: 'referent', perimeter: EMPTY_PERIMETER })).account;
}

test('a session stores only the hash of its token and finds its account', async () => {
  const account = await newAccount();
  const s = await sessions.create(account.id, { ip: '10.0.0.1', userAgent: 'Firefox' });
  assert.match(s.token, /^[A-Za-z0-9_-]{43}$/);
  assert.notEqual(s.csrfToken, s.token);
  assert.equal(s.expiresAt.toISOString(), '2026-03-02T20:00:00.000Z');
  const { rows } = await db.pool.query<{ id_hash: string }>('SELECT id_hash FROM session WHERE account_id = $1', [account.id]);
  assert.deepEqual(rows.map((r) => r.id_hash), [sessionIdHash(s.token)]);
  assert.notEqual(rows[0]?.id_hash, s.token);
  const live = await sessions.lookup(s.token);
  assert.equal(live?.account.id, account.id);
  assert.equal(live?.csrfToken, s.csrfToken);
  assert.equal(live?.idHash, sessionIdHash(s.token));
  assert.equal(await sessions.lookup(`${s.token}x`), null);
});

test('a session unused for the idle time ends; use keeps it alive, at most once a minute written', async () => {
  const account = await newAccount();
  const s = await sessions.create(account.id);
  const lastSeen = async (): Promise<string | undefined> =>
    (await db.pool.query<{ last_seen_at: Date }>('SELECT last_seen_at FROM session WHERE id_hash = $1', [sessionIdHash(s.token)])).rows[0]?.last_seen_at.toISOString();
  const created = await lastSeen();
  advance(30_000);
  assert.ok(await sessions.lookup(s.token));
  assert.equal(await lastSeen(), created, 'not written within the first minute');
  advance(119 * MINUTE);
  assert.ok(await sessions.lookup(s.token), '119.5 min after the last write');
  assert.notEqual(await lastSeen(), created);
  advance(119 * MINUTE);
  assert.ok(await sessions.lookup(s.token), 'kept alive by the previous use');
  advance(120 * MINUTE);
  assert.equal(await sessions.lookup(s.token), null, 'idle for 120 min');
});

test('a session ends at its absolute expiry even when in constant use', async () => {
  const account = await newAccount();
  const s = await sessions.create(account.id);
  for (let i = 0; i < 11; i++) {
    advance(60 * MINUTE);
    assert.ok(await sessions.lookup(s.token), `hour ${i + 1}`);
  }
  advance(59 * MINUTE);
  assert.ok(await sessions.lookup(s.token));
  advance(MINUTE);
  assert.equal(await sessions.lookup(s.token), null, '12 h after login');
});

test('purge deletes the revoked, idle and expired sessions and keeps the live ones', async () => {
  const account = await newAccount();
  const revoked = await sessions.create(account.id);
  await sessions.revoke(revoked.token);
  const idle = await sessions.create(account.id);
  advance(100 * MINUTE);
  const live = await sessions.create(account.id);
  advance(30 * MINUTE);
  assert.ok(await sessions.purge() >= 2);
  const { rows } = await db.pool.query<{ id_hash: string }>('SELECT id_hash FROM session WHERE account_id = $1', [account.id]);
  assert.deepEqual(rows.map((r) => r.id_hash), [sessionIdHash(live.token)]);
  assert.ok(await sessions.lookup(live.token));
  assert.equal(await sessions.lookup(idle.token), null);
});

test('revoke ends one session at once; revokeAll ends the others of the account, optionally but one', async () => {
  const account = await newAccount();
  const other = await newAccount();
  const [a, b, c] = [await sessions.create(account.id), await sessions.create(account.id), await sessions.create(account.id)];
  const elsewhere = await sessions.create(other.id);
  await sessions.revoke(a.token);
  assert.equal(await sessions.lookup(a.token), null);
  assert.ok(await sessions.lookup(b.token));
  await sessions.revokeAll(account.id, sessionIdHash(c.token));
  assert.equal(await sessions.lookup(b.token), null);
  assert.ok(await sessions.lookup(c.token), 'the excepted session');
  assert.ok(await sessions.lookup(elsewhere.token), "another account's session");
  await sessions.revokeAll(account.id);
  assert.equal(await sessions.lookup(c.token), null);
});

test("a disabled account's session is refused even if not revoked", async () => {
  const account = await newAccount();
  const s = await sessions.create(account.id);
  await db.pool.query('UPDATE account SET disabled = true WHERE id = $1', [account.id]);
  assert.equal(await sessions.lookup(s.token), null);
  await db.pool.query('UPDATE account SET disabled = false WHERE id = $1', [account.id]);
  assert.ok(await sessions.lookup(s.token));
});

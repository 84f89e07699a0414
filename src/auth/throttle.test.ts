import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Database } from '../db/open.ts';
import { openTestDatabase } from '../db/testing.ts';
import { LoginThrottle } from './throttle.ts';

let db: Database;
let clock: Date;
let throttle: LoginThrottle;
const MINUTE = 60_000;
const advance = (ms: number): void => {
  clock = new Date(clock.getTime() + ms);
};

before(async () => {
  db = await openTestDatabase();
  clock = new Date('2026-03-02T08:00:00Z');
  throttle = new LoginThrottle(db, { now: () => clock });
});
after(() => db.close());

test('five failures on one account within 15 min lock it for 15 min, then it unlocks', async () => {
  const attempt = { email: 'Victim@ror.test', ip: '10.0.0.1' };
  for (let i = 0; i < 4; i++) {
    await throttle.fail(attempt);
    advance(MINUTE);
  }
  assert.deepEqual(await throttle.check(attempt), { allowed: true });
  await throttle.fail(attempt);
  assert.deepEqual(await throttle.check(attempt), { allowed: false, retryAfterSeconds: 900 });
  assert.deepEqual(await throttle.check({ email: 'victim@ror.test', ip: '10.9.9.9' }), { allowed: false, retryAfterSeconds: 900 }, 'from any address');
  assert.deepEqual(await throttle.check({ email: 'other@ror.test', ip: '10.0.0.1' }), { allowed: true }, 'the address is not locked');
  advance(10 * MINUTE);
  assert.deepEqual(await throttle.check(attempt), { allowed: false, retryAfterSeconds: 300 });
  advance(5 * MINUTE);
  assert.deepEqual(await throttle.check(attempt), { allowed: true });
  await throttle.fail(attempt);
  assert.deepEqual(await throttle.check(attempt), { allowed: true }, 'a new window starts after the lock');
});

test('failures spread beyond the window do not lock', async () => {
  const attempt = { email: 'slow@ror.test', ip: '10.0.0.2' };
  for (let i = 0; i < 10; i++) {
    await throttle.fail(attempt);
    advance(4 * MINUTE);
  }
  assert.deepEqual(await throttle.check(attempt), { allowed: true });
});

test('purge deletes run-out counters and keeps those still counting or locking', async () => {
  const old = { email: 'old@ror.test', ip: '10.0.0.9' };
  await throttle.fail(old);
  advance(16 * MINUTE);
  const locked = { email: 'locked@ror.test', ip: '10.0.0.10' };
  for (let i = 0; i < 5; i++) await throttle.fail(locked);
  await throttle.purge();
  const { rows } = await db.pool.query<{ key: string }>(`SELECT key FROM login_throttle WHERE key LIKE '%old%' OR key LIKE '%locked%' OR key LIKE '%10.0.0.9' OR key LIKE '%10.0.0.10' ORDER BY key`);
  assert.deepEqual(rows.map((r) => r.key), ['account:locked@ror.test', 'ip:10.0.0.10']);
  assert.equal((await throttle.check(locked)).allowed, false, 'still locked after the purge');
});

test('a successful login clears the account counter but not the address counter', async () => {
  const attempt = { email: 'forgetful@ror.test', ip: '10.0.0.3' };
  for (let i = 0; i < 4; i++) await throttle.fail(attempt);
  await throttle.succeed(attempt);
  for (let i = 0; i < 4; i++) await throttle.fail(attempt);
  assert.deepEqual(await throttle.check(attempt), { allowed: true });
  const { rows } = await db.pool.query<{ failures: number }>("SELECT failures FROM login_throttle WHERE key = 'ip:10.0.0.3'");
  assert.equal(rows[0]?.failures, 8);
});

test('thirty failures from one address on many accounts lock the address', async () => {
  for (let i = 0; i < 29; i++) await throttle.fail({ email: `u${i}@ror.test`, ip: '10.0.0.4' });
  assert.deepEqual(await throttle.check({ email: 'fresh@ror.test', ip: '10.0.0.4' }), { allowed: true });
  await throttle.fail({ email: 'u29@ror.test', ip: '10.0.0.4' });
  assert.deepEqual(await throttle.check({ email: 'fresh@ror.test', ip: '10.0.0.4' }), { allowed: false, retryAfterSeconds: 900 });
  assert.deepEqual(await throttle.check({ email: 'fresh@ror.test', ip: '10.0.0.5' }), { allowed: true });
  advance(15 * MINUTE);
  assert.deepEqual(await throttle.check({ email: 'fresh@ror.test', ip: '10.0.0.4' }), { allowed: true });
});

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Database } from '../db/open.ts';
import { openTestDatabase } from '../db/testing.ts';
import { AccountStore } from './accounts.ts';
import { AuthError } from './errors.ts';
import { EMPTY_PERIMETER, type Perimeter } from './principal.ts';
import { SessionStore } from './sessions.ts';

let db: Database;
let accounts: AccountStore;
const region52: Perimeter = { ...EMPTY_PERIMETER, regions: ['52'] };

before(async () => {
  db = await openTestDatabase();
  accounts = new AccountStore(db);
});
after(() => db.close());

const authError = (status: number, code: string) => (err: unknown) => err instanceof AuthError && err.status === status && err.code === code;

test('create normalises the email, generates a password and applies the role default profile', async () => {
  const { account, password } = await accounts.create({ email: '  Marie.Durand@ARS.fr ', role: 'regional-admin', perimeter: region52, displayName: 'Marie Durand' });
  assert.equal(account.email, 'marie.durand@ars.fr');
  assert.equal(account.profileCode, 'CU22');
  assert.deepEqual(account.perimeter, region52);
  assert.equal(account.displayName, 'Marie Durand');
  assert.equal(account.disabled, false);
  assert.equal(password.length, 20);
  assert.equal((await accounts.verifyLogin('MARIE.durand@ars.fr', password))?.id, account.id);
  const { rows } = await db.pool.query<{ password_hash: string }>('SELECT password_hash FROM account WHERE id = $1', [account.id]);
  assert.match(rows[0]?.password_hash ?? '', /^\$argon2id\$/);
});

test('a second account with the same email is refused with code duplicate-email', async () => {
  await accounts.create({ email: 'dup@ror.test', role: 'reader', perimeter: EMPTY_PERIMETER });
  await assert.rejects(accounts.create({ email: 'DUP@ror.test', role: 'reader', perimeter: EMPTY_PERIMETER }), authError(409, 'duplicate-email'));
});

test('unknown role, unknown profile code, malformed email and weak chosen password are refused', async () => {
  await assert.rejects(accounts.create({ email: 'x@ror.test', role: 'boss' as 'reader', perimeter: EMPTY_PERIMETER }), authError(400, 'invalid-role'));
  await assert.rejects(accounts.create({ email: 'x@ror.test', role: 'reader', perimeter: EMPTY_PERIMETER, profileCode: 'CU99' }), authError(400, 'invalid-profile'));
  await assert.rejects(accounts.create({ email: 'no-at-sign', role: 'reader', perimeter: EMPTY_PERIMETER }), authError(400, 'invalid-email'));
  await assert.rejects(accounts.create({ email: 'x@ror.test', role: 'reader', perimeter: EMPTY_PERIMETER, password: 'short' }), authError(400, 'weak-password'));
  assert.equal(await accounts.findByEmail('x@ror.test'), null);
  const { account } = await accounts.create({ email: 'x@ror.test', role: 'reader', perimeter: EMPTY_PERIMETER, profileCode: 'CU23' });
  assert.equal(account.profileCode, 'CU23');
});

test('verifyLogin gives null for an unknown email, a wrong password and a disabled account', async () => {
  const { password } = await accounts.create({ email: 'login@ror.test', role: 'reader', perimeter: EMPTY_PERIMETER });
  assert.equal(await accounts.verifyLogin('nobody@ror.test', password), null);
  assert.equal(await accounts.verifyLogin('login@ror.test', `${password}x`), null);
  assert.ok(await accounts.verifyLogin('login@ror.test', password));
  await accounts.disable('login@ror.test');
  assert.equal(await accounts.verifyLogin('login@ror.test', password), null);
  await accounts.enable('login@ror.test');
  assert.ok(await accounts.verifyLogin('login@ror.test', password));
  await assert.rejects(accounts.disable('nobody@ror.test'), authError(404, 'unknown-account'));
});

test('disabling an account and resetting its password revoke its sessions', async () => {
  const sessions = new SessionStore(db, { idleMinutes: 120, absoluteHours: 12 });
  const { account } = await accounts.create({ email: 'revoke@ror.test', role: 'reader', perimeter: EMPTY_PERIMETER });
  const first = await sessions.create(account.id);
  await accounts.disable(account.email);
  await accounts.enable(account.email);
  assert.equal(await sessions.lookup(first.token), null, 'stays revoked after re-enabling');
  const second = await sessions.create(account.id);
  const reset = await accounts.setPassword(account.email);
  assert.equal(await sessions.lookup(second.token), null);
  assert.ok(await accounts.verifyLogin(account.email, reset));
});

test('changePassword checks the current password and the policy', async () => {
  const { account, password } = await accounts.create({ email: 'change@ror.test', role: 'referent', perimeter: EMPTY_PERIMETER });
  await assert.rejects(accounts.changePassword(account.id, 'not-the-password', 'un nouveau mot de passe'), authError(403, 'wrong-password'));
  await assert.rejects(accounts.changePassword(account.id, password, 'court'), authError(400, 'weak-password'));
  await assert.rejects(accounts.changePassword(account.id, password, password), authError(400, 'weak-password'));
  await accounts.changePassword(account.id, password, 'un nouveau mot de passe');
  assert.equal(await accounts.verifyLogin(account.email, password), null);
  assert.ok(await accounts.verifyLogin(account.email, 'un nouveau mot de passe'));
});

test('an OIDC identity links to one account only and finds it', async () => {
  const a = (await accounts.create({ email: 'oidc-a@ror.test', role: 'reader', perimeter: EMPTY_PERIMETER })).account;
  const b = (await accounts.create({ email: 'oidc-b@ror.test', role: 'reader', perimeter: EMPTY_PERIMETER })).account;
  assert.equal(await accounts.findByOidc('https://idp.test', 'sub-1'), null);
  const linked = await accounts.linkOidc(a.id, 'https://idp.test', 'sub-1');
  assert.deepEqual(linked.oidc, { issuer: 'https://idp.test', subject: 'sub-1' });
  assert.equal((await accounts.findByOidc('https://idp.test', 'sub-1'))?.id, a.id);
  await assert.rejects(accounts.linkOidc(b.id, 'https://idp.test', 'sub-1'), authError(409, 'oidc-already-linked'));
  assert.equal((await accounts.findById(b.id))?.oidc, undefined);
});

test('list returns every account ordered by email, without secrets', async () => {
  const list = await accounts.list();
  const emails = list.map((a) => a.email);
  assert.deepEqual(emails, [...emails].sort());
  assert.ok(emails.includes('marie.durand@ars.fr'));
  assert.ok(list.every((a) => !('password_hash' in a) && !('passwordHash' in a)));
});

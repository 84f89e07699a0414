import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { OperationOutcome } from '@medplum/fhirtypes';
import { buildOrganization } from '../model/index.ts';
import { clientToken, createAccount, login, openTestApp, TEST_PASSWORD, type TestApp } from './app.test-support.ts';

let t: TestApp;
let clock = new Date('2026-03-02T08:00:00Z');

before(async () => {
  t = await openTestApp({ auth: { now: () => clock }, app: { trustProxy: true } });
  await createAccount(t, 'admin@ror.test', 'national-admin');
  await createAccount(t, 'lecteur@ror.test', 'reader');
  await createAccount(t, 'password@ror.test', 'reader');
  await createAccount(t, 'throttled@ror.test', 'reader');
});
after(() => t.close());

async function lastAudit(action: string): Promise<{ outcome: string; actor_label: string; detail: Record<string, unknown> | null } | undefined> {
  const { rows } = await t.db.pool.query<{ outcome: string; actor_label: string; detail: Record<string, unknown> | null }>(
    'SELECT outcome, actor_label, detail FROM audit_event WHERE action = $1 ORDER BY id DESC LIMIT 1',
    [action],
  );
  return rows[0];
}

async function resourceCount(): Promise<number> {
  const { rows } = await t.db.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM resource');
  return rows[0]?.n ?? 0;
}

test('login answers the account and a CSRF token, and sets an HttpOnly SameSite=Lax session cookie', async () => {
  const res = await t.app.inject({ method: 'POST', url: '/auth/login', payload: { email: 'Lecteur@ror.test', password: TEST_PASSWORD } });
  assert.equal(res.statusCode, 200);
  const body = res.json() as { account: Record<string, unknown>; csrfToken: string };
  assert.equal(body.account.email, 'lecteur@ror.test');
  assert.equal(body.account.role, 'reader');
  assert.equal(body.account.profile, 2);
  assert.deepEqual(body.account.perimeter, { national: true, regions: [], organizations: [], services: [], locations: [] });
  assert.ok(body.csrfToken.length >= 32);
  const cookie = res.cookies.find((c) => c.name === 'ror_session');
  assert.ok(cookie);
  assert.equal(cookie.httpOnly, true);
  assert.equal(cookie.sameSite, 'Lax');
  assert.equal(cookie.path, '/');
  assert.equal(cookie.secure, undefined, 'not Secure over plain http');
  assert.equal(res.headers['cache-control'], 'no-store');
  const https = await t.app.inject({ method: 'POST', url: '/auth/login', headers: { 'x-forwarded-proto': 'https' }, payload: { email: 'lecteur@ror.test', password: TEST_PASSWORD } });
  assert.equal(https.cookies.find((c) => c.name === 'ror_session')?.secure, true, 'Secure over https');
});

test('a wrong password answers the generic 401 without a cookie; missing fields 400', async () => {
  const res = await t.app.inject({ method: 'POST', url: '/auth/login', payload: { email: 'lecteur@ror.test', password: 'wrong password!' } });
  assert.equal(res.statusCode, 401);
  assert.deepEqual(res.json(), { error: { code: 'invalid-credentials', message: 'Adresse électronique ou mot de passe incorrect.' } });
  assert.equal(res.cookies.length, 0);
  const missing = await t.app.inject({ method: 'POST', url: '/auth/login', payload: { email: 'lecteur@ror.test' } });
  assert.equal(missing.statusCode, 400);
});

test('repeated failures are throttled: 429 with Retry-After', async () => {
  let last = await t.app.inject({ method: 'POST', url: '/auth/login', payload: { email: 'throttled@ror.test', password: 'nope nope nope' } });
  for (let i = 0; i < 5 && last.statusCode === 401; i++) {
    last = await t.app.inject({ method: 'POST', url: '/auth/login', payload: { email: 'throttled@ror.test', password: 'nope nope nope' } });
  }
  assert.equal(last.statusCode, 429);
  assert.ok(Number(last.headers['retry-after']) > 0);
  const right = await t.app.inject({ method: 'POST', url: '/auth/login', payload: { email: 'throttled@ror.test', password: TEST_PASSWORD } });
  assert.equal(right.statusCode, 429, 'even the right password waits');
});

test('the sign-in form posts urlencoded: success goes to the home page, failure shows the form again in French', async () => {
  const form = (password: string) =>
    t.app.inject({ method: 'POST', url: '/auth/login', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: new URLSearchParams({ email: 'lecteur@ror.test', password }).toString() });
  const ok = await form(TEST_PASSWORD);
  assert.equal(ok.statusCode, 303);
  assert.equal(ok.headers.location, '/');
  const cookie = ok.cookies.find((c) => c.name === 'ror_session');
  assert.ok(cookie);
  const home = await t.app.inject({ method: 'GET', url: '/', headers: { cookie: `ror_session=${cookie.value}` } });
  assert.equal(home.statusCode, 200);
  assert.match(home.body, /Connecté en tant que lecteur@ror\.test/);
  const ko = await form('wrong password!');
  assert.equal(ko.statusCode, 401);
  assert.match(String(ko.headers['content-type']), /text\/html/);
  assert.match(ko.body, /Adresse électronique ou mot de passe incorrect/);
  assert.match(ko.body, /value="lecteur@ror.test"/);
});

test('/auth/me tells who is connected; logout needs the CSRF token, revokes the session and clears the cookie', async () => {
  const { cookie, csrfToken } = await login(t.app, 'lecteur@ror.test');
  const me = await t.app.inject({ method: 'GET', url: '/auth/me', headers: { cookie } });
  assert.equal(me.statusCode, 200);
  const body = me.json() as { account: { email: string; scopes: string[] }; csrfToken: string };
  assert.equal(body.account.email, 'lecteur@ror.test');
  assert.deepEqual(body.account.scopes, ['read']);
  assert.equal(body.csrfToken, csrfToken);
  assert.equal((await t.app.inject({ method: 'POST', url: '/auth/logout', headers: { cookie } })).statusCode, 403);
  const out = await t.app.inject({ method: 'POST', url: '/auth/logout', headers: { cookie, 'x-csrf-token': csrfToken } });
  assert.equal(out.statusCode, 204);
  const cleared = out.cookies.find((c) => c.name === 'ror_session');
  assert.equal(cleared?.value, '');
  assert.equal((await lastAudit('logout'))?.actor_label, 'lecteur@ror.test');
  const after = await t.app.inject({ method: 'GET', url: '/auth/me', headers: { cookie } });
  assert.equal(after.statusCode, 401);
  assert.equal((after.json() as { error: { code: string } }).error.code, 'invalid-session');
});

test('an API client sees itself on /auth/me and cannot log out', async () => {
  const { token, clientId } = await clientToken(t, ['read']);
  const me = await t.app.inject({ method: 'GET', url: '/auth/me', headers: { authorization: `Bearer ${token}` } });
  assert.equal((me.json() as { client: { id: string } }).client.id, clientId);
  const out = await t.app.inject({ method: 'POST', url: '/auth/logout', headers: { authorization: `Bearer ${token}` } });
  assert.equal(out.statusCode, 400);
});

test('a tampered session cookie answers 401, is cleared and audited', async () => {
  const { cookie } = await login(t.app, 'lecteur@ror.test');
  const [name, value] = cookie.split('=') as [string, string];
  const tampered = `${name}=${value.slice(0, -2)}${value.endsWith('A') ? 'B' : 'A'}${value.slice(-1)}`;
  const res = await t.app.inject({ method: 'GET', url: '/fhir/Organization', headers: { cookie: tampered } });
  assert.equal(res.statusCode, 401);
  assert.equal((res.json() as OperationOutcome).resourceType, 'OperationOutcome');
  assert.equal(res.cookies.find((c) => c.name === 'ror_session')?.value, '');
  const audit = await lastAudit('authenticate');
  assert.equal(audit?.outcome, 'denied');
  assert.equal(audit?.detail?.reason, 'tampered-cookie');
  assert.equal(audit?.detail?.path, '/fhir/Organization');
});

test('a cookie-authenticated write without the CSRF token is refused with 403, audited, and writes nothing', async () => {
  const { cookie, csrfToken } = await login(t.app, 'admin@ror.test');
  const organization = buildOrganization({ id: 'ignored', kind: 'EG', finess: '440000057', name: 'CLINIQUE TEST', category: '365', region: '52', origin: 'finess' });
  const before = await resourceCount();
  const post = (headers: Record<string, string>) =>
    t.app.inject({ method: 'POST', url: '/fhir/Organization', headers: { cookie, 'content-type': 'application/fhir+json', ...headers }, payload: JSON.stringify(organization) });
  const missing = await post({});
  assert.equal(missing.statusCode, 403);
  assert.equal((missing.json() as OperationOutcome).issue?.[0]?.code, 'forbidden');
  const wrong = await post({ 'x-csrf-token': `${csrfToken}x` });
  assert.equal(wrong.statusCode, 403);
  assert.equal(await resourceCount(), before);
  const audit = await lastAudit('csrf');
  assert.equal(audit?.actor_label, 'admin@ror.test');
  assert.equal(audit?.detail?.reason, 'wrong-csrf-token');
  const ok = await post({ 'x-csrf-token': csrfToken });
  assert.equal(ok.statusCode, 201, ok.body);
  assert.equal(await resourceCount(), before + 1);
});

test('a password change checks the current password, keeps this session and ends the others', async () => {
  const mine = await login(t.app, 'password@ror.test');
  const other = await login(t.app, 'password@ror.test');
  const change = (current: string, next: string) =>
    t.app.inject({ method: 'POST', url: '/auth/password', headers: { cookie: mine.cookie, 'x-csrf-token': mine.csrfToken }, payload: { current, next } });
  const wrong = await change('not my password', 'a new long passphrase');
  assert.equal(wrong.statusCode, 403);
  assert.deepEqual(wrong.json(), { error: { code: 'wrong-password', message: 'Le mot de passe actuel est incorrect.' } });
  assert.equal((await lastAudit('password-change'))?.outcome, 'denied');
  const weak = await change(TEST_PASSWORD, 'short');
  assert.equal(weak.statusCode, 400);
  assert.match((weak.json() as { error: { message: string } }).error.message, /au moins 12 caractères/);
  assert.equal((await change(TEST_PASSWORD, 'a new long passphrase')).statusCode, 204);
  assert.equal((await lastAudit('password-change'))?.outcome, 'success');
  assert.equal((await t.app.inject({ method: 'GET', url: '/auth/me', headers: { cookie: mine.cookie } })).statusCode, 200);
  assert.equal((await t.app.inject({ method: 'GET', url: '/auth/me', headers: { cookie: other.cookie } })).statusCode, 401);
  await login(t.app, 'password@ror.test', 'a new long passphrase');
});

test('an idle session expires', async () => {
  const { cookie } = await login(t.app, 'lecteur@ror.test');
  assert.equal((await t.app.inject({ method: 'GET', url: '/auth/me', headers: { cookie } })).statusCode, 200);
  clock = new Date(clock.getTime() + 61 * 60_000);
  const res = await t.app.inject({ method: 'GET', url: '/auth/me', headers: { cookie } });
  assert.equal(res.statusCode, 401);
  assert.equal((await lastAudit('authenticate'))?.detail?.reason, 'invalid-session');
});

test('Ror-* headers: a profile the account may not use is 403 and audited, a malformed header 400', async () => {
  const { cookie } = await login(t.app, 'lecteur@ror.test');
  const wider = await t.app.inject({ method: 'GET', url: '/fhir/Organization', headers: { cookie, 'ror-profil-utilisateur-code': 'CU22' } });
  assert.equal(wider.statusCode, 403);
  assert.equal((await lastAudit('authenticate'))?.detail?.reason, 'profile-not-granted');
  const narrower = await t.app.inject({ method: 'GET', url: '/auth/me', headers: { cookie, 'ror-profil-utilisateur-code': 'CU23' } });
  assert.equal((narrower.json() as { account: { profile: number } }).account.profile, 0);
  const bad = await t.app.inject({ method: 'GET', url: '/fhir/Organization', headers: { cookie, 'ror-profil-utilisateur-system': 'urn:nope', 'ror-profil-utilisateur-code': 'CU18' } });
  assert.equal(bad.statusCode, 400);
});

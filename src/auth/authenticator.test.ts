import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Database } from '../db/open.ts';
import { openTestDatabase } from '../db/testing.ts';
import { queryAudit } from '../store/audit.ts';
import { Authenticator, type RequestHeaders } from './authenticator.ts';
import { AuthError } from './errors.ts';
import { loadServerKeys } from './keys.ts';
import { EMPTY_PERIMETER, PROFILE_CODE_SYSTEM, type Perimeter } from './principal.ts';

let db: Database;
let auth: Authenticator;
let clock: Date;
const chu: Perimeter = { ...EMPTY_PERIMETER, organizations: ['ej-440000289'] };
const authError = (status: number, code: string) => (err: unknown) => err instanceof AuthError && err.status === status && err.code === code;
const profile = (code: string, system = PROFILE_CODE_SYSTEM): RequestHeaders => ({ 'ror-profil-utilisateur-code': code, 'ror-profil-utilisateur-system': system });

before(async () => {
  db = await openTestDatabase();
  clock = new Date('2026-03-02T08:00:00Z');
  auth = new Authenticator(db, { keys: await loadServerKeys(db), sessionIdleMinutes: 120, sessionAbsoluteHours: 12, tokenTtlSeconds: 900, now: () => clock });
});
after(() => db.close());

async function account(email: string, profileCode?: string): Promise<string> {
  const { password } = await auth.accounts.create({ email, role: 'referent', perimeter: chu, ...(profileCode ? { profileCode } : {}) });
  return password;
}

async function clientToken(profileCodes?: string[]): Promise<{ token: string; clientId: string }> {
  const { client_id, client_secret } = await auth.clients.create({ name: 'Gestion des lits', scopes: ['read', 'write-capacities'], perimeter: chu, ...(profileCodes ? { profileCodes } : {}) });
  const client = await auth.clients.verify(client_id, client_secret);
  assert.ok(client);
  return { token: (await auth.tokens.issue(client)).access_token, clientId: client_id };
}

test('a password login opens a session whose cookie authenticates a user principal; both are audited', async () => {
  const password = await account('ref@ror.test');
  const login = await auth.login({ email: 'REF@ror.test', password, ip: '10.1.0.1', userAgent: 'Firefox' });
  assert.equal(login.account.email, 'ref@ror.test');
  const p = await auth.authenticate({ sessionToken: login.token, headers: {}, ip: '10.1.0.1' });
  assert.deepEqual(p, {
    kind: 'user',
    id: login.account.id,
    label: 'ref@ror.test',
    role: 'referent',
    scopes: ['read', 'write-offer', 'write-capacities'],
    perimeter: chu,
    profile: 2,
    profileCode: 'CU18',
    session: { idHash: p.session?.idHash, csrfToken: login.csrfToken },
    client: 'web',
    ip: '10.1.0.1',
  });
  assert.ok(p.session?.idHash);
  const [record] = await queryAudit(db, { actorId: login.account.id, action: 'login' });
  assert.equal(record?.outcome, 'success');
  assert.equal(record?.ip, '10.1.0.1');
  await auth.logout(login.token, '10.1.0.1');
  await assert.rejects(auth.authenticate({ sessionToken: login.token, headers: {} }), authError(401, 'invalid-session'));
  assert.equal((await queryAudit(db, { actorId: login.account.id, action: 'logout' })).length, 1);
});

test('an unknown email and a wrong password give the same 401 and message; the audit log tells them apart', async () => {
  const password = await account('known@ror.test');
  const attempts = [
    auth.login({ email: 'unknown@ror.test', password, ip: '10.1.0.2' }),
    auth.login({ email: 'known@ror.test', password: `${password}!`, ip: '10.1.0.2' }),
  ];
  const errors = await Promise.all(attempts.map((a) => a.then(() => assert.fail('should be refused'), (e: unknown) => e)));
  for (const e of errors) assert.ok(authError(401, 'invalid-credentials')(e));
  assert.equal((errors[0] as Error).message, (errors[1] as Error).message);
  assert.equal((errors[0] as Error).message, 'Adresse électronique ou mot de passe incorrect.');
  const denied = await queryAudit(db, { action: 'login', outcome: 'denied' });
  assert.deepEqual(
    denied.filter((r) => r.actor.label.endsWith('@ror.test') && ['unknown@ror.test', 'known@ror.test'].includes(r.actor.label)).map((r) => [r.actor.label, r.detail?.reason]).sort(),
    [['known@ror.test', 'wrong-password'], ['unknown@ror.test', 'unknown-email']],
  );
});

test('the sixth attempt after five failures is throttled with 429 and a retry delay, even with the right password', async () => {
  const password = await account('target@ror.test');
  for (let i = 0; i < 5; i++) await assert.rejects(auth.login({ email: 'target@ror.test', password: 'wrong-password', ip: '10.1.0.3' }), authError(401, 'invalid-credentials'));
  await assert.rejects(auth.login({ email: 'target@ror.test', password, ip: '10.1.0.4' }), (e: unknown) => authError(429, 'too-many-attempts')(e) && (e as AuthError).retryAfterSeconds === 900);
  const reasons = (await queryAudit(db, { action: 'login', outcome: 'denied' })).filter((r) => r.actor.label === 'target@ror.test').map((r) => r.detail?.reason);
  assert.deepEqual(reasons.sort(), ['throttled', ...Array(5).fill('wrong-password')]);
  clock = new Date(clock.getTime() + 15 * 60_000);
  assert.ok(await auth.login({ email: 'target@ror.test', password, ip: '10.1.0.4' }));
});

test('no credentials, a bad session token or a disabled account answer 401', async () => {
  await assert.rejects(auth.authenticate({ headers: {} }), authError(401, 'no-credentials'));
  await assert.rejects(auth.authenticate({ sessionToken: 'forged', headers: {} }), authError(401, 'invalid-session'));
  const password = await account('leaving@ror.test');
  const { token } = await auth.login({ email: 'leaving@ror.test', password, ip: '10.1.0.5' });
  await auth.accounts.disable('leaving@ror.test');
  await assert.rejects(auth.authenticate({ sessionToken: token, headers: {} }), authError(401, 'invalid-session'));
});

test('a bearer token authenticates a client principal; disabling the client stops it at the next request', async () => {
  const { token, clientId } = await clientToken();
  const p = await auth.authenticate({ bearerToken: token, headers: { 'ror-role-metier-code': 'AUTOMATE', 'ror-role-metier-system': '1.2.250.1.213.1.1.4.6' }, ip: '10.2.0.1' });
  assert.deepEqual(p, {
    kind: 'client',
    id: clientId,
    label: 'Gestion des lits',
    scopes: ['read', 'write-capacities'],
    perimeter: chu,
    profile: 2,
    profileCode: 'CU18',
    roleMetier: { system: '1.2.250.1.213.1.1.4.6', code: 'AUTOMATE' },
    client: clientId,
    ip: '10.2.0.1',
  });
  await auth.clients.disable(clientId);
  await assert.rejects(auth.authenticate({ bearerToken: token, headers: {} }), authError(401, 'client-disabled'));
  await assert.rejects(auth.authenticate({ bearerToken: 'not.a.token', headers: {} }), authError(401, 'invalid-token'));
  const expiring = await clientToken();
  clock = new Date(clock.getTime() + 900_000);
  await assert.rejects(auth.authenticate({ bearerToken: expiring.token, headers: {} }), authError(401, 'expired-token'));
});

test('a client gets the profile it asks for only among those granted; without the header, its first one', async () => {
  const { token } = await clientToken(['CU23', 'CU22']);
  assert.deepEqual(pick(await auth.authenticate({ bearerToken: token, headers: {} })), [0, 'CU23']);
  assert.deepEqual(pick(await auth.authenticate({ bearerToken: token, headers: profile('CU22') })), [1, 'CU22']);
  await assert.rejects(auth.authenticate({ bearerToken: token, headers: profile('CU18') }), authError(403, 'profile-not-granted'));
});

test('an account may ask for its own or a more restrictive profile (1 < 2 < 3 < 0), never a wider one', async () => {
  const cu18 = await sessionOf('cu18@ror.test', 'CU18');
  assert.deepEqual(pick(await auth.authenticate({ sessionToken: cu18, headers: {} })), [2, 'CU18']);
  assert.deepEqual(pick(await auth.authenticate({ sessionToken: cu18, headers: profile('CU20') })), [2, 'CU20']);
  assert.deepEqual(pick(await auth.authenticate({ sessionToken: cu18, headers: profile('CU19') })), [3, 'CU19']);
  assert.deepEqual(pick(await auth.authenticate({ sessionToken: cu18, headers: profile('CU23') })), [0, 'CU23']);
  await assert.rejects(auth.authenticate({ sessionToken: cu18, headers: profile('CU22') }), authError(403, 'profile-not-granted'));
  const cu21 = await sessionOf('cu21@ror.test', 'CU21');
  await assert.rejects(auth.authenticate({ sessionToken: cu21, headers: profile('CU18') }), authError(403, 'profile-not-granted'));
  assert.deepEqual(pick(await auth.authenticate({ sessionToken: cu21, headers: profile('CU23') })), [0, 'CU23']);
  const cu22 = await sessionOf('cu22@ror.test', 'CU22');
  assert.deepEqual(pick(await auth.authenticate({ sessionToken: cu22, headers: profile('CU21') })), [3, 'CU21']);
});

test('malformed Ror-* headers answer 400', async () => {
  const s = await sessionOf('headers@ror.test', 'CU22');
  const bad = (headers: RequestHeaders, code: string) => assert.rejects(auth.authenticate({ sessionToken: s, headers }), authError(400, code));
  await bad(profile('CU18', '1.2.250.1.213.1.6.1.99'), 'invalid-profile-system');
  await bad(profile('CU99'), 'unknown-profile');
  await bad({ 'ror-profil-utilisateur-system': PROFILE_CODE_SYSTEM }, 'invalid-header');
  await bad({ 'ror-profil-utilisateur-code': ['CU18', 'CU22'] }, 'invalid-header');
  await bad({ 'ror-role-metier-code': 'AUTOMATE' }, 'invalid-header');
  await bad({ 'ror-role-metier-system': '1.2.250.1.213.1.1.4.6' }, 'invalid-header');
  assert.deepEqual(pick(await auth.authenticate({ sessionToken: s, headers: { 'ror-profil-utilisateur-code': 'CU18' } })), [2, 'CU18'], 'the system may be omitted');
});

function pick(p: { profile: number; profileCode?: string }): [number, string | undefined] {
  return [p.profile, p.profileCode];
}

async function sessionOf(email: string, profileCode: string): Promise<string> {
  const password = await account(email, profileCode);
  return (await auth.login({ email, password, ip: '10.3.0.1' })).token;
}

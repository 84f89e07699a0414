import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import type { Bundle } from '@medplum/fhirtypes';
import { signInAtIdp, startTestIdp, type TestIdp } from '../auth/oidc.test-support.ts';
import { buildOrganization } from '../model/index.ts';
import { createAccount, openTestApp, type TestApp } from './app.test-support.ts';

let idp: TestIdp;
let t: TestApp;
let base: string;

async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  server.close();
  await once(server, 'close');
  return port;
}

before(async () => {
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  const redirectUri = `${base}/auth/oidc/callback`;
  idp = await startTestIdp({
    clientId: 'ror',
    clientSecret: 'ror-oidc-secret',
    redirectUri,
    accounts: {
      'psc-referent': { email: 'Referent@ror.test', email_verified: true, name: 'Claire Martin' },
      'psc-unknown': { email: 'inconnu@ror.test', email_verified: true },
      'psc-unverified': { email: 'lecteur@ror.test', email_verified: false },
      'psc-disabled': { email: 'parti@ror.test', email_verified: true },
    },
  });
  t = await openTestApp({
    seed: (repo) =>
      repo.putBatch([buildOrganization({ id: 'eg-440000271', kind: 'EG', finess: '440000271', name: 'CHU NANTES HOTEL DIEU', category: '101', region: '52', origin: 'finess' })]).then(() => undefined),
    app: { oidc: { issuer: idp.issuer, clientId: 'ror', clientSecret: 'ror-oidc-secret', redirectUri, scopes: 'openid email profile', label: 'Pro Santé Connect' } },
  });
  await createAccount(t, 'referent@ror.test', 'reader');
  await createAccount(t, 'lecteur@ror.test', 'reader');
  await createAccount(t, 'parti@ror.test', 'reader');
  await t.auth.accounts.disable('parti@ror.test');
  await t.app.listen({ port, host: '127.0.0.1' });
});
after(async () => {
  await t.close();
  await idp.close();
});

/** A browser's cookie jar for the ROR (paths ignored: every cookie is sent). */
class Browser {
  readonly cookies = new Map<string, string>();

  async fetch(url: string): Promise<Response> {
    const res = await fetch(new URL(url, base), { redirect: 'manual', headers: { cookie: [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ') } });
    for (const header of res.headers.getSetCookie()) {
      const [pair = ''] = header.split(';');
      const eq = pair.indexOf('=');
      const value = pair.slice(eq + 1);
      if (value === '') this.cookies.delete(pair.slice(0, eq));
      else this.cookies.set(pair.slice(0, eq), value);
    }
    return res;
  }

  /** Sign-in page → IdP (signs in as `subject`) → the ROR callback's answer. */
  async signIn(subject: string): Promise<Response> {
    const start = await this.fetch('/auth/oidc/login');
    assert.equal(start.status, 302);
    const authorization = start.headers.get('location') as string;
    assert.ok(authorization.startsWith(idp.issuer));
    assert.ok(this.cookies.has('ror_oidc'));
    const callback = await signInAtIdp(authorization, subject);
    return this.fetch(callback.href);
  }
}

async function lastLoginAudit(): Promise<{ outcome: string; actor_id: string; detail: Record<string, unknown> }> {
  const { rows } = await t.db.pool.query<{ outcome: string; actor_id: string; detail: Record<string, unknown> }>(
    "SELECT outcome, actor_id, detail FROM audit_event WHERE action = 'login' ORDER BY id DESC LIMIT 1",
  );
  return rows[0] as { outcome: string; actor_id: string; detail: Record<string, unknown> };
}

test('the sign-in page offers the identity provider', async () => {
  const page = await new Browser().fetch('/connexion');
  assert.match(await page.text(), /<a href="\/auth\/oidc\/login">Se connecter avec Pro Santé Connect<\/a>/);
});

test('OIDC sign-in links the account by verified email, opens a session that reads /fhir, and signs in again by subject', async () => {
  const browser = new Browser();
  const done = await browser.signIn('psc-referent');
  assert.equal(done.status, 302);
  assert.equal(done.headers.get('location'), '/');
  assert.ok(browser.cookies.has('ror_session'));
  assert.ok(!browser.cookies.has('ror_oidc'), 'the pending-login cookie is spent');
  const search = await browser.fetch('/fhir/Organization');
  assert.equal(search.status, 200);
  assert.deepEqual(((await search.json()) as Bundle).entry?.map((e) => e.resource?.id), ['eg-440000271']);
  const account = await t.auth.accounts.findByEmail('referent@ror.test');
  assert.deepEqual(account?.oidc, { issuer: idp.issuer, subject: 'psc-referent' });
  assert.equal((await lastLoginAudit()).detail.linked, true);

  const again = new Browser();
  assert.equal((await again.signIn('psc-referent')).status, 302);
  const audit = await lastLoginAudit();
  assert.equal(audit.outcome, 'success');
  assert.equal(audit.actor_id, account?.id);
  assert.equal(audit.detail.linked, false);
});

test('an unknown identity, an unverified email or a disabled account is refused with a French 403 page, audited', async () => {
  const cases: [string, RegExp, string][] = [
    ['psc-unknown', /Aucun compte du ROR ne correspond/, 'unknown-account'],
    ['psc-unverified', /Aucun compte du ROR ne correspond/, 'unverified-email'],
    ['psc-disabled', /Ce compte est désactivé/, 'account-disabled'],
  ];
  for (const [subject, message, reason] of cases) {
    const browser = new Browser();
    const res = await browser.signIn(subject);
    assert.equal(res.status, 403, subject);
    assert.match(res.headers.get('content-type') ?? '', /text\/html/);
    assert.match(await res.text(), message, subject);
    assert.ok(!browser.cookies.has('ror_session'), subject);
    const audit = await lastLoginAudit();
    assert.equal(audit.outcome, 'denied');
    assert.equal(audit.detail.reason, reason, subject);
  }
  assert.equal((await t.auth.accounts.findByEmail('lecteur@ror.test'))?.oidc, undefined, 'an unverified email links nothing');
});

test('a callback without its pending login, or for another login, is refused', async () => {
  const browser = new Browser();
  const start = await browser.fetch('/auth/oidc/login');
  const callback = await signInAtIdp(start.headers.get('location') as string, 'psc-referent');
  const stranger = await new Browser().fetch(callback.href);
  assert.equal(stranger.status, 400);
  assert.match(await stranger.text(), /expiré/);
  await browser.fetch('/auth/oidc/login');
  const crossed = await browser.fetch(callback.href);
  assert.equal(crossed.status, 400, 'state of another login');
  assert.equal((await lastLoginAudit()).detail.reason, 'invalid-callback');
  assert.ok(!browser.cookies.has('ror_session'));
});

test('without OIDC settings the OIDC routes answer 404', async () => {
  const plain = await openTestApp();
  try {
    for (const url of ['/auth/oidc/login', '/auth/oidc/callback?code=x&state=y']) {
      assert.equal((await plain.app.inject({ method: 'GET', url })).statusCode, 404, url);
    }
  } finally {
    await plain.close();
  }
});

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { OidcLogin, OidcUnavailableError, oidcConfigFromEnv, type OidcConfig } from './oidc.ts';
import { signInAtIdp, startTestIdp, type TestIdp } from './oidc.test-support.ts';

const REDIRECT_URI = 'http://127.0.0.1:9/auth/oidc/callback';
let idp: TestIdp;
let config: OidcConfig;

before(async () => {
  idp = await startTestIdp({
    clientId: 'ror',
    clientSecret: 'ror-secret',
    redirectUri: REDIRECT_URI,
    accounts: {
      'referent-42': { email: 'Claire.Martin@chu-nantes.fr', email_verified: true, name: 'Claire Martin' },
      'unverified-7': { email: 'paul@example.org', email_verified: false },
    },
  });
  config = { issuer: idp.issuer, clientId: 'ror', clientSecret: 'ror-secret', redirectUri: REDIRECT_URI, scopes: 'openid email profile', label: 'IdP de test' };
});
after(() => idp.close());

test('no OIDC_ISSUER means no OIDC login', () => {
  assert.equal(oidcConfigFromEnv({}), undefined);
});

test('OIDC settings from the environment, with default scopes and label', () => {
  const env = { OIDC_ISSUER: 'https://auth.esante.gouv.fr/auth/realms/esante-wallet', OIDC_CLIENT_ID: 'ror', OIDC_REDIRECT_URI: 'https://ror.example.fr/auth/oidc/callback' };
  assert.deepEqual(oidcConfigFromEnv(env), {
    issuer: env.OIDC_ISSUER,
    clientId: 'ror',
    clientSecret: undefined,
    redirectUri: env.OIDC_REDIRECT_URI,
    scopes: 'openid email profile',
    label: 'auth.esante.gouv.fr',
  });
  assert.equal(oidcConfigFromEnv({ ...env, OIDC_LABEL: 'Pro Santé Connect', OIDC_CLIENT_SECRET: 's' })?.label, 'Pro Santé Connect');
});

test('incomplete or insecure OIDC settings are refused at start', () => {
  assert.throws(() => oidcConfigFromEnv({ OIDC_ISSUER: 'https://idp.example.fr' }), /OIDC_CLIENT_ID and OIDC_REDIRECT_URI are not/);
  const base = { OIDC_CLIENT_ID: 'ror', OIDC_REDIRECT_URI: 'https://ror.example.fr/auth/oidc/callback' };
  assert.throws(() => oidcConfigFromEnv({ ...base, OIDC_ISSUER: 'http://idp.example.fr' }), /OIDC_ISSUER must be an https URL/);
  assert.throws(() => oidcConfigFromEnv({ ...base, OIDC_ISSUER: 'idp' }), /absolute URL/);
  assert.ok(oidcConfigFromEnv({ ...base, OIDC_ISSUER: 'http://127.0.0.1:8080' }));
});

test('code flow with PKCE S256, state and nonce gives the identity with the email from userinfo', async () => {
  const login = new OidcLogin(config);
  const { url, pending } = await login.start();
  const params = new URL(url).searchParams;
  assert.equal(params.get('code_challenge_method'), 'S256');
  assert.equal(params.get('state'), pending.state);
  assert.equal(params.get('nonce'), pending.nonce);
  assert.equal(params.get('redirect_uri'), REDIRECT_URI);
  assert.notEqual(params.get('code_challenge'), pending.codeVerifier);
  const callback = await signInAtIdp(url, 'referent-42');
  assert.equal(callback.origin + callback.pathname, REDIRECT_URI);
  const identity = await login.finish(callback, pending);
  assert.deepEqual(identity, { issuer: idp.issuer, subject: 'referent-42', email: 'Claire.Martin@chu-nantes.fr', emailVerified: true, name: 'Claire Martin' });
  await assert.rejects(login.finish(callback, pending), 'a code is redeemed once');
});

test('an unverified email is reported as such', async () => {
  const login = new OidcLogin(config);
  const { url, pending } = await login.start();
  const identity = await login.finish(await signInAtIdp(url, 'unverified-7'), pending);
  assert.equal(identity.emailVerified, false);
});

test('a callback whose state or verifier is not the pending login one is refused', async () => {
  const login = new OidcLogin(config);
  const first = await login.start();
  const second = await login.start();
  const callback = await signInAtIdp(first.url, 'referent-42');
  await assert.rejects(login.finish(callback, second.pending), (err: Error) => /state/.test(String((err.cause as Error | undefined)?.message)));
  await assert.rejects(login.finish(callback, { ...first.pending, codeVerifier: second.pending.codeVerifier }));
});

test('an unreachable IdP is reported as unavailable, and discovery is retried later', async () => {
  const login = new OidcLogin({ ...config, issuer: 'http://127.0.0.1:9' });
  await assert.rejects(login.start(), OidcUnavailableError);
  await assert.rejects(login.start(), OidcUnavailableError);
});

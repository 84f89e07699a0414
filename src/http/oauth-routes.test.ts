import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Bundle } from '@medplum/fhirtypes';
import { EMPTY_PERIMETER } from '../auth/principal.ts';
import { openTestApp, type TestApp } from './app.test-support.ts';
import { TOKEN_REQUESTS_PER_MINUTE } from './oauth-routes.ts';

let t: TestApp;
let clientId: string;
let secret: string;
let clock = new Date('2026-03-02T08:00:00Z');

before(async () => {
  t = await openTestApp({ auth: { now: () => clock, tokenTtlSeconds: 300 } });
  ({ client_id: clientId, client_secret: secret } = await t.auth.clients.create({ name: 'Gestion des lits', scopes: ['read', 'write-capacities'], perimeter: { ...EMPTY_PERIMETER, regions: ['52'] } }));
});
after(() => t.close());

const form = (params: Record<string, string>, headers: Record<string, string> = {}) =>
  t.app.inject({
    method: 'POST',
    url: '/oauth/token',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    payload: new URLSearchParams(params).toString(),
  });
const basic = (id: string, s: string) => ({ authorization: `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(s)}`).toString('base64')}` });

test('client credentials with HTTP Basic: a bearer token that reads /fhir', async () => {
  const res = await form({ grant_type: 'client_credentials' }, basic(clientId, secret));
  assert.equal(res.statusCode, 200, res.body);
  assert.equal(res.headers['cache-control'], 'no-store');
  const token = res.json() as { access_token: string; token_type: string; expires_in: number; scope: string };
  assert.equal(token.token_type, 'Bearer');
  assert.equal(token.expires_in, 300);
  assert.equal(token.scope, 'read write-capacities');
  const search = await t.app.inject({ method: 'GET', url: '/fhir/Organization', headers: { authorization: `Bearer ${token.access_token}` } });
  assert.equal(search.statusCode, 200);
  assert.equal((search.json() as Bundle).type, 'searchset');
  const { rows } = await t.db.pool.query<{ actor_id: string }>("SELECT actor_id FROM audit_event WHERE action = 'token' AND outcome = 'success'");
  assert.deepEqual(rows.map((r) => r.actor_id), [clientId]);
});

test('client credentials in the body, as a form or as JSON, with a narrower scope', async () => {
  const res = await form({ grant_type: 'client_credentials', client_id: clientId, client_secret: secret, scope: 'read' });
  assert.equal(res.statusCode, 200);
  assert.equal((res.json() as { scope: string }).scope, 'read');
  const json = await t.app.inject({ method: 'POST', url: '/oauth/token', payload: { grant_type: 'client_credentials', client_id: clientId, client_secret: secret } });
  assert.equal(json.statusCode, 200);
});

test('a wrong secret or an unknown client is invalid_client, 401 with a Basic challenge, audited', async () => {
  for (const res of [
    await form({ grant_type: 'client_credentials' }, basic(clientId, 'wrong')),
    await form({ grant_type: 'client_credentials', client_id: 'nobody', client_secret: secret }),
    await form({ grant_type: 'client_credentials' }),
  ]) {
    assert.equal(res.statusCode, 401);
    assert.equal(res.headers['www-authenticate'], 'Basic realm="ror"');
    assert.equal(res.headers['cache-control'], 'no-store');
    assert.equal((res.json() as { error: string }).error, 'invalid_client');
  }
  const { rows } = await t.db.pool.query<{ n: number }>("SELECT count(*)::int AS n FROM audit_event WHERE action = 'token' AND outcome = 'denied'");
  assert.equal(rows[0]?.n, 2, 'attempts with a secret are audited');
});

test('the other RFC 6749 errors: unsupported_grant_type, invalid_scope, invalid_request', async () => {
  const cases: [Awaited<ReturnType<typeof form>>, number, string][] = [
    [await form({ grant_type: 'password', username: 'u', password: 'p' }, basic(clientId, secret)), 400, 'unsupported_grant_type'],
    [await form({ grant_type: 'authorization_code', code: 'x' }, basic(clientId, secret)), 400, 'unsupported_grant_type'],
    [await form({ grant_type: 'client_credentials', scope: 'write-offer' }, basic(clientId, secret)), 400, 'invalid_scope'],
    [await form({ grant_type: 'client_credentials', scope: 'read "x"' }, basic(clientId, secret)), 400, 'invalid_scope'],
    [await form({ client_id: clientId, client_secret: secret }), 400, 'invalid_request'],
    [await form({ grant_type: 'client_credentials', client_secret: secret }, basic(clientId, secret)), 400, 'invalid_request'],
    [
      await t.app.inject({
        method: 'POST',
        url: '/oauth/token',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: 'grant_type=client_credentials&grant_type=client_credentials',
      }),
      400,
      'invalid_request',
    ],
    [await t.app.inject({ method: 'POST', url: '/oauth/token', headers: { 'content-type': 'application/json' }, payload: '{"grant_type":' }), 400, 'invalid_request'],
  ];
  for (const [res, status, error] of cases) {
    assert.equal(res.statusCode, status, res.body);
    assert.equal((res.json() as { error: string }).error, error, res.body);
    assert.equal(res.headers['cache-control'], 'no-store');
  }
});

test('a token stops working when it expires, and when its client is disabled', async () => {
  const issued = (await form({ grant_type: 'client_credentials' }, basic(clientId, secret))).json() as { access_token: string };
  const read = () => t.app.inject({ method: 'GET', url: '/fhir/Organization', headers: { authorization: `Bearer ${issued.access_token}` } });
  assert.equal((await read()).statusCode, 200);
  const start = clock;
  clock = new Date(start.getTime() + 301_000);
  const expired = await read();
  assert.equal(expired.statusCode, 401);
  assert.equal(expired.headers['www-authenticate'], 'Bearer realm="ror", error="invalid_token"');
  const { rows } = await t.db.pool.query<{ detail: { reason: string } }>("SELECT detail FROM audit_event WHERE action = 'authenticate' ORDER BY id DESC LIMIT 1");
  assert.equal(rows[0]?.detail.reason, 'expired-token');
  clock = start;
  const other = await t.auth.clients.create({ name: 'Éphémère', scopes: ['read'], perimeter: EMPTY_PERIMETER });
  const token = (await form({ grant_type: 'client_credentials' }, basic(other.client_id, other.client_secret))).json() as { access_token: string };
  await t.auth.clients.disable(other.client_id);
  const disabled = await t.app.inject({ method: 'GET', url: '/fhir/Organization', headers: { authorization: `Bearer ${token.access_token}` } });
  assert.equal(disabled.statusCode, 401);
});

test(`token requests are limited to ${TOKEN_REQUESTS_PER_MINUTE} a minute per IP address`, async () => {
  let res = await form({ grant_type: 'password' });
  for (let i = 0; i < TOKEN_REQUESTS_PER_MINUTE && res.statusCode !== 429; i++) res = await form({ grant_type: 'password' });
  assert.equal(res.statusCode, 429);
  assert.ok(Number(res.headers['retry-after']) > 0);
  assert.equal((res.json() as { error: string }).error, 'temporarily_unavailable');
});

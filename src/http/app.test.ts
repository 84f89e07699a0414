import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Bundle, CapabilityStatement, Organization, OperationOutcome } from '@medplum/fhirtypes';
import { buildOrganization } from '../model/index.ts';
import { EMPTY_PERIMETER } from '../auth/principal.ts';
import { clientToken, openTestApp, type TestApp } from './app.test-support.ts';
import { httpSettingsFromEnv } from './settings.ts';

let t: TestApp;
let bearer: Record<string, string>;
let readOnly: Record<string, string>;

const FINESS = 'http://finess.esante.gouv.fr';

before(async () => {
  t = await openTestApp({
    seed: async (repo) => {
      const egs = [
        ['440000271', 'CHU NANTES HOTEL DIEU'],
        ['440000289', 'CHU NANTES HOPITAL NORD LAENNEC'],
        ['490000676', 'CHU ANGERS'],
      ] as const;
      await repo.putBatch(egs.map(([finess, name]) => buildOrganization({ id: `eg-${finess}`, kind: 'EG', finess, name, category: '101', region: '52', origin: 'finess' })));
      const current = await repo.read('Organization', 'eg-490000676');
      await repo.update({ ...current, name: 'CHU D ANGERS' } as Organization);
    },
    app: { corsOrigins: ['https://portail.example.fr'] },
  });
  bearer = { authorization: `Bearer ${(await clientToken(t, ['read'], ['CU22'])).token}` };
  readOnly = { authorization: `Bearer ${(await clientToken(t, ['read'])).token}` };
});
after(() => t.close());

async function get<T>(url: string, headers: Record<string, string> = bearer): Promise<{ status: number; body: T; headers: Record<string, unknown> }> {
  const res = await t.app.inject({ method: 'GET', url, headers });
  return { status: res.statusCode, body: res.json() as T, headers: res.headers };
}

test('GET /healthz answers ok without credentials', async () => {
  const res = await get<{ status: string }>('/healthz', {});
  assert.equal(res.status, 200);
  assert.equal(res.body.status, 'ok');
});

test('the CapabilityStatement is public and lists the resource types, interactions and the search parameters that work', async () => {
  const { status, body, headers } = await get<CapabilityStatement>('/fhir/metadata', {});
  assert.equal(status, 200);
  assert.match(String(headers['content-type']), /application\/fhir\+json/);
  const location = body.rest?.[0]?.resource?.find((r) => r.type === 'Location');
  assert.ok(location?.interaction?.some((i) => i.code === 'read'));
  const params = new Map(location?.searchParam?.map((p) => [p.name, p]));
  assert.equal(params.get('capacity-status')?.definition, 'https://interop.esante.gouv.fr/ig/fhir/ror/SearchParameter/ror-sp-capacity-status');
  assert.equal(params.get('nb-capacity')?.type, 'number');
  assert.ok(params.has('identifier') && params.has('_lastUpdated') && params.has('_id'));
  assert.ok(params.has('near') && params.has('near-insee-code'));
  assert.ok(!params.has('_text'), 'parameters that are not served are not claimed');
});

test('without credentials FHIR answers 401 with an OperationOutcome and a Bearer challenge; /api and /auth a JSON error', async () => {
  const fhir = await get<OperationOutcome>('/fhir/Organization', {});
  assert.equal(fhir.status, 401);
  assert.equal(fhir.headers['www-authenticate'], 'Bearer realm="ror"');
  assert.equal(fhir.body.resourceType, 'OperationOutcome');
  assert.equal(fhir.body.issue?.[0]?.code, 'login');
  const api = await get<{ error: { code: string } }>('/api/audit', {});
  assert.equal(api.status, 401);
  assert.equal(api.headers['www-authenticate'], 'Bearer realm="ror"');
  assert.equal(api.body.error.code, 'no-credentials');
  const me = await get<{ error: { code: string } }>('/auth/me', {});
  assert.equal(me.status, 401);
  assert.equal(me.headers['www-authenticate'], undefined);
  const unknown = await get<OperationOutcome>('/fhir/Organization/eg-440000271', { authorization: 'Basic Zm9vOmJhcg==' });
  assert.equal(unknown.status, 401, 'a scheme other than Bearer is no credential');
});

test('a page asked for without a session answers 401 with the sign-in form', async () => {
  const res = await t.app.inject({ method: 'GET', url: '/' });
  assert.equal(res.statusCode, 401);
  assert.match(res.body, /<form method="post" action="\/auth\/login">/);
  const page = await t.app.inject({ method: 'GET', url: '/connexion' });
  assert.equal(page.statusCode, 200);
  assert.match(page.body, /<form method="post" action="\/auth\/login">/);
  assert.doesNotMatch(page.body, /oidc/, 'no OIDC button without an IdP');
  assert.doesNotMatch(page.body, /<script|style=/);
});

test('a forged or expired bearer token answers 401 invalid_token and is audited', async () => {
  const forged = await get<OperationOutcome>('/fhir/Organization', { authorization: 'Bearer eyJhbGciOiJIUzI1NiJ9.e30.x' });
  assert.equal(forged.status, 401);
  assert.equal(forged.headers['www-authenticate'], 'Bearer realm="ror", error="invalid_token"');
  const { rows } = await t.db.pool.query<{ detail: { reason: string } }>(
    "SELECT detail FROM audit_event WHERE action = 'authenticate' AND outcome = 'denied' ORDER BY id DESC LIMIT 1",
  );
  assert.equal(rows[0]?.detail.reason, 'invalid-token');
});

test('search by FINESS identifier finds the CHU de Nantes Hôtel-Dieu site', async () => {
  const { status, body, headers } = await get<Bundle>(`/fhir/Organization?identifier=${encodeURIComponent(`${FINESS}|440000271`)}`);
  assert.equal(status, 200);
  assert.equal(headers['cache-control'], 'no-store');
  assert.equal(body.type, 'searchset');
  assert.equal(body.total, 1);
  assert.equal((body.entry?.[0]?.resource as Organization).id, 'eg-440000271');
  assert.match(body.entry?.[0]?.fullUrl ?? '', /\/fhir\/Organization\/eg-440000271$/);
});

test('paging: _count gives pages with next and previous links that walk the whole set', async () => {
  const seen: string[] = [];
  let url: string | undefined = '/fhir/Organization?_count=2';
  let pages = 0;
  while (url) {
    const page: { body: Bundle } = await get<Bundle>(url);
    const body = page.body;
    assert.equal(body.total, 3);
    seen.push(...(body.entry ?? []).map((e) => e.resource?.id as string));
    const next = body.link?.find((l) => l.relation === 'next')?.url;
    url = next ? new URL(next).pathname + new URL(next).search : undefined;
    pages++;
  }
  assert.equal(pages, 2);
  assert.deepEqual(seen, ['eg-440000271', 'eg-440000289', 'eg-490000676']);
});

test('_lastUpdated and _id narrow the search', async () => {
  const { body } = await get<Bundle>('/fhir/Organization?_lastUpdated=ge2020-01-01&_id=eg-490000676,eg-440000271');
  assert.equal(body.total, 2);
  const none = await get<Bundle>('/fhir/Organization?_lastUpdated=lt2020-01-01');
  assert.equal(none.body.total, 0);
});

test('read, vread and history of a resource, with its version in ETag', async () => {
  const read = await get<Organization>('/fhir/Organization/eg-490000676');
  assert.equal(read.status, 200);
  assert.equal(read.headers.etag, 'W/"2"');
  assert.equal(read.body.name, 'CHU D ANGERS');
  const v1 = await get<Organization>('/fhir/Organization/eg-490000676/_history/1');
  assert.equal(v1.body.name, 'CHU ANGERS');
  const history = await get<Bundle>('/fhir/Organization/eg-490000676/_history');
  assert.equal(history.body.type, 'history');
  assert.deepEqual(history.body.entry?.map((e) => e.response?.etag), ['W/"2"', 'W/"1"']);
});

test('errors are OperationOutcomes with the right status', async () => {
  const cases: [string, number, RegExp][] = [
    ['/fhir/Organization/nope', 404, /not found/],
    ['/fhir/Organization/eg-490000676/_history/9', 404, /not found/],
    ['/fhir/Patient/1', 404, /Patient/],
    ['/fhir/Organization?colour=blue', 400, /Unknown search parameter "colour"/],
    ['/fhir/Organization?_lastUpdated=yesterday', 400, /Invalid date/],
    ['/fhir/Organization?_count=-1', 400, /_count/],
    ['/fhir/Task?_content=cardio', 400, /not supported/],
  ];
  for (const [url, status, pattern] of cases) {
    const res = await get<OperationOutcome>(url);
    assert.equal(res.status, status, url);
    assert.equal(res.body.resourceType, 'OperationOutcome', url);
    assert.match(res.body.issue?.[0]?.diagnostics ?? '', pattern, url);
  }
});

test('a read-only client cannot delete', async () => {
  const res = await t.app.inject({ method: 'DELETE', url: '/fhir/Organization/eg-490000676', headers: readOnly });
  assert.equal(res.statusCode, 403);
  assert.equal((res.json() as OperationOutcome).issue?.[0]?.code, 'forbidden');
  assert.equal((await get<Organization>('/fhir/Organization/eg-490000676')).status, 200);
});

test('PATCH over HTTP takes JSON Patch and FHIRPath Patch bodies by their content type', async () => {
  const perimeter = { ...EMPTY_PERIMETER, organizations: ['eg-490000676'] };
  const writer = { authorization: `Bearer ${(await clientToken(t, ['read', 'write-offer'], ['CU22'], perimeter)).token}` };
  const jsonPatch = await t.app.inject({
    method: 'PATCH',
    url: '/fhir/Organization/eg-490000676',
    headers: { ...writer, 'content-type': 'application/json-patch+json' },
    payload: JSON.stringify([{ op: 'add', path: '/alias', value: ['CHU Angers'] }]),
  });
  assert.equal(jsonPatch.statusCode, 200, jsonPatch.body);
  assert.deepEqual((jsonPatch.json() as Organization).alias, ['CHU Angers']);
  const fhirPathPatch = await t.app.inject({
    method: 'PATCH',
    url: '/fhir/Organization/eg-490000676',
    headers: { ...writer, 'content-type': 'application/fhir+json', 'if-match': String(jsonPatch.headers.etag) },
    payload: JSON.stringify({
      resourceType: 'Parameters',
      parameter: [{ name: 'operation', part: [{ name: 'type', valueCode: 'delete' }, { name: 'path', valueString: 'Organization.alias' }] }],
    }),
  });
  assert.equal(fhirPathPatch.statusCode, 200, fhirPathPatch.body);
  assert.equal((fhirPathPatch.json() as Organization).alias, undefined);
  const unsupported = await t.app.inject({ method: 'PATCH', url: '/fhir/Organization/eg-490000676', headers: { ...writer, 'content-type': 'text/plain' }, payload: 'x' });
  assert.ok([400, 415].includes(unsupported.statusCode), `text/plain answered ${unsupported.statusCode}`);
});

test('security headers: CSP, no framing, no referrer', async () => {
  for (const url of ['/connexion', '/fhir/metadata', '/healthz']) {
    const res = await t.app.inject({ method: 'GET', url });
    const csp = String(res.headers['content-security-policy']);
    assert.match(csp, /default-src 'self'/, url);
    assert.match(csp, /frame-ancestors 'none'/, url);
    assert.equal(res.headers['referrer-policy'], 'no-referrer', url);
    assert.equal(res.headers['x-content-type-options'], 'nosniff', url);
  }
  const auth = await t.app.inject({ method: 'GET', url: '/auth/me' });
  assert.equal(auth.headers['cache-control'], 'no-store');
});

test('CORS answers only the declared origins, with credentials', async () => {
  const preflight = (origin: string) =>
    t.app.inject({ method: 'OPTIONS', url: '/fhir/Organization', headers: { origin, 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization' } });
  const allowed = await preflight('https://portail.example.fr');
  assert.equal(allowed.statusCode, 204);
  assert.equal(allowed.headers['access-control-allow-origin'], 'https://portail.example.fr');
  assert.equal(allowed.headers['access-control-allow-credentials'], 'true');
  const refused = await preflight('https://evil.example.com');
  assert.equal(refused.headers['access-control-allow-origin'], undefined);
  const simple = await t.app.inject({ method: 'GET', url: '/fhir/Organization?_count=1', headers: { ...bearer, origin: 'https://evil.example.com' } });
  assert.equal(simple.headers['access-control-allow-origin'], undefined);
  const declared = await t.app.inject({ method: 'GET', url: '/fhir/Organization?_count=1', headers: { ...bearer, origin: 'https://portail.example.fr' } });
  assert.equal(declared.headers['access-control-allow-origin'], 'https://portail.example.fr');
});

test('without CORS_ORIGINS no cross-origin access is granted', async () => {
  const plain = await openTestApp();
  try {
    const res = await plain.app.inject({ method: 'OPTIONS', url: '/fhir/Organization', headers: { origin: 'https://portail.example.fr', 'access-control-request-method': 'GET' } });
    assert.equal(res.headers['access-control-allow-origin'], undefined);
  } finally {
    await plain.close();
  }
});

test('a body over 16 kB is refused on /auth, while FHIR takes larger ones', async () => {
  const big = { email: 'x@example.org', password: 'p'.repeat(20_000) };
  const res = await t.app.inject({ method: 'POST', url: '/auth/login', payload: big });
  assert.equal(res.statusCode, 413);
  assert.equal((res.json() as { error: { code: string } }).error.code, 'payload-too-large');
  const fhir = await t.app.inject({
    method: 'POST',
    url: '/fhir/Organization',
    headers: { ...readOnly, 'content-type': 'application/fhir+json' },
    payload: JSON.stringify({ resourceType: 'Organization', name: 'x'.repeat(20_000) }),
  });
  assert.equal(fhir.statusCode, 403, 'parsed, then refused by the write policy');
});

test('requests beyond RATE_LIMIT_PER_MINUTE answer 429 with Retry-After, counted per client', async () => {
  const limited = await openTestApp({ app: { rateLimitPerMinute: 3 } });
  try {
    const one = { authorization: `Bearer ${(await clientToken(limited, ['read'])).token}` };
    const two = { authorization: `Bearer ${(await clientToken(limited, ['read'])).token}` };
    for (let i = 0; i < 3; i++) assert.equal((await limited.app.inject({ method: 'GET', url: '/fhir/Organization', headers: one })).statusCode, 200);
    const over = await limited.app.inject({ method: 'GET', url: '/fhir/Organization', headers: one });
    assert.equal(over.statusCode, 429);
    assert.ok(Number(over.headers['retry-after']) > 0);
    assert.equal((over.json() as OperationOutcome).issue?.[0]?.code, 'throttled');
    assert.equal((await limited.app.inject({ method: 'GET', url: '/fhir/Organization', headers: two })).statusCode, 200, 'another client has its own count');
    for (let i = 0; i < 5; i++) assert.equal((await limited.app.inject({ method: 'GET', url: '/healthz' })).statusCode, 200);
  } finally {
    await limited.close();
  }
});

test('HTTP settings from the environment', () => {
  assert.deepEqual(httpSettingsFromEnv({}), { rateLimitPerMinute: 1200, corsOrigins: [], trustProxy: false });
  assert.deepEqual(httpSettingsFromEnv({ RATE_LIMIT_PER_MINUTE: '60', CORS_ORIGINS: 'https://a.example.fr, http://localhost:5173/', TRUST_PROXY: 'true' }), {
    rateLimitPerMinute: 60,
    corsOrigins: ['https://a.example.fr', 'http://localhost:5173'],
    trustProxy: true,
  });
  assert.throws(() => httpSettingsFromEnv({ RATE_LIMIT_PER_MINUTE: 'lots' }), /RATE_LIMIT_PER_MINUTE/);
  assert.throws(() => httpSettingsFromEnv({ CORS_ORIGINS: 'https://a.example.fr/app' }), /CORS_ORIGINS/);
});

test('denied authentications are audited up to a bound per address and minute', async () => {
  const guarded = await openTestApp({ app: { deniedAuditsPerMinute: 2 } });
  try {
    for (let i = 0; i < 5; i++) {
      const res = await guarded.app.inject({ method: 'GET', url: '/fhir/Organization', headers: { authorization: `Bearer forged-${i}` } });
      assert.equal(res.statusCode, 401);
    }
    const { rows } = await guarded.db.pool.query<{ n: number }>("SELECT count(*)::int AS n FROM audit_event WHERE action = 'authenticate'");
    assert.equal(rows[0]?.n, 2);
  } finally {
    await guarded.close();
  }
});

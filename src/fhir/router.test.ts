import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Bundle, CapabilityStatement, HealthcareService, Location, OperationOutcome, Resource } from '@medplum/fhirtypes';
import { openAccessDataset, location, offer, SENSITIVE, SIDES, userPrincipal } from '../auth/access.test-support.ts';
import type { Principal } from '../auth/principal.ts';
import type { Database } from '../db/open.ts';
import type { Repository } from '../store/repository.ts';
import { handleFhirRequest, type FhirRequest, type FhirResponse } from './router.ts';

let db: Database;
let repo: Repository;
const BASE = 'http://ror.test/fhir';
const A = SIDES.A;
const admin = userPrincipal('router-admin', 'national-admin', { national: true }, 1);
const referent = userPrincipal('router-referent', 'referent', { organizations: [A.ej] });

before(async () => {
  ({ db, repo } = await openAccessDataset());
});
after(async () => {
  await db.close();
});

function call(method: string, path: string, extra: Partial<FhirRequest> = {}, principal: Principal = admin): Promise<FhirResponse> {
  return handleFhirRequest({ method, path, query: {}, baseUrl: BASE, ...extra }, { repo, principal });
}

const diagnostics = (res: FhirResponse): string => (res.body as OperationOutcome).issue?.map((i) => i.diagnostics).join('; ') ?? '';

test('POST creates with a server id: 201, Location of the version, ETag, and the stored resource', async () => {
  const res = await call('POST', 'Location', { body: { ...location('A', 'chosen-by-client'), id: 'chosen-by-client' } });
  assert.equal(res.status, 201, diagnostics(res));
  const body = res.body as Location;
  assert.notEqual(body.id, 'chosen-by-client');
  assert.equal(res.headers.location, `${BASE}/Location/${body.id}/_history/1`);
  assert.equal(res.headers.etag, 'W/"1"');
  assert.ok(res.headers['last-modified']);
  const read = await call('GET', `Location/${body.id}`);
  assert.equal(read.status, 200);
});

test('PUT updates (200) or creates with the client id (201); a stale If-Match answers 412 and writes nothing', async () => {
  const created = await call('PUT', 'Location/loc-put', { body: location('A', 'loc-put') });
  assert.equal(created.status, 201, diagnostics(created));
  assert.equal(created.headers.location, `${BASE}/Location/loc-put/_history/1`);
  const current = created.body as Location;
  const updated = await call('PUT', 'Location/loc-put', { body: { ...current, description: 'Deuxième' }, ifMatch: 'W/"1"' });
  assert.equal(updated.status, 200, diagnostics(updated));
  assert.equal(updated.headers.etag, 'W/"2"');
  assert.equal(updated.headers.location, undefined);
  const stale = await call('PUT', 'Location/loc-put', { body: { ...current, description: 'Troisième' }, ifMatch: 'W/"1"' });
  assert.equal(stale.status, 412);
  assert.equal(((await call('GET', 'Location/loc-put')).body as Location).description, 'Deuxième');
});

test('DELETE answers 204 without a body; the resource is then gone (410)', async () => {
  await call('PUT', 'Location/loc-del', { body: location('A', 'loc-del') });
  const stale = await call('DELETE', 'Location/loc-del', { ifMatch: 'W/"9"' });
  assert.equal(stale.status, 412);
  const res = await call('DELETE', 'Location/loc-del', { ifMatch: 'W/"1"' });
  assert.equal(res.status, 204);
  assert.equal(res.body, undefined);
  assert.equal((await call('GET', 'Location/loc-del')).status, 410);
  assert.equal((await call('DELETE', 'Location/nothing-here')).status, 404);
});

test('a body that is not a resource of the URL type, or a PUT id other than the URL id, answers 400', async () => {
  for (const [method, path, body, message] of [
    ['POST', 'Location', undefined, /JSON object/],
    ['POST', 'Location', [location('A', 'x')], /JSON object/],
    ['POST', 'Location', offer('A', 'x', A.service, A.location), /resourceType "HealthcareService" does not match the URL \(Location\)/],
    ['PUT', 'Location/loc-x', location('A', 'loc-y'), /id "loc-y" does not match the URL id "loc-x"/],
    ['PUT', 'Location/loc-x', { ...location('A', 'x'), id: undefined }, /id "undefined"/],
  ] as const) {
    const res = await call(method, path, body === undefined ? {} : { body });
    assert.equal(res.status, 400, `${method} ${path}`);
    assert.match(diagnostics(res), message);
  }
  assert.equal((await call('POST', 'Location', { body: location('A', 'x'), query: { foo: 'bar' } })).status, 400, 'unknown query parameters');
});

test('the methods a path does not serve answer 405 with Allow', async () => {
  const patch = await call('PATCH', `Location/${A.location}/_history`, { body: [] });
  assert.equal(patch.status, 405);
  assert.equal(patch.headers.allow, 'GET, HEAD');
  assert.equal((await call('PUT', 'Location')).headers.allow, 'GET, HEAD, POST, PATCH');
  assert.equal((await call('POST', `Location/${A.location}/_history`)).headers.allow, 'GET, HEAD');
  assert.equal((await call('DELETE', 'metadata')).headers.allow, 'GET, HEAD');
});

test('a refused write answers 403 with an OperationOutcome saying who, what and why', async () => {
  const current = (await repo.readCurrent('Location', [SIDES.B.location])).get(SIDES.B.location) as Location;
  const res = await call('PUT', `Location/${SIDES.B.location}`, { body: { ...current, description: 'x' } }, referent);
  assert.equal(res.status, 403);
  assert.equal((res.body as OperationOutcome).issue?.[0]?.code, 'forbidden');
  assert.match(
    diagnostics(res),
    new RegExp(`^Accès refusé à router-referent@example\\.fr \\(référent\\) : modification de Location/${SIDES.B.location} — la ressource est hors de votre périmètre\\.$`),
  );
});

test('a write the caller’s profile may not see is stored and answered with an informational OperationOutcome', async () => {
  await call('PUT', 'Location/loc-hidden', { body: location('A', 'loc-hidden') });
  const res = await call('POST', 'HealthcareService', { body: offer('A', 'hs-hidden', A.service, 'loc-hidden', true) }, referent);
  assert.equal(res.status, 201, diagnostics(res));
  assert.equal(res.body?.resourceType, 'OperationOutcome');
  assert.equal((res.body as OperationOutcome).issue?.[0]?.severity, 'information');
  const id = /HealthcareService\/([^/]+)\/_history\/1$/.exec(res.headers.location ?? '')?.[1];
  assert.ok(id);
  assert.equal((await call('GET', `HealthcareService/${id}`, {}, referent)).status, 404);
  assert.equal(((await call('GET', `HealthcareService/${id}`)).body as HealthcareService).id, id);
});

test('reads go through the access profile: searches leave hidden resources out of entries and total', async () => {
  const search = (p: Principal): Promise<FhirResponse> => call('GET', 'Location', { query: { _id: `${SENSITIVE.location},${A.location}` } }, p);
  const full = (await search(admin)).body as Bundle;
  const profile2 = (await search(referent)).body as Bundle;
  assert.deepEqual([full.total, profile2.total], [2, 1]);
  assert.deepEqual(profile2.entry?.map((e) => e.resource?.id), [A.location]);
  const history = await call('GET', `HealthcareService/${SENSITIVE.offer}/_history`, {}, referent);
  assert.equal(history.status, 404);
  assert.equal((await call('GET', `HealthcareService/${SENSITIVE.offer}/_history/1`, {}, referent)).status, 404);
});

test('the CapabilityStatement lists create, update and delete, and how to authenticate', async () => {
  const res = await call('GET', 'metadata');
  const rest = (res.body as CapabilityStatement).rest?.[0];
  const location = rest?.resource?.find((r) => r.type === 'Location');
  const codes = location?.interaction?.map((i) => i.code);
  for (const code of ['read', 'vread', 'history-instance', 'search-type', 'create', 'update', 'delete'] as const) assert.ok(codes?.includes(code), code);
  assert.equal(location?.updateCreate, true);
  assert.equal(rest?.security?.cors, true);
  assert.match(rest?.security?.description ?? '', /\/oauth\/token/);
  assert.match(rest?.security?.description ?? '', /cookie/);
});

test('the written resource is what was sent, stamped by the store', async () => {
  const body: Resource = { ...location('A', 'loc-echo'), description: 'Écho' } as Location;
  const res = await call('PUT', 'Location/loc-echo', { body });
  assert.equal((res.body as Location).description, 'Écho');
  assert.equal(res.body?.meta?.versionId, '1');
});

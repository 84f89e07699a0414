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
  assert.equal((await call('GET', '')).headers.allow, 'POST');
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
  assert.deepEqual([location?.conditionalCreate, location?.conditionalUpdate, location?.conditionalDelete, location?.versioning], [true, true, 'single', 'versioned-update']);
  for (const code of ['transaction', 'batch']) assert.ok(rest?.interaction?.some((i) => i.code === code), code);
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

test('Prefer: return=minimal answers an empty body with the headers; return=OperationOutcome an outcome; unknown values are ignored', async () => {
  const minimal = await call('POST', 'Location', { body: location('A', 'loc-minimal'), prefer: 'return=minimal' });
  assert.equal(minimal.status, 201);
  assert.equal(minimal.body, undefined);
  assert.match(minimal.headers.location ?? '', /\/Location\/[^/]+\/_history\/1$/);
  assert.equal(minimal.headers.etag, 'W/"1"');
  const id = /Location\/([^/]+)\//.exec(minimal.headers.location ?? '')?.[1] as string;
  const current = (await call('GET', `Location/${id}`)).body as Location;

  const outcome = await call('PUT', `Location/${id}`, { body: { ...current, description: 'Deux' }, prefer: 'handling=strict, return=OperationOutcome' });
  assert.equal(outcome.status, 200);
  assert.equal(outcome.body?.resourceType, 'OperationOutcome');
  assert.match(diagnostics(outcome), new RegExp(`Location/${id}/_history/2 updated`));
  assert.equal(outcome.headers.etag, 'W/"2"');

  const unknown = await call('PUT', `Location/${id}`, { body: { ...current, description: 'Trois' }, prefer: 'return=everything' });
  assert.equal(unknown.status, 200);
  assert.equal((unknown.body as Location).description, 'Trois');

  const patched = await call('PATCH', `Location/${id}`, {
    contentType: 'application/json-patch+json',
    body: [{ op: 'replace', path: '/description', value: 'Quatre' }],
    prefer: 'return=minimal',
  });
  assert.equal(patched.status, 200);
  assert.equal(patched.body, undefined);
  assert.equal(patched.headers.etag, 'W/"4"');
});

test('a malformed If-Match answers 400 on PUT, PATCH and DELETE, and writes nothing', async () => {
  await call('PUT', 'Location/loc-ifmatch', { body: location('A', 'loc-ifmatch') });
  const current = (await call('GET', 'Location/loc-ifmatch')).body as Location;
  for (const ifMatch of ['1', 'W/1', '"abc"', 'W/"0"', '*']) {
    const put = await call('PUT', 'Location/loc-ifmatch', { body: { ...current, description: 'x' }, ifMatch });
    assert.equal(put.status, 400, `PUT If-Match ${ifMatch}`);
    assert.deepEqual((put.body as OperationOutcome).issue?.[0]?.expression, ['If-Match']);
    const del = await call('DELETE', 'Location/loc-ifmatch', { ifMatch });
    assert.equal(del.status, 400, `DELETE If-Match ${ifMatch}`);
    const patch = await call('PATCH', 'Location/loc-ifmatch', { ifMatch, contentType: 'application/json-patch+json', body: [] });
    assert.equal(patch.status, 400, `PATCH If-Match ${ifMatch}`);
  }
  assert.equal(((await call('GET', 'Location/loc-ifmatch')).body as Location).meta?.versionId, '1');
  assert.equal((await call('PUT', 'Location/loc-ifmatch', { body: current, ifMatch: '"1"' })).status, 200, 'a strong ETag names the version too');
});

const identified = (id: string, identifier: string): Location => {
  const l = location('A', id) as Location;
  return { ...l, identifier: [{ ...l.identifier?.[0], value: identifier }] };
};

test('conditional create (If-None-Exist): no match creates, one match answers 200 with it and writes nothing, several answer 412', async () => {
  const criteria = `identifier=${A.region}/cond-create`;
  const first = await call('POST', 'Location', { body: identified('x', `${A.region}/cond-create`), ifNoneExist: criteria });
  assert.equal(first.status, 201, diagnostics(first));
  const id = (first.body as Location).id as string;
  const again = await call('POST', 'Location', { body: { ...identified('x', `${A.region}/cond-create`), description: 'autre' }, ifNoneExist: criteria });
  assert.equal(again.status, 200);
  assert.equal((again.body as Location).id, id);
  assert.equal((again.body as Location).description, undefined);
  assert.equal(again.headers.etag, 'W/"1"');
  assert.equal((await repo.history('Location', id)).length, 1);

  await call('POST', 'Location', { body: identified('y', `${A.region}/cond-create`) });
  const several = await call('POST', 'Location', { body: identified('z', `${A.region}/cond-create`), ifNoneExist: criteria });
  assert.equal(several.status, 412);
  assert.equal((several.body as OperationOutcome).issue?.[0]?.code, 'multiple-matches');
  for (const bad of ['', 'nonsense=1', `identifier=x&_include=Location:organization`]) {
    assert.equal((await call('POST', 'Location', { body: identified('z', 'z'), ifNoneExist: bad })).status, 400, `If-None-Exist "${bad}"`);
  }
});

test('a resource the caller’s profile hides counts as absent for a conditional create', async () => {
  const sensitive = (await repo.read('Location', SENSITIVE.location)) as Location;
  const criteria = `identifier=${sensitive.identifier?.[0]?.value ?? ''}`;
  assert.equal((await call('POST', 'Location', { body: location('A', 'x'), ifNoneExist: criteria })).status, 200, 'profile 1 sees it');
  const res = await call('POST', 'Location', { body: { ...location('A', 'x'), identifier: sensitive.identifier }, ifNoneExist: criteria }, referent);
  assert.equal(res.status, 201, diagnostics(res));
});

test('conditional update: no match creates, one match is updated, a different body id answers 400, several 412', async () => {
  const query = { identifier: `${A.region}/cond-update` };
  const created = await call('PUT', 'Location', { query, body: { ...identified('x', `${A.region}/cond-update`), id: undefined } });
  assert.equal(created.status, 201, diagnostics(created));
  const id = (created.body as Location).id as string;
  const updated = await call('PUT', 'Location', { query, body: { ...identified(id, `${A.region}/cond-update`), description: 'maj' } });
  assert.equal(updated.status, 200, diagnostics(updated));
  assert.equal((updated.body as Location).id, id);
  assert.equal(updated.headers.etag, 'W/"2"');
  const noId = await call('PUT', 'Location', { query, body: { ...identified('x', `${A.region}/cond-update`), id: undefined, description: 'sans id' }, ifMatch: 'W/"2"' });
  assert.equal(noId.status, 200, diagnostics(noId));
  assert.equal((noId.body as Location).id, id);
  const stale = await call('PUT', 'Location', { query, body: { ...identified(id, `${A.region}/cond-update`) }, ifMatch: 'W/"2"' });
  assert.equal(stale.status, 412);
  const otherId = await call('PUT', 'Location', { query, body: identified('someone-else', `${A.region}/cond-update`) });
  assert.equal(otherId.status, 400);
  assert.match(diagnostics(otherId), /is not the id of the Location the search selects/);

  const withId = await call('PUT', 'Location', { query: { identifier: `${A.region}/cond-update-new` }, body: identified('loc-cond-id', `${A.region}/cond-update-new`) });
  assert.equal(withId.status, 201);
  assert.equal((withId.body as Location).id, 'loc-cond-id', 'no match with a body id: created with that id');

  await call('POST', 'Location', { body: identified('y', `${A.region}/cond-update`) });
  assert.equal((await call('PUT', 'Location', { query, body: identified(id, `${A.region}/cond-update`) })).status, 412);
  assert.equal((await call('PUT', 'Location', { body: identified(id, 'x') })).status, 400, 'no criteria');
});

test('conditional delete: one match is deleted, none answers 404, several 412', async () => {
  const created = await call('POST', 'Location', { body: identified('x', `${A.region}/cond-delete`) });
  const id = (created.body as Location).id as string;
  const query = { identifier: `${A.region}/cond-delete` };
  assert.equal((await call('DELETE', 'Location', { query, ifMatch: 'W/"7"' })).status, 412);
  assert.equal((await call('DELETE', 'Location', { query })).status, 204);
  assert.equal((await call('GET', `Location/${id}`)).status, 410);
  assert.equal((await call('DELETE', 'Location', { query })).status, 404);
  for (const n of [1, 2]) await call('POST', 'Location', { body: identified(`x${n}`, `${A.region}/cond-delete-2`) });
  assert.equal((await call('DELETE', 'Location', { query: { identifier: `${A.region}/cond-delete-2` } })).status, 412);
  assert.equal((await call('DELETE', 'Location')).status, 400, 'no criteria');
});

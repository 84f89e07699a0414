import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Bundle, CapabilityStatement, Location, Organization, Resource } from '@medplum/fhirtypes';
import type { Client, FhirResource } from 'fhir-kit-client';
import { accessDataset, location, SIDES } from '../auth/access.test-support.ts';
import { EMPTY_PERIMETER } from '../auth/principal.ts';
import { bearer, failure, fhirClient, responseOf, startFhirServer, type FhirServer } from './conformance.test-support.ts';

/**
 * The FHIR API driven over HTTP by a real FHIR client (fhir-kit-client) on the two-region access dataset;
 * every body served (resources, Bundles, OperationOutcomes) is checked against R4 by the client wrapper.
 */
const A = SIDES.A;
const B = SIDES.B;
const TYPES = ['Organization', 'HealthcareService', 'Location', 'Practitioner', 'PractitionerRole', 'Task'];
let server: FhirServer;
let reader: Client;
let writer: Client;
let dataset: Resource[];

before(async () => {
  dataset = accessDataset();
  server = await startFhirServer(async (repo) => {
    const rejected = (await repo.putBatch(dataset)).filter((o) => o.status === 'rejected');
    assert.deepEqual(rejected, []);
  });
  reader = fhirClient(server.baseUrl, await bearer(server.t, ['read']));
  writer = fhirClient(server.baseUrl, await bearer(server.t, ['read', 'write-offer', 'write-capacities']));
});
after(async () => {
  await server.close();
});

const idsOf = (bundle: Bundle): string[] => (bundle.entry ?? []).map((e) => `${e.resource?.resourceType}/${e.resource?.id}`);
const versionOf = (r: Resource): number => Number(r.meta?.versionId);

test('metadata: a valid CapabilityStatement listing our types and the ROR search parameters by canonical URL', async () => {
  const cs = (await fhirClient(server.baseUrl).capabilityStatement()) as unknown as CapabilityStatement;
  assert.equal(cs.resourceType, 'CapabilityStatement');
  assert.equal(cs.fhirVersion, '4.0.1');
  const rest = cs.rest?.find((r) => r.mode === 'server');
  assert.ok(rest);
  assert.deepEqual(TYPES.filter((type) => !rest.resource?.some((r) => r.type === type)), []);
  const location = rest.resource?.find((r) => r.type === 'Location');
  const definitions = new Set((location?.searchParam ?? []).map((sp) => sp.definition));
  for (const code of ['capacity-status', 'nb-capacity', 'temporality-capacity', 'location-commune-cog']) {
    assert.ok(definitions.has(`https://interop.esante.gouv.fr/ig/fhir/ror/SearchParameter/ror-sp-${code}`), code);
  }
  const hs = rest.resource?.find((r) => r.type === 'HealthcareService');
  assert.ok(hs?.searchParam?.some((sp) => sp.name === 'age-range-low' && sp.definition === 'https://interop.esante.gouv.fr/ig/fhir/ror/SearchParameter/ror-sp-healthcareservice-age-range-low'));
  assert.deepEqual(
    TYPES.map((type) => [type, ['read', 'vread', 'search-type', 'create', 'update', 'patch', 'delete', 'history-instance'].filter((code) => !rest.resource?.find((r) => r.type === type)?.interaction?.some((i) => i.code === code))]).filter(([, missing]) => (missing?.length ?? 0) > 0),
    [],
  );
});

test('read, vread, search and history of a stored resource agree with each other', async () => {
  const org = (await reader.read({ resourceType: 'Organization', id: A.ej })) as unknown as Organization;
  assert.equal(org.id, A.ej);
  assert.equal(responseOf(org).headers.get('etag'), `W/"${org.meta?.versionId}"`);
  const v = (await reader.vread({ resourceType: 'Organization', id: A.ej, version: String(org.meta?.versionId) })) as unknown as Organization;
  assert.deepEqual(v, org);
  const found = (await reader.search({ resourceType: 'Organization', searchParams: { _id: A.ej } })) as unknown as Bundle;
  assert.equal(found.type, 'searchset');
  assert.equal(found.total, 1);
  assert.deepEqual(found.entry?.[0]?.resource, org);
  const history = (await reader.history({ resourceType: 'Organization', id: A.ej })) as unknown as Bundle;
  assert.equal(history.type, 'history');
  assert.deepEqual(history.entry?.map((e) => e.resource?.meta?.versionId), [org.meta?.versionId]);
  const offers = (await reader.search({ resourceType: 'HealthcareService', searchParams: { organization: `Organization/${A.service}` } })) as unknown as Bundle;
  assert.deepEqual(idsOf(offers), [`HealthcareService/${A.offer}`]);
});

test('create, update (If-Match), patch, history and delete round trip through the client', async () => {
  const body = location('A', 'unused') as Location;
  delete body.id;
  delete body.meta?.versionId;
  const created = (await writer.create({ resourceType: 'Location', body: body as unknown as FhirResource })) as unknown as Location;
  assert.equal(responseOf(created).status, 201);
  assert.ok(created.id);
  assert.equal(created.meta?.versionId, '1');
  assert.match(responseOf(created).headers.get('location') ?? '', new RegExp(`/fhir/Location/${created.id}/_history/1$`));
  const id = created.id;

  const renamed = { ...created, name: 'Lieu renommé' };
  const updated = (await writer.update({ resourceType: 'Location', id, body: renamed as unknown as FhirResource, options: { headers: { 'If-Match': 'W/"1"' } } })) as unknown as Location;
  assert.equal(updated.name, 'Lieu renommé');
  assert.equal(updated.meta?.versionId, '2');

  const patched = (await writer.patch({ resourceType: 'Location', id, jsonPatch: [{ op: 'replace', path: '/name', value: 'Lieu patché' }] })) as unknown as Location;
  assert.equal(patched.name, 'Lieu patché');
  assert.equal(patched.meta?.versionId, '3');

  const history = (await reader.history({ resourceType: 'Location', id })) as unknown as Bundle;
  assert.deepEqual(history.entry?.map((e) => [e.resource?.meta?.versionId, (e.resource as Location | undefined)?.name]), [
    ['3', 'Lieu patché'],
    ['2', 'Lieu renommé'],
    ['1', body.name],
  ]);
  const v2 = (await reader.vread({ resourceType: 'Location', id, version: '2' })) as unknown as Location;
  assert.equal(v2.name, 'Lieu renommé');

  await writer.delete({ resourceType: 'Location', id });
  const gone = await failure(reader.read({ resourceType: 'Location', id }));
  assert.equal(gone.status, 410);
  const search = (await reader.search({ resourceType: 'Location', searchParams: { _id: id } })) as unknown as Bundle;
  assert.equal(search.total, 0);
});

test('paging: following next links to the end serves every match once, with the same total on every page', async () => {
  const expected = dataset.filter((r) => r.resourceType === 'Organization').map((r) => `Organization/${r.id}`).sort();
  let page: Bundle | undefined = (await reader.search({ resourceType: 'Organization', searchParams: { _count: 3, _total: 'accurate' } })) as unknown as Bundle;
  const seen: string[] = [];
  let pages = 0;
  while (page) {
    pages += 1;
    assert.equal(page.total, expected.length);
    assert.ok((page.entry?.length ?? 0) <= 3);
    seen.push(...idsOf(page));
    page = (await reader.nextPage({ bundle: page as unknown as FhirResource & { link: { relation: string; url: string }[] } })) as unknown as Bundle | undefined;
  }
  assert.equal(pages, Math.ceil(expected.length / 3));
  assert.deepEqual([...seen].sort(), expected);
});

test('an unknown resource answers 404 with an OperationOutcome', async () => {
  const res = await failure(reader.read({ resourceType: 'Organization', id: 'does-not-exist' }));
  assert.equal(res.status, 404);
  assert.ok(res.outcome.issue?.some((i) => i.code === 'not-found'));
});

test('an unknown search parameter answers 400 naming it', async () => {
  const res = await failure(reader.search({ resourceType: 'Organization', searchParams: { 'not-a-parameter': 'x' } }));
  assert.equal(res.status, 400);
  assert.ok(res.outcome.issue?.some((i) => JSON.stringify(i).includes('not-a-parameter')), JSON.stringify(res.outcome));
});

test('an update with a stale If-Match answers 412 and changes nothing', async () => {
  const current = (await writer.read({ resourceType: 'Location', id: B.location })) as unknown as Location;
  await writer.update({ resourceType: 'Location', id: B.location, body: { ...current, name: 'Lieu B v2' } as unknown as FhirResource });
  const stale = await failure(writer.update({ resourceType: 'Location', id: B.location, body: { ...current, name: 'Lieu B stale' } as unknown as FhirResource, options: { headers: { 'If-Match': `W/"${current.meta?.versionId}"` } } }));
  assert.equal(stale.status, 412);
  const after = (await reader.read({ resourceType: 'Location', id: B.location })) as unknown as Location;
  assert.equal(after.name, 'Lieu B v2');
  assert.equal(versionOf(after), versionOf(current) + 1);
});

test('without a token every FHIR request but metadata answers 401 with an OperationOutcome', async () => {
  const anonymous = fhirClient(server.baseUrl);
  assert.equal((await failure(anonymous.read({ resourceType: 'Organization', id: A.ej }))).status, 401);
  assert.equal((await failure(anonymous.search({ resourceType: 'Location' }))).status, 401);
  const expired = fhirClient(server.baseUrl, { Authorization: 'Bearer not-a-token' });
  assert.equal((await failure(expired.read({ resourceType: 'Organization', id: A.ej }))).status, 401);
});

test('a write outside the caller perimeter answers 403 and changes nothing', async () => {
  const regionalA = fhirClient(server.baseUrl, await bearer(server.t, ['read', 'write-offer'], { ...EMPTY_PERIMETER, organizations: [A.ej] }));
  const before = (await reader.read({ resourceType: 'Location', id: B.location })) as unknown as Location;
  const denied = await failure(regionalA.update({ resourceType: 'Location', id: B.location, body: { ...before, name: 'Pris par A' } as unknown as FhirResource }));
  assert.equal(denied.status, 403);
  assert.equal(((await reader.read({ resourceType: 'Location', id: B.location })) as unknown as Location).name, before.name);
  const own = (await regionalA.read({ resourceType: 'Location', id: A.location })) as unknown as Location;
  const mine = (await regionalA.update({ resourceType: 'Location', id: A.location, body: { ...own, name: 'Lieu A renommé' } as unknown as FhirResource })) as unknown as Location;
  assert.equal(mine.name, 'Lieu A renommé');
});

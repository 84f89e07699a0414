import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Bundle, HealthcareService, Location, OperationOutcome, Resource } from '@medplum/fhirtypes';
import { openAccessDataset, SIDES, userPrincipal } from '../auth/access.test-support.ts';
import type { Database } from '../db/open.ts';
import type { Repository } from '../store/repository.ts';
import { SUBSETTED } from './elements.ts';
import { handleFhirRequest, type FhirResponse } from './router.ts';

let db: Database;
let repo: Repository;
const BASE = 'http://ror.test/fhir';
const A = SIDES.A;
const admin = userPrincipal('elements-admin', 'national-admin', { national: true }, 1);

before(async () => {
  ({ db, repo } = await openAccessDataset());
});
after(async () => {
  await db.close();
});

function get(path: string, query: Record<string, string | string[]> = {}): Promise<FhirResponse> {
  return handleFhirRequest({ method: 'GET', path, query, baseUrl: BASE }, { repo, principal: admin });
}

const diagnostics = (res: FhirResponse): string => (res.body as OperationOutcome).issue?.map((i) => i.diagnostics).join('; ') ?? '';
const subsetted = (r: Resource): boolean => r.meta?.tag?.some((t) => t.system === SUBSETTED.system && t.code === SUBSETTED.code) ?? false;

test('read and vread: _summary=true keeps the R4 summary elements, tagged SUBSETTED', async () => {
  const full = (await get(`HealthcareService/${A.offer}`)).body as HealthcareService;
  assert.ok(full.extension && full.telecom, 'the fixture offer has extensions and telecom');
  assert.equal(subsetted(full), false);
  for (const path of [`HealthcareService/${A.offer}`, `HealthcareService/${A.offer}/_history/${full.meta?.versionId}`]) {
    const res = await get(path, { _summary: 'true' });
    assert.equal(res.status, 200, diagnostics(res));
    const body = res.body as HealthcareService;
    assert.equal(body.id, A.offer);
    assert.equal(body.meta?.versionId, full.meta?.versionId);
    assert.deepEqual(body.name, full.name);
    assert.deepEqual(body.providedBy, full.providedBy);
    assert.deepEqual(body.identifier, full.identifier);
    assert.equal(body.extension, undefined);
    assert.equal(body.telecom, undefined);
    assert.ok(subsetted(body), path);
    assert.equal(res.headers.etag, `W/"${full.meta?.versionId}"`);
  }
});

test('_summary=text keeps id, meta, text; data drops text only; false serves everything untagged', async () => {
  const full = (await get(`Location/${A.location}`)).body as Location;
  const text = (await get(`Location/${A.location}`, { _summary: 'text' })).body as Location;
  assert.deepEqual(Object.keys(text).sort(), ['id', 'meta', 'resourceType', ...(full.text ? ['text'] : [])].sort());
  assert.ok(subsetted(text));
  const data = (await get(`Location/${A.location}`, { _summary: 'data' })).body as Location;
  assert.deepEqual(Object.keys(data).sort(), Object.keys(full).filter((k) => k !== 'text').sort());
  assert.deepEqual(data.extension, full.extension);
  assert.ok(subsetted(data));
  assert.deepEqual((await get(`Location/${A.location}`, { _summary: 'false' })).body, full);
});

test('_elements keeps the listed elements with id and meta', async () => {
  const res = await get(`Location/${A.location}`, { _elements: 'name,address' });
  assert.equal(res.status, 200, diagnostics(res));
  const body = res.body as Location;
  const full = (await get(`Location/${A.location}`)).body as Location;
  assert.deepEqual(Object.keys(body).sort(), ['id', 'meta', 'resourceType', 'name', ...(full.address ? ['address'] : [])].sort());
  assert.ok(subsetted(body));
});

test('search: matches and included resources are projected; paging links keep the parameters', async () => {
  const res = await get('HealthcareService', { _id: A.offer, _include: 'HealthcareService:location', _elements: 'name', _count: '1' });
  assert.equal(res.status, 200, diagnostics(res));
  const bundle = res.body as Bundle;
  const match = bundle.entry?.find((e) => e.search?.mode === 'match')?.resource as HealthcareService;
  const included = bundle.entry?.find((e) => e.search?.mode === 'include')?.resource as Location;
  assert.deepEqual(Object.keys(match).sort(), ['id', 'meta', 'name', 'resourceType']);
  assert.ok(subsetted(match));
  assert.equal(included.resourceType, 'Location');
  assert.ok(included.name);
  assert.equal(included.extension, undefined);
  assert.ok(subsetted(included));
  const self = new URL(bundle.link?.find((l) => l.relation === 'self')?.url as string);
  assert.equal(self.searchParams.get('_elements'), 'name');
  const paged = (await get('Location', { _summary: 'true', _count: '1' })).body as Bundle;
  const next = new URL(paged.link?.find((l) => l.relation === 'next')?.url as string);
  assert.equal(next.searchParams.get('_summary'), 'true');
  assert.ok(paged.entry?.every((e) => subsetted(e.resource as Resource)));
});

test('search without _summary or _elements serves whole, untagged resources', async () => {
  const bundle = (await get('HealthcareService', { _id: A.offer, _include: 'HealthcareService:location' })).body as Bundle;
  assert.equal(bundle.entry?.length, 2);
  for (const e of bundle.entry ?? []) {
    assert.ok((e.resource as HealthcareService | Location).extension, e.fullUrl);
    assert.equal(subsetted(e.resource as Resource), false);
  }
});

test('search: _summary=count answers the total without entries', async () => {
  const all = (await get('Location')).body as Bundle;
  const res = await get('Location', { _summary: 'count' });
  assert.equal(res.status, 200, diagnostics(res));
  const bundle = res.body as Bundle;
  assert.equal(bundle.total, all.total);
  assert.ok((bundle.total ?? 0) > 0);
  assert.deepEqual(bundle.entry ?? [], []);
  assert.equal(bundle.link?.some((l) => l.relation === 'next'), false);
});

test('bad _summary or _elements values answer 400 naming the problem', async () => {
  for (const [path, query, message] of [
    ['Location', { _summary: 'maybe' }, /_summary must be one of/],
    [`Location/${A.location}`, { _summary: 'maybe' }, /_summary must be one of/],
    [`Location/${A.location}`, { _summary: 'count' }, /searches only/],
    ['Location', { _elements: '' }, /_elements must list/],
    ['Location', { _elements: 'name,' }, /_elements must list/],
    [`Location/${A.location}`, { _elements: 'name,colour' }, /Unknown element\(s\) of Location in _elements: colour/],
    ['Location', { _summary: 'true', _elements: 'name' }, /cannot be combined/],
    [`Location/${A.location}`, { _summary: 'true', _elements: 'name' }, /cannot be combined/],
    ['Location', { _summary: ['true', 'data'] }, /only once/],
    [`Location/${A.location}`, { _count: '1' }, /Unexpected query parameters on Location\/.*: _count/],
  ] as const) {
    const res = await get(path, query as Record<string, string | string[]>);
    assert.equal(res.status, 400, `${path} ${JSON.stringify(query)}`);
    assert.match(diagnostics(res), message);
  }
});

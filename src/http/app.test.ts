import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Bundle, CapabilityStatement, Organization, OperationOutcome } from '@medplum/fhirtypes';
import type { FastifyInstance } from 'fastify';
import type { Database } from '../db/open.ts';
import { openTestDatabase } from '../db/testing.ts';
import { buildOrganization } from '../model/index.ts';
import { Repository } from '../store/repository.ts';
import { buildApp } from './app.ts';

let db: Database;
let app: FastifyInstance;

const FINESS = 'http://finess.esante.gouv.fr';

before(async () => {
  db = await openTestDatabase();
  const repo = new Repository(db);
  const egs = [
    ['440000271', 'CHU NANTES HOTEL DIEU'],
    ['440000289', 'CHU NANTES HOPITAL NORD LAENNEC'],
    ['490000676', 'CHU ANGERS'],
  ] as const;
  await repo.putBatch(egs.map(([finess, name]) => buildOrganization({ id: `eg-${finess}`, kind: 'EG', finess, name, category: '101', region: '52', origin: 'finess' })));
  const current = await repo.read('Organization', 'eg-490000676');
  await repo.update({ ...current, name: 'CHU D ANGERS' } as Organization);
  app = await buildApp({ repo });
});
after(async () => {
  await app.close();
  await db.close();
});

async function get<T>(url: string): Promise<{ status: number; body: T; headers: Record<string, unknown> }> {
  const res = await app.inject({ method: 'GET', url });
  return { status: res.statusCode, body: res.json() as T, headers: res.headers };
}

test('GET /healthz answers ok', async () => {
  const res = await get<{ status: string }>('/healthz');
  assert.equal(res.status, 200);
  assert.equal(res.body.status, 'ok');
});

test('the CapabilityStatement lists the resource types, interactions and the search parameters that work', async () => {
  const { status, body, headers } = await get<CapabilityStatement>('/fhir/metadata');
  assert.equal(status, 200);
  assert.match(String(headers['content-type']), /application\/fhir\+json/);
  const location = body.rest?.[0]?.resource?.find((r) => r.type === 'Location');
  assert.deepEqual(location?.interaction?.map((i) => i.code), ['read', 'vread', 'history-instance', 'search-type']);
  const params = new Map(location?.searchParam?.map((p) => [p.name, p]));
  assert.equal(params.get('capacity-status')?.definition, 'https://interop.esante.gouv.fr/ig/fhir/ror/SearchParameter/ror-sp-capacity-status');
  assert.equal(params.get('nb-capacity')?.type, 'number');
  assert.ok(params.has('identifier') && params.has('_lastUpdated') && params.has('_id'));
  assert.ok(!params.has('near') && !params.has('_content'), 'parameters that are not served are not claimed');
});

test('search by FINESS identifier finds the CHU de Nantes Hôtel-Dieu site', async () => {
  const { status, body } = await get<Bundle>(`/fhir/Organization?identifier=${encodeURIComponent(`${FINESS}|440000271`)}`);
  assert.equal(status, 200);
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
    ['/fhir/Organization?_content=cardio', 400, /not supported/],
  ];
  for (const [url, status, pattern] of cases) {
    const res = await get<OperationOutcome>(url);
    assert.equal(res.status, status, url);
    assert.equal(res.body.resourceType, 'OperationOutcome', url);
    assert.match(res.body.issue?.[0]?.diagnostics ?? '', pattern, url);
  }
  const post = await app.inject({ method: 'DELETE', url: '/fhir/Organization/eg-490000676' });
  assert.equal(post.statusCode, 405);
  assert.equal((await get<Organization>('/fhir/Organization/eg-490000676')).status, 200);
});

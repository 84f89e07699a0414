import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Bundle, OperationOutcome, Resource } from '@medplum/fhirtypes';
import { capacity, offer, userPrincipal } from '../auth/access.test-support.ts';
import type { Database } from '../db/open.ts';
import { openTestDatabase } from '../db/testing.ts';
import { buildLocation, CAPACITY_STATUS, type CapacityEntry } from '../model/index.ts';
import { Repository } from '../store/repository.ts';
import { handleFhirRequest, type FhirResponse } from './router.ts';

const admin = userPrincipal('sort-admin', 'national-admin', { national: true }, 1);

let db: Database;
let repo: Repository;

function place(id: string, name: string | undefined, capacities: CapacityEntry[], externalSyncId?: string): Resource {
  return buildLocation({
    id,
    identifier: `52/${id}`,
    ...(externalSyncId ? { externalSyncId } : {}),
    ...(name ? { name } : {}),
    communeCog: '44109',
    capacities,
    region: '52',
    createdAt: '2024-01-15T09:00:00Z',
  });
}

before(async () => {
  db = await openTestDatabase();
  let tick = Date.parse('2024-05-01T10:00:00Z');
  repo = new Repository(db, { now: () => new Date((tick += 60_000)) });
  // Written one by one so that _lastUpdated follows this order: l-c, l-a, l-d, l-b, l-e.
  for (const r of [
    place('l-c', 'Réanimation', [capacity(CAPACITY_STATUS.installe, 20), capacity(CAPACITY_STATUS.disponible, 1)]),
    place('l-a', 'Écho', [capacity(CAPACITY_STATUS.installe, 8)]),
    place('l-d', 'alpha', [capacity(CAPACITY_STATUS.installe, 5), capacity(CAPACITY_STATUS.disponible, 5)], 'zz-1'),
    place('l-b', 'Écho', [capacity(CAPACITY_STATUS.installe, 12)]),
    place('l-e', undefined, []),
    offer('A', 'hs-1', 'oi-b', 'l-a'),
    offer('A', 'hs-2', 'oi-a', 'l-b'),
    offer('A', 'hs-3', 'oi-c', 'l-c'),
  ]) {
    const [outcome] = await repo.putBatch([r]);
    assert.notEqual(outcome?.status, 'rejected', JSON.stringify(outcome));
  }
});
after(async () => {
  await db.close();
});

function get(path: string, query: Record<string, string | string[]>, prefer?: string): Promise<FhirResponse> {
  return handleFhirRequest({ method: 'GET', path, query, baseUrl: 'http://ror.test/fhir', ...(prefer ? { prefer } : {}) }, { repo, principal: admin });
}

async function ordered(path: string, query: Record<string, string | string[]>): Promise<string[]> {
  const res = await get(path, query);
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return ((res.body as Bundle).entry ?? []).filter((e) => e.search?.mode === 'match').map((e) => e.resource?.id as string);
}

test('_sort on a string parameter: normalised value, ties broken by id, resources without a value last', async () => {
  assert.deepEqual(await ordered('Location', { _sort: 'name' }), ['l-d', 'l-a', 'l-b', 'l-c', 'l-e']);
  assert.deepEqual(await ordered('Location', { _sort: '-name' }), ['l-c', 'l-a', 'l-b', 'l-d', 'l-e']);
});

test('_sort on _id, _lastUpdated and several keys', async () => {
  assert.deepEqual(await ordered('Location', { _sort: '-_id' }), ['l-e', 'l-d', 'l-c', 'l-b', 'l-a']);
  assert.deepEqual(await ordered('Location', { _sort: '_lastUpdated' }), ['l-c', 'l-a', 'l-d', 'l-b', 'l-e']);
  assert.deepEqual(await ordered('Location', { _sort: '-_lastUpdated' }), ['l-e', 'l-b', 'l-d', 'l-a', 'l-c']);
  assert.deepEqual(await ordered('Location', { _sort: 'name,-_lastUpdated' }), ['l-d', 'l-b', 'l-a', 'l-c', 'l-e']);
});

test('a multi-valued parameter sorts by its smallest value ascending and its largest descending', async () => {
  // nb-capacity: l-c {20, 1}, l-a {8}, l-d {5, 5}, l-b {12}, l-e none.
  assert.deepEqual(await ordered('Location', { _sort: 'nb-capacity' }), ['l-c', 'l-d', 'l-a', 'l-b', 'l-e']);
  assert.deepEqual(await ordered('Location', { _sort: '-nb-capacity' }), ['l-c', 'l-b', 'l-a', 'l-d', 'l-e']);
  // identifier tokens: every Location has 52/<id>; l-d also zz-1.
  assert.deepEqual(await ordered('Location', { _sort: '-identifier' }), ['l-d', 'l-e', 'l-c', 'l-b', 'l-a']);
});

test('_sort on a reference parameter orders by the target id; sorting composes with criteria', async () => {
  assert.deepEqual(await ordered('HealthcareService', { _sort: 'organization' }), ['hs-2', 'hs-1', 'hs-3']);
  assert.deepEqual(await ordered('Location', { 'capacity-status': '01', _sort: '-nb-capacity' }), ['l-c', 'l-b', 'l-a', 'l-d']);
});

test('paging links keep _sort and pages follow the sorted order', async () => {
  const res = await get('Location', { _sort: '-nb-capacity', _count: '2' });
  const b = res.body as Bundle;
  assert.deepEqual(b.entry?.map((e) => e.resource?.id), ['l-c', 'l-b']);
  const next = new URL(b.link?.find((l) => l.relation === 'next')?.url as string);
  assert.equal(next.searchParams.get('_sort'), '-nb-capacity');
  assert.deepEqual(await ordered('Location', Object.fromEntries(next.searchParams)), ['l-a', 'l-d']);
});

test('an unknown or unsortable _sort parameter answers 400', async () => {
  for (const [value, message] of [
    ['colour', /unknown search parameter "colour"/],
    ['name,', /unknown search parameter ""/],
    ['near', /needs a near or near-insee-code criterion/],
    ['_content', /cannot be sorted by "_content"/],
  ] as const) {
    const res = await get('Location', { _sort: value });
    assert.equal(res.status, 400, value);
    assert.match((res.body as OperationOutcome).issue?.[0]?.diagnostics ?? '', message);
    assert.deepEqual((res.body as OperationOutcome).issue?.[0]?.expression, ['_sort']);
  }
});

test('Prefer: handling=lenient leaves out unknown parameters and modifiers with a warning; malformed values stay 400', async () => {
  const query = { name: 'echo', colour: 'blue', 'name:fuzzy': 'x', 'organization.colour': 'red' };
  const strict = await get('Location', query);
  assert.equal(strict.status, 400);

  const res = await get('Location', query, 'return=representation; handling=lenient');
  assert.equal(res.status, 200, JSON.stringify(res.body));
  const b = res.body as Bundle;
  assert.deepEqual(b.entry?.filter((e) => e.search?.mode === 'match').map((e) => e.resource?.id), ['l-a', 'l-b']);
  assert.equal(b.total, 2);
  const outcome = b.entry?.find((e) => e.search?.mode === 'outcome')?.resource as OperationOutcome;
  assert.deepEqual(outcome.issue.map((i) => [i.severity, i.code, i.expression?.[0]]), [
    ['warning', 'not-supported', 'colour'],
    ['warning', 'not-supported', 'name:fuzzy'],
    ['warning', 'not-supported', 'organization.colour'],
  ]);
  assert.match(outcome.issue[0]?.diagnostics ?? '', /Unknown search parameter "colour"/);
  const self = new URL(b.link?.find((l) => l.relation === 'self')?.url as string);
  assert.deepEqual([...self.searchParams.keys()].sort(), ['_count', 'name']);

  const malformed = await get('Location', { colour: 'blue', 'nb-capacity': 'lots' }, 'handling=lenient');
  assert.equal(malformed.status, 400);
  assert.deepEqual((malformed.body as OperationOutcome).issue?.[0]?.expression, ['nb-capacity']);
  assert.equal((await get('Location', { colour: 'blue' }, 'handling=strict')).status, 400);
});

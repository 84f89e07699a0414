import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Bundle, BundleEntry, OperationOutcome, Resource } from '@medplum/fhirtypes';
import { offer, userPrincipal } from '../auth/access.test-support.ts';
import type { Database } from '../db/open.ts';
import { openTestDatabase } from '../db/testing.ts';
import { communesOfDepartment, currentCommune } from '../geo/communes.ts';
import { haversineKm, type GeoPoint } from '../geo/distance.ts';
import { buildLocation } from '../model/index.ts';
import { Repository } from '../store/repository.ts';
import { handleFhirRequest, type FhirResponse } from './router.ts';
import { LOCATION_DISTANCE } from './search-bundle.ts';

const admin = userPrincipal('geo-admin', 'national-admin', { national: true }, 1);

/** Real hospital sites (WGS84). */
const SITES: Record<string, GeoPoint & { commune: string }> = {
  'loc-hotel-dieu': { lat: 47.2122, lon: -1.5534, commune: '44109' },
  'loc-laennec': { lat: 47.2394, lon: -1.6392, commune: '44162' },
  'loc-st-nazaire': { lat: 47.2862, lon: -2.2594, commune: '44184' },
  'loc-chu-angers': { lat: 47.4808, lon: -0.553, commune: '49007' },
};
const NANTES = currentCommune('44109')?.position as GeoPoint;

let db: Database;
let repo: Repository;

before(async () => {
  db = await openTestDatabase();
  repo = new Repository(db);
  const locations = Object.entries(SITES).map(([id, s]) =>
    buildLocation({ id, identifier: `52/${id}`, name: id, status: 'active', communeCog: s.commune, position: { latitude: s.lat, longitude: s.lon }, region: '52', createdAt: '2024-01-15T09:00:00Z' }),
  );
  const unplaced = buildLocation({ id: 'loc-unplaced', identifier: '52/loc-unplaced', communeCog: '44109', region: '52', createdAt: '2024-01-15T09:00:00Z' });
  const offers = Object.keys(SITES).map((id) => offer('A', id.replace('loc-', 'hs-'), 'oi-a-rea', id));
  const outcomes = await repo.putBatch([...locations, unplaced, ...offers, offer('A', 'hs-unplaced', 'oi-a-rea', 'loc-unplaced')] as Resource[]);
  assert.deepEqual(outcomes.filter((o) => o.status === 'rejected'), []);
});
after(async () => {
  await db.close();
});

function get(path: string, query: Record<string, string | string[]>): Promise<FhirResponse> {
  return handleFhirRequest({ method: 'GET', path, query, baseUrl: 'http://ror.test/fhir' }, { repo, principal: admin });
}

async function bundle(path: string, query: Record<string, string | string[]>): Promise<Bundle> {
  const res = await get(path, query);
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return res.body as Bundle;
}

/** The matches in the order served. */
async function ordered(path: string, query: Record<string, string | string[]>): Promise<string[]> {
  const b = await bundle(path, query);
  const found = (b.entry ?? []).filter((e) => e.search?.mode === 'match').map((e) => e.resource?.id as string);
  assert.equal(b.total, found.length);
  return found;
}

function distanceOf(entry: BundleEntry | undefined): number | undefined {
  const ext = entry?.search?.extension?.find((e) => e.url === LOCATION_DISTANCE);
  if (ext) assert.equal(ext.valueDistance?.unit, 'km');
  return ext?.valueDistance?.value;
}

async function rejected(path: string, key: string, value: string, message: RegExp): Promise<void> {
  const res = await get(path, { [key]: value });
  assert.equal(res.status, 400, `${key}=${value}`);
  const outcome = res.body as OperationOutcome;
  assert.match(outcome.issue?.[0]?.diagnostics ?? '', message);
  assert.deepEqual(outcome.issue?.[0]?.expression, [key]);
}

test('near: Locations within the distance, nearest first, each with its distance on entry.search', async () => {
  const b = await bundle('Location', { near: `${NANTES.lat}|${NANTES.lon}|60|km` });
  const matches = (b.entry ?? []).filter((e) => e.search?.mode === 'match');
  assert.deepEqual(
    matches.map((e) => e.resource?.id),
    ['loc-hotel-dieu', 'loc-laennec', 'loc-st-nazaire'],
  );
  for (const e of matches) {
    const site = SITES[e.resource?.id as string] as GeoPoint;
    assert.ok(Math.abs((distanceOf(e) as number) - haversineKm(NANTES, site)) < 0.01, `${e.resource?.id}: ${distanceOf(e)}`);
  }
  assert.ok((distanceOf(matches[2]) as number) > 45 && (distanceOf(matches[2]) as number) < 55, 'Nantes – Saint-Nazaire hospital is about 50 km');
  assert.deepEqual(await ordered('Location', { near: `${NANTES.lat}|${NANTES.lon}|100|km` }), ['loc-hotel-dieu', 'loc-laennec', 'loc-st-nazaire', 'loc-chu-angers']);
});

test('near: metres, the default distance (10 km) and _sort on the distance', async () => {
  assert.deepEqual(await ordered('Location', { near: `${NANTES.lat}|${NANTES.lon}|800|m` }), ['loc-hotel-dieu']);
  assert.deepEqual(await ordered('Location', { near: `${NANTES.lat}|${NANTES.lon}` }), ['loc-hotel-dieu', 'loc-laennec']);
  assert.deepEqual(await ordered('Location', { near: `${NANTES.lat}|${NANTES.lon}|100`, _sort: '-near' }), ['loc-chu-angers', 'loc-st-nazaire', 'loc-laennec', 'loc-hotel-dieu']);
  assert.deepEqual(await ordered('Location', { near: `${NANTES.lat}|${NANTES.lon}|100`, _sort: '_id' }), ['loc-chu-angers', 'loc-hotel-dieu', 'loc-laennec', 'loc-st-nazaire']);
});

test('near-insee-code: around the commune centre, also for a commune whose position is approximate', async () => {
  assert.deepEqual(await ordered('Location', { 'near-insee-code': '49007|5|km' }), ['loc-chu-angers']);
  assert.deepEqual(await ordered('Location', { 'near-insee-code': '44184|10|km' }), ['loc-st-nazaire']);
  assert.deepEqual(await ordered('Location', { 'near-insee-code': '44184|100|km' }), ['loc-st-nazaire', 'loc-laennec', 'loc-hotel-dieu']);
  const approximate = communesOfDepartment('44').find((c) => c.position?.approximate);
  assert.ok(approximate, 'Loire-Atlantique has communes placed at their EPCI centre');
  assert.deepEqual(await ordered('Location', { 'near-insee-code': `${approximate.code}|30|km` }), ['loc-hotel-dieu', 'loc-laennec']);
});

test('chained from HealthcareService: offers near the commune, included Locations carry their distance', async () => {
  const query = { 'location.near-insee-code': '44109|15|km', _include: 'HealthcareService:location' };
  const b = await bundle('HealthcareService', query);
  const matches = (b.entry ?? []).filter((e) => e.search?.mode === 'match');
  assert.deepEqual(matches.map((e) => e.resource?.id), ['hs-hotel-dieu', 'hs-laennec']);
  const included = (b.entry ?? []).filter((e) => e.search?.mode === 'include');
  assert.deepEqual(included.map((e) => e.resource?.id).sort(), ['loc-hotel-dieu', 'loc-laennec']);
  for (const e of included) assert.ok(Math.abs((distanceOf(e) as number) - haversineKm(NANTES, SITES[e.resource?.id as string] as GeoPoint)) < 0.01);
  assert.equal(distanceOf(matches[0]), undefined, 'the distance is carried by Location entries');
  assert.deepEqual(await ordered('HealthcareService', { 'location.near': `${NANTES.lat}|${NANTES.lon}|100|km`, _sort: '-near' }), ['hs-chu-angers', 'hs-st-nazaire', 'hs-laennec', 'hs-hotel-dieu']);
});

test('a Location without position is never near anything; a search without near carries no distance', async () => {
  const b = await bundle('Location', { _id: 'loc-unplaced,loc-hotel-dieu' });
  assert.deepEqual((b.entry ?? []).map((e) => [e.resource?.id, distanceOf(e)]), [['loc-hotel-dieu', undefined], ['loc-unplaced', undefined]]);
  assert.deepEqual(await ordered('Location', { near: '0|0|20000|km' }), ['loc-hotel-dieu', 'loc-laennec', 'loc-st-nazaire', 'loc-chu-angers']);
});

test('bad proximity values answer 400 naming the parameter', async () => {
  await rejected('Location', 'near', '47.2|-1.5|10|mi', /unit "mi" is not supported/);
  await rejected('Location', 'near', '47.2|-1.5|ten|km', /distance must be a non-negative number/);
  await rejected('Location', 'near', '97.2|-1.5|10|km', /expected latitude\|longitude/);
  await rejected('Location', 'near', '47.2', /expected latitude\|longitude/);
  await rejected('Location', 'near-insee-code', '99999|10|km', /unknown commune "99999"/);
  await rejected('Location', 'near-insee-code', 'Nantes|10|km', /"Nantes" is not an INSEE commune code/);
  await rejected('Location', 'near-insee-code', '44109|10|parsec', /unit "parsec" is not supported/);
  await rejected('HealthcareService', 'location.near-insee-code', '99999', /unknown commune "99999"/);
  await rejected('Location', '_sort', 'near', /needs a near or near-insee-code criterion/);
});

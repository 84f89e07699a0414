import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { HealthcareService, Location, Resource } from '@medplum/fhirtypes';
import type { Database } from '../db/open.ts';
import {
  buildLocation,
  CAPACITY_STATUS,
  getCapacities,
  setCapacities,
  setChampActivite,
  setPsychiatricSectors,
  setSensitiveUnit,
  setServiceContacts,
} from '../model/index.ts';
import { StoreError } from '../store/errors.ts';
import type { Repository } from '../store/repository.ts';
import { searchResources } from '../store/search.ts';
import { AccessStore } from './access-store.ts';
import { capacity, clientPrincipal, openAccessDataset, location, offer, practitioner, role, SENSITIVE, SIDES, userPrincipal } from './access.test-support.ts';
import type { AccessProfile } from './principal.ts';
import { applyAccessProfile, loadVisibilityFacts } from './visibility.ts';

let db: Database;
let repo: Repository;
let store: AccessStore;
const A = SIDES.A;

/** An offer of `champ` with its Location and a role, on side A. */
function offerOfChamp(key: string, champ: string): Resource[] {
  const hs = offer('A', `hs-a-${key}`, A.service, `loc-a-${key}`) as HealthcareService;
  setChampActivite(hs, champ);
  return [location('A', `loc-a-${key}`), hs, role('A', `pr-a-${key}`, A.practitioner, `hs-a-${key}`)];
}

before(async () => {
  ({ db, repo } = await openAccessDataset());
  store = new AccessStore(repo);
  const outcomes = await repo.putBatch([...offerOfChamp('ambu', '05'), ...offerOfChamp('psychiatrie', '03'), ...offerOfChamp('ssr', '02')]);
  assert.deepEqual(outcomes.filter((o) => o.status === 'rejected'), []);
});
after(async () => {
  await db.close();
});

const reader = (profile: AccessProfile): ReturnType<typeof userPrincipal> => userPrincipal(`reader-${profile}`, 'reader', {}, profile);

async function expectStatus(promise: Promise<unknown>, status: number): Promise<StoreError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  assert.ok(err instanceof StoreError, `expected a StoreError ${status}`);
  assert.equal(err.status, status, err.message);
  return err;
}

test('for every profile, a search counts and returns exactly what the profile serves', async () => {
  for (const type of ['HealthcareService', 'Location', 'PractitionerRole', 'Organization', 'Practitioner', 'Task']) {
    const all = (await searchResources(db, { resourceType: type, filters: [], count: 1000, offset: 0, total: false })).resources;
    const facts = await loadVisibilityFacts(db, all);
    for (const profile of [1, 2, 3, 0] as const) {
      const expected = all.filter((r) => applyAccessProfile(r, profile, facts).resource !== null).map((r) => r.id);
      const result = await store.search(reader(profile), { resourceType: type, filters: [], count: 1000, offset: 0, total: true });
      assert.deepEqual(result.resources.map((r) => r.id), expected, `${type}, profile ${profile}`);
      assert.equal(result.total, expected.length, `${type} total, profile ${profile}`);
    }
  }
  const roles = await store.search(reader(3), { resourceType: 'PractitionerRole', filters: [], count: 1000, offset: 0, total: true });
  assert.deepEqual(roles.resources.map((r) => r.id), ['pr-a-ambu'], 'profile 3 sees the roles of ambulatoire and médico-social offers only');
});

test('a resource the profile hides answers 404 on read and vread, as if absent', async () => {
  for (const [type, id] of [
    ['HealthcareService', SENSITIVE.offer],
    ['Location', SENSITIVE.location],
    ['PractitionerRole', SENSITIVE.role],
  ] as const) {
    await expectStatus(store.read(reader(2), type, id), 404);
    await expectStatus(store.vread(reader(2), type, id, '1'), 404);
    assert.equal((await store.read(reader(1), type, id)).id, id);
  }
});

test('history leaves out the versions the profile hides, and answers 404 when it hides them all', async () => {
  const current = (await repo.readCurrent('HealthcareService', [A.offer])).get(A.offer) as HealthcareService;
  const sensitive = structuredClone(current);
  setSensitiveUnit(sensitive, true);
  await repo.update(sensitive);
  await repo.update(current);
  const versions = await store.history(reader(2), 'HealthcareService', A.offer);
  const all = await repo.history('HealthcareService', A.offer);
  assert.equal(versions.length, all.length - 1);
  assert.ok(!versions.some((v) => v.versionId === String(Number(current.meta?.versionId) + 1)), 'the sensitive version is left out');
  await expectStatus(store.history(reader(2), 'HealthcareService', SENSITIVE.offer), 404);
  assert.equal((await store.history(reader(1), 'HealthcareService', SENSITIVE.offer)).length, 1);
});

test('every served très-restreint field is audited, one row per resource, in one insert per request', async () => {
  const who = userPrincipal('regulateur', 'reader', {}, 1);
  const { resources } = await store.search(who, { resourceType: 'HealthcareService', filters: [], count: 1000, offset: 0, total: false });
  const { rows } = await db.pool.query<{ resource_id: string; at: Date; version_id: number }>(
    "SELECT resource_id, at, version_id FROM audit_event WHERE actor_id = $1 AND action = 'read-restricted' AND outcome = 'success'",
    [who.id],
  );
  assert.deepEqual(rows.map((r) => r.resource_id).sort(), resources.map((r) => r.id).sort(), 'each offer has a très-restreint telecom');
  assert.equal(new Set(rows.map((r) => r.at.getTime())).size, 1, 'one statement');
  const hidden = await store.read(reader(2), 'HealthcareService', A.offer);
  assert.equal((hidden as HealthcareService).telecom, undefined, 'profile 2 is not served the très-restreint telecom');
  const { rows: none } = await db.pool.query("SELECT 1 FROM audit_event WHERE actor_id = 'reader-2' AND action = 'read-restricted'");
  assert.equal(none.length, 0);
});

test('without the read scope nothing is read', async () => {
  const writer = clientPrincipal('writer-only', ['write-capacities'], { locations: [A.location] });
  const err = await expectStatus(store.read(writer, 'Location', A.location), 403);
  assert.match(err.issues[0]?.diagnostics ?? '', /portée « read »/);
  await expectStatus(store.search(writer, { resourceType: 'Location', filters: [], count: 10, offset: 0, total: false }), 403);
});

test('a Practitioner no role names yet lies only in the region of its tag', async () => {
  const fresh = practitioner('A', 'ignored', '10000000077');
  const referent = userPrincipal('referent-a', 'referent', { organizations: [A.ej] });
  const err = await expectStatus(store.create(referent, fresh), 403);
  assert.match(err.issues[0]?.diagnostics ?? '', /ne dépend d’aucune structure/);
  const created = await store.create(userPrincipal('admin-52', 'regional-admin', { regions: ['52'] }, 1), fresh);
  assert.equal(created.created, true);
  assert.notEqual(created.id, 'ignored', 'the server chooses the id of a create');
});

test('an offer cannot be pointed at a Location of another structure (which would bring it into the perimeter)', async () => {
  const referent = userPrincipal('referent-a2', 'referent', { organizations: [A.ej] });
  const current = (await repo.readCurrent('HealthcareService', [A.offer])).get(A.offer) as HealthcareService;
  const err = await expectStatus(
    store.update(referent, { ...current, location: [...(current.location ?? []), { reference: `Location/${SIDES.B.location}` }] }),
    403,
  );
  assert.match(err.issues[0]?.diagnostics ?? '', new RegExp(`Location/${SIDES.B.location}`));
  await expectStatus(store.update(userPrincipal('referent-a3', 'referent', { organizations: [A.ej] }), current, 'W/"1"'), 412);
});

test('what the writer’s profile hid is kept: a capacity update from a profile-2 read loses no hidden telecom or capacity', async () => {
  const loc = location('A', 'loc-a-hidden-parts') as Location;
  loc.telecom = buildLocation({ communeCog: '44109', telecoms: [{ value: '0240000001', channel: '2', confidentiality: '3' }] }).telecom;
  setCapacities(loc, [capacity(CAPACITY_STATUS.installe, 10), capacity(CAPACITY_STATUS.disponible, 3), capacity(CAPACITY_STATUS.supplementaire, 2)]);
  await repo.update(loc);
  const operator = userPrincipal('operator-hidden', 'capacity-operator', { locations: [loc.id as string] }, 2);
  const seen = (await store.read(operator, 'Location', 'loc-a-hidden-parts')) as Location;
  assert.equal(seen.telecom, undefined);
  assert.equal(getCapacities(seen).length, 2, 'the supplementary beds are not served to profile 2');
  const next = structuredClone(seen);
  setCapacities(next, [capacity(CAPACITY_STATUS.installe, 10), capacity(CAPACITY_STATUS.disponible, 0)]);
  await store.update(operator, next);
  const stored = (await repo.read('Location', 'loc-a-hidden-parts')) as Location;
  assert.deepEqual(stored.telecom, loc.telecom);
  assert.deepEqual(
    getCapacities(stored).map((c) => [c.capacityStatus, c.nbCapacity]),
    [['01', 10], ['02', 0], ['06', 2]],
  );
});

test('an element the profile altered inside cannot be changed, nor a resource the profile hides', async () => {
  const hs = offer('A', 'hs-a-contacts', A.service, A.location) as HealthcareService;
  setServiceContacts(hs, [{ purpose: '06', confidentiality: '1', telecoms: [{ value: '0240000002', channel: '2', confidentiality: '1' }, { value: '0240000003', channel: '2', confidentiality: '3' }] }]);
  await repo.update(hs);
  const referent = userPrincipal('referent-profile-2', 'referent', { organizations: [A.ej] }, 2);
  const seen = (await store.read(referent, 'HealthcareService', 'hs-a-contacts')) as HealthcareService;
  const commented = await store.update(referent, { ...seen, comment: 'Accueil 24 h/24' });
  assert.equal(commented.created, false);
  assert.deepEqual(((await repo.read('HealthcareService', 'hs-a-contacts')) as HealthcareService).extension, hs.extension, 'the hidden telecom is kept');
  const resectored = structuredClone(seen);
  setPsychiatricSectors(resectored, ['44G01']);
  const err = await expectStatus(store.update(referent, resectored), 403);
  assert.match(err.issues[0]?.diagnostics ?? '', /masque une partie de ces éléments .* : extension\.$/);
  const sensitive = (await repo.readCurrent('HealthcareService', [SENSITIVE.offer])).get(SENSITIVE.offer) as HealthcareService;
  const hidden = await expectStatus(store.update(referent, { ...sensitive, comment: 'x' }), 403);
  assert.match(hidden.issues[0]?.diagnostics ?? '', /pas visible avec votre profil d’accès/);
});

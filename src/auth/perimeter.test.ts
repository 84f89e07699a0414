import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Resource } from '@medplum/fhirtypes';
import type { Database } from '../db/open.ts';
import { OI_TYPE } from '../model/index.ts';
import type { Repository } from '../store/repository.ts';
import { openAccessDataset, organizationInternal, SENSITIVE, SIDES, task } from './access.test-support.ts';
import { anchorsOf, isInside, type Anchors } from './perimeter.ts';
import { EMPTY_PERIMETER, type Perimeter } from './principal.ts';

let db: Database;
let repo: Repository;
const A = SIDES.A;

before(async () => {
  ({ db, repo } = await openAccessDataset());
});
after(async () => {
  await db.close();
});

async function anchorsOfStored(type: string, id: string): Promise<Anchors> {
  const resource = (await repo.readCurrent(type, [id])).get(id);
  assert.ok(resource, `${type}/${id}`);
  return anchorsOf(repo, resource);
}

const sorted = (a: Anchors): Anchors => ({
  ...a,
  regions: [...a.regions].sort(),
  organizations: [...a.organizations].sort(),
  services: [...a.services].sort(),
  locations: [...a.locations].sort(),
});

test('an Organization hangs from itself and its partOf chain', async () => {
  assert.deepEqual(sorted(await anchorsOfStored('Organization', A.service)), {
    self: `Organization/${A.service}`,
    regions: ['52'],
    organizations: [A.eg, A.ej, A.pole, A.service].sort(),
    services: [],
    locations: [],
  });
});

test('a Location hangs from its managing EG and from the offers that list it, with their chains', async () => {
  assert.deepEqual(sorted(await anchorsOfStored('Location', A.location)), {
    self: `Location/${A.location}`,
    regions: ['52'],
    organizations: [A.eg, A.ej, A.pole, A.service].sort(),
    services: [A.offer],
    locations: [A.location],
  });
});

test('a PractitionerRole hangs from its organization and its offers; a Practitioner from its roles', async () => {
  const role = sorted(await anchorsOfStored('PractitionerRole', A.role));
  assert.deepEqual(role.organizations, [A.eg, A.ej, A.pole, A.service].sort());
  assert.deepEqual(role.services, [A.offer]);
  const practitioner = sorted(await anchorsOfStored('Practitioner', A.practitioner));
  assert.deepEqual(practitioner.services, [SENSITIVE.offer, A.offer].sort(), 'both roles of the practitioner');
  assert.deepEqual(practitioner.regions, ['52']);
  assert.equal(practitioner.self, `Practitioner/${A.practitioner}`);
});

test('a Task hangs from its focus; a new resource from what it references', async () => {
  const t = await anchorsOf(repo, task(undefined, `Location/${A.location}`));
  assert.equal(t.self, 'Task/');
  assert.deepEqual(t.locations, [A.location]);
  assert.ok(t.organizations.includes(A.ej));
  const dangling = await anchorsOf(repo, task(undefined, 'Location/nowhere'));
  assert.deepEqual(dangling, { self: 'Task/', regions: [], organizations: [], services: [], locations: [] });
});

test('Organization chains are cycle-safe and followed at most 10 levels up', async () => {
  const chain: Resource[] = [organizationInternal('A', 'oi-cycle-1', OI_TYPE.pole, 'oi-cycle-2'), organizationInternal('A', 'oi-cycle-2', OI_TYPE.pole, 'oi-cycle-1')];
  for (let i = 0; i < 15; i++) chain.push(organizationInternal('A', `oi-deep-${i}`, OI_TYPE.uniteFonctionnelle, i === 14 ? A.ej : `oi-deep-${i + 1}`));
  await repo.putBatch(chain);
  const cycle = await anchorsOfStored('Organization', 'oi-cycle-1');
  assert.deepEqual([...cycle.organizations].sort(), ['oi-cycle-1', 'oi-cycle-2']);
  const deep = await anchorsOfStored('Organization', 'oi-deep-0');
  assert.equal(deep.organizations.length, 12, 'itself, its parent and 10 levels above it');
  assert.ok(!deep.organizations.includes(A.ej), 'beyond the bound');
});

test('isInside: national, a region, an organization of the chain, an offer (covering its Locations) or a Location', async () => {
  const location = await anchorsOfStored('Location', A.location);
  const perimeter = (p: Partial<Perimeter>): Perimeter => ({ ...EMPTY_PERIMETER, ...p });
  assert.ok(isInside(perimeter({ national: true }), location));
  assert.ok(isInside(perimeter({ regions: ['52'] }), location));
  assert.ok(!isInside(perimeter({ regions: ['53'] }), location));
  assert.ok(isInside(perimeter({ organizations: [A.pole] }), location), 'the pôle of the offer listing it');
  assert.ok(isInside(perimeter({ services: [A.offer] }), location), 'the offer covers its Location');
  assert.ok(isInside(perimeter({ locations: [A.location] }), location));
  assert.ok(!isInside(perimeter({ organizations: [SIDES.B.ej], services: [SENSITIVE.offer], locations: [SENSITIVE.location] }), location));
  assert.ok(!isInside(EMPTY_PERIMETER, location));
});

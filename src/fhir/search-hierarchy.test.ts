import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { CapabilityStatement, OperationOutcome, Organization, Resource } from '@medplum/fhirtypes';
import { accessDataset, location, offer, organizationInternal, SENSITIVE, SIDES, userPrincipal } from '../auth/access.test-support.ts';
import type { Principal } from '../auth/principal.ts';
import type { Database } from '../db/open.ts';
import { openTestDatabase } from '../db/testing.ts';
import { OI_TYPE } from '../model/index.ts';
import { Repository } from '../store/repository.ts';
import { diagnostics, fhirGet, matchedIds } from './fhir.test-support.ts';
import type { FhirResponse } from './router.ts';

/*
 * The organisation tree of A: EJ → EG → pôle → service → unité (offers on the service and, sensitive, on the pôle);
 * B alike. Locations of A: building → floor → room, and building → wing → ward where the wing is the Location of
 * a sensitive offer (hidden by access profile 2). Two OIs of B point at each other (a cycle).
 */
const { A, B } = SIDES;
const BUILDING = 'loc-h-building';
const FLOOR = 'loc-h-floor';
const ROOM = 'loc-h-room';
const WING = 'loc-h-wing';
const WARD = 'loc-h-ward';
const WING_OFFER = 'hs-h-wing';
const CYCLE = ['oi-b-cycle-1', 'oi-b-cycle-2'];
const FINESS = 'http://finess.esante.gouv.fr';

const admin = userPrincipal('hierarchy-admin', 'national-admin', { national: true }, 1);
/** Profile 2: sensitive offers, their Locations and their roles are not served. */
const referent = userPrincipal('hierarchy-referent', 'referent', { organizations: [A.ej] });

let db: Database;
let clock = new Date('2025-01-01T00:00:00Z');
/** After the dataset was written and before A's EG was updated. */
const SINCE = '2025-06-01T00:00:00Z';

function placed(id: string, partOf: string): Resource {
  return { ...location('A', id), partOf: { reference: `Location/${partOf}` } } as Resource;
}

before(async () => {
  db = await openTestDatabase();
  const repo = new Repository(db, { now: () => clock });
  const outcomes = await repo.putBatch([
    ...accessDataset(),
    location('A', BUILDING),
    placed(FLOOR, BUILDING),
    placed(ROOM, FLOOR),
    placed(WING, BUILDING),
    placed(WARD, WING),
    offer('A', WING_OFFER, A.service, WING, true),
    organizationInternal('B', CYCLE[0] as string, OI_TYPE.service, CYCLE[1] as string),
    organizationInternal('B', CYCLE[1] as string, OI_TYPE.service, CYCLE[0] as string),
  ]);
  assert.deepEqual(outcomes.filter((o) => o.status === 'rejected'), []);
  clock = new Date('2025-09-01T00:00:00Z');
  const eg = (await repo.read('Organization', A.eg)) as Organization;
  await repo.update({ ...eg, name: `${eg.name ?? ''} (renamed)` });
});
after(async () => {
  await db.close();
});

const get = (path: string, query: Record<string, string>, principal: Principal = admin): Promise<FhirResponse> => fhirGet(new Repository(db), principal, path, query);
const ids = async (path: string, query: Record<string, string>, principal: Principal = admin): Promise<string[]> => matchedIds(await get(path, query, principal));

const sorted = (...list: string[]): string[] => [...list].sort();

test('partof:below and partof:above on Organization, any depth, in both directions', async () => {
  assert.deepEqual(await ids('Organization', { 'partof:below': `Organization/${A.ej}` }), sorted(A.eg, A.pole, A.service, A.unit));
  assert.deepEqual(await ids('Organization', { 'partof:below': `Organization/${A.pole}` }), sorted(A.service, A.unit));
  assert.deepEqual(await ids('Organization', { 'partof:below': A.unit }), []);
  // partof:above=X: the parent is X or above X — the children of X and of each of its ancestors.
  assert.deepEqual(await ids('Organization', { 'partof:above': `Organization/${A.service}` }), sorted(A.eg, A.pole, A.service, A.unit));
  assert.deepEqual(await ids('Organization', { 'partof:above': `Organization/${A.ej}` }), [A.eg]);
  // Comma = OR across both trees; plain partof stays one level.
  assert.deepEqual(await ids('Organization', { 'partof:below': `Organization/${A.pole},Organization/${B.service}` }), sorted(A.service, A.unit, B.unit));
  assert.deepEqual(await ids('Organization', { partof: `Organization/${A.ej}` }), [A.eg]);
});

test('reference :above / :below from another type: offers by organisation, Locations by Location', async () => {
  assert.deepEqual(await ids('HealthcareService', { 'organization:below': `Organization/${A.eg}` }), sorted(A.offer, SENSITIVE.offer, WING_OFFER));
  assert.deepEqual(await ids('HealthcareService', { 'organization:below': `Organization/${A.service}` }), sorted(A.offer, WING_OFFER));
  assert.deepEqual(await ids('HealthcareService', { 'organization:above': `Organization/${A.unit}` }), sorted(A.offer, SENSITIVE.offer, WING_OFFER));
  assert.deepEqual(await ids('HealthcareService', { 'organization:above': `Organization/${A.pole}` }), [SENSITIVE.offer]);
  assert.deepEqual(await ids('Location', { 'partof:below': `Location/${BUILDING}` }), sorted(FLOOR, ROOM, WING, WARD));
  assert.deepEqual(await ids('Location', { 'partof:above': `Location/${ROOM}` }), sorted(FLOOR, ROOM, WING));
  assert.deepEqual(await ids('HealthcareService', { 'location:below': `Location/${BUILDING}` }), [WING_OFFER]);
});

test('chained :above (the organisation or one above it matches) and :below (it or one below it matches)', async () => {
  const egFiness = `${FINESS}|440000271`;
  assert.deepEqual(await ids('HealthcareService', { 'organization:above.identifier': egFiness }), sorted(A.offer, SENSITIVE.offer, WING_OFFER));
  assert.deepEqual(await ids('HealthcareService', { 'organization:above.identifier': '440000289' }), sorted(A.offer, SENSITIVE.offer, WING_OFFER));
  assert.deepEqual(await ids('HealthcareService', { 'organization.identifier': egFiness }), []);
  assert.deepEqual(await ids('HealthcareService', { 'organization:above.name:exact': `OI ${A.pole}` }), sorted(A.offer, SENSITIVE.offer, WING_OFFER));
  assert.deepEqual(await ids('HealthcareService', { 'organization:above.name:exact': `OI ${A.service}` }), sorted(A.offer, WING_OFFER));
  // :below: the offer's organisation or one below it matches — the unit is below the service and the pôle.
  assert.deepEqual(await ids('HealthcareService', { 'organization:below.name:exact': `OI ${A.unit}` }), sorted(A.offer, SENSITIVE.offer, WING_OFFER));
  assert.deepEqual(await ids('HealthcareService', { 'organization:below.name:exact': `OI ${A.service}` }), sorted(A.offer, SENSITIVE.offer, WING_OFFER));
  assert.deepEqual(await ids('HealthcareService', { 'organization:below.name:exact': `OI ${A.pole}` }), [SENSITIVE.offer]);
  // Other source types and deeper chains.
  assert.deepEqual(await ids('PractitionerRole', { 'service.organization:above.identifier': egFiness }), sorted(A.newRole, A.role, SENSITIVE.role));
  assert.deepEqual(await ids('Organization', { 'partof:above.identifier': egFiness }), sorted(A.pole, A.service, A.unit));
  assert.deepEqual(await ids('Location', { 'partof:above.name': `Lieu ${BUILDING}` }), sorted(FLOOR, ROOM, WING, WARD));
});

test('with _has, _filter (the IG delta sync query) and other criteria', async () => {
  assert.deepEqual(await ids('Location', { '_has:HealthcareService:location:organization:above.identifier': '440000271' }), sorted(A.location, SENSITIVE.location, WING));
  assert.deepEqual(await ids('Organization', { '_has:HealthcareService:organization:_id': WING_OFFER, 'partof:below': `Organization/${A.ej}` }), [A.service]);
  // Only A's EG changed after SINCE: the offers at or below it, through the organisation hierarchy.
  const sync = `(_lastUpdated ge ${SINCE} or organization:above._lastUpdated ge ${SINCE})`;
  assert.deepEqual(await ids('HealthcareService', { _filter: sync }), sorted(A.offer, SENSITIVE.offer, WING_OFFER));
  assert.deepEqual(await ids('HealthcareService', { 'organization:above._lastUpdated': `ge${SINCE}` }), sorted(A.offer, SENSITIVE.offer, WING_OFFER));
  assert.deepEqual(await ids('HealthcareService', { 'organization._lastUpdated': `ge${SINCE}` }), []);
  assert.deepEqual(
    await ids('HealthcareService', { _filter: `not(organization:above.identifier eq 440000271) and organization:below.name sw "OI oi-b"` }),
    [B.offer],
  );
  assert.deepEqual(await ids('HealthcareService', { _filter: `organization:above.identifier eq 440000271 and organization ne Organization/${A.service}` }), [SENSITIVE.offer]);
});

test('a cycle in partof ends: each member is below the other, and the walk stops', async () => {
  assert.deepEqual(await ids('Organization', { 'partof:below': `Organization/${CYCLE[0]}` }), sorted(...CYCLE));
  assert.deepEqual(await ids('Organization', { 'partof:above.name': `OI ${CYCLE[0]}` }), sorted(...CYCLE));
});

/*
 * A hierarchy walk does not pass through a resource the caller's profile hides: under profile 2 the wing (the
 * Location of a sensitive offer) is not served, and neither is anything reached only through it.
 */
test('under access profile 2 the walk never passes through a hidden Location, and hidden offers stay hidden', async () => {
  assert.deepEqual(await ids('Location', { 'partof:below': `Location/${BUILDING}` }, referent), sorted(FLOOR, ROOM));
  assert.deepEqual(await ids('Location', { 'partof:below': `Location/${WING}` }, referent), []);
  assert.deepEqual(await ids('Location', { 'partof:above.name': `Lieu ${BUILDING}` }, referent), sorted(FLOOR, ROOM));
  assert.deepEqual(await ids('Location', { 'partof:below.name': `Lieu ${WARD}` }, referent), []);
  // The ward or one below it matches: the parent is the ward or one of its ancestors (wing, building).
  assert.deepEqual(await ids('Location', { 'partof:below.name': `Lieu ${WARD}` }), sorted(FLOOR, WARD, WING));
  assert.deepEqual(await ids('HealthcareService', { 'organization:above.identifier': '440000271' }, referent), [A.offer]);
  assert.deepEqual(await ids('HealthcareService', { _filter: `organization:above._lastUpdated ge ${SINCE}` }, referent), [A.offer]);
});

test(':above / :below where there is no hierarchy answer 400 naming the parameter', async () => {
  for (const [path, key, value, message] of [
    ['PractitionerRole', 'service:above', `HealthcareService/${A.offer}`, /HealthcareService has none/],
    ['PractitionerRole', 'service:below.name', 'x', /:below follows a hierarchy, and HealthcareService has none/],
    ['HealthcareService', 'name:above', 'x', /Modifier :above is not supported on string parameter "name"/],
    ['HealthcareService', 'specialty:below', 'https://mos.esante.gouv.fr/NOS/TRE_R211-ActiviteOperationnelle/FHIR/TRE-R211-ActiviteOperationnelle|227', /code system https:\/\/mos.esante.gouv.fr\/NOS\/TRE_R211.* has none/],
    ['HealthcareService', 'service-type:above', '01', /the code systems of "service-type" has none/],
    ['Task', 'focus:above.name', 'x', /may point to .*:above needs a single target type/],
    ['Task', 'focus:below', 'x', /write the value as Type\/id/],
    ['HealthcareService', 'organization:above', `Location/${A.location}`, /does not point to "Location"/],
    ['HealthcareService', 'organization:above', 'Organization/bad id', /Invalid reference/],
    ['HealthcareService', 'organization:above:Organization.name', 'x', /Invalid chained parameter/],
  ] as const) {
    const res = await get(path, { [key]: value });
    assert.equal(res.status, 400, `${path}?${key}=${value}: ${diagnostics(res)}`);
    assert.match(diagnostics(res), message);
    assert.deepEqual((res.body as OperationOutcome).issue?.[0]?.expression, [key]);
  }
  const res = await get('HealthcareService', { _filter: 'service:above.name eq x' });
  assert.equal(res.status, 400);
  const filtered = await get('HealthcareService', { _filter: 'location:above.name eq x or organization:sideways.name eq x' });
  assert.equal(filtered.status, 400);
  assert.match(diagnostics(filtered), /offset 28/);
});

test('_content: every word contained in an indexed string, accent- and case-insensitive; 400 where nothing is indexed', async () => {
  assert.deepEqual(await ids('HealthcareService', { _content: 'REANIMATION' }), sorted(A.offer, B.offer));
  assert.deepEqual(await ids('HealthcareService', { _content: 'anim adul' }), sorted(A.offer, B.offer));
  assert.deepEqual(await ids('HealthcareService', { _content: 'psychiatrie réanimation' }), []);
  assert.deepEqual(await ids('HealthcareService', { _content: 'psychiatrie,adulte' }), sorted(A.offer, B.offer, SENSITIVE.offer, WING_OFFER));
  assert.deepEqual(await ids('HealthcareService', { _content: 'sensible' }, referent), []);
  assert.deepEqual(await ids('Organization', { _content: 'chu b' }), sorted(B.ej, B.eg));
  assert.deepEqual(await ids('HealthcareService', { 'location._content': 'h-wing' }), [WING_OFFER]);
  assert.deepEqual(await ids('HealthcareService', { _filter: '_content eq "unite sensible" or location._content co h-ward' }), sorted(SENSITIVE.offer, WING_OFFER));
  assert.deepEqual(await ids('HealthcareService', { _filter: '_content ne reanimation' }), sorted(SENSITIVE.offer, WING_OFFER));
  for (const [path, query, message] of [
    ['HealthcareService', { _content: ' ' }, /empty text/],
    ['HealthcareService', { '_content:exact': 'x' }, /Modifier :exact is not supported on _content/],
    ['Task', { _content: 'x' }, /_content is not supported on Task: it has no indexed text/],
    ['HealthcareService', { _filter: '_content sw x' }, /operator "sw" does not apply to text parameter "_content"/],
  ] as const) {
    const res = await get(path, query);
    assert.equal(res.status, 400, JSON.stringify(query));
    assert.match(diagnostics(res), message);
  }
});

test('the CapabilityStatement documents :above / :below and _content', async () => {
  const res = await get('metadata', {});
  const statement = res.body as CapabilityStatement;
  const params = (type: string) => statement.rest?.[0]?.resource?.find((r) => r.type === type)?.searchParam ?? [];
  assert.match(params('HealthcareService').find((p) => p.name === 'organization')?.documentation ?? '', /:above \/ :below follow the Organization partof hierarchy/);
  assert.match(params('Location').find((p) => p.name === 'partof')?.documentation ?? '', /Location partof hierarchy/);
  assert.match(params('HealthcareService').find((p) => p.name === '_content')?.documentation ?? '', /accent- and case-insensitive/);
  assert.equal(params('Task').find((p) => p.name === '_content'), undefined);
});

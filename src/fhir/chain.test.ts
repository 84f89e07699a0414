import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { OperationOutcome } from '@medplum/fhirtypes';
import { openAccessDataset, SENSITIVE, SIDES, userPrincipal } from '../auth/access.test-support.ts';
import type { Principal } from '../auth/principal.ts';
import type { Database } from '../db/open.ts';
import type { Repository } from '../store/repository.ts';
import { diagnostics, fhirGet, matchedIds } from './fhir.test-support.ts';
import type { FhirResponse } from './router.ts';

let db: Database;
let repo: Repository;
const { A, B } = SIDES;
const admin = userPrincipal('chain-admin', 'national-admin', { national: true }, 1);
/** Profile 2: sensitive offers, their Locations and their roles are not served. */
const referent = userPrincipal('chain-referent', 'referent', { organizations: [A.ej] });
const CAPACITY_STATUS_SYSTEM = 'https://mos.esante.gouv.fr/NOS/TRE_R330-TypeStatutCapacite/FHIR/TRE-R330-TypeStatutCapacite';
const CHAMP_SYSTEM = 'https://mos.esante.gouv.fr/NOS/TRE_R227-ChampActivite/FHIR/TRE-R227-ChampActivite';

before(async () => {
  ({ db, repo } = await openAccessDataset());
});
after(async () => {
  await db.close();
});

const get = (path: string, query: Record<string, string>, principal: Principal = admin): Promise<FhirResponse> => fhirGet(repo, principal, path, query);
const ids = async (path: string, query: Record<string, string>, principal: Principal = admin): Promise<string[]> => matchedIds(await get(path, query, principal));

test('chains on HealthcareService: organization name, Location commune and capacity status', async () => {
  assert.deepEqual(await ids('HealthcareService', { 'organization.name': `OI ${A.service}` }), [A.offer]);
  assert.deepEqual(await ids('HealthcareService', { 'organization.name': 'oi oi-a-' }), [SENSITIVE.offer, A.offer].sort());
  assert.deepEqual(await ids('HealthcareService', { 'location.commune-cog': '44109' }), [SENSITIVE.offer, A.offer].sort());
  assert.deepEqual(await ids('HealthcareService', { 'location:Location.commune-cog': '35238' }), [B.offer]);
  assert.deepEqual(await ids('HealthcareService', { 'location.capacity-status': `${CAPACITY_STATUS_SYSTEM}|02` }), [SENSITIVE.offer, A.offer, B.offer].sort());
  assert.deepEqual(await ids('HealthcareService', { 'location.capacity-status': `${CAPACITY_STATUS_SYSTEM}|09` }), []);
  assert.deepEqual(await ids('HealthcareService', { 'location.commune-cog': '44109', 'organization.name': `OI ${A.service}` }), [A.offer]);
});

test('chains on Organization and PractitionerRole, and two references deep', async () => {
  assert.deepEqual(await ids('Organization', { 'partof.identifier': 'http://finess.esante.gouv.fr|440000289' }), [A.eg]);
  assert.deepEqual(await ids('Organization', { 'partof.partof.identifier': 'http://finess.esante.gouv.fr|440000289' }), [A.pole]);
  assert.deepEqual(await ids('HealthcareService', { 'organization.partof.name:exact': `OI ${A.pole}` }), [A.offer]);
  assert.deepEqual(await ids('PractitionerRole', { 'service.identifier': `${B.region}/${B.offer}` }), [B.newRole, B.role].sort());
  assert.deepEqual(
    await ids('PractitionerRole', { 'service.service-type': `${CHAMP_SYSTEM}|01` }),
    [A.newRole, A.role, SENSITIVE.role, B.newRole, B.role].sort(),
  );
});

test('_has: Locations of the offers with either identifier, nested _has, and _has followed by a chain', async () => {
  const query = { '_has:HealthcareService:location:identifier': `${A.region}/${A.offer},${B.region}/${B.offer}` };
  assert.deepEqual(await ids('Location', query), [A.location, B.location].sort());
  assert.deepEqual(await ids('Location', { '_has:HealthcareService:location:identifier': `${A.region}/${A.offer}` }), [A.location]);
  assert.deepEqual(await ids('Organization', { '_has:HealthcareService:organization:_has:Task:focus:_id': B.task }), [B.service]);
  assert.deepEqual(await ids('Practitioner', { '_has:PractitionerRole:practitioner:service.identifier': `${B.region}/${B.offer}` }), [B.practitioner]);
  assert.deepEqual(await ids('HealthcareService', { '_has:Task:focus:_id': B.task }), [B.offer]);
  assert.deepEqual(await ids('PractitionerRole', { 'service._has:Task:focus:_id': B.task }), [B.newRole, B.role].sort());
  assert.deepEqual(await ids('Organization', { '_has:HealthcareService:organization:location.commune-cog': '35238' }), [B.service]);
});

/*
 * A chain or _has only goes through resources the caller is served: the profile's filters apply to every resource
 * on the way. A resource the caller may see is therefore not found through a hidden one (the pôle of A through its
 * sensitive offer), and a search cannot tell whether a hidden resource exists.
 */
test('a chain or _has through a sensitive offer reveals nothing to profile 2', async () => {
  const throughSensitive = { '_has:HealthcareService:organization:identifier': `${A.region}/${SENSITIVE.offer}` };
  assert.deepEqual(await ids('Organization', throughSensitive), [A.pole]);
  assert.deepEqual(await ids('Organization', throughSensitive, referent), []);
  assert.deepEqual(await ids('Organization', { _id: A.pole }, referent), [A.pole], 'the pôle itself is served');
  assert.deepEqual(await ids('Location', { '_has:HealthcareService:location:identifier': `${A.region}/${SENSITIVE.offer}` }, referent), []);
  assert.deepEqual(await ids('HealthcareService', { 'location.commune-cog': '44109' }, referent), [A.offer]);
  assert.deepEqual(await ids('HealthcareService', { 'organization.name': 'oi oi-a-' }, referent), [A.offer]);
  assert.deepEqual(await ids('PractitionerRole', { 'service.service-type': `${CHAMP_SYSTEM}|01` }, referent), [A.newRole, A.role, B.newRole, B.role].sort());
});

test('unknown, ambiguous and unsupported chains answer 400 with an OperationOutcome naming the parameter', async () => {
  for (const [path, key, message] of [
    ['HealthcareService', 'organization.colour', /Unknown search parameter "colour" for Organization/],
    ['HealthcareService', 'name.name', /"name" is not a reference search parameter of HealthcareService/],
    ['Task', 'focus.name', /Task:focus may point to .*; name one as focus:Type/],
    ['PractitionerRole', 'service:above.identifier', /:above follows a hierarchy, and HealthcareService has none/],
    ['Location', '_has:HealthcareService:organization:identifier', /does not point to "Location"/],
  ] as const) {
    const res = await get(path, { [key]: 'x' });
    assert.equal(res.status, 400, `${path}?${key}`);
    assert.match(diagnostics(res), message);
    assert.deepEqual((res.body as OperationOutcome).issue?.[0]?.expression, [key]);
  }
});

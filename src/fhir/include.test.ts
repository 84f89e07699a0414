import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Bundle, CapabilityStatement, OperationOutcome, Resource } from '@medplum/fhirtypes';
import { openAccessDataset, organizationInternal, SENSITIVE, SIDES, userPrincipal } from '../auth/access.test-support.ts';
import { OI_TYPE } from '../model/index.ts';
import type { Principal } from '../auth/principal.ts';
import type { Database } from '../db/open.ts';
import type { Repository } from '../store/repository.ts';
import { resolveIncludes } from './include.ts';
import { handleFhirRequest, type FhirResponse } from './router.ts';
import { parseSearch } from './search-parser.ts';

let db: Database;
let repo: Repository;
const BASE = 'http://ror.test/fhir';
const { A, B } = SIDES;
const admin = userPrincipal('include-admin', 'national-admin', { national: true }, 1);
const profile2 = userPrincipal('include-referent', 'referent', { organizations: [A.ej] }, 2);

before(async () => {
  ({ db, repo } = await openAccessDataset());
});
after(async () => {
  await db.close();
});

async function search(path: string, query: Record<string, string | string[]>, principal: Principal = admin): Promise<FhirResponse> {
  return handleFhirRequest({ method: 'GET', path, query, baseUrl: BASE }, { repo, principal });
}

async function bundle(path: string, query: Record<string, string | string[]>, principal: Principal = admin): Promise<Bundle> {
  const res = await search(path, query, principal);
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return res.body as Bundle;
}

/** `Type/id` of the entries of one search mode, sorted. */
function ids(b: Bundle, mode: 'match' | 'include'): string[] {
  return (b.entry ?? [])
    .filter((e) => e.search?.mode === mode)
    .map((e) => `${e.resource?.resourceType}/${e.resource?.id}`)
    .sort();
}

const ref = (type: string, ...list: string[]): string[] => list.map((id) => `${type}/${id}`);

test('the IG reference query returns the offers with their organisations up to the EJ, Locations, roles and practitioners', async () => {
  const b = await bundle('HealthcareService', {
    _include: ['HealthcareService:organization', 'HealthcareService:location', 'PractitionerRole:practitioner'],
    '_include:iterate': 'Organization:partof',
    _revinclude: 'PractitionerRole:service',
  });
  assert.deepEqual(ids(b, 'match'), ref('HealthcareService', SENSITIVE.offer, A.offer, B.offer).sort());
  assert.equal(b.total, 3, 'total counts the matches only');
  assert.deepEqual(
    ids(b, 'include'),
    [
      ...ref('Organization', A.service, A.pole, A.eg, A.ej, B.service, B.pole, B.eg, B.ej),
      ...ref('Location', A.location, SENSITIVE.location, B.location),
      ...ref('PractitionerRole', A.role, A.newRole, SENSITIVE.role, B.role, B.newRole),
      ...ref('Practitioner', A.practitioner, B.practitioner),
    ].sort(),
  );
  const urls = (b.entry ?? []).map((e) => e.fullUrl);
  assert.equal(new Set(urls).size, urls.length, 'each resource once');
  assert.ok(urls.includes(`${BASE}/Organization/${A.ej}`));
});

test('Location?_revinclude=HealthcareService:location includes the offers listing the Location', async () => {
  const b = await bundle('Location', { _id: A.location, _revinclude: 'HealthcareService:location' });
  assert.deepEqual(ids(b, 'match'), ref('Location', A.location));
  assert.deepEqual(ids(b, 'include'), ref('HealthcareService', A.offer));
});

test(':iterate follows the hierarchy up to the EJ; without it one step only; a resource both matched and included appears once, as match', async () => {
  const once = await bundle('Organization', { _id: A.unit, _include: 'Organization:partof' });
  assert.deepEqual(ids(once, 'include'), ref('Organization', A.service));
  const iterated = await bundle('Organization', { _id: `${A.unit},${A.pole}`, '_include:iterate': 'Organization:partof' });
  assert.deepEqual(ids(iterated, 'match'), ref('Organization', A.unit, A.pole).sort());
  assert.deepEqual(ids(iterated, 'include'), ref('Organization', A.service, A.eg, A.ej).sort());
  assert.equal(iterated.entry?.length, 5);
});

test('a resource the profile does not serve is neither included nor iterated from', async () => {
  const query = { _id: A.pole, _revinclude: 'HealthcareService:organization', '_include:iterate': 'HealthcareService:location' };
  assert.deepEqual(ids(await bundle('Organization', query), 'include'), [...ref('HealthcareService', SENSITIVE.offer), ...ref('Location', SENSITIVE.location)]);
  assert.deepEqual(ids(await bundle('Organization', query, profile2), 'include'), []);
  const roles = { _id: A.practitioner, _revinclude: 'PractitionerRole:practitioner' };
  assert.deepEqual(ids(await bundle('Practitioner', roles), 'include'), ref('PractitionerRole', A.role, SENSITIVE.role).sort());
  assert.deepEqual(ids(await bundle('Practitioner', roles, profile2), 'include'), ref('PractitionerRole', A.role));
});

test('included resources are served through the access profile, and their très-restreint fields audited', async () => {
  const reader = userPrincipal('include-audit', 'reader', {}, 1);
  const b = await bundle('Location', { _id: A.location, _revinclude: 'HealthcareService:location' }, reader);
  assert.ok((b.entry?.[1]?.resource as { telecom?: unknown }).telecom, 'profile 1 is served the très-restreint telecom');
  const { rows } = await db.pool.query<{ resource_id: string }>(
    "SELECT resource_id FROM audit_event WHERE actor_id = $1 AND action = 'read-restricted' AND resource_type = 'HealthcareService'",
    [reader.id],
  );
  assert.deepEqual(rows.map((r) => r.resource_id), [A.offer]);
  const hidden = await bundle('Location', { _id: A.location, _revinclude: 'HealthcareService:location' }, profile2);
  assert.equal((hidden.entry?.[1]?.resource as { telecom?: unknown }).telecom, undefined);
});

test('paging links keep the _include parameters and includes follow the page', async () => {
  const b = await bundle('HealthcareService', { _count: '1', _include: 'HealthcareService:location', '_include:iterate': 'Organization:partof' });
  assert.equal(b.total, 3);
  assert.deepEqual(ids(b, 'match'), ref('HealthcareService', SENSITIVE.offer));
  assert.deepEqual(ids(b, 'include'), ref('Location', SENSITIVE.location));
  const next = new URL(b.link?.find((l) => l.relation === 'next')?.url ?? '');
  assert.deepEqual(next.searchParams.getAll('_include'), ['HealthcareService:location']);
  assert.deepEqual(next.searchParams.getAll('_include:iterate'), ['Organization:partof']);
  assert.equal(next.searchParams.get('_offset'), '1');
});

test('an unknown or malformed _include answers 400 with an OperationOutcome naming it', async () => {
  for (const [key, value, message] of [
    ['_include', 'HealthcareService:nope', /Unknown search parameter "nope" for HealthcareService/],
    ['_revinclude', 'Patient:organization', /Unknown resource type "Patient"/],
    ['_include', '*', /wildcard/],
    ['_include:recurse', 'HealthcareService:organization', /_include:iterate/],
  ] as const) {
    const res = await search('HealthcareService', { [key]: value });
    assert.equal(res.status, 400, `${key}=${value}`);
    assert.match((res.body as OperationOutcome).issue?.[0]?.diagnostics ?? '', message);
  }
});

test('the bounds on rounds and on included resources end with a warning, never silently', async () => {
  const unit = (await repo.readCurrent('Organization', [A.unit])).get(A.unit) as Resource;
  const serve = async (rs: Resource[]): Promise<(Resource | null)[]> => rs;
  const { includes } = parseSearch('Organization', { '_include:iterate': 'Organization:partof' });
  const rounds = await resolveIncludes(db, 'Organization', [unit], includes, serve, { iterateRounds: 1, included: 100 });
  assert.deepEqual(rounds.resources.map((r) => r.id), [A.service, A.pole]);
  assert.match(rounds.warnings.join(), /stopped after 1 rounds/);
  const count = await resolveIncludes(db, 'Organization', [unit], includes, serve, { iterateRounds: 5, included: 3 });
  assert.deepEqual(count.resources.map((r) => r.id), [A.service, A.pole, A.eg]);
  assert.match(count.warnings.join(), /Only the first 3 included resources/);
  const all = await resolveIncludes(db, 'Organization', [unit], includes, serve, { iterateRounds: 4, included: 4 });
  assert.deepEqual([all.resources.length, all.warnings], [4, []]);
});

test('past the round bound the Bundle carries a warning outcome entry', async () => {
  const chain = ['oi-a-deep-1', 'oi-a-deep-2', 'oi-a-deep-3'];
  const outcomes = await repo.putBatch(chain.map((id, i) => organizationInternal('A', id, OI_TYPE.uniteFonctionnelle, chain[i - 1] ?? A.unit)));
  assert.ok(outcomes.every((o) => o.status !== 'rejected'), JSON.stringify(outcomes));
  const b = await bundle('Organization', { _id: 'oi-a-deep-3', '_include:iterate': 'Organization:partof' });
  assert.deepEqual(ids(b, 'include'), ref('Organization', 'oi-a-deep-2', 'oi-a-deep-1', A.unit, A.service, A.pole, A.eg).sort());
  const outcome = b.entry?.find((e) => e.search?.mode === 'outcome')?.resource as OperationOutcome;
  assert.equal(outcome.issue?.[0]?.severity, 'warning');
  assert.match(outcome.issue?.[0]?.diagnostics ?? '', /stopped after 5 rounds/);
});

test('the CapabilityStatement lists the accepted _include and _revinclude values', async () => {
  const res = await search('metadata', {});
  const of = (type: string) => (res.body as CapabilityStatement).rest?.[0]?.resource?.find((r) => r.type === type);
  const hs = of('HealthcareService');
  for (const name of ['HealthcareService:organization', 'HealthcareService:location']) assert.ok(hs?.searchInclude?.includes(name), name);
  for (const name of ['PractitionerRole:service', 'Task:focus']) assert.ok(hs?.searchRevInclude?.includes(name), name);
  assert.ok(of('Location')?.searchRevInclude?.includes('HealthcareService:location'));
  assert.ok(of('Organization')?.searchInclude?.includes('Organization:partof'));
  assert.equal(of('Task')?.searchInclude?.includes('Task:patient'), false, 'points to no served type');
});

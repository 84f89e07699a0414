import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Bundle, BundleEntry, HealthcareService, Location, OperationOutcome, Organization, Resource, Task } from '@medplum/fhirtypes';
import { location, offer, openAccessDataset, organizationInternal, SIDES, task, userPrincipal } from '../auth/access.test-support.ts';
import type { Principal } from '../auth/principal.ts';
import type { Database } from '../db/open.ts';
import { OI_TYPE } from '../model/index.ts';
import { queryAudit } from '../store/audit.ts';
import type { Repository } from '../store/repository.ts';
import { MAX_BUNDLE_ENTRIES } from './bundle.ts';
import { handleFhirRequest, type FhirResponse } from './router.ts';

let db: Database;
let repo: Repository;
const BASE = 'http://ror.test/fhir';
const A = SIDES.A;
const admin = userPrincipal('bundle-admin', 'national-admin', { national: true }, 1);
const referent = userPrincipal('bundle-referent', 'referent', { organizations: [A.ej] });

before(async () => {
  ({ db, repo } = await openAccessDataset());
});
after(async () => {
  await db.close();
});

function post(body: unknown, principal: Principal = referent, prefer?: string): Promise<FhirResponse> {
  return handleFhirRequest({ method: 'POST', path: '', query: {}, baseUrl: BASE, body, ...(prefer ? { prefer } : {}) }, { repo, principal });
}

const bundle = (type: string, entry: BundleEntry[]): Bundle => ({ resourceType: 'Bundle', type: type as Bundle['type'], entry });
const diagnostics = (res: FhirResponse): string => (res.body as OperationOutcome).issue?.map((i) => i.diagnostics).join('; ') ?? '';
const entries = (res: FhirResponse): BundleEntry[] => (res.body as Bundle).entry ?? [];
const idOf = (location: string | undefined): string => /\/([^/]+)\/_history\/\d+$/.exec(location ?? '')?.[1] ?? '';
const withoutId = (r: Resource): Resource => ({ ...r, id: undefined }) as Resource;
const auditCount = async (): Promise<number> => (await db.pool.query<{ n: string }>('SELECT count(*) AS n FROM audit_event')).rows.map((r) => Number(r.n))[0] ?? 0;

test('a transaction creates a service, its Location and its offer referring to each other by urn:uuid, audited for the caller', async () => {
  const service = withoutId(organizationInternal('A', 'tmp', OI_TYPE.service, A.pole));
  const place = { ...withoutId(location('A', 'tx-place')), name: 'Lieu créé par transaction' } as Location;
  const hs = offer('A', 'tx-offer', 'placeholder', 'placeholder') as HealthcareService;
  const res = await post(
    bundle('transaction', [
      { fullUrl: 'urn:uuid:6f0c1f8e-0000-4000-8000-000000000003', resource: { ...hs, id: undefined, providedBy: { reference: 'urn:uuid:6f0c1f8e-0000-4000-8000-000000000001' }, location: [{ reference: 'urn:uuid:6f0c1f8e-0000-4000-8000-000000000002' }] }, request: { method: 'POST', url: 'HealthcareService' } },
      { fullUrl: 'urn:uuid:6f0c1f8e-0000-4000-8000-000000000001', resource: service, request: { method: 'POST', url: 'Organization' } },
      { fullUrl: 'urn:uuid:6f0c1f8e-0000-4000-8000-000000000002', resource: place, request: { method: 'POST', url: `${BASE}/Location` } },
      { request: { method: 'GET', url: `Location?name=${encodeURIComponent('Lieu créé par transaction')}` } },
    ]),
  );
  assert.equal(res.status, 200, diagnostics(res));
  assert.equal((res.body as Bundle).type, 'transaction-response');
  const [offerEntry, orgEntry, placeEntry, search] = entries(res);
  for (const e of [offerEntry, orgEntry, placeEntry]) {
    assert.equal(e?.response?.status, '201 Created');
    assert.equal(e?.response?.etag, 'W/"1"');
    assert.ok(e?.response?.lastModified);
  }
  const [offerId, orgId, placeId] = [idOf(offerEntry?.response?.location), idOf(orgEntry?.response?.location), idOf(placeEntry?.response?.location)];
  const stored = (await repo.read('HealthcareService', offerId)) as HealthcareService;
  assert.equal(stored.providedBy?.reference, `Organization/${orgId}`);
  assert.deepEqual(stored.location?.map((l) => l.reference), [`Location/${placeId}`]);
  assert.equal(((await repo.read('Organization', orgId)) as Organization).partOf?.reference, `Organization/${A.pole}`);
  assert.equal((offerEntry?.resource as HealthcareService).providedBy?.reference, `Organization/${orgId}`);
  assert.equal(search?.response?.status, '200 OK', 'reads run after the writes');
  assert.deepEqual((search?.resource as Bundle).entry?.map((e) => e.resource?.id), [placeId]);
  const audit = await queryAudit(db, { actorId: referent.id, outcome: 'success' });
  for (const [type, id] of [['HealthcareService', offerId], ['Organization', orgId], ['Location', placeId]]) {
    assert.ok(audit.some((a) => a.resourceType === type && a.resourceId === id && a.action === 'create' && a.versionId === 1), `${type} audited`);
  }
});

test('a transaction whose third entry is invalid writes nothing: 422 naming the entry; versions, history and audit unchanged', async () => {
  const current = (await repo.read('Location', A.location)) as Location;
  const historyBefore = await repo.history('Location', A.location);
  const auditBefore = await auditCount();
  const res = await post(
    bundle('transaction', [
      { resource: location('A', 'tx-never-1'), request: { method: 'POST', url: 'Location' } },
      { resource: { ...current, description: 'jamais' }, request: { method: 'PUT', url: `Location/${A.location}` } },
      { resource: { ...location('A', 'tx-never-2'), name: 42 } as unknown as Location, request: { method: 'POST', url: 'Location' } },
    ]),
  );
  assert.equal(res.status, 422, diagnostics(res));
  const issue = (res.body as OperationOutcome).issue?.[0];
  assert.deepEqual(issue?.expression, ['Bundle.entry[2]', 'Bundle.entry[2].resource.name']);
  assert.match(issue?.diagnostics ?? '', /^Bundle\.entry\[2\] \(POST Location\): /);
  assert.deepEqual(await repo.read('Location', A.location), current);
  assert.deepEqual(await repo.history('Location', A.location), historyBefore);
  assert.equal(await auditCount(), auditBefore);
  const search = await handleFhirRequest({ method: 'GET', path: 'Location', query: { identifier: `${A.region}/tx-never-1` }, baseUrl: BASE }, { repo, principal: admin });
  assert.equal((search.body as Bundle).total, 0);
});

test('a transaction with an entry the policy refuses, or a stale ifMatch, writes nothing (403, 412)', async () => {
  const mine = (await repo.read('Location', A.location)) as Location;
  const theirs = (await repo.read('Location', SIDES.B.location)) as Location;
  const refused = await post(
    bundle('transaction', [
      { resource: { ...mine, description: 'refusé' }, request: { method: 'PUT', url: `Location/${A.location}` } },
      { resource: { ...theirs, description: 'hors périmètre' }, request: { method: 'PUT', url: `Location/${SIDES.B.location}` } },
    ]),
  );
  assert.equal(refused.status, 403);
  assert.match(diagnostics(refused), /^Bundle\.entry\[1\] \(PUT Location\/loc-b-rea\): Accès refusé/);
  assert.deepEqual(await repo.read('Location', A.location), mine);

  const stale = await post(
    bundle('transaction', [
      { resource: location('A', 'tx-stale-new'), request: { method: 'POST', url: 'Location' } },
      { resource: { ...mine, description: 'périmé' }, request: { method: 'PUT', url: `Location/${A.location}`, ifMatch: 'W/"99"' } },
    ]),
  );
  assert.equal(stale.status, 412, diagnostics(stale));
  assert.deepEqual((stale.body as OperationOutcome).issue?.[0]?.expression?.[0], 'Bundle.entry[1]');
  assert.deepEqual(await repo.read('Location', A.location), mine);

  const malformed = await post(bundle('transaction', [{ request: { method: 'DELETE', url: `Location/${A.location}`, ifMatch: 'three' } }]));
  assert.equal(malformed.status, 400);
  const twice = await post(
    bundle('transaction', [
      { resource: { ...mine, description: 'un' }, request: { method: 'PUT', url: `Location/${A.location}` } },
      { resource: { ...mine, description: 'deux' }, request: { method: 'PUT', url: `Location/${A.location}` } },
    ]),
    admin,
  );
  assert.equal(twice.status, 400);
  assert.match(diagnostics(twice), /written more than once/);
  assert.deepEqual(await repo.read('Location', A.location), mine);
});

test('transaction: PATCH, conditional create that matches, conditional update, DELETE, and Prefer return=minimal', async () => {
  const seeded = await post(
    bundle('transaction', [
      { resource: location('A', 'tx-a'), request: { method: 'PUT', url: 'Location/tx-a' } },
      { resource: location('A', 'tx-b'), request: { method: 'PUT', url: 'Location/tx-b' } },
      { resource: location('A', 'tx-c'), request: { method: 'PUT', url: 'Location/tx-c' } },
    ]),
  );
  assert.deepEqual(entries(seeded).map((e) => e.response?.status), ['201 Created', '201 Created', '201 Created'], diagnostics(seeded));
  const b = (await repo.read('Location', 'tx-b')) as Location;
  const res = await post(
    bundle('transaction', [
      {
        resource: { resourceType: 'Parameters', parameter: [{ name: 'operation', part: [{ name: 'type', valueCode: 'add' }, { name: 'path', valueString: 'Location' }, { name: 'name', valueString: 'description' }, { name: 'value', valueString: 'patché' }] }] },
        request: { method: 'PATCH', url: 'Location/tx-a', ifMatch: 'W/"1"' },
      },
      { fullUrl: 'urn:uuid:0e9c1c2a-0000-4000-8000-00000000000b', resource: location('A', 'ignored'), request: { method: 'POST', url: 'Location', ifNoneExist: `identifier=${A.region}/tx-b` } },
      { resource: { ...b, id: undefined, description: 'conditionnel' }, request: { method: 'PUT', url: `Location?identifier=${A.region}/tx-b` } },
      { request: { method: 'DELETE', url: 'Location/tx-c' } },
      { resource: task(undefined, 'urn:uuid:0e9c1c2a-0000-4000-8000-00000000000b'), request: { method: 'POST', url: 'Task' } },
    ]),
    referent,
    'return=minimal',
  );
  assert.equal(res.status, 200, diagnostics(res));
  const [patch, matched, conditional, deletion, report] = entries(res);
  assert.equal(patch?.response?.status, '200 OK');
  assert.equal(patch?.response?.etag, 'W/"2"');
  assert.equal(patch?.resource, undefined, 'return=minimal');
  assert.equal(matched?.response?.status, '200 OK');
  assert.equal(conditional?.response?.status, '200 OK');
  assert.equal(deletion?.response?.status, '204 No Content');
  assert.equal(report?.response?.status, '201 Created');
  const reported = (await repo.read('Task', idOf(report?.response?.location))) as Task;
  assert.equal(reported.focus?.reference, 'Location/tx-b', 'a fullUrl of a conditional create that matched names the match');
  assert.equal(((await repo.read('Location', 'tx-a')) as Location).description, 'patché');
  assert.equal(((await repo.read('Location', 'tx-b')) as Location).description, 'conditionnel');
  await assert.rejects(repo.read('Location', 'tx-c'), { status: 410 });

  const conditional2 = await post(
    bundle('transaction', [
      { request: { method: 'DELETE', url: `Location?identifier=${A.region}/tx-a` } },
      {
        resource: { resourceType: 'Parameters', parameter: [{ name: 'operation', part: [{ name: 'type', valueCode: 'delete' }, { name: 'path', valueString: 'Location.description' }] }] },
        request: { method: 'PATCH', url: `Location?identifier=${A.region}/tx-b` },
      },
    ]),
  );
  assert.deepEqual(entries(conditional2).map((e) => e.response?.status), ['204 No Content', '200 OK'], diagnostics(conditional2));
  await assert.rejects(repo.read('Location', 'tx-a'), { status: 410 });
  assert.equal(((await repo.read('Location', 'tx-b')) as Location).description, undefined);
  const none = await post(bundle('transaction', [{ request: { method: 'DELETE', url: `Location?identifier=${A.region}/tx-none` } }]));
  assert.equal(none.status, 404);
  assert.deepEqual((none.body as OperationOutcome).issue?.[0]?.expression, ['Bundle.entry[0]']);
});

test('a batch runs each entry on its own: the bad ones answer their error, the others are written', async () => {
  const res = await post(
    bundle('batch', [
      { resource: location('A', 'batch-ok'), request: { method: 'PUT', url: 'Location/batch-ok' } },
      { resource: { ...location('A', 'batch-bad'), name: 42 } as unknown as Location, request: { method: 'PUT', url: 'Location/batch-bad' } },
      { request: { method: 'DELETE', url: 'Location/batch-nothing' } },
      { resource: location('B', 'batch-outside'), request: { method: 'PUT', url: 'Location/batch-outside' } },
      { request: { method: 'GET', url: 'Location/batch-ok' } },
      { request: { method: 'PUT', url: 'Location/batch-ok', ifMatch: 'W/"5"' }, resource: location('A', 'batch-ok') },
      { request: { method: 'POST', url: '' }, resource: bundle('batch', []) },
    ]),
    referent,
    'return=OperationOutcome',
  );
  assert.equal(res.status, 200);
  assert.equal((res.body as Bundle).type, 'batch-response');
  const responses = entries(res).map((e) => e.response);
  assert.deepEqual(
    responses.map((r) => r?.status),
    ['201 Created', '422 Unprocessable Entity', '404 Not Found', '403 Forbidden', '200 OK', '412 Precondition Failed', '400 Bad Request'],
  );
  assert.equal(responses[0]?.outcome?.resourceType, 'OperationOutcome', 'return=OperationOutcome');
  assert.match(responses[0]?.location ?? '', /Location\/batch-ok\/_history\/1$/);
  for (const failed of [1, 2, 3, 5, 6]) assert.equal(responses[failed]?.outcome?.issue?.[0]?.severity, 'error');
  assert.equal((entries(res)[4]?.resource as Location).id, 'batch-ok');
  assert.equal((await repo.read('Location', 'batch-ok')).meta?.versionId, '1');
  await assert.rejects(repo.read('Location', 'batch-bad'), { status: 404 });
});

test('what is not a transaction or batch, too many entries, malformed entries and unknown urn references answer 4xx', async () => {
  assert.equal((await post({ resourceType: 'Location' })).status, 400);
  const collection = await post(bundle('collection', []));
  assert.equal(collection.status, 400);
  assert.deepEqual((collection.body as OperationOutcome).issue?.[0]?.expression, ['Bundle.type']);
  const many = Array.from({ length: MAX_BUNDLE_ENTRIES + 1 }, (): BundleEntry => ({ request: { method: 'GET', url: 'metadata' } }));
  assert.equal((await post(bundle('batch', many))).status, 413);
  const method = await post(bundle('transaction', [{ request: { method: 'COPY' as 'GET', url: 'Location' } }]));
  assert.equal(method.status, 400);
  assert.deepEqual((method.body as OperationOutcome).issue?.[0]?.expression, ['Bundle.entry[0].request.method']);
  const absolute = await post(bundle('transaction', [{ request: { method: 'GET', url: 'http://elsewhere.test/fhir/Location' } }]));
  assert.equal(absolute.status, 400);
  const dangling = await post(
    bundle('transaction', [{ resource: { ...location('A', 'x'), managingOrganization: { reference: 'urn:uuid:nowhere' } } as Location, request: { method: 'POST', url: 'Location' } }]),
  );
  assert.equal(dangling.status, 400);
  assert.match(diagnostics(dangling), /urn:uuid:nowhere names no entry/);
  const empty = await post(bundle('transaction', []));
  assert.equal(empty.status, 200);
  assert.deepEqual((empty.body as Bundle).entry, []);
  const get = await handleFhirRequest({ method: 'GET', path: '', query: {}, baseUrl: BASE }, { repo, principal: referent });
  assert.equal(get.status, 405);
});

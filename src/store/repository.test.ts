import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { HealthcareService, Organization } from '@medplum/fhirtypes';
import type { Database } from '../db/open.ts';
import { openTestDatabase } from '../db/testing.ts';
import { buildHealthcareService, buildOrganization, setSensitiveUnit } from '../model/index.ts';
import { StoreError } from './errors.ts';
import { subscribeChanges, type ChangeEvent } from './events.ts';
import { extractIndex } from './indexing.ts';
import { Repository } from './repository.ts';
import { searchResources } from './search.ts';

let db: Database;
let repo: Repository;
const events: ChangeEvent[] = [];

before(async () => {
  db = await openTestDatabase();
  repo = new Repository(db);
  await subscribeChanges(db, (e) => events.push(e));
});
after(async () => {
  await db.close();
});

function eg(finess: string, name: string): Organization {
  return buildOrganization({ id: `eg-${finess}`, kind: 'EG', finess, name, category: '355', region: '52', origin: 'finess' });
}

function offer(id: string): HealthcareService {
  return buildHealthcareService({
    id,
    identifier: `52/${id}`,
    name: 'Réanimation adulte',
    providedBy: 'Organization/eg-440000271',
    champActivite: '01',
    activite: '183',
    careMode: '28',
    patientType: { ageRange: { low: { value: 18, unit: 'a' }, high: { value: 120, unit: 'a' } } },
    region: '52',
    origin: 'synthetic',
  });
}

async function countRows(table: string, id: string): Promise<number> {
  const { rows } = await db.pool.query<{ n: string }>(`SELECT count(*) AS n FROM ${table} WHERE id = $1`, [id]);
  return Number(rows[0]?.n);
}

async function auditRows(id: string): Promise<{ action: string; actor_id: string; client: string | null; version_id: number }[]> {
  const { rows } = await db.pool.query('SELECT action, actor_id, client, version_id FROM audit_event WHERE resource_id = $1 ORDER BY id', [id]);
  return rows;
}

async function settle(): Promise<void> {
  await new Promise((r) => setTimeout(r, 100));
}

test('an update keeps every version: read, vread and history show them', async () => {
  const { resource: v1, created } = await repo.update(eg('440000271', 'CHU DE NANTES HOTEL DIEU'));
  assert.equal(created, true);
  assert.equal(v1.meta?.versionId, '1');
  const { resource: v2 } = await repo.update({ ...v1, name: 'CHU NANTES - HOTEL DIEU' }, { ifMatch: 'W/"1"' });
  assert.equal(v2.meta?.versionId, '2');
  assert.equal(((await repo.read('Organization', 'eg-440000271')) as Organization).name, 'CHU NANTES - HOTEL DIEU');
  assert.equal(((await repo.vread('Organization', 'eg-440000271', '1')) as Organization).name, 'CHU DE NANTES HOTEL DIEU');
  const history = await repo.history('Organization', 'eg-440000271');
  assert.deepEqual(history.map((h) => h.versionId), ['2', '1']);
});

test('search values are extracted at write time and follow updates', async () => {
  const find = async (value: string): Promise<string[]> =>
    (
      await searchResources(db, {
        resourceType: 'Organization',
        filters: [{ kind: 'token', code: 'identifier', values: [{ system: 'http://finess.esante.gouv.fr', code: value }], not: false }],
        count: 10,
        offset: 0,
        total: false,
      })
    ).resources.map((r) => r.id as string);
  await repo.update(eg('440000289', 'CHU NANTES HOPITAL NORD'));
  assert.deepEqual(await find('440000289'), ['eg-440000289']);
  const current = await repo.read('Organization', 'eg-440000289');
  await repo.update({ ...current, identifier: (current as Organization).identifier?.map((i) => (i.value === '440000289' ? { ...i, value: '440000297' } : i)) } as Organization);
  assert.deepEqual(await find('440000289'), []);
});

test('a stale If-Match answers 412 and changes nothing', async () => {
  const current = await repo.read('Organization', 'eg-440000271');
  await assert.rejects(repo.update({ ...current, name: 'X' } as Organization, { ifMatch: 'W/"1"' }), (e) => e instanceof StoreError && e.status === 412);
  assert.equal((await repo.read('Organization', 'eg-440000271')).meta?.versionId, current.meta?.versionId);
});

test('two concurrent updates from the same version: one wins, the other gets 412', async () => {
  const current = await repo.read('Organization', 'eg-440000271');
  const v = current.meta?.versionId as string;
  const results = await Promise.allSettled([
    repo.update({ ...current, name: 'A' } as Organization, { ifMatch: v }),
    repo.update({ ...current, name: 'B' } as Organization, { ifMatch: v }),
  ]);
  assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
  const rejected = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
  assert.equal((rejected.reason as StoreError).status, 412);
});

test('an invalid resource is refused with 422 and its paths, leaving no version, no index row and no event', async () => {
  await settle();
  const before = events.length;
  const bad = { ...offer('hs-bad'), type: [{ coding: [{ system: 'https://mos.esante.gouv.fr/NOS/TRE_R227-ChampActivite/FHIR/TRE-R227-ChampActivite', code: '99' }] }] };
  await assert.rejects(repo.update(bad), (e) => {
    assert.ok(e instanceof StoreError);
    assert.equal(e.status, 422);
    assert.ok(e.issues.some((i) => (i.expression ?? []).some((p) => p.startsWith('HealthcareService.type'))), JSON.stringify(e.issues));
    return true;
  });
  await settle();
  assert.equal(events.length, before);
  assert.equal(await countRows('resource', 'hs-bad'), 0);
  assert.equal(await countRows('sp_token', 'hs-bad'), 0);
});

test('a write that fails in the database leaves nothing behind: no version, no index row, no event', async () => {
  await settle();
  const before = events.length;
  const failing = new Repository(db, {
    index: (r) => (r.id === 'hs-broken' ? { ...extractIndex(r), date: [{ code: 'x', low: 'not a date', high: null }] } : extractIndex(r)),
  });
  await assert.rejects(failing.putBatch([offer('hs-fine'), offer('hs-broken')]));
  await settle();
  assert.equal(events.length, before);
  for (const id of ['hs-fine', 'hs-broken']) {
    assert.equal(await countRows('resource', id), 0);
    assert.equal(await countRows('sp_token', id), 0);
    assert.deepEqual(await auditRows(id), []);
  }
});

test('every version written is audited with who wrote it and through which client', async () => {
  const by = { actor: { kind: 'user' as const, id: 'acc-1', label: 'referent@chu-nantes.fr' }, client: 'web', ip: '10.0.0.7' };
  await repo.update(offer('hs-audited'), { by });
  await repo.update({ ...offer('hs-audited'), name: 'Réanimation polyvalente' }, { by });
  await repo.delete('HealthcareService', 'hs-audited');
  assert.deepEqual(await auditRows('hs-audited'), [
    { action: 'create', actor_id: 'acc-1', client: 'web', version_id: 1 },
    { action: 'update', actor_id: 'acc-1', client: 'web', version_id: 2 },
    { action: 'delete', actor_id: 'system', client: 'cli', version_id: 3 },
  ]);
});

test('putBatch rejects an invalid resource without stopping the others', async () => {
  const outcomes = await repo.putBatch([offer('hs-a'), { ...offer('hs-b'), id: 'not a valid id!' }]);
  assert.deepEqual(outcomes.map((o) => o.status), ['created', 'rejected']);
});

test('committed writes emit one change event each, after commit', async () => {
  await settle();
  const before = events.length;
  const { resource } = await repo.update(offer('hs-events'));
  await repo.update({ ...resource, name: 'Réanimation médicale' } as HealthcareService);
  await repo.delete('HealthcareService', 'hs-events');
  await settle();
  assert.deepEqual(
    events.slice(before).map((e) => [e.resourceType, e.id, e.versionId, e.operation]),
    [
      ['HealthcareService', 'hs-events', '1', 'create'],
      ['HealthcareService', 'hs-events', '2', 'update'],
      ['HealthcareService', 'hs-events', '3', 'delete'],
    ],
  );
});

test('a delete is a tombstone version: read answers 410, history keeps the earlier versions, index rows go', async () => {
  await assert.rejects(repo.read('HealthcareService', 'hs-events'), (e) => e instanceof StoreError && e.status === 410);
  const history = await repo.history('HealthcareService', 'hs-events');
  assert.deepEqual(history.map((h) => [h.versionId, h.deleted]), [['3', true], ['2', false], ['1', false]]);
  assert.equal(await countRows('sp_token', 'hs-events'), 0);
  await assert.rejects(repo.read('HealthcareService', 'nothing-here'), (e) => e instanceof StoreError && e.status === 404);
});

test('putBatch leaves identical content unchanged and versions only what changed', async () => {
  const a = eg('490000676', 'CHU ANGERS');
  const b = eg('530000025', 'CH LAVAL');
  assert.deepEqual((await repo.putBatch([a, b])).map((o) => o.status), ['created', 'created']);
  assert.deepEqual((await repo.putBatch([a, b])).map((o) => o.status), ['unchanged', 'unchanged']);
  assert.deepEqual((await repo.putBatch([a, { ...b, name: 'CH DE LAVAL' }])).map((o) => o.status), ['unchanged', 'updated']);
  assert.equal((await repo.read('Organization', 'eg-530000025')).meta?.versionId, '2');
});

test('concurrent batches writing the same resource both land, one after the other, without losing a version', async () => {
  const base = eg('850000019', 'CHD VENDEE');
  await repo.putBatch([base]);
  const outcomes = await Promise.all([repo.putBatch([{ ...base, name: 'CHD VENDEE A' }]), repo.putBatch([{ ...base, name: 'CHD VENDEE B' }])]);
  assert.deepEqual(outcomes.map((o) => o[0]?.status), ['updated', 'updated']);
  const history = await repo.history('Organization', 'eg-850000019');
  assert.deepEqual(history.map((h) => h.versionId), ['3', '2', '1']);
  assert.deepEqual(history.slice(0, 2).map((h) => (h.resource as Organization).name).sort(), ['CHD VENDEE A', 'CHD VENDEE B']);
});

test('ids by tag list current resources carrying the tag', async () => {
  const ids = await repo.idsByTag('Organization', 'urn:ror:data-origin', 'finess');
  assert.ok(ids.includes('eg-490000676'));
  assert.ok(!ids.includes('hs-a'));
});

test('content is stored as the text JSON.stringify wrote, and read back with its key order', async () => {
  const { resource } = await repo.update(offer('hs-text'));
  const { rows } = await db.pool.query<{ type: string; text: string }>(
    "SELECT pg_typeof(content)::text AS type, content::text AS text FROM resource WHERE resource_type = 'HealthcareService' AND id = 'hs-text'",
  );
  assert.equal(rows[0]?.type, 'json');
  assert.equal(rows[0]?.text, JSON.stringify(resource));
  assert.equal(JSON.stringify(await repo.read('HealthcareService', 'hs-text')), JSON.stringify(resource));
});

test('the sensitive flag of a HealthcareService follows its sensitive-unit extension; tombstones are not sensitive', async () => {
  const row = async (): Promise<{ sensitive: boolean; empty: boolean } | undefined> =>
    (await db.pool.query("SELECT sensitive, content IS NULL AS empty FROM resource WHERE resource_type = 'HealthcareService' AND id = 'hs-psy'")).rows[0];
  const flag = async (): Promise<boolean | undefined> => (await row())?.sensitive;
  const sensitive = offer('hs-psy');
  setSensitiveUnit(sensitive, true);
  await repo.update(sensitive);
  assert.equal(await flag(), true);
  await repo.putBatch([offer('hs-psy')]);
  assert.equal(await flag(), false);
  await repo.putBatch([sensitive]);
  assert.equal(await flag(), true);
  await repo.delete('HealthcareService', 'hs-psy');
  assert.deepEqual(await row(), { sensitive: false, empty: true });
});

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Location, OperationOutcome, Resource } from '@medplum/fhirtypes';
import { capacity, offer, userPrincipal } from '../auth/access.test-support.ts';
import * as m0004 from '../db/migrations/0004_capacity_entries.ts';
import * as m0008 from '../db/migrations/0008_capacity_source_comment.ts';
import type { Database } from '../db/open.ts';
import { openTestDatabase } from '../db/testing.ts';
import { buildLocation, CAPACITY_STATUS, type CapacityEntry } from '../model/index.ts';
import { Repository } from '../store/repository.ts';
import { fhirGet, matchedIds } from './fhir.test-support.ts';
import type { FhirResponse } from './router.ts';

const STATUS = 'https://mos.esante.gouv.fr/NOS/TRE_R330-TypeStatutCapacite/FHIR/TRE-R330-TypeStatutCapacite';
const NATURE = 'https://mos.esante.gouv.fr/NOS/TRE_R329-NatureCapacite/FHIR/TRE-R329-NatureCapacite';
const admin = userPrincipal('capacity-admin', 'national-admin', { national: true }, 1);

let db: Database;
let repo: Repository;

function rorLocation(id: string, capacities: CapacityEntry[]): Location {
  return buildLocation({ id, identifier: `52/${id}`, name: `Lieu ${id}`, status: 'active', communeCog: '44109', capacities, region: '52', createdAt: '2024-01-15T09:00:00Z' });
}

/** Entry A: disponible, 0 beds; entry B: installé, 12 beds. Each criterion alone is met by some entry, both by none. */
const SPLIT = rorLocation('cap-split', [capacity(CAPACITY_STATUS.disponible, 0), capacity(CAPACITY_STATUS.installe, 12)]);
/** One entry: disponible, 4 beds (and installé 4). */
const FREE = rorLocation('cap-free', [capacity(CAPACITY_STATUS.installe, 4), { ...capacity(CAPACITY_STATUS.disponible, 4), updateDate: '2024-03-01T08:00:00Z' }]);
/** Only a closed entry. */
const CLOSED = rorLocation('cap-closed', [{ ...capacity(CAPACITY_STATUS.ferme, 2), closingType: '01' }]);

before(async () => {
  db = await openTestDatabase();
  repo = new Repository(db);
  const outcomes = await repo.putBatch([
    SPLIT,
    FREE,
    CLOSED,
    offer('A', 'hs-split', 'oi-a-rea', SPLIT.id as string),
    offer('A', 'hs-free', 'oi-a-rea', FREE.id as string),
  ] as Resource[]);
  assert.deepEqual(outcomes.filter((o) => o.status === 'rejected'), []);
});
after(async () => {
  await db.close();
});

const get = (path: string, query: Record<string, string | string[]>): Promise<FhirResponse> => fhirGet(repo, admin, path, query);
const ids = async (path: string, query: Record<string, string | string[]>): Promise<string[]> => matchedIds(await get(path, query));

test('each capacity criterion alone matches a Location with some entry meeting it', async () => {
  assert.deepEqual(await ids('Location', { 'capacity-status': `${STATUS}|02` }), ['cap-free', 'cap-split']);
  assert.deepEqual(await ids('Location', { 'nb-capacity': 'gt0' }), ['cap-closed', 'cap-free', 'cap-split']);
  assert.deepEqual(await ids('Location', { 'capacity-status': '05' }), ['cap-closed']);
});

test('capacity-status and nb-capacity together must hold for one and the same entry', async () => {
  assert.deepEqual(await ids('Location', { 'capacity-status': `${STATUS}|02`, 'nb-capacity': 'gt0' }), ['cap-free']);
  assert.deepEqual(await ids('Location', { 'capacity-status': `${STATUS}|01`, 'nb-capacity': 'ge12' }), ['cap-split']);
  assert.deepEqual(await ids('Location', { 'capacity-status': '02,05', 'nb-capacity': 'gt1', 'capacity-type': '01', 'temporality-capacity': '01' }), ['cap-closed', 'cap-free']);
  assert.deepEqual(await ids('Location', { 'capacity-status': '05', 'capacity-closing-type': '01' }), ['cap-closed']);
  assert.deepEqual(await ids('Location', { 'capacity-status': '02', 'capacity-closing-type': '01' }), []);
});

test('the update date is the same entry’s; a search system outside the value set matches nothing', async () => {
  assert.deepEqual(await ids('Location', { 'capacity-status': '02', 'capacity-update-date': 'ge2024-02' }), ['cap-free']);
  assert.deepEqual(await ids('Location', { 'capacity-status': '01', 'capacity-update-date': 'ge2024-02' }), []);
  assert.deepEqual(await ids('Location', { 'capacity-status': 'http://example.org/other|02' }), []);
  assert.deepEqual(await ids('Location', { 'capacity-status': '|02' }), []);
  assert.deepEqual(await ids('Location', { 'capacity-type': `${NATURE}|01`, 'capacity-status': `${STATUS}|02`, 'nb-capacity': 'gt0' }), ['cap-free']);
  assert.deepEqual(await ids('Location', { 'capacity-type': `${STATUS}|01`, 'capacity-status': '02' }), []);
  assert.deepEqual(await ids('Location', { 'capacity-status': `${STATUS}|` }), ['cap-closed', 'cap-free', 'cap-split']);
});

test(':not is about the whole Location (no entry has the value); :missing about having entries at all', async () => {
  assert.deepEqual(await ids('Location', { 'capacity-status:not': '02' }), ['cap-closed']);
  assert.deepEqual(await ids('Location', { 'capacity-status:not': '05', 'nb-capacity': 'gt4' }), ['cap-split']);
  assert.deepEqual(await ids('Location', { 'capacity-status:missing': 'false', 'nb-capacity': 'lt1' }), ['cap-split']);
});

test('chained from HealthcareService, the criteria through the same reference apply to one entry of one Location', async () => {
  assert.deepEqual(await ids('HealthcareService', { 'location.capacity-status': `${STATUS}|02` }), ['hs-free', 'hs-split']);
  assert.deepEqual(await ids('HealthcareService', { 'location.capacity-status': `${STATUS}|02`, 'location.nb-capacity': 'gt0' }), ['hs-free']);
  assert.deepEqual(await ids('HealthcareService', { 'location.capacity-status': '02', 'location:Location.nb-capacity': 'gt0' }), ['hs-free']);
  assert.deepEqual(await ids('HealthcareService', { 'location.capacity-status': '01', 'location.nb-capacity': 'gt10', 'name': 'rea' }), ['hs-split']);
});

test('a malformed capacity value is refused with a 400 naming the parameter', async () => {
  const res = await get('Location', { 'capacity-status': '02', 'nb-capacity': 'many' });
  assert.equal(res.status, 400);
  assert.deepEqual((res.body as OperationOutcome).issue?.[0]?.expression, ['nb-capacity']);
});

test('the entries follow updates and deletes, and the migration indexes Locations already stored', async () => {
  const changed = rorLocation('cap-split', [capacity(CAPACITY_STATUS.disponible, 5)]);
  await repo.putBatch([changed]);
  assert.deepEqual(await ids('Location', { 'capacity-status': '02', 'nb-capacity': 'gt0' }), ['cap-free', 'cap-split']);
  await repo.putBatch([SPLIT]);
  assert.deepEqual(await ids('Location', { 'capacity-status': '02', 'nb-capacity': 'gt0' }), ['cap-free']);

  const before = await db.pool.query('SELECT id, entry, capacity_status, nb_capacity FROM sp_capacity ORDER BY id, entry');
  await m0004.down(db.kysely);
  await m0004.up(db.kysely);
  await m0008.up(db.kysely);
  const rebuilt = await db.pool.query('SELECT id, entry, capacity_status, nb_capacity FROM sp_capacity ORDER BY id, entry');
  assert.deepEqual(rebuilt.rows, before.rows);
  assert.equal(rebuilt.rows.length, 5);
  assert.deepEqual(await ids('Location', { 'capacity-status': '02', 'nb-capacity': 'gt0' }), ['cap-free']);

  await repo.delete('Location', 'cap-closed');
  assert.deepEqual(await ids('Location', { 'capacity-status': '05' }), []);
  assert.equal((await db.pool.query(`SELECT 1 FROM sp_capacity WHERE id = 'cap-closed'`)).rows.length, 0);
});

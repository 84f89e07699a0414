import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import type { HealthcareService, Location, Task } from '@medplum/fhirtypes';
import { userPrincipal } from '../auth/access.test-support.ts';
import type { Database } from '../db/open.ts';
import { openTestDatabase } from '../db/testing.ts';
import { CAPACITY_STATUS, getCapacities, setCapacities } from '../model/index.ts';
import { getTaskInput } from '../model/task.ts';
import { Repository } from '../store/repository.ts';
import { BEDS, bedsDataset, entry, figures } from './beds.test-support.ts';
import { BedError } from './errors.ts';
import { openBeds, type Beds } from './index.ts';
import { PLAUSIBILITY_RULES } from './plausibility.ts';

const HOUR = 3_600_000;
const { units } = BEDS;
const regulator = userPrincipal('regulateur', 'reader', {}, 1);
const orientation = userPrincipal('orientation', 'reader', {}, 2);
const otherRegulator = userPrincipal('regulateur-2', 'reader', {}, 1);
const admin52 = userPrincipal('admin-52', 'regional-admin', { regions: ['52'] }, 1);
const referentNantes = userPrincipal('referent-nantes', 'referent', { organizations: [BEDS.nantes.ej] }, 1);

let db: Database;
let repo: Repository;
let beds: Beds;
/** The board's clock: real time plus a shift the tests move forward. */
let shift = 0;
const now = (): Date => new Date(Date.now() + shift);

/** Waits until `check` holds (the board hears changes through the database's notifications). */
async function eventually(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
  await beds.board.settled();
}

async function setFigures(id: string, entries: ReturnType<typeof figures>): Promise<Location> {
  const current = (await repo.read('Location', id)) as Location;
  const next = structuredClone(current);
  setCapacities(next, entries);
  const { resource } = await repo.update(next, { ifMatch: current.meta?.versionId as string });
  await eventually(() => beds.board.unit(id)?.versionId === resource.meta?.versionId, `${id} v${resource.meta?.versionId}`);
  return resource;
}

async function tasksOn(id: string): Promise<Task[]> {
  const { rows } = await db.pool.query<{ content: Task }>(
    "SELECT r.content FROM sp_reference s JOIN resource r ON r.resource_type = 'Task' AND r.id = s.id WHERE s.resource_type = 'Task' AND s.code = 'focus' AND s.target_id = $1",
    [id],
  );
  return rows.map((r) => r.content);
}

before(async () => {
  db = await openTestDatabase();
  repo = new Repository(db);
  const outcomes = await repo.putBatch(bedsDataset(now()));
  assert.deepEqual(outcomes.filter((o) => o.status === 'rejected'), []);
  beds = await openBeds(db, repo, { now });
});

after(async () => {
  await beds.close();
  await db.close();
});

beforeEach(() => {
  shift = 0;
});

describe('the board', () => {
  test('has one row per lieu with capacity entries, with its offers, établissement and place', () => {
    assert.equal(beds.board.size, 4);
    const rea = beds.board.serve(regulator, units.rea);
    assert.ok(rea);
    assert.equal(rea.establishment?.name, 'CHU de Nantes — Hôtel-Dieu');
    assert.deepEqual(rea.services.map((s) => [s.name, s.activity, s.unitType]), [['Réanimation polyvalente adulte', '127', '121']]);
    assert.equal(rea.department, '44');
    assert.equal(rea.region, '52');
    const lits = rea.figures.find((f) => f.nature === '01');
    assert.equal(lits?.installed, 20);
    assert.equal(lits?.available, 3);
    assert.equal(lits?.occupied, 17);
    assert.equal(lits?.availableNow, 3);
    assert.equal(lits?.freshness, 'fresh');
    assert.equal(lits?.ageMinutes, 60);
  });

  test('a figure older than its interval is stale, past twice the interval unknown and never available', () => {
    const view = beds.board.view(regulator, {});
    const byId = new Map(view.units.map((u) => [u.id, u]));
    assert.equal(byId.get(units.usic)?.freshness, 'stale');
    assert.equal(byId.get(units.usic)?.figures[0]?.availableNow, 0);
    assert.equal(byId.get(units.rennes)?.freshness, 'unknown');
    assert.equal(byId.get(units.rennes)?.figures[0]?.availableNow, null);
    const lits = view.totals['01'];
    assert.deepEqual([lits?.units, lits?.fresh, lits?.stale, lits?.unknown], [4, 2, 1, 1]);
    assert.equal(lits?.installed, 20 + 12 + 8 + 16);
    assert.equal(lits?.available, 3 + 0 + 2, 'the unknown Rennes figure (5) does not count');
    assert.equal(lits?.availableNow, 5);
  });

  test('sensitive units are on the board for Profil 1 only', () => {
    assert.ok(beds.board.serve(regulator, units.sensitive));
    assert.equal(beds.board.serve(orientation, units.sensitive), undefined);
    const view = beds.board.view(orientation, {});
    assert.deepEqual(view.units.map((u) => u.id).sort(), [units.rea, units.rennes, units.usic].sort());
    assert.equal(view.totals['01']?.installed, 20 + 12 + 16);
  });

  test('filters by region, department, activity, type of unit and lieu', () => {
    const ids = (f: Parameters<Beds['board']['view']>[1]): string[] => beds.board.view(regulator, f).units.map((u) => u.id).sort();
    assert.deepEqual(ids({ region: '53' }), [units.rennes]);
    assert.deepEqual(ids({ department: '44' }), [units.rea, units.sensitive, units.usic].sort());
    assert.deepEqual(ids({ activities: ['354'] }), [units.usic]);
    assert.deepEqual(ids({ unitTypes: ['121'], region: '52' }), [units.rea, units.sensitive].sort());
    assert.deepEqual(ids({ units: [units.usic, units.rennes] }), [units.rennes, units.usic].sort());
  });

  test('a new Location version reaches the board, and listeners hear its id', async () => {
    const heard: string[] = [];
    const stop = beds.board.listen((ids) => heard.push(...ids));
    await setFigures(units.rea, figures(20, 4, now()));
    stop();
    assert.equal(beds.board.serve(regulator, units.rea)?.figures[0]?.available, 4);
    assert.ok(heard.includes(units.rea));
  });

  test('an offer renamed is renamed on its unit; a Location without capacities leaves the board', async () => {
    const hs = (await repo.read('HealthcareService', 'hs-nantes-usic')) as HealthcareService;
    await repo.update({ ...hs, name: 'USIC — cardiologie interventionnelle' });
    await eventually(() => beds.board.unit(units.usic)?.services[0]?.name === 'USIC — cardiologie interventionnelle', 'the renamed offer');
    const temp = structuredClone((await repo.read('Location', units.usic)) as Location);
    const saved = getCapacities(temp);
    setCapacities(temp, []);
    await repo.update(temp);
    await eventually(() => beds.board.unit(units.usic) === undefined, 'the USIC to leave the board');
    assert.ok(beds.board.changedSince(Date.now() - 5000).removed.includes(units.usic));
    const back = structuredClone((await repo.read('Location', units.usic)) as Location);
    setCapacities(back, saved);
    await repo.update(back);
    await eventually(() => beds.board.unit(units.usic) !== undefined, 'the USIC to come back');
  });

  test('the nearest units with a bed now, for the patient, nearest first', () => {
    const nantes = { lat: 47.218, lon: -1.553 };
    const found = beds.board.nearest(regulator, { point: nantes, radiusKm: 200, limit: 10 });
    assert.deepEqual(found.map((f) => f.unit.id), [units.rea, units.sensitive], 'USIC saturated, Rennes unknown');
    assert.ok((found[0]?.distanceKm ?? 99) < 2);
    assert.deepEqual(beds.board.nearest(regulator, { point: nantes, radiusKm: 200, limit: 10, ageYears: 8 }), [], 'adult units only');
    assert.deepEqual(beds.board.nearest(orientation, { point: nantes, radiusKm: 200, limit: 10 }).map((f) => f.unit.id), [units.rea]);
    assert.deepEqual(beds.board.nearest(regulator, { point: nantes, radiusKm: 1, limit: 10, activities: ['354'] }), []);
  });

  test('units overdue for an update are listed for the referents and administrators of their perimeter', () => {
    assert.deepEqual(beds.board.overdue(referentNantes).map((u) => u.id), [units.usic]);
    assert.deepEqual(beds.board.overdue(admin52).map((u) => u.id), [units.usic]);
    assert.deepEqual(beds.board.overdue(userPrincipal('admin-53', 'regional-admin', { regions: ['53'] }, 1)).map((u) => u.id), [units.rennes]);
  });
});

describe('crises', () => {
  test('a regional crisis tightens the refresh interval, asks for the crisis figures, shows on the board, and ends', async () => {
    await assert.rejects(beds.crises.declare(regulator, { scope: { kind: 'region', code: '52' }, crisisType: '02' }), (e: unknown) => e instanceof BedError && e.status === 403);
    await assert.rejects(beds.crises.declare(admin52, { scope: { kind: 'region', code: '53' }, crisisType: '02' }), (e: unknown) => e instanceof BedError && e.status === 403);
    await assert.rejects(beds.crises.declare(admin52, { scope: { kind: 'region', code: '52' }, crisisType: '09' }), (e: unknown) => e instanceof BedError && e.status === 400);
    await assert.rejects(beds.crises.declare(admin52, { scope: { kind: 'department', code: '99' }, crisisType: '02' }), (e: unknown) => e instanceof BedError && e.status === 400);
    const crisis = await beds.crises.declare(admin52, { scope: { kind: 'department', code: '44' }, crisisType: '02', label: 'Plan blanc CHU de Nantes' });
    await eventually(() => beds.board.activeCrises().some((c) => c.id === crisis.id), 'the crisis');
    const usic = beds.board.serve(regulator, units.usic);
    assert.equal(usic?.inCrisis, true);
    assert.equal(usic?.refreshHours, 12);
    assert.equal(usic?.freshness, 'unknown', '30 hours old is past twice 12 hours');
    assert.deepEqual(usic?.crisisFieldsMissing, ['02', '03']);
    assert.equal(beds.board.serve(regulator, units.rennes)?.inCrisis, false);
    const view = beds.board.view(regulator, { region: '52' });
    assert.deepEqual(view.crises.map((c) => c.label), ['Plan blanc CHU de Nantes']);
    assert.deepEqual(beds.board.view(regulator, { region: '53' }).crises, []);
    const ended = await beds.crises.end(admin52, crisis.id);
    assert.ok(ended.endsAt);
    await eventually(() => !beds.board.activeCrises().some((c) => c.id === crisis.id), 'the end of the crisis');
    assert.equal(beds.board.serve(regulator, units.usic)?.inCrisis, false);
    assert.equal(beds.board.serve(regulator, units.usic)?.freshness, 'stale');
    await assert.rejects(beds.crises.end(admin52, crisis.id), (e: unknown) => e instanceof BedError && e.status === 409);
    assert.ok((await beds.crises.list()).some((c) => c.id === crisis.id), 'kept in history');
  });
});

describe('holds', () => {
  test('a hold takes a bed from what everyone else sees, until released', async () => {
    await setFigures(units.rea, figures(20, 3, now()));
    const hold = await beds.holds.place(regulator, units.rea, { note: 'Transfert SMUR 44' });
    assert.equal(hold.state, 'held');
    assert.equal(Date.parse(hold.expiresAt) - Date.parse(hold.createdAt), 30 * 60_000);
    await eventually(() => beds.board.serve(otherRegulator, units.rea)?.figures[0]?.availableNow === 2, 'the held bed');
    assert.equal(beds.board.serve(otherRegulator, units.rea)?.figures[0]?.held, 1);
    await assert.rejects(beds.holds.release(otherRegulator, hold.id), (e: unknown) => e instanceof BedError && e.status === 403);
    const released = await beds.holds.release(regulator, hold.id);
    assert.equal(released.state, 'released');
    await eventually(() => beds.board.serve(otherRegulator, units.rea)?.figures[0]?.availableNow === 3, 'the released bed');
    await assert.rejects(beds.holds.confirm(regulator, hold.id), (e: unknown) => e instanceof BedError && e.status === 409);
  });

  test('two regulators never hold the last bed together', async () => {
    await setFigures(units.rea, figures(20, 1, now()));
    const results = await Promise.allSettled([beds.holds.place(regulator, units.rea, {}), beds.holds.place(otherRegulator, units.rea, {})]);
    assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
    const refused = results.find((r) => r.status === 'rejected');
    assert.ok(refused && refused.reason instanceof BedError && refused.reason.code === 'no-bed');
    const won = results.find((r) => r.status === 'fulfilled');
    if (won?.status === 'fulfilled') await beds.holds.release(won.value.heldBy.id === regulator.id ? regulator : otherRegulator, won.value.id);
  });

  test('confirming writes the unit one bed less available and one more occupied, with the hold, in one version', async () => {
    await setFigures(units.rea, figures(20, 3, now()));
    const before = (await repo.read('Location', units.rea)) as Location;
    const hold = await beds.holds.place(regulator, units.rea, { minutes: 10 });
    const confirmed = await beds.holds.confirm(regulator, hold.id);
    assert.equal(confirmed.state, 'confirmed');
    const afterConfirm = (await repo.read('Location', units.rea)) as Location;
    assert.equal(Number(afterConfirm.meta?.versionId), Number(before.meta?.versionId) + 1);
    const count = (status: string): number | undefined => getCapacities(afterConfirm).find((e) => e.capacityStatus === status)?.nbCapacity;
    assert.deepEqual([count(CAPACITY_STATUS.disponible), count(CAPACITY_STATUS.occupe)], [2, 18]);
    await eventually(() => beds.board.serve(regulator, units.rea)?.figures[0]?.availableNow === 2, 'the confirmed bed, counted once');
    assert.equal(beds.board.serve(regulator, units.rea)?.figures[0]?.held, 0);
  });

  test('no hold on a saturated unit, on an unknown figure, or beyond the limits; an expired hold counts no more', async () => {
    await assert.rejects(beds.holds.place(regulator, units.usic, {}), (e: unknown) => e instanceof BedError && e.code === 'no-bed');
    await assert.rejects(beds.holds.place(regulator, units.rennes, {}), (e: unknown) => e instanceof BedError && e.code === 'unknown-availability');
    await assert.rejects(beds.holds.place(regulator, units.rea, { minutes: 500 }), (e: unknown) => e instanceof BedError && e.status === 400);
    await assert.rejects(beds.holds.place(regulator, units.rea, { capacityType: '07' }), (e: unknown) => e instanceof BedError && e.status === 400);
    await assert.rejects(beds.holds.place(regulator, 'loc-absent', {}), (e: unknown) => e instanceof BedError && e.status === 404);
    const hold = await beds.holds.place(regulator, units.rea, { minutes: 5 });
    await eventually(() => (beds.board.serve(regulator, units.rea)?.figures[0]?.held ?? 0) === 1, 'the hold');
    shift = 6 * 60_000;
    assert.equal(beds.board.serve(regulator, units.rea)?.figures[0]?.held, 0);
    assert.equal((await beds.holds.get(hold.id)).state, 'expired');
    await assert.rejects(beds.holds.confirm(regulator, hold.id), (e: unknown) => e instanceof BedError && e.code === 'hold-ended');
  });
});

describe('history', () => {
  test('the board as of a past instant, and the time series of one unit', async () => {
    await setFigures(units.rea, figures(20, 6, now()));
    const between = new Date();
    await new Promise((r) => setTimeout(r, 5));
    await setFigures(units.rea, figures(20, 1, now()));
    const past = await beds.board.viewAt(regulator, { units: [units.rea] }, between);
    assert.equal(past.units[0]?.figures[0]?.available, 6);
    assert.equal(beds.board.view(regulator, { units: [units.rea] }).units[0]?.figures[0]?.available, 1);
    const longAgo = await beds.board.viewAt(regulator, {}, new Date('2020-01-01T00:00:00Z'));
    assert.deepEqual(longAgo.units, [], 'nothing was written then');
    const { rows } = await db.pool.query<{ n: string }>("SELECT count(*) AS n FROM resource_history WHERE resource_type = 'Location' AND id = $1", [units.rea]);
    const { unitTimeSeries } = await import('./history.ts');
    const series = await unitTimeSeries(db, units.rea, new Date(Date.now() - HOUR), new Date(Date.now() + 1000), 1000);
    assert.equal(series.versions.length, Number(rows[0]?.n) + 1);
    assert.deepEqual(series.versions.slice(-2).map((v) => v.figures[0]?.available), [6, 1]);
    const cut = await unitTimeSeries(db, units.rea, new Date(Date.now() - HOUR), new Date(Date.now() + 1000), 2);
    assert.equal(cut.truncated, true);
  });
});

describe('plausibility', () => {
  test('available above installed + supplementary raises one anomaly on the Location, not two', async () => {
    await setFigures(units.rennes, [entry(CAPACITY_STATUS.installe, 16, now()), entry(CAPACITY_STATUS.disponible, 19, now())]);
    await beds.watcher.settled();
    await setFigures(units.rennes, [entry(CAPACITY_STATUS.installe, 16, now()), entry(CAPACITY_STATUS.disponible, 18, now())]);
    await beds.watcher.settled();
    const raised = (await tasksOn(units.rennes)).filter((t) => getTaskInput(t, 'ruleErrorId') === PLAUSIBILITY_RULES.consistency);
    assert.equal(raised.length, 1);
    assert.match(raised[0]?.description ?? '', /Disponible \(19\) supérieur à installé \+ supplémentaire \(16 \+ 0\)/);
    assert.equal(raised[0]?.status, 'requested');
  });

  test('a whole établissement falling to zero available raises an anomaly', async () => {
    await setFigures(units.sensitive, figures(8, 2, now()));
    await setFigures(units.rea, figures(20, 3, now()));
    await beds.watcher.settled();
    await setFigures(units.usic, figures(12, 0, now()));
    await setFigures(units.sensitive, figures(8, 0, now()));
    await beds.watcher.settled();
    assert.equal((await tasksOn(units.sensitive)).filter((t) => getTaskInput(t, 'ruleErrorId') === PLAUSIBILITY_RULES.hospitalZero).length, 0, 'one unit still has beds');
    await setFigures(units.rea, figures(20, 0, now()));
    await beds.watcher.settled();
    const raised = (await tasksOn(units.rea)).filter((t) => getTaskInput(t, 'ruleErrorId') === PLAUSIBILITY_RULES.hospitalZero);
    assert.equal(raised.length, 1);
    assert.match(raised[0]?.description ?? '', /CHU de Nantes — Hôtel-Dieu \(3\) sont passées à 0/);
  });
});

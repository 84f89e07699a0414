import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CAPACITY_STATUS, getCapacities } from '../model/index.ts';
import { BEDS, bedsDataset } from './beds.test-support.ts';
import { BedError } from './errors.ts';
import { applyUnitUpdate, parseUnitUpdate } from './update.ts';
import type { Location } from '@medplum/fhirtypes';

const NOW = new Date('2026-11-22T03:10:00Z');
const rea = bedsDataset(NOW).find((r) => r.id === BEDS.units.rea) as Location;

const refused = (body: unknown, message: RegExp): void => {
  assert.throws(() => parseUnitUpdate(body), (e: unknown) => e instanceof BedError && e.status === 400 && message.test(e.message));
};

test('a unit update sets the entries of its keys, adds new ones, and keeps the others', () => {
  const update = parseUnitUpdate({ counts: [{ status: '02', count: 5 }, { status: '06', count: 2, additionalBedType: '02', crisisType: '02' }], source: '02' });
  const next = applyUnitUpdate(rea, update, '2026-11-22T04:00:00Z');
  const entries = getCapacities(next);
  const available = entries.find((e) => e.capacityStatus === CAPACITY_STATUS.disponible);
  assert.deepEqual([available?.nbCapacity, available?.updateDate, available?.sourceType], [5, '2026-11-22T04:00:00Z', '02']);
  assert.equal(entries.find((e) => e.capacityStatus === CAPACITY_STATUS.installe)?.nbCapacity, 20, 'untouched');
  assert.equal(entries.find((e) => e.capacityStatus === CAPACITY_STATUS.supplementaire)?.additionalBedType, '02');
  assert.equal(getCapacities(rea).length, 3, 'the stored Location is not changed');
  const again = applyUnitUpdate(next, update, '2026-11-22T05:00:00Z');
  assert.deepEqual(getCapacities(again).map((e) => e.nbCapacity), getCapacities(next).map((e) => e.nbCapacity), 'idempotent');
  const removed = applyUnitUpdate(next, parseUnitUpdate({ counts: [{ status: '06', additionalBedType: '02', crisisType: '02', remove: true }] }), '2026-11-22T05:00:00Z');
  assert.equal(getCapacities(removed).length, 3);
});

test('a bad unit update is refused with the field at fault', () => {
  refused(null, /Corps JSON attendu/);
  refused({ counts: [] }, /counts : liste de 1 à 100/);
  refused({ counts: [{ status: '02', count: 1 }], extra: 1 }, /Champ inconnu « extra »/);
  refused({ counts: [{ status: '02', count: -3 }] }, /counts\[0\]\.count : entier positif ou nul/);
  refused({ counts: [{ status: '02', count: 1.5 }] }, /counts\[0\]\.count/);
  refused({ counts: [{ status: '02' }] }, /counts\[0\]\.count/);
  refused({ counts: [{ status: '09', count: 1 }] }, /counts\[0\]\.status : statut \(JDV_J188/);
  refused({ counts: [{ status: '02', count: 1, gender: 'X' }] }, /counts\[0\]\.gender/);
  refused({ counts: [{ status: '02', count: 1, colour: 'red' }] }, /counts\[0\]\.colour : champ inconnu/);
  refused({ counts: [{ status: '02', count: 1, remove: true }] }, /count et remove s’excluent/);
  refused({ counts: [{ status: '02', count: 1 }], source: '07' }, /source : code du JDV_J193/);
  assert.throws(() => applyUnitUpdate(rea, parseUnitUpdate({ counts: [{ status: '02', count: 1 }, { status: '02', count: 2 }] }), NOW.toISOString()), /déjà donné/);
  assert.throws(() => applyUnitUpdate(rea, parseUnitUpdate({ counts: [{ status: '04', remove: true }] }), NOW.toISOString()), (e: unknown) => e instanceof BedError && e.status === 404);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { structureProfile } from './catalogue.ts';
import { apportion, emergencyUnits, planOffers, wardBeds } from './plan.ts';
import { Prng } from './prng.ts';

test('apportion splits a total exactly, in proportion to the weights', () => {
  assert.deepEqual(apportion(10, [1, 1, 1]), [4, 3, 3]);
  assert.deepEqual(apportion(7, [3, 1]), [5, 2]);
  assert.deepEqual(apportion(0, [1, 2]), [0, 0]);
  assert.deepEqual(apportion(5, []), []);
});

test('emergency units carry the installed counts, split without losing a bed', () => {
  const counts = { university: true, pediatric: true, icu: 54, intensive: 80, uhcd: 29, mco: 835 };
  const units = emergencyUnits(counts);
  const sum = (keys: string[]): number => units.filter((u) => keys.includes(u.key)).reduce((a, u) => a + (u.installed ?? 0), 0);
  assert.equal(sum(['rea-adulte', 'rea-pediatrique']), 54);
  assert.equal(sum(['si-polyvalent', 'usic', 'usinv']), 80);
  assert.equal(sum(['uhcd']), 29);
  assert.ok(units.some((u) => u.key === 'urgences-pediatriques'));
  assert.equal(wardBeds(counts), 835 - 54 - 80 - 29);
  const small = emergencyUnits({ university: false, pediatric: false, icu: null, intensive: null, uhcd: 0, mco: 15 });
  assert.deepEqual(small.map((u) => u.key), ['urgences-polyvalentes', 'uhcd']);
});

test('at an emergency site the ward offers share exactly the SAE ward beds', () => {
  const counts = { university: false, pediatric: false, icu: 8, intensive: 14, uhcd: 7, mco: 271 };
  const ctx = { rng: new Prng('plan'), asOf: new Date('2026-01-01T00:00:00Z'), rpps: () => '99000000018' };
  const offers = planOffers(structureProfile('ch'), ctx, { counts, origin: 'sae' });
  const installed = (o: (typeof offers)[number]): number => o.capacity?.installed ?? 0;
  const wards = offers.filter((o) => o.template.sae === 'mco');
  assert.equal(wards.reduce((a, o) => a + installed(o), 0), 271 - 8 - 14 - 7);
  assert.ok(wards.every((o) => installed(o) > 0 && o.origin === 'synthetic'));
  const critical = offers.filter((o) => o.template.sae && o.template.sae !== 'mco');
  assert.ok(critical.every((o) => o.origin === 'sae'));
  for (const o of offers) {
    const c = o.capacity;
    if (c?.available !== undefined) assert.equal((c.available ?? 0) + (c.occupied ?? 0), c.installed);
  }
});

test('a consultation offer is held by the practitioners of its inpatient offer', () => {
  let serial = 0;
  const ctx = { rng: new Prng('consultations'), asOf: new Date('2026-01-01T00:00:00Z'), rpps: () => String(++serial) };
  const offers = planOffers(structureProfile('chu'), ctx);
  const consultations = offers.filter((o) => o.template.key.endsWith('-consultations'));
  assert.ok(consultations.length > 0);
  for (const c of consultations) {
    const inpatient = offers.find((o) => `${o.template.key}-consultations` === c.template.key);
    assert.ok(inpatient);
    assert.deepEqual(c.practitioners, inpatient.practitioners);
    assert.equal(c.template.careMode, '32');
  }
});

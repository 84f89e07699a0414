import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Extension, HealthcareService } from '@medplum/fhirtypes';
import { loadFixture } from './fixtures/load.ts';
import {
  capacityConsistency,
  type CapacityEntry,
  capacityEntryRules,
  checkRules,
  EXT,
  EXTERNAL_EXT,
  familleMatchesActivite,
  organizationPeriodOrder,
  rgExp007,
  rgExp008,
  rgExp014,
  rgExp039,
  rgExp043,
  rgExp045,
  rgExp047,
  rgExp048,
  LOCATION_STATUS,
  setCapacities,
  setCharacteristics,
  setOperationalStatus,
  setFamille,
  setSensitiveUnit,
  setServiceContacts,
  SUB,
} from './index.ts';

function patientRange(hs: HealthcareService): NonNullable<Extension['valueRange']> {
  const range = hs.extension?.find((e) => e.url === EXT.healthcareServicePatientType)?.extension?.find((e) => e.url === SUB.patientType.ageRange)?.valueRange;
  assert.ok(range);
  return range;
}

test('every fixture satisfies every rule', () => {
  for (const name of ['organization-ej', 'organization-eg', 'organization-oi', 'healthcareservice-mco', 'healthcareservice-ms', 'location', 'practitionerrole'] as const) {
    assert.deepEqual(checkRules(loadFixture(name)), [], name);
  }
});

test('RG_EXP_043 refuses an offer closing type without closing date, and a closing date without type', () => {
  const noDate = loadFixture('healthcareservice-ms');
  delete noDate.notAvailable;
  const [issue] = rgExp043(noDate);
  assert.equal(issue?.code, 'invalid');
  assert.deepEqual(issue?.expression, ['HealthcareService.characteristic[2]']);
  assert.match(issue?.diagnostics ?? '', /^RG_EXP_043/);

  const noType = loadFixture('healthcareservice-ms');
  setCharacteristics(noType, 'temporalityStopService', []);
  assert.deepEqual(rgExp043(noType)[0]?.expression, ['HealthcareService.notAvailable[0].during.start']);
});

test('RG_EXP_043 applies to organizations: closing type iff period end', () => {
  const oi = loadFixture('organization-oi');
  assert.deepEqual(rgExp043(oi), []);
  const periodAt = oi.extension?.findIndex((e) => e.url === EXTERNAL_EXT.organizationPeriod) ?? -1;
  oi.extension?.splice(periodAt, 1);
  assert.match(rgExp043(oi)[0]?.diagnostics ?? '', /requires a closing date/);
  const eg = loadFixture('organization-eg');
  const period = eg.extension?.find((e) => e.url === EXTERNAL_EXT.organizationPeriod)?.valuePeriod;
  assert.ok(period);
  period.end = '2024-01-01';
  assert.match(rgExp043(eg)[0]?.diagnostics ?? '', /requires a closing type/);
});

test('RG_EXP_045 accepts a reopening date for a temporary closure only', () => {
  const hs = loadFixture('healthcareservice-ms');
  assert.deepEqual(rgExp045(hs), []);
  setCharacteristics(hs, 'temporalityStopService', ['DEF']);
  const [issue] = rgExp045(hs);
  assert.deepEqual(issue?.expression, ['HealthcareService.notAvailable[0].during.end']);
  const early = loadFixture('healthcareservice-ms');
  const during = early.notAvailable?.[0]?.during;
  assert.ok(during);
  during.end = '2024-06-01';
  assert.match(rgExp045(early)[0]?.diagnostics ?? '', /precedes the closing date/);

  const oi = loadFixture('organization-oi');
  assert.deepEqual(rgExp045(oi), []);
  const typeExt = oi.extension?.find((e) => e.url === EXT.organizationClosingType);
  const coding = typeExt?.valueCodeableConcept?.coding?.[0];
  assert.ok(coding);
  coding.code = 'DEF';
  assert.match(rgExp045(oi)[0]?.diagnostics ?? '', /^RG_EXP_045/);
});

test('RG_EXP_008 requires a public pris en charge for a médico-social offer only', () => {
  const ms = loadFixture('healthcareservice-ms');
  assert.deepEqual(rgExp008(ms), []);
  const patientType = ms.extension?.find((e) => e.url === EXT.healthcareServicePatientType);
  assert.ok(patientType?.extension);
  patientType.extension = patientType.extension.filter((e) => e.url !== SUB.patientType.supportedPatientInfo);
  const [issue] = rgExp008(ms);
  assert.equal(issue?.code, 'required');
  assert.deepEqual(issue?.expression, ['HealthcareService.extension[2]']);
  assert.deepEqual(rgExp008(loadFixture('healthcareservice-mco')), []);
});

test('RG_EXP_007 requires the famille for a médico-social offer only', () => {
  const ms = loadFixture('healthcareservice-ms');
  assert.deepEqual(rgExp007(ms), []);
  setFamille(ms, undefined);
  assert.equal(rgExp007(ms)[0]?.code, 'required');
  assert.deepEqual(rgExp007(loadFixture('healthcareservice-mco')), []);
});

test('the famille given must be the activité\'s famille in ASS_A14', () => {
  const ms = loadFixture('healthcareservice-ms');
  assert.deepEqual(familleMatchesActivite(ms), []);
  setFamille(ms, '004');
  const [issue] = familleMatchesActivite(ms);
  assert.deepEqual(issue?.expression, ['HealthcareService.specialty[1]']);
  assert.match(issue?.diagnostics ?? '', /activité 293 belongs to famille 011, not 004/);
});

test('RG_EXP_048 accepts a/mo/wk/d ages with min ≤ max and refuses other units, negatives and inverted ranges', () => {
  const hs = loadFixture('healthcareservice-mco');
  const range = patientRange(hs);
  range.low = { value: 6, unit: 'mo', system: 'http://unitsofmeasure.org', code: 'mo' };
  range.high = { value: 1, unit: 'a', system: 'http://unitsofmeasure.org', code: 'a' };
  assert.deepEqual(rgExp048(hs), []);

  range.low = { value: 2, unit: 'a', system: 'http://unitsofmeasure.org', code: 'a' };
  range.high = { value: 20, unit: 'mo', system: 'http://unitsofmeasure.org', code: 'mo' };
  assert.match(rgExp048(hs)[0]?.diagnostics ?? '', /minimum age is greater than the maximum/);

  range.low = { value: 2, unit: 'h', system: 'http://unitsofmeasure.org', code: 'h' };
  const [unit] = rgExp048(hs);
  assert.deepEqual(unit?.expression, ['HealthcareService.extension[2].extension[0].valueRange.low']);
  assert.match(unit?.diagnostics ?? '', /unit must be one of a, mo, wk, d/);

  range.low = { value: -1, unit: 'a', system: 'http://unitsofmeasure.org', code: 'a' };
  assert.match(rgExp048(hs)[0]?.diagnostics ?? '', /non-negative/);
});

test('RG_EXP_039: a sensitive unit needs "très restreint" contacts and contact telecoms', () => {
  const hs = loadFixture('healthcareservice-mco');
  assert.deepEqual(rgExp039(hs), []);
  setSensitiveUnit(hs, true);
  const issues = rgExp039(hs);
  assert.deepEqual(
    issues.map((i) => i.expression?.[0]),
    ['HealthcareService.extension[3].extension[1]', 'HealthcareService.extension[3].extension[2].extension[1]'],
  );
  setServiceContacts(hs, [{ confidentiality: '3', telecoms: [{ value: '0100000000', channel: '2', confidentiality: '3' }] }]);
  assert.deepEqual(rgExp039(hs), []);
});

test('RG_EXP_014: a horaire needs a weekday or an effective period', () => {
  const hs = loadFixture('healthcareservice-mco');
  assert.deepEqual(rgExp014(hs), []);
  hs.availableTime = [{ availableStartTime: '08:00:00', availableEndTime: '12:00:00' }];
  assert.deepEqual(rgExp014(hs)[0]?.expression, ['HealthcareService.availableTime[0]']);
});

test('an organization cannot close before it opens', () => {
  const oi = loadFixture('organization-oi');
  assert.deepEqual(organizationPeriodOrder(oi), []);
  const period = oi.extension?.find((e) => e.url === EXTERNAL_EXT.organizationPeriod)?.valuePeriod;
  assert.ok(period);
  period.end = '2019-12-31';
  assert.match(organizationPeriodOrder(oi)[0]?.diagnostics ?? '', /precedes the opening date/);
});

test('capacity rules: closing type only when fermé, additional bed type only when supplémentaire, one entry per key, count ≥ 0', () => {
  const loc = loadFixture('location');
  assert.deepEqual(capacityEntryRules(loc), []);
  const ext = loc.extension ?? [];
  const closed = ext[6];
  const extra = ext[7];
  assert.ok(closed?.extension && extra?.extension);
  const status = (e: Extension): NonNullable<Extension['valueCodeableConcept']> => {
    const cc = e.extension?.find((p) => p.url === 'capacityStatus')?.valueCodeableConcept;
    assert.ok(cc);
    return cc;
  };
  status(closed).coding = [{ system: status(closed).coding?.[0]?.system, code: '02' }];
  status(extra).coding = [{ system: status(extra).coding?.[0]?.system, code: '02' }];
  const messages = capacityEntryRules(loc).map((i) => `${i.expression?.[0]} ${i.diagnostics}`);
  assert.equal(messages.length, 2);
  assert.match(messages[0] ?? '', /^Location\.extension\[6\] capacityClosingType is only allowed with capacityStatus 05/);
  assert.match(messages[1] ?? '', /^Location\.extension\[7\] additionalBedType is only allowed with capacityStatus 06/);

  const dup = loadFixture('location');
  const first = dup.extension?.[4];
  assert.ok(first);
  dup.extension?.push(structuredClone(first));
  assert.match(capacityEntryRules(dup)[0]?.diagnostics ?? '', /Duplicate capacity entry: same key as Location\.extension\[4\]/);

  const negative = loadFixture('location');
  const nb = negative.extension?.[4]?.extension?.find((p) => p.url === 'nbCapacity');
  assert.ok(nb);
  nb.valueInteger = -3;
  assert.deepEqual(capacityEntryRules(negative)[0]?.expression, ['Location.extension[4].extension[3].valueInteger']);
});

test('RG_EXP_047: a closed lieu publishes 0 available; 0 alone means saturated but open', () => {
  const entry = (status: string, nb: number): CapacityEntry => ({ capacityType: '01', capacityStatus: status, temporality: '01', nbCapacity: nb, sourceType: '01', updateDate: '2026-11-22T03:10:00Z', temporaryAssignment: '01' });
  const loc = loadFixture('location');
  setCapacities(loc, [entry('01', 10), entry('02', 0)]);
  assert.deepEqual(rgExp047(loc), []);
  setOperationalStatus(loc, LOCATION_STATUS.closedTemporarily);
  assert.deepEqual(rgExp047(loc), [], 'closed with nothing available');
  setCapacities(loc, [entry('01', 10), entry('02', 2)]);
  const issues = rgExp047(loc);
  assert.equal(issues.length, 1);
  assert.match(issues[0]?.diagnostics ?? '', /RG_EXP_047: a closed lieu \(operationalStatus 2\) has 0 available, not 2/);
  assert.ok(checkRules(loc).some((i) => i.diagnostics?.startsWith('RG_EXP_047')));
});

test('capacity consistency warns when available exceeds installed + supplementary, or the genres exceed the total', () => {
  const entry = (status: string, nb: number, extra: Partial<CapacityEntry> = {}): CapacityEntry => ({ capacityType: '01', capacityStatus: status, temporality: '01', nbCapacity: nb, sourceType: '01', updateDate: '2026-11-22T03:10:00Z', temporaryAssignment: '01', ...extra });
  assert.deepEqual(capacityConsistency([entry('01', 10), entry('02', 10), entry('06', 2, { additionalBedType: '01' })]), []);
  assert.deepEqual(capacityConsistency([entry('01', 10), entry('02', 12), entry('06', 2, { additionalBedType: '01' })]), []);
  const over = capacityConsistency([entry('01', 10), entry('02', 11)]);
  assert.equal(over.length, 1);
  assert.equal(over[0]?.severity, 'warning');
  assert.match(over[0]?.diagnostics ?? '', /Disponible \(11\) supérieur à installé \+ supplémentaire \(10 \+ 0\)/);
  const genres = capacityConsistency([entry('01', 10), entry('02', 3), entry('02', 2, { gender: '01' }), entry('02', 2, { gender: '02' })]);
  assert.match(genres.map((i) => i.diagnostics).join(), /Les disponibles par genre \(4\) dépassent le disponible total \(3\)/);
  assert.deepEqual(capacityConsistency([entry('01', 10), entry('02', 2, { gender: '01' }), entry('02', 3, { gender: '02' })]), [], 'genres alone make the total');
  assert.deepEqual(capacityConsistency([entry('02', 4, { temporaryAssignment: '02' })]), [], 'crisis figures aside');
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadFixture } from './fixtures/load.ts';
import {
  buildPractitioner,
  buildPractitionerRole,
  getExerciseName,
  getIdNatPs,
  getPractitionerTelecoms,
  getProfession,
  getRoleAvailableTime,
  getRoleSpecialties,
  getRoleTelecom,
  getUnitExerciseMode,
  setExerciseName,
  setUnitExerciseMode,
  validateRorResource,
} from './index.ts';

test('the Practitioner fixture reads back its idNatPs and its MSS telecom', () => {
  const p = loadFixture('practitioner');
  assert.equal(getIdNatPs(p), '810111573474');
  assert.deepEqual(getPractitionerTelecoms(p), [
    { value: 'cyndi.chanmet@lifen.mssante.fr', channel: '3', confidentiality: '2', system: 'email' },
  ]);
});

test('the PractitionerRole fixture reads back profession, savoir-faire slices, exercise mode and name', () => {
  const role = loadFixture('practitionerrole');
  assert.equal(getProfession(role)?.display, 'Infirmier');
  assert.deepEqual(getRoleSpecialties(role, 'expertiseType').map((c) => c.code), ['CEX']);
  assert.deepEqual(getRoleSpecialties(role, 'exclusiveCompetence').map((c) => c.code), ['CEX26']);
  assert.deepEqual(getRoleSpecialties(role, 'specialty'), []);
  assert.equal(getUnitExerciseMode(role), 'L');
  assert.deepEqual(getExerciseName(role), { firstName: 'Mylène', lastName: 'Tenor' });
});

test('PractitionerRole setters round-trip and refuse codes outside their JDV', () => {
  const role = loadFixture('practitionerrole');
  setUnitExerciseMode(role, 'S');
  setExerciseName(role, { title: 'DR', lastName: 'Tenor' });
  assert.equal(getUnitExerciseMode(role), 'S');
  assert.deepEqual(getExerciseName(role), { title: 'DR', lastName: 'Tenor' });
  assert.deepEqual(validateRorResource(role), []);
  assert.throws(() => setUnitExerciseMode(role, 'X'), /not in JDV-J217/);
  assert.throws(() => setExerciseName(role, { lastName: ' ' }), /needs a last name/);
});

test('buildPractitioner and buildPractitionerRole produce valid resources', () => {
  const p = buildPractitioner({
    idNatPs: '810002345678',
    family: 'MARTIN',
    given: ['Léa'],
    civilite: 'MME',
    telecoms: [{ value: 'lea.martin@ch.mssante.fr', channel: '3', confidentiality: '2' }],
    origin: 'synthetic',
  });
  assert.equal(p.name?.[0]?.prefix?.[0], 'MME');
  assert.deepEqual(validateRorResource(p), []);
  assert.throws(() => buildPractitioner({ idNatPs: '8', civilite: 'DR' }), /not in JDV-J207/);

  const role = buildPractitionerRole({
    identifier: '11/SO-1',
    practitioner: 'Practitioner/p1',
    healthcareService: 'HealthcareService/hs1',
    organization: 'Organization/eg',
    profession: '10',
    expertiseType: 'S',
    specialties: { specialty: 'SM54' },
    specificCompetences: ['01'],
    unitExerciseMode: 'S',
    exerciseName: { title: 'DR', lastName: 'Martin', firstName: 'Léa' },
    availableTime: { dayOfWeek: 2, start: '09:00:00', end: '17:00:00' },
    telecom: { value: '0140000001', channel: '2', confidentiality: '3' },
  });
  assert.deepEqual(getRoleSpecialties(role, 'specialty').map((c) => c.code), ['SM54']);
  assert.deepEqual(getRoleSpecialties(role, 'specificCompetence').map((c) => c.code), ['01']);
  assert.deepEqual(getRoleAvailableTime(role), { dayOfWeek: 2, start: '09:00:00', end: '17:00:00' });
  assert.equal(getRoleTelecom(role)?.confidentiality, '3');
  assert.deepEqual(validateRorResource(role), []);
});

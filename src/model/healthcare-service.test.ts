import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadFixture } from './fixtures/load.ts';
import {
  buildHealthcareService,
  CHAMP_ACTIVITE,
  getActivite,
  getAvailableTimes,
  getCareMode,
  getChampActivite,
  getCharacteristics,
  getFamille,
  getInterventionZones,
  getNoConsentHabilitation,
  getPatientType,
  getPsychiatricSectors,
  getServiceClosing,
  getServiceContacts,
  getTypeOffre,
  isSensitiveUnit,
  setActivite,
  setAvailableTimes,
  setCharacteristics,
  setFamille,
  setPatientType,
  setSensitiveUnit,
  setServiceClosing,
  setServiceContacts,
  SYSTEM,
  validateRorResource,
} from './index.ts';

test('the MCO fixture reads back champ, activité, mode, acte, patientèle, contact and horaire', () => {
  const hs = loadFixture('healthcareservice-mco');
  assert.equal(getChampActivite(hs)?.code, CHAMP_ACTIVITE.mco);
  assert.equal(getActivite(hs)?.code, '183');
  assert.equal(getFamille(hs), undefined);
  assert.equal(getCareMode(hs)?.display, 'Hospitalisation complète (HC)');
  assert.deepEqual(getCharacteristics(hs, 'specificAct').map((c) => c.code), ['0320']);
  assert.deepEqual(getCharacteristics(hs, 'outsideOfficeAct'), []);
  assert.equal(isSensitiveUnit(hs), false);
  const patientType = getPatientType(hs);
  assert.deepEqual(patientType?.publics, []);
  assert.equal(patientType?.ageRange?.low?.value, 18);
  assert.equal(patientType?.ageRange?.high?.code, 'a');
  const [contact] = getServiceContacts(hs);
  assert.equal(contact?.purpose, '06');
  assert.equal(contact?.confidentiality, '1');
  assert.deepEqual(contact?.telecoms, [{ value: '0139636363', channel: '2', confidentiality: '1' }]);
  assert.deepEqual(getAvailableTimes(hs), [{ type: '01', dayOfWeek: 1, start: '08:30:00', end: '18:00:00' }]);
  assert.equal(getServiceClosing(hs), undefined);
});

test('the médico-social fixture reads back type d\'offre, famille, publics, zone, sector and closing', () => {
  const hs = loadFixture('healthcareservice-ms');
  assert.equal(getTypeOffre(hs)?.code, '21');
  assert.deepEqual(getFamille(hs), {
    system: SYSTEM.familleActiviteSerafin,
    code: '011',
    display: '2.2.1.1 Accompagnements pour les actes de la vie quotidienne',
  });
  assert.deepEqual(getPatientType(hs)?.publics.map((c) => c.code), ['01']);
  assert.deepEqual(getCharacteristics(hs, 'receptionType').map((c) => c.code), ['02']);
  assert.deepEqual(getInterventionZones(hs), [{ type: '2', code: '92', system: SYSTEM.departementOM }]);
  assert.deepEqual(getPsychiatricSectors(hs), ['92G01']);
  assert.deepEqual(getServiceClosing(hs), { type: 'PRO', start: '2024-07-01', reopening: '2024-09-01' });
  assert.equal(getNoConsentHabilitation(hs), undefined);
});

test('characteristic setters replace one slice in place and keep the others', () => {
  const hs = loadFixture('healthcareservice-mco');
  setCharacteristics(hs, 'specificAct', ['0001', '0005']);
  setCharacteristics(hs, 'outsideOfficeAct', ['0006']);
  setCharacteristics(hs, 'receptionModality', ['03', '04']);
  assert.deepEqual(getCharacteristics(hs, 'specificAct').map((c) => c.code), ['0001', '0005']);
  assert.deepEqual(getCharacteristics(hs, 'outsideOfficeAct').map((c) => c.code), ['0006']);
  assert.deepEqual(getCharacteristics(hs, 'receptionModality').map((c) => c.system), [SYSTEM.modaliteAccueil, SYSTEM.modaliteAccueil]);
  assert.equal(getCareMode(hs)?.code, '28');
  setCharacteristics(hs, 'specificAct', []);
  assert.deepEqual(getCharacteristics(hs, 'specificAct'), []);
  assert.deepEqual(getCharacteristics(hs, 'outsideOfficeAct').map((c) => c.code), ['0006']);
  assert.deepEqual(validateRorResource(hs), []);
});

test('setters refuse codes outside their JDV and too many codes for a 0..1 slice', () => {
  const hs = loadFixture('healthcareservice-mco');
  assert.throws(() => setCharacteristics(hs, 'careMode', ['99']), /not in JDV-J19/);
  assert.throws(() => setCharacteristics(hs, 'careMode', ['28', '29']), /at most 1/);
  assert.throws(() => setActivite(hs, '0000'), /not in JDV-J17/);
  assert.throws(() => setFamille(hs, '01'), /not in JDV-J51/);
  setFamille(hs, { system: SYSTEM.familleActiviteHorsSerafin, code: '01' });
  assert.equal(getFamille(hs)?.system, SYSTEM.familleActiviteHorsSerafin);
  assert.equal(getActivite(hs)?.code, '183');
});

test('patientèle ages accept a, mo, wk, d and refuse other units or negative ages', () => {
  const hs = loadFixture('healthcareservice-mco');
  setPatientType(hs, { publics: ['02'], ageRange: { low: { value: 6, unit: 'mo' }, high: { value: 17, unit: 'a' } } });
  assert.equal(getPatientType(hs)?.ageRange?.low?.code, 'mo');
  assert.deepEqual(getPatientType(hs)?.publics.map((c) => c.code), ['02']);
  assert.throws(() => setPatientType(hs, { ageRange: { low: { value: 1, unit: 'h' as 'd' }, high: { value: 2, unit: 'a' } } }), /unit must be one of/);
  assert.throws(() => setPatientType(hs, { ageRange: { low: { value: -1, unit: 'a' }, high: { value: 2, unit: 'a' } } }), /non-negative/);
});

test('closing sets the type and the notAvailable period; reopening (undefined) resets both', () => {
  const hs = loadFixture('healthcareservice-mco');
  setServiceClosing(hs, { type: 'PRO', start: '2024-07-01', reopening: '2024-08-31' });
  assert.deepEqual(getServiceClosing(hs), { type: 'PRO', start: '2024-07-01', reopening: '2024-08-31' });
  assert.equal(hs.notAvailable?.[0]?.id, 'closingReopeningDate');
  assert.deepEqual(validateRorResource(hs), []);
  setServiceClosing(hs, undefined);
  assert.equal(getServiceClosing(hs), undefined);
  assert.equal(hs.notAvailable, undefined);
});

test('sensitive unit, contacts and horaires round-trip', () => {
  const hs = loadFixture('healthcareservice-mco');
  setSensitiveUnit(hs, true);
  setServiceContacts(hs, [
    { function: '01', description: 'Cadre de santé', confidentiality: '3', telecoms: [{ value: 'cadre@ch.fr', channel: '3', confidentiality: '3', usage: 'Urgences' }] },
  ]);
  setAvailableTimes(hs, [
    { type: '02', dayOfWeek: 7, allDay: true },
    { effective: { start: '2024-07-01T00:00:00+02:00', end: '2024-08-31T23:59:59+02:00' }, start: '09:00:00', end: '12:00:00' },
  ]);
  assert.equal(isSensitiveUnit(hs), true);
  assert.deepEqual(getServiceContacts(hs), [
    { function: '01', description: 'Cadre de santé', confidentiality: '3', telecoms: [{ value: 'cadre@ch.fr', channel: '3', confidentiality: '3', usage: 'Urgences' }] },
  ]);
  assert.deepEqual(getAvailableTimes(hs), [
    { type: '02', dayOfWeek: 7, allDay: true },
    { effective: { start: '2024-07-01T00:00:00+02:00', end: '2024-08-31T23:59:59+02:00' }, start: '09:00:00', end: '12:00:00' },
  ]);
  assert.equal(hs.availableTime?.[0]?.daysOfWeek?.[0], 'sun');
  assert.deepEqual(validateRorResource(hs), []);
  assert.throws(() => setAvailableTimes(hs, [{ dayOfWeek: 8 }]), /1 \(Monday\) to 7 \(Sunday\)/);
  assert.throws(() => setAvailableTimes(hs, [{ dayOfWeek: 1, start: '9h' }]), /hh:mm:ss/);
});

test('buildHealthcareService builds a valid médico-social offer with its famille and publics', () => {
  const hs = buildHealthcareService({
    identifier: '11/SSIAD-7',
    name: 'SSIAD Quiétude',
    providedBy: 'Organization/eg',
    locations: ['Location/l1'],
    champActivite: CHAMP_ACTIVITE.medicoSocial,
    typeOffre: '21',
    activite: '287',
    famille: '005',
    careMode: '49',
    specificCompetences: ['01'],
    patientType: { publics: ['01', '02'], ageRange: { low: { value: 60, unit: 'a' }, high: { value: 120, unit: 'a' } } },
    interventionZones: [{ type: '3', code: '92009' }],
    availableTimes: [{ dayOfWeek: 1, start: '08:00:00', end: '20:00:00' }],
    contacts: [{ purpose: '06', confidentiality: '1' }],
    telecoms: [{ value: 'ssiad@quietude.mssante.fr', channel: '3', confidentiality: '2' }],
    region: '11',
    origin: 'synthetic',
  });
  assert.equal(getChampActivite(hs)?.display, 'Médico-social (MS)');
  assert.equal(getFamille(hs)?.code, '005');
  assert.equal(isSensitiveUnit(hs), false);
  assert.deepEqual(validateRorResource(hs), []);
});

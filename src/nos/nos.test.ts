import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  activitesOfFamille,
  allValueSets,
  concept,
  concepts,
  display,
  familleActiviteLinks,
  familleOfActivite,
  findValueSet,
  hasCode,
  valueSet,
  valueSetForSystem,
  valueSetsForSystem,
} from './index.ts';

const NOS = 'https://mos.esante.gouv.fr/NOS';
const R211 = `${NOS}/TRE_R211-ActiviteOperationnelle/FHIR/TRE-R211-ActiviteOperationnelle`;
const R213 = `${NOS}/TRE_R213-ModePriseEnCharge/FHIR/TRE-R213-ModePriseEnCharge`;
const R253 = `${NOS}/TRE_R253-TypeMaternite/FHIR/TRE-R253-TypeMaternite`;
const R265 = `${NOS}/TRE_R265-PrestationPilotageSerafin/FHIR/TRE-R265-PrestationPilotageSerafin`;
const R266 = `${NOS}/TRE_R266-FamilleActiviteOperationnelleHorsSerafin/FHIR/TRE-R266-FamilleActiviteOperationnelleHorsSerafin`;
const R338 = `${NOS}/TRE_R338-ModaliteAccueil/FHIR/TRE-R338-ModaliteAccueil`;
const R340 = `${NOS}/TRE_R340-TypeCaracteristiqueEquipement/FHIR/TRE-R340-TypeCaracteristiqueEquipement`;
const R244 = `${NOS}/TRE_R244-CategorieOrganisation/FHIR/TRE-R244-CategorieOrganisation`;
const R286 = `${NOS}/TRE_R286-TypeFermeture/FHIR/TRE-R286-TypeFermeture`;
const G07 = `${NOS}/TRE_G07-TypeIdentifiantStructure/FHIR/TRE-G07-TypeIdentifiantStructure`;

test('all 74 value sets of the NOS folder are loaded (plus the ASS_A14 hierarchy)', () => {
  assert.equal(allValueSets().length, 74);
  assert.equal(new Set(allValueSets().map((vs) => vs.shortId)).size, 74);
});

test('code counts match the published value sets', () => {
  const expected: Record<string, number> = { J16: 952, J17: 440, J19: 37, J20: 5, J51: 27, J55: 169, J186: 136, J188: 6, J236: 14, J237: 18, J238: 306, J248: 109 };
  for (const [id, count] of Object.entries(expected)) assert.equal(valueSet(id).concepts.length, count, id);
});

test('a value set is found by canonical URL, id, short id and JDV_ forms, with or without |version', () => {
  const vs = valueSet('J17');
  assert.equal(vs.url, `${NOS}/JDV_J17-ActiviteOperationnelle-ROR/FHIR/JDV-J17-ActiviteOperationnelle-ROR`);
  for (const ref of [vs.url, `${vs.url}|20221028120000`, 'JDV-J17-ActiviteOperationnelle-ROR', 'JDV_J17', 'JDV-J17']) {
    assert.equal(valueSet(ref), vs, ref);
  }
  assert.equal(findValueSet('J9999'), undefined);
  assert.throws(() => valueSet('J9999'), /Unknown NOS value set "J9999"/);
});

test('French labels are returned as published, codes keep their leading zeros', () => {
  assert.equal(display(R211, '183'), 'Traitement neurochirurgical de la douleur');
  assert.equal(display(R213, '28'), 'Hospitalisation complète (HC)');
  assert.equal(display(`${NOS}/TRE_R227-ChampActivite/FHIR/TRE-R227-ChampActivite`, '04'), 'Médico-social (MS)');
  assert.equal(hasCode('J16', `${NOS}/TRE_R210-ActeSpecifique/FHIR/TRE-R210-ActeSpecifique`, '0320'), true);
  assert.equal(hasCode('J16', `${NOS}/TRE_R210-ActeSpecifique/FHIR/TRE-R210-ActeSpecifique`, '320'), false);
  assert.equal(display(R211, '99999'), undefined);
});

test('hasCode checks the system too, and refuses an unknown value set', () => {
  assert.equal(hasCode('J19', R213, '28'), true);
  assert.equal(hasCode('J19', R211, '28'), false);
  assert.throws(() => hasCode('J0', R213, '28'), /Unknown NOS value set/);
});

test('labels with stray spaces are trimmed (J236 "SIRET ")', () => {
  assert.equal(display(G07, '3'), 'SIRET');
});

test('when two value sets label a code differently, the newest value set wins (J238 2026 over J34 2022)', () => {
  assert.equal(display(R244, '10'), 'Centre Médico-Psychologique (CMP) Adulte');
});

test('defect J226: the empty system is replaced by TRE_R338-ModaliteAccueil from the concepts OID', () => {
  const vs = valueSet('J226');
  assert.deepEqual(vs.systems, [R338]);
  assert.equal(vs.concepts.length, 9);
  assert.equal(hasCode('J226', R338, '04'), true);
  assert.equal(display(R338, '04'), 'Téléconsultation');
  assert.equal(hasCode('J226', '', '04'), false);
});

test('defect J228: the empty system is replaced by TRE_R340 from the concepts OID', () => {
  assert.deepEqual(valueSet('J228').systems, [R340]);
  assert.equal(display(R340, '001'), 'Poids maximum');
});

test('defect J227: the declared TRE_R253 system is kept (still the source of codes 01–04) and the description fixed', () => {
  const vs = valueSet('J227');
  assert.deepEqual(vs.systems, [R253]);
  assert.equal(hasCode('J227', R253, '02'), true);
  assert.notEqual(vs.description, 'Type de maternité');
  assert.match(vs.description, /ressources humaines et matérielles/);
});

test('defect J229: the description copied from J228 is replaced', () => {
  assert.equal(valueSet('J229').description, 'Profession de santé');
});

test('defect J19 code 47: the code is valid but has no label (undefined, no crash)', () => {
  assert.equal(hasCode('J19', R213, '47'), true);
  assert.equal(display(R213, '47'), undefined);
  assert.deepEqual(concept(R213, '47'), { system: R213, code: '47', display: undefined });
});

test('defect: wrong declared URLs (J186, J202, J237) are replaced by the canonical URL, the declared one still resolves', () => {
  const j186 = valueSet('J186');
  assert.equal(j186.url, `${NOS}/JDV_J186-ProfessionRessource-ROR/FHIR/JDV-J186-ProfessionRessource-ROR`);
  assert.equal(j186.declaredUrl, `${NOS}/JDV_J18-ProfessionRessource-ROR.tabs/FHIR/JDV-J186-ProfessionRessource-ROR`);
  assert.equal(valueSet(j186.declaredUrl), j186);
  assert.equal(valueSet('J202').url, `${NOS}/JDV_J202-ESPIC-ROR/FHIR/JDV-J202-ESPIC-ROR`);
  assert.equal(valueSet('J237').url, `${NOS}/JDV_J237-RegionOM-ROR/FHIR/JDV-J237-RegionOM-ROR`);
});

test('defect J237: the region list loads once, with its 18 regions', () => {
  const regions = concepts('J237');
  assert.equal(regions.length, 18);
  assert.equal(new Set(regions.map((r) => r.code)).size, 18);
  assert.equal(regions.find((r) => r.code === '11')?.display, 'Ile-de-france');
});

test('the famille of an activité comes from ASS_A14', () => {
  assert.deepEqual(familleOfActivite('135'), {
    system: R265,
    code: '004',
    display: '2.1.1.1 Soins médicaux à visée préventive, curative et palliative',
  });
  assert.equal(familleOfActivite('183'), undefined);
  assert.throws(() => familleOfActivite('ZZZ'), /not an activité opérationnelle code/);
});

test('the activités of a famille come from ASS_A14, a famille without mapping has none', () => {
  const activites = activitesOfFamille('004');
  assert.equal(activites.length, 8);
  assert.ok(activites.some((a) => a.code === '170' && a.display === 'Soins palliatifs'));
  assert.deepEqual(activitesOfFamille('01', R266), []);
  assert.throws(() => activitesOfFamille('999'), /not a famille d'activité code/);
});

test('the hierarchy has 60 links, each activité in exactly one famille', () => {
  const links = familleActiviteLinks();
  assert.equal(links.length, 60);
  assert.equal(new Set(links.map((l) => l.activite.code)).size, 60);
  const famillesOutsideJ51 = new Set(links.filter((l) => l.famille.display === undefined).map((l) => l.famille.code));
  assert.deepEqual([...famillesOutsideJ51].sort(), ['015', '036', '058']);
});

test('valueSetForSystem picks the value set listing most codes of the system', () => {
  assert.equal(valueSetForSystem(R211)?.shortId, 'J17');
  assert.equal(valueSetForSystem(R286)?.shortId, 'J201');
  assert.deepEqual(
    valueSetsForSystem(R286).map((vs) => vs.shortId),
    ['J201', 'J185'],
  );
  assert.equal(valueSetForSystem(R244)?.shortId, 'J238');
  assert.equal(valueSetForSystem('http://example.org/none'), undefined);
});

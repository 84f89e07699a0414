import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadFixture } from './fixtures/load.ts';
import {
  buildOrganization,
  CONFIDENTIALITY,
  getDataOrigin,
  getFiness,
  getIdNatSt,
  getOrganizationAddress,
  getOrganizationClosingType,
  getOrganizationContacts,
  getOrganizationIdentifier,
  getOrganizationKind,
  getOrganizationName,
  getOrganizationPeriod,
  getOrganizationReopeningDate,
  getOrganizationType,
  getPartOf,
  getRegion,
  isSynthetic,
  setOrganizationAddress,
  setOrganizationClosingType,
  setOrganizationIdentifier,
  setOrganizationName,
  setOrganizationPeriod,
  setOrganizationType,
  SYSTEM,
  validateRorResource,
} from './index.ts';

test('the kind of the IG example organizations is EJ, EG and OI', () => {
  assert.equal(getOrganizationKind(loadFixture('organization-ej')), 'EJ');
  assert.equal(getOrganizationKind(loadFixture('organization-eg')), 'EG');
  assert.equal(getOrganizationKind(loadFixture('organization-oi')), 'OI');
  assert.equal(getOrganizationKind({ resourceType: 'Organization', name: 'x' }), undefined);
});

test('an EJ fixture reads back its identifiers, name, statut juridique and address', () => {
  const ej = loadFixture('organization-ej');
  assert.equal(getFiness(ej), '920030014');
  assert.equal(getIdNatSt(ej), '1920030014');
  assert.equal(getOrganizationIdentifier(ej, 'siren'), '921317258');
  assert.equal(getOrganizationIdentifier(ej, 'siret'), undefined);
  assert.deepEqual(getOrganizationName(ej), { name: 'Quiétude' });
  assert.equal(getOrganizationType(ej, 'statutJuridiqueINSEE')?.code, '72');
  assert.equal(getOrganizationType(ej, 'sousEnsembleAgregatStatutJuridique')?.display, 'Organisme privé à caractère commercial');
  assert.equal(getRegion(ej), '11');
  assert.deepEqual(getOrganizationAddress(ej), {
    houseNumber: '103',
    streetNameType: 'R',
    streetNameBase: 'des Bourguignons',
    text: '103 R des Bourguignons',
    postalCode: '92270',
    city: 'BOIS-COLOMBES',
    inseeCode: '92009',
  });
});

test('an EG fixture reads back its category, parent, geolocation, opening date and contacts', () => {
  const eg = loadFixture('organization-eg');
  assert.equal(getOrganizationType(eg, 'categorieEtablissement')?.code, '460');
  assert.equal(getOrganizationIdentifier(eg, 'siret'), '92131725800020');
  assert.equal(getPartOf(eg), 'Organization/ror-organization-exemple-ej');
  assert.deepEqual(getOrganizationAddress(eg)?.geolocation, { latitude: 48.9177, longitude: 2.2689, reliable: true });
  assert.deepEqual(getOrganizationPeriod(eg), { start: '2015-03-01' });
  const [contact] = getOrganizationContacts(eg);
  assert.equal(contact?.purpose, '06');
  assert.equal(contact?.confidentiality, CONFIDENTIALITY.public);
  assert.deepEqual(contact?.telecoms, [{ value: '01.01.01.01.01', channel: '2', confidentiality: '1', system: 'phone' }]);
});

test('an OI fixture reads back its type, closing type, period and reopening date', () => {
  const oi = loadFixture('organization-oi');
  assert.equal(getOrganizationType(oi, 'OIType')?.code, '3');
  assert.equal(getOrganizationIdentifier(oi, 'identifierOI'), '11/UF-2041');
  assert.equal(getOrganizationClosingType(oi)?.code, 'PRO');
  assert.deepEqual(getOrganizationPeriod(oi), { start: '2020-01-01', end: '2024-06-30' });
  assert.equal(getOrganizationReopeningDate(oi), '2024-09-01');
});

test('setters change one slice and keep the others', () => {
  const ej = loadFixture('organization-ej');
  setOrganizationIdentifier(ej, 'finess', '750712184');
  assert.equal(getFiness(ej), '750712184');
  assert.equal(getOrganizationIdentifier(ej, 'siren'), '921317258');
  assert.equal(ej.identifier?.length, 3);
  setOrganizationIdentifier(ej, 'siren', undefined);
  assert.equal(getOrganizationIdentifier(ej, 'siren'), undefined);
  setOrganizationType(ej, 'statutJuridiqueINSEE', '73');
  assert.equal(getOrganizationType(ej, 'statutJuridiqueINSEE')?.code, '73');
  assert.equal(getOrganizationType(ej, 'sousEnsembleAgregatStatutJuridique')?.code, '2200');
  setOrganizationName(ej, 'Quiétude SA', 'Groupe');
  assert.deepEqual(getOrganizationName(ej), { name: 'Quiétude SA', additionalName: 'Groupe' });
  setOrganizationPeriod(ej, { end: '2024-12-31' });
  setOrganizationClosingType(ej, 'DEF');
  assert.equal(getOrganizationClosingType(ej)?.display, 'Définitive');
  setOrganizationAddress(ej, { streetNameBase: 'Grande Rue', city: 'Sèvres', postalCode: '92310', inseeCode: '92072' });
  assert.equal(getOrganizationAddress(ej)?.inseeCode, '92072');
  assert.deepEqual(validateRorResource(ej), []);
});

test('setters refuse codes outside their value set and malformed identifiers', () => {
  const ej = loadFixture('organization-ej');
  assert.throws(() => setOrganizationType(ej, 'statutJuridiqueINSEE', '9999'), /is not in JDV-J199/);
  assert.throws(() => setOrganizationIdentifier(ej, 'finess', '12345'), /not a valid FINESS/);
  assert.throws(() => setOrganizationIdentifier(ej, 'siret', '1234'), /not a valid SIRET/);
  assert.throws(() => setOrganizationClosingType(ej, 'XXX'), /not in JDV-J201/);
  assert.throws(() => setOrganizationAddress(ej, { inseeCode: '7505' }), /COG commune code/);
});

test('buildOrganization derives idNatSt from the FINESS number and builds valid EJ, EG and OI', () => {
  const ej = buildOrganization({
    kind: 'EJ',
    name: 'CHU de Nulle-Part',
    finess: '2A0000014',
    siren: '260000021',
    statutJuridique: '13',
    region: '94',
    origin: 'synthetic',
    createdAt: '2024-01-01T00:00:00Z',
  });
  assert.equal(getIdNatSt(ej), '12A0000014');
  assert.equal(getOrganizationKind(ej), 'EJ');
  assert.equal(getDataOrigin(ej), 'synthetic');
  assert.equal(isSynthetic(ej), true);
  assert.deepEqual(validateRorResource(ej), []);

  const eg = buildOrganization({
    kind: 'EG',
    name: 'CHU site Nord',
    finess: '2A0000022',
    siret: '26000002100019',
    category: '101',
    partOf: 'Organization/ej',
    address: { houseNumber: '1', streetNameType: 'AV', streetNameBase: 'de la Gare', postalCode: '20000', city: 'Ajaccio', inseeCode: '2A004' },
    geolocation: { latitude: 41.92, longitude: 8.73, reliable: false },
    contacts: [{ purpose: '06', confidentiality: '2', telecoms: [{ value: '0495000000', channel: '2', confidentiality: '2' }] }],
  });
  assert.equal(getOrganizationKind(eg), 'EG');
  assert.equal(getOrganizationType(eg, 'categorieEtablissement')?.system, SYSTEM.categorieEtablissement);
  assert.deepEqual(validateRorResource(eg), []);

  const oi = buildOrganization({ kind: 'OI', name: 'Pôle médecine', oiIdentifier: '94/POLE-1', oiType: '1', partOf: 'Organization/eg' });
  assert.equal(getOrganizationKind(oi), 'OI');
  assert.deepEqual(validateRorResource(oi), []);
});

test('buildOrganization refuses an OI without type', () => {
  assert.throws(() => buildOrganization({ kind: 'OI', oiIdentifier: 'x' }), /needs its type/);
});

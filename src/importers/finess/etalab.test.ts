import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseHeader, parseRecord, type EtalabRecord } from './etalab.ts';
import { EJ, GEO, REAL_ET, REAL_GEO } from './fixtures.test-support.ts';

function expectType<T extends EtalabRecord['type']>(r: EtalabRecord, type: T): Extract<EtalabRecord, { type: T }> {
  assert.equal(r.type, type, JSON.stringify(r));
  return r as Extract<EtalabRecord, { type: T }>;
}

test('parses the metadata line and its extraction date', () => {
  assert.deepEqual(parseHeader('finess;etalab;98;2026-05-12'), { counter: '98', extractionDate: '2026-05-12' });
  assert.equal(parseHeader(REAL_ET.fleyriat), undefined);
  assert.throws(() => parseHeader('finess;etalab;98;2026-02-30'), /invalid date/);
});

test('reads the real Fleyriat structureet line with every code kept as a string', () => {
  const { et } = expectType(parseRecord(REAL_ET.fleyriat, 2), 'structureet');
  assert.equal(et.nofinesset, '010000024');
  assert.equal(et.nofinessej, '010780054');
  assert.equal(et.rs, 'CH DE FLEYRIAT');
  assert.equal(et.rslongue, 'CENTRE HOSPITALIER DE BOURG-EN-BRESSE FLEYRIAT');
  assert.deepEqual(et.address, {
    complementDistribution: undefined,
    numeroVoie: '900',
    typeVoie: 'RTE',
    voie: 'DE PARIS',
    complementVoie: undefined,
    lieuDitBp: undefined,
    inseeCode: '01451',
    postalCode: '01440',
    city: 'VIRIAT',
  });
  assert.equal(et.telephone, '0474454647');
  assert.equal(et.telecopie, '0474454114');
  assert.equal(et.categetab, '355');
  assert.equal(et.categagretab, '1102');
  assert.equal(et.siret, '26010004500012');
  assert.equal(et.codemft, '03');
  assert.equal(et.codesph, '1');
  assert.equal(et.dateouv, '1979-02-13');
  assert.equal(et.datemaj, '2020-02-04');
  assert.equal(et.numuai, undefined);
});

test('reads the overseas real lines (9D, 9C, 9F) with their INSEE codes and quoted names', () => {
  const reunion = expectType(parseRecord(REAL_ET.felixGuyon, 3), 'structureet').et;
  assert.equal(reunion.address.inseeCode, '97411');
  assert.equal(reunion.address.lieuDitBp, 'CS 11021');
  assert.equal(reunion.address.postalCode, '97405');
  assert.equal(reunion.address.city, 'ST DENIS CEDEX');
  const cayenne = expectType(parseRecord(REAL_ET.ehpadCayenne, 4), 'structureet').et;
  assert.equal(cayenne.address.inseeCode, '97302');
  assert.equal(cayenne.siret, undefined);
  assert.equal(cayenne.codesph, undefined);
  const mayotte = expectType(parseRecord(REAL_ET.mavouna, 5), 'structureet').et;
  assert.equal(mayotte.rs, 'LIEU DE VIE "MAVOUNA MEMA 1"');
  assert.equal(mayotte.complrs, 'ASSOCIATION MESSO');
  assert.equal(mayotte.address.inseeCode, '97606');
  assert.equal(mayotte.telecopie, undefined);
});

test('accepts cs1100502 lines with a numuai and rejects an extra non-empty field', () => {
  const with502 = REAL_ET.fleyriat.replace(/;$/, ';0010908G');
  assert.equal(expectType(parseRecord(with502, 2), 'structureet').et.numuai, '0010908G');
  assert.equal(expectType(parseRecord(`${with502};`, 2), 'structureet').et.numuai, '0010908G');
  const r = expectType(parseRecord(`${with502};X`, 7), 'rejected');
  assert.match(r.reason, /33 fields, expected 31–32/);
});

test('reprojects geolocalisation lines to WGS84', () => {
  const { geo } = expectType(parseRecord(REAL_GEO.fleyriat, 10), 'geolocalisation');
  assert.equal(geo.nofinesset, '010000024');
  assert.equal(geo.territory, 'metropole');
  assert.ok(Math.abs(geo.lon - 5.209181) < 1e-5 && Math.abs(geo.lat - 46.222286) < 1e-5);
  assert.equal(geo.datemaj, '2026-05-04');
  assert.equal(expectType(parseRecord(GEO.mavouna, 11), 'geolocalisation').geo.territory, 'mayotte');
});

test('a geolocalisation line without coordinates is not an error', () => {
  const r = parseRecord('geolocalisation;830200523;;;;', 12);
  assert.deepEqual(r, { type: 'geolocalisation-empty', line: 12, nofinesset: '830200523' });
});

test('parses structureej lines in their own field order', () => {
  const { ej } = expectType(parseRecord(EJ.bourg, 2), 'structureej');
  assert.equal(ej.nofiness, '010780054');
  assert.equal(ej.address.inseeCode, '01451');
  assert.equal(ej.address.postalCode, '01440');
  assert.equal(ej.address.numeroVoie, '900');
  assert.equal(ej.statutjuridique, '13');
  assert.equal(ej.siren, '260100045');
  assert.equal(ej.datecrea, '1979-02-13');
  assert.equal(expectType(parseRecord(EJ.chuReunion, 3), 'structureej').ej.address.lieuDitBp, 'CS 11021');
});

test('parses cs1100505 link and équipement lines', () => {
  assert.deepEqual(parseRecord('structureet;970302287;970302022', 2), {
    type: 'structureet-link',
    line: 2,
    nofinesset: '970302287',
    nofinessej: '970302022',
  });
  const line =
    'equipementsocial;970302287;924;Accueil pour Personnes Âgées;11;Hébergement Complet Internat;711;Personnes Agées dépendantes;S;80;;;;60;;N;2017-01-03;2002-01-01;80;;;;;;N;2017-01-03;2024-04-22;2024-04-22';
  const { equipement } = expectType(parseRecord(line, 3), 'equipementsocial');
  assert.deepEqual(equipement, {
    nofinesset: '970302287',
    de: '924',
    libde: 'Accueil pour Personnes Âgées',
    ta: '11',
    libta: 'Hébergement Complet Internat',
    client: '711',
    libclient: 'Personnes Agées dépendantes',
    capinstot: 80,
    deleted: false,
    updated: '2024-04-22',
  });
  const deleted = line.replace(';N;2017-01-03;2002', ';O;2017-01-03;2002');
  assert.equal(expectType(parseRecord(deleted, 4), 'equipementsocial').equipement.deleted, true);
});

test('reports unknown record types instead of failing', () => {
  assert.deepEqual(parseRecord('activiteoffresoin;010780054;CH;14;Médecine d\'urgence', 9), {
    type: 'unknown',
    line: 9,
    recordType: 'activiteoffresoin',
  });
});

test('rejects bad lines with their line number and a reason', () => {
  const cases: [string, RegExp][] = [
    [REAL_ET.fleyriat.slice(0, 120), /structureet: \d+ fields, expected 31–32 \(truncated line\?\)/],
    [REAL_ET.mavouna.slice(0, 60), /unterminated quoted field/],
    [REAL_ET.fleyriat.replace('010000024', '01000024'), /nofinesset: invalid FINESS number "01000024"/],
    [REAL_ET.fleyriat.replace('2020-02-04', '2020-13-04'), /datemaj: invalid date "2020-13-04"/],
    [REAL_ET.fleyriat.replace('2020-02-04', ''), /datemaj is empty/],
    [REAL_ET.fleyriat.replace(';451;01;', ';451;9C;'), /does not belong to department 9C/],
    [REAL_ET.fleyriat.replace('01440 VIRIAT', 'VIRIAT'), /ligneacheminement: "VIRIAT" does not start with a 5-digit postal code/],
    [REAL_ET.fleyriat.replace('0474454647', '04 74 45 46'), /telephone: invalid value/],
    ['geolocalisation;010000024;abc;6571540.8;1,ATLASANTE,96,BAN,EPSG:2154 RGF93;2026-05-04', /coordxet: "abc" is not a number/],
    ['geolocalisation;010000024;870262.2;1795384.4;1,ATLASANTE,96,BAN,EPSG:2154 RGF93;2026-05-04', /outside metropole/],
    ['geolocalisation;010000024;870262.2;6571540.8;1,ATLASANTE,96,BAN,EPSG:3857;2026-05-04', /unsupported coordinate system EPSG:3857/],
    ['geolocalisation;010000024;870262.2;;EPSG:2154;2026-05-04', /only one of coordxet\/coordyet/],
    [';010000024;x', /empty record type/],
  ];
  for (const [text, reason] of cases) {
    const r = expectType(parseRecord(text, 42), 'rejected');
    assert.equal(r.line, 42);
    assert.match(r.reason, reason, text);
  }
});

test('a rejected line keeps the FINESS number it carries when readable', () => {
  const r = expectType(parseRecord(REAL_ET.fleyriat.replace('2020-02-04', 'x'), 3), 'rejected');
  assert.equal(r.id, '010000024');
  assert.equal(r.recordType, 'structureet');
});

test('accepts decimal commas in coordinates', () => {
  const { geo } = expectType(parseRecord('geolocalisation;010000024;870262,2;6571540,8;LAMBERT_93;2026-05-04', 2), 'geolocalisation');
  assert.ok(Math.abs(geo.lat - 46.222286) < 1e-5);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  allCommunes,
  communeByCode,
  communesByName,
  communesByPostalCode,
  communesOfDepartment,
  currentCommune,
  nearestCommune,
  normaliseName,
} from './communes.ts';
import { allDepartments, regionOfDepartment } from './departments.ts';
import { haversineKm } from './distance.ts';

test('Nantes is found by INSEE code, with department, region, postal codes, population and a GeoNames position', () => {
  const nantes = communeByCode('44109');
  assert.ok(nantes);
  assert.equal(nantes.name, 'Nantes');
  assert.equal(nantes.department, '44');
  assert.equal(nantes.region, '52');
  assert.deepEqual(nantes.postalCodes, ['44000', '44100', '44200', '44300']);
  assert.ok((nantes.population ?? 0) > 300_000);
  assert.equal(nantes.position?.source, 'geonames');
  assert.equal(nantes.position?.approximate, false);
  assert.ok(Math.abs((nantes.position?.lat ?? 0) - 47.218) < 0.05);
  assert.ok(Math.abs((nantes.position?.lon ?? 0) + 1.553) < 0.05);
});

test('postal code 44000 and the name "nantes" both find Nantes', () => {
  assert.deepEqual(
    communesByPostalCode('44000').map((c) => c.code),
    ['44109'],
  );
  assert.deepEqual(
    communesByName('nantes').map((c) => c.code),
    ['44109'],
  );
  assert.deepEqual(
    communesByName('NANTES').map((c) => c.code),
    ['44109'],
  );
});

test('name look-up ignores accents, punctuation and the St abbreviation', () => {
  assert.equal(normaliseName("L'Île-d'Yeu"), 'l ile d yeu');
  assert.ok(communesByName('ST NAZAIRE').some((c) => c.code === '44184'));
  assert.ok(communesByName('la roche sur yon').some((c) => c.code === '85191'));
  assert.ok(communesByName('CHATEAU GONTIER SUR MAYENNE').some((c) => c.code === '53062'));
});

test('Corsican code 2A004 is Ajaccio in region 94', () => {
  const ajaccio = communeByCode('2A004');
  assert.equal(ajaccio?.name, 'Ajaccio');
  assert.equal(ajaccio?.department, '2A');
  assert.equal(ajaccio?.region, '94');
  assert.ok(ajaccio?.position);
});

test('arrondissements municipaux are communes placed at their city, flagged approximate', () => {
  const paris12 = communeByCode('75112');
  assert.equal(paris12?.kind, 'arrondissement-municipal');
  assert.equal(paris12?.parentCode, '75056');
  assert.equal(paris12?.position?.source, 'parent-commune');
  assert.equal(paris12?.position?.approximate, true);
  assert.ok(communeByCode('75056')?.position);
});

test('every Pays de la Loire commune is present with a position, small ones flagged approximate', () => {
  const pdl = allCommunes().filter((c) => c.region === '52');
  assert.ok(pdl.length >= 1200 && pdl.length <= 1300, `got ${pdl.length}`);
  for (const dept of ['44', '49', '53', '72', '85']) {
    assert.ok(communesOfDepartment(dept).length > 100, dept);
    assert.equal(regionOfDepartment(dept), '52');
  }
  for (const c of pdl) {
    assert.ok(c.position, `${c.code} has no position`);
    assert.equal(c.position.approximate, c.position.source !== 'geonames' && c.position.source !== 'geonames-former-code');
    assert.ok(c.position.lat > 46 && c.position.lat < 48.7 && c.position.lon > -2.7 && c.position.lon < 0.95, c.code);
  }
  assert.ok(pdl.filter((c) => c.position?.approximate).length > 400);
});

test('every metropolitan and overseas-department commune has a position', () => {
  const missing = allCommunes().filter((c) => c.zone !== 'com' && !c.position);
  assert.deepEqual(missing, []);
});

test('a merged commune is found from a former code', () => {
  const c = currentCommune('49069');
  assert.ok(c);
  assert.notEqual(c.code, '49069');
  assert.equal(c.department, '49');
  assert.equal(communeByCode('49069'), undefined);
});

test('malformed codes are rejected with a clear error', () => {
  assert.throws(() => communeByCode('4410'), /not an INSEE commune code/);
  assert.throws(() => communeByCode('2C004'), /not an INSEE commune code/);
  assert.throws(() => communesByPostalCode('440'), /not a postal code/);
  assert.throws(() => communesByName(' - '), /not a commune name/);
  assert.throws(() => regionOfDepartment('00'), /Unknown department/);
});

test('the nearest commune to the CHU de Nantes Hôtel-Dieu is Nantes', () => {
  assert.equal(nearestCommune({ lat: 47.21198, lon: -1.5541 })?.code, '44109');
  assert.equal(nearestCommune({ lat: 47.21198, lon: -1.5541 }, (c) => c.department === '49')?.department, '49');
});

test('departments map to their J237 region', () => {
  const byCode = new Map(allDepartments().map((d) => [d.code, d.region]));
  assert.equal(byCode.get('44'), '52');
  assert.equal(byCode.get('2B'), '94');
  assert.equal(byCode.get('974'), '04');
  assert.equal(byCode.get('976'), '06');
  assert.equal(byCode.get('75'), '11');
});

test('Nantes and Angers town centres are about 80 km apart', () => {
  const nantes = communeByCode('44109')?.position;
  const angers = communeByCode('49007')?.position;
  assert.ok(nantes && angers);
  const km = haversineKm(nantes, angers);
  assert.ok(km > 78 && km < 83, `got ${km}`);
});

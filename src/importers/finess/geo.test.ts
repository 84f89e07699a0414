import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  fromWgs84,
  inseeCodeOf,
  regionOfInseeCode,
  territoryOfInseeCode,
  territoryOfSource,
  toWgs84,
  type Territory,
} from './geo.ts';

/** Distance in metres between two WGS84 points (equirectangular, fine at these scales). */
function metres(a: { lon: number; lat: number }, b: { lon: number; lat: number }): number {
  const k = Math.PI / 180;
  const x = (b.lon - a.lon) * k * Math.cos(((a.lat + b.lat) / 2) * k);
  const y = (b.lat - a.lat) * k;
  return Math.hypot(x, y) * 6_371_008.8;
}

const CONTROL: readonly { name: string; source: string; x: number; y: number; lon: number; lat: number }[] = [
  { name: 'CH de Fleyriat 010000024', source: '1,ATLASANTE,96,BAN,EPSG:2154 RGF93 / Lambert-93 (Métropole)', x: 870262.2, y: 6571540.8, lon: 5.20918, lat: 46.22229 },
  { name: 'Polyclinique de la Guadeloupe 970100012', source: '2,ATLASANTE,96,BAN,EPSG:5490 RGAF09/UTM Zone 20N (Antilles)', x: 657242.9, y: 1795384.4, lon: -61.52874, lat: 16.234 },
  { name: 'CH Cayenne site 970306833', source: '1,ATLASANTE,96,BAN,EPSG:2972 RGFG95 / UTM zone 22N', x: 353672.8, y: 544349.1, lon: -52.31973, lat: 4.92347 },
  { name: 'Réunion', source: 'EPSG:2975', x: 323086.6, y: 7679599.8, lon: 55.29821, lat: -20.97571 },
  { name: 'CHM Mayotte 980500011', source: '2,ATLASANTE,100,BDADRESSE,EPSG:4471 RGM04/UTM zone 38S (Mayotte)', x: 524819.9, y: 8587194.7, lon: 45.22868, lat: -12.77989 },
  { name: 'CH F. Dunan 970500039 (WGS84 label)', source: '2,ATLASANTE,90,BAN,WGS84/UTM zone 21N (St-Pierre-et-Miquelon)', x: 563213.8, y: 5180306.8, lon: -56.17201, lat: 46.77332 },
  { name: 'CH F. Dunan 970500039 (EPSG:4467)', source: 'EPSG:4467 RGSPM06/UTM zone 21N', x: 563213.8, y: 5180306.8, lon: -56.17201, lat: 46.77332 },
  { name: 'Clinique Convert 010780195', source: 'LAMBERT_93', x: 873766.07, y: 6570414.61, lon: 5.254203, lat: 46.211257 },
];

for (const c of CONTROL) {
  test(`reprojects the control point ${c.name} to within 1 m of pyproj`, () => {
    const p = toWgs84(territoryOfSource(c.source), c.x, c.y);
    assert.ok(metres(p, c) < 1, `${metres(p, c).toFixed(2)} m off: ${p.lon}, ${p.lat}`);
  });
}

test('CHU de Nantes Hôtel-Dieu round-trips through Lambert-93 to the published X/Y', () => {
  const { x, y } = fromWgs84('metropole', { lon: -1.5541, lat: 47.21198 });
  assert.ok(Math.abs(x - 355498.9) < 1 && Math.abs(y - 6689013.4) < 1, `${x} ${y}`);
  const back = toWgs84('metropole', x, y);
  assert.ok(metres(back, { lon: -1.5541, lat: 47.21198 }) < 0.01);
});

test('recognises the legacy 2016–2018 projection labels and the WGS84/UTM ones', () => {
  const cases: [string, Territory][] = [
    ['1,ATLASANTE,100,IGN,BD_ADRESSE,V2.2,LAMBERT_93', 'metropole'],
    ['1,ATLASANTE,100,IGN,BD_ADRESSE,V2.2,UTM_N20', 'antilles'],
    ['…,UTM_N21', 'saint-pierre-et-miquelon'],
    ['…,UTM_N22', 'guyane'],
    ['…,UTM_S38', 'mayotte'],
    ['…,UTM_S40', 'reunion'],
    ['2,ATLASANTE,90,BAN,WGS84/UTM zone 1S (Wallis-et-Futuna)', 'wallis-et-futuna'],
  ];
  for (const [label, territory] of cases) assert.equal(territoryOfSource(label), territory, label);
});

test('rejects unknown coordinate systems with the label in the message', () => {
  assert.throws(() => territoryOfSource('1,ATLASANTE,96,BAN,EPSG:27572 NTF Lambert II'), /unsupported coordinate system EPSG:27572/);
  assert.throws(() => territoryOfSource('1,ATLASANTE,96,BAN'), /no coordinate system recognised/);
});

test('rejects points that fall outside their territory', () => {
  assert.throws(() => toWgs84('metropole', 870262.2, 1795384.4), /outside metropole/);
  assert.throws(() => toWgs84('reunion', 870262.2, 6571540.8), /outside reunion/);
  assert.throws(() => toWgs84('metropole', Number.NaN, 1), /not finite/);
});

test('rebuilds INSEE codes from departement + commune', () => {
  assert.equal(inseeCodeOf('44', '109'), '44109');
  assert.equal(inseeCodeOf('01', '451'), '01451');
  assert.equal(inseeCodeOf('2A', '004'), '2A004');
  assert.equal(inseeCodeOf('2B', '033'), '2B033');
  assert.equal(inseeCodeOf('9A', '105'), '97105');
  assert.equal(inseeCodeOf('9B', '209'), '97209');
  assert.equal(inseeCodeOf('9C', '302'), '97302');
  assert.equal(inseeCodeOf('9D', '411'), '97411');
  assert.equal(inseeCodeOf('9E', '502'), '97502');
  assert.equal(inseeCodeOf('9F', '606'), '97606');
  assert.equal(inseeCodeOf('9J', '613'), '98613');
});

test('remaps Saint-Martin and Saint-Barthélemy to their post-2007 codes', () => {
  assert.equal(inseeCodeOf('9A', '127'), '97801');
  assert.equal(inseeCodeOf('9A', '123'), '97701');
});

test('rejects inconsistent department / commune codes', () => {
  assert.throws(() => inseeCodeOf('20', '004'), /unknown FINESS department code "20"/);
  assert.throws(() => inseeCodeOf('9D', '302'), /does not belong to department 9D/);
  assert.throws(() => inseeCodeOf('44', '10'), /not 3 digits/);
  assert.throws(() => inseeCodeOf('9G', '101'), /unknown FINESS department/);
});

test('maps INSEE codes to territories and ROR regions', () => {
  assert.equal(territoryOfInseeCode('2A004'), 'metropole');
  assert.equal(territoryOfInseeCode('97502'), 'saint-pierre-et-miquelon');
  assert.equal(territoryOfInseeCode('97801'), 'antilles');
  assert.equal(territoryOfInseeCode('98613'), 'wallis-et-futuna');
  assert.equal(regionOfInseeCode('44109'), '52');
  assert.equal(regionOfInseeCode('2A004'), '94');
  assert.equal(regionOfInseeCode('97411'), '04');
  assert.equal(regionOfInseeCode('97606'), '06');
  assert.equal(regionOfInseeCode('97801'), '01', 'Saint-Martin depends on ARS Guadeloupe');
  assert.equal(regionOfInseeCode('97502'), undefined, 'no ROR region for Saint-Pierre-et-Miquelon');
  assert.equal(regionOfInseeCode('98613'), undefined, 'no ROR region for Wallis-et-Futuna');
});

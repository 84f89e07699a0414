import { test } from 'node:test';
import assert from 'node:assert/strict';
import { classifyHospital, groupLegalEntities, loadEmergencySites, loadPdlHospitals, nameRoot, resolveCommune } from './hospitals.ts';

test('the 348 Pays de la Loire establishments load with 9-character FINESS numbers and a commune', () => {
  const rows = loadPdlHospitals();
  assert.equal(rows.length, 348);
  const byDept: Record<string, number> = {};
  for (const r of rows) {
    assert.match(r.finess, /^(44|49|53|72|85)\d{7}$/);
    assert.equal(r.commune.department, r.finess.slice(0, 2));
    byDept[r.finess.slice(0, 2)] = (byDept[r.finess.slice(0, 2)] ?? 0) + 1;
  }
  assert.deepEqual(byDept, { '44': 125, '49': 77, '53': 31, '72': 50, '85': 65 });
  const hotelDieu = rows.find((r) => r.finess === '440000271');
  assert.ok(hotelDieu);
  assert.equal(hotelDieu.lat, 47.21198);
  assert.equal(hotelDieu.lon, -1.5541);
  assert.equal(hotelDieu.commune.code, '44109');
  assert.equal(hotelDieu.category, '101');
  assert.equal(hotelDieu.phone, '0240087323');
});

test('addresses resolve to their commune, CEDEX codes, abbreviations and truncated names included', () => {
  const near = { lat: 47.83, lon: -0.7 };
  assert.equal(resolveCommune('44093', 'NANTES CEDEX 1', '44', { lat: 47.21, lon: -1.55 }).code, '44109');
  assert.equal(resolveCommune('44606', 'ST NAZAIRE', '44', { lat: 47.27, lon: -2.26 }).code, '44184');
  assert.equal(resolveCommune('53200', 'CHATEAU GONTIER SUR MAYENN', '53', near).code, '53062');
});

test('the 26 emergency sites carry their SAE bed counts', () => {
  const sites = loadEmergencySites();
  assert.equal(sites.length, 26);
  const nantes = sites.find((s) => s.finess === '440000271');
  assert.deepEqual(nantes?.beds, { mco: 835, icu: 54, intensive: 80, uhcd: 29 });
  assert.equal(nantes?.university, true);
  const rows = new Set(loadPdlHospitals().map((r) => r.finess));
  for (const s of sites) assert.ok(rows.has(s.finess), s.finess);
});

test('establishments are classified by category and by the unit their name designates', () => {
  const c = (name: string, category: string): string => classifyHospital({ name, category });
  assert.equal(c('CHU DE NANTES :SITE HÔTEL-DIEU - HÔPITAL MÈRE ET ENFANT', '101'), 'chu');
  assert.equal(c('CENTRE HOSPITALIER DU MANS', '355'), 'ch');
  assert.equal(c('CMP CATTP INFANTO JUVENILE MALAKOFF', '101'), 'psy-enfant');
  assert.equal(c('HOPITAL DE JOUR ADULTES LES CYTISES CMP CATTP', '292'), 'psy-adulte');
  assert.equal(c('CENTRE HOSPITALIER G. MAZURELLE', '292'), 'chs');
  assert.equal(c('USLD ANNE DE BRETAGNE', '362'), 'usld');
  assert.equal(c('IRM SITE CH LAVAL', '365'), 'irm');
  assert.equal(c('CENTRE DE READAPTATION DE L\'ESTUAIRE', '109'), 'smr');
  assert.equal(c('HOPITAL LOCAL ERNEE', '106'), 'hopital-proximite');
  assert.equal(c('CLINIQUE SAINT CHARLES', '365'), 'clinique');
  assert.throws(() => c('LABORATOIRE', '611'), /No structure profile for category 611/);
});

test('multi-site names share their root before the site marker', () => {
  assert.equal(nameRoot('CHU DE NANTES :SITE HOPITAL BELLIER'), 'CHU DE NANTES');
  assert.equal(nameRoot('BAUGEOIS  VALLÉE:SITE DE BEAUFORT-EN-VALLÉE'), 'BAUGEOIS VALLEE');
  assert.equal(nameRoot('INSTITUT DE CANCEROLOGIE DE L\'OUEST - CENTRE RENE GAUDUCHEAU'), 'INSTITUT DE CANCEROLOGIE DE L OUEST');
  assert.equal(nameRoot('CENTRE HOSPITALIER LOIRE VENDEE OCEAN SITE DE CHALLANS'), 'CENTRE HOSPITALIER LOIRE VENDEE OCEAN');
});

test('every establishment belongs to exactly one legal entity; CHU sites share the real CHU EJ', () => {
  const rows = loadPdlHospitals();
  let serial = 0;
  const groups = groupLegalEntities(rows, (d) => `${d}8${String(++serial).padStart(5, '0')}0`);
  const members = groups.flatMap((g) => g.members);
  assert.equal(members.length, 348);
  assert.equal(new Set(members).size, 348);
  assert.equal(new Set(groups.map((g) => g.finess)).size, groups.length);
  const nantes = groups.find((g) => g.finess === '440000289');
  assert.ok(nantes?.real);
  for (const site of ['440000271', '440017598', '440000453', '440003291']) assert.ok(nantes.members.includes(site), site);
  assert.ok(groups.find((g) => g.finess === '490000031')?.members.includes('490000049'));
  const ico = groups.find((g) => g.members.includes('440001113'));
  assert.ok(ico?.members.includes('490000155'), 'ICO Nantes and Angers under one EJ');
  assert.equal(groups.filter((g) => g.real).length, 2);
  assert.ok(groups.length > 100 && groups.length < 250, String(groups.length));
  const again = groupLegalEntities(rows, (d) => `${d}8${String(++serial).padStart(5, '0')}0`);
  assert.deepEqual(again.map((g) => g.members), groups.map((g) => g.members));
});

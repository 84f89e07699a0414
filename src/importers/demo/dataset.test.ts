import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Coding, Location, Organization } from '@medplum/fhirtypes';
import {
  getCapacities,
  getCommuneCog,
  getDataOrigin,
  getFiness,
  getOrganizationAddress,
  getPosition,
  getRegion,
  IDENTIFIER_SYSTEM,
} from '../../model/index.ts';
import { validateRorResource } from '../../model/validate.ts';
import { concept } from '../../nos/index.ts';
import { allOfferTemplates } from './catalogue.ts';
import { buildDemoDataset, seedDemo } from './index.ts';
import { MEDICO_SOCIAL_COUNTS } from './dataset.ts';
import { loadEmergencySites } from './hospitals.ts';
import { MemorySink } from '../../store/memory-sink.test-support.ts';
import type { DemoResource } from './resources.ts';

const AS_OF = new Date('2026-11-22T10:00:00Z');
const dataset = buildDemoDataset({ asOf: AS_OF });
const byKey = new Map(dataset.map((r) => [`${r.resourceType}/${r.id}`, r]));

function countByType(resources: readonly DemoResource[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const r of resources) counts[r.resourceType] = (counts[r.resourceType] ?? 0) + 1;
  return counts;
}

function locationsOfSite(finess: string): Location[] {
  return dataset.filter((r): r is Location => r.resourceType === 'Location' && r.id?.startsWith(`loc-${finess}-`) === true);
}

function installed(loc: Location): number {
  return getCapacities(loc).find((c) => c.capacityStatus === '01')?.nbCapacity ?? 0;
}

test('the demo dataset has the expected structures and a few thousand resources of each kind', (t) => {
  const counts = countByType(dataset);
  t.diagnostic(`resources per type: ${JSON.stringify(counts)}, total ${dataset.length}`);
  const sites = dataset.filter((r) => r.id?.startsWith('eg-'));
  const medicoSocial = Object.values(MEDICO_SOCIAL_COUNTS).reduce((a, b) => a + b, 0);
  assert.equal(sites.length, 348 + medicoSocial);
  assert.equal(dataset.filter((r) => r.id?.startsWith('site-')).length, sites.length);
  assert.equal(dataset.filter((r) => r.id?.startsWith('loc-')).length, counts.HealthcareService);
  assert.ok((counts.HealthcareService ?? 0) > 3000, 'offers');
  assert.ok((counts.PractitionerRole ?? 0) > 500 && (counts.Practitioner ?? 0) > 300, 'practitioners');
  assert.ok(dataset.filter((r) => r.id?.startsWith('ej-')).length > 150, 'legal entities');
  assert.ok(dataset.filter((r) => r.id?.startsWith('oi-')).length > 200, 'internal organisations');
  assert.equal(byKey.size, dataset.length, 'ids are unique per type');
  for (const r of dataset) assert.match(r.id ?? '', /^[A-Za-z0-9\-.]{1,64}$/);
});

test('two builds give identical resources', () => {
  assert.equal(JSON.stringify(buildDemoDataset({ asOf: AS_OF })), JSON.stringify(dataset));
  const later = buildDemoDataset({ asOf: new Date('2026-11-23T10:00:00Z') });
  assert.equal(later.length, dataset.length);
  assert.deepEqual(
    later.map((r) => r.id),
    dataset.map((r) => r.id),
  );
});

test('the CHU de Nantes Hôtel-Dieu site is there with its real FINESS number, coordinates and legal entity', () => {
  const eg = byKey.get('Organization/eg-440000271') as Organization | undefined;
  assert.ok(eg);
  assert.ok(eg.identifier?.some((i) => i.system === IDENTIFIER_SYSTEM.finess && i.value === '440000271'));
  assert.equal(getFiness(eg), '440000271');
  assert.equal(eg.partOf?.reference, 'Organization/ej-440000289');
  assert.deepEqual(getOrganizationAddress(eg)?.geolocation, { latitude: 47.21198, longitude: -1.5541, reliable: true });
  assert.equal(getDataOrigin(eg), 'finess');
  const site = byKey.get('Location/site-440000271') as Location;
  assert.deepEqual(getPosition(site), { latitude: 47.21198, longitude: -1.5541, reliable: true });
  assert.equal(getCommuneCog(site), '44109');
  assert.equal(getDataOrigin(byKey.get('Organization/ej-440000289') as Organization), 'finess');
});

test('the 26 emergency sites carry their real installed beds (réanimation, soins intensifs, UHCD, MCO)', () => {
  const sites = loadEmergencySites();
  assert.equal(sites.length, 26);
  const sum = (locs: Location[], keys: string[]): number =>
    locs.filter((l) => keys.some((k) => l.id?.endsWith(`-${k}`))).reduce((a, l) => a + installed(l), 0);
  for (const s of sites) {
    const locs = locationsOfSite(s.finess);
    assert.ok(byKey.has(`HealthcareService/hs-${s.finess}-${s.pediatric ? 'urgences' : 'urgences-polyvalentes'}`), `${s.finess} emergency offer`);
    assert.equal(sum(locs, ['rea-adulte', 'rea-pediatrique']), s.beds.icu ?? 0, `${s.finess} réanimation`);
    assert.equal(sum(locs, ['si-polyvalent', 'usic', 'usinv']), s.beds.intensive ?? 0, `${s.finess} soins intensifs`);
    assert.equal(sum(locs, ['uhcd']), s.beds.uhcd ?? 0, `${s.finess} UHCD`);
    assert.equal(byKey.has(`Location/loc-${s.finess}-uhcd`), s.beds.uhcd !== null, `${s.finess} UHCD unit`);
    const mco = locs.filter((l) => {
      const key = l.id?.slice(`loc-${s.finess}-`.length) ?? '';
      return allOfferTemplates().some((t) => t.key === key && t.sae !== undefined);
    });
    assert.equal(
      mco.reduce((a, l) => a + installed(l), 0),
      s.beds.mco,
      `${s.finess} MCO beds`,
    );
    const critical = locs.filter((l) => /-(rea-adulte|rea-pediatrique|si-polyvalent|usic|usinv|uhcd)$/.test(l.id ?? ''));
    for (const l of critical) assert.equal(getDataOrigin(l), 'sae', l.id);
  }
  const nantes = byKey.get('Location/loc-440000271-rea-adulte') as Location;
  const statuses = getCapacities(nantes).map((c) => c.capacityStatus);
  assert.deepEqual(statuses, ['01', '02', '03']);
});

test('available and occupied counts never exceed the installed count', () => {
  for (const r of dataset) {
    if (r.resourceType !== 'Location') continue;
    const entries = getCapacities(r);
    const inst = entries.find((c) => c.capacityStatus === '01')?.nbCapacity;
    const available = entries.find((c) => c.capacityStatus === '02')?.nbCapacity;
    const occupied = entries.find((c) => c.capacityStatus === '03')?.nbCapacity;
    if (available === undefined) continue;
    assert.ok(inst !== undefined && available <= inst && available + (occupied ?? 0) === inst, r.id);
  }
});

function codings(value: unknown, out: Coding[] = []): Coding[] {
  if (Array.isArray(value)) for (const v of value) codings(v, out);
  else if (value && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    if (typeof o.system === 'string' && typeof o.code === 'string') out.push(o as Coding);
    for (const v of Object.values(o)) codings(v, out);
  }
  return out;
}

test('every NOS code of the dataset exists in the NOS value sets', () => {
  let checked = 0;
  for (const r of dataset) {
    for (const c of codings(r)) {
      if (!c.system?.startsWith('https://mos.esante.gouv.fr/NOS/') || c.system.includes('TRE_R13-Commune')) continue;
      assert.ok(concept(c.system, c.code ?? ''), `${r.resourceType}/${r.id}: ${c.system}|${c.code}`);
      checked++;
    }
  }
  assert.ok(checked > 50_000, String(checked));
});

test('every reference points to a resource of the dataset, parents written before children', () => {
  const seen = new Set<string>();
  for (const r of dataset) {
    seen.add(`${r.resourceType}/${r.id}`);
    const refs = JSON.stringify(r).match(/"reference":"[^"]+"/g) ?? [];
    for (const ref of refs) {
      const target = ref.slice('"reference":"'.length, -1);
      assert.ok(byKey.has(target), `${r.id} → ${target}`);
      assert.ok(seen.has(target) || target === `${r.resourceType}/${r.id}`, `${r.id} references ${target} before it is written`);
    }
  }
});

test('every resource is tagged Pays de la Loire with its data origin, real data apart', () => {
  const origins: Record<string, number> = {};
  for (const r of dataset) {
    assert.equal(getRegion(r), '52', r.id);
    const origin = getDataOrigin(r);
    assert.ok(origin, r.id);
    origins[origin] = (origins[origin] ?? 0) + 1;
    if (r.id?.startsWith('prac-') || r.id?.startsWith('pr-') || r.id?.startsWith('oi-')) assert.equal(origin, 'synthetic', r.id);
  }
  assert.equal(dataset.filter((r) => r.id?.startsWith('eg-') && getDataOrigin(r) === 'finess').length, 348);
  assert.ok((origins.sae ?? 0) > 2 * 26);
});

test('every resource is valid R4, ROR profile and NOS', () => {
  const invalid: string[] = [];
  for (const r of dataset) {
    const issues = validateRorResource(r);
    if (issues.length > 0) invalid.push(`${r.resourceType}/${r.id}: ${issues.map((i) => i.diagnostics).join('; ')}`);
  }
  assert.deepEqual(invalid.slice(0, 5), []);
});

test('seeding writes everything in batches of at most 500, and reseeding changes nothing', async () => {
  const sink = new MemorySink();
  const first = await seedDemo(sink, { asOf: AS_OF });
  assert.equal(first.created, dataset.length);
  assert.deepEqual(first.resources, countByType(dataset));
  assert.ok(Math.max(...sink.batchSizes) <= 500);
  const again = await seedDemo(sink, { asOf: AS_OF });
  assert.equal(again.unchanged, dataset.length);
  assert.equal(again.created + again.updated + again.rejected, 0);
  assert.equal((await sink.idsByTag('Organization', 'urn:ror:data-origin', 'finess')).length, 348 + 2);
});

test('resources the store rejects make the seed fail with their ids and reasons', async () => {
  const sink = new MemorySink((r) => (r.id === 'eg-440000271' ? [{ severity: 'error', code: 'invalid', diagnostics: 'refused for the test' }] : []));
  await assert.rejects(seedDemo(sink, { asOf: AS_OF }), /1 generated resources were rejected[\s\S]*Organization\/eg-440000271: refused for the test/);
  assert.equal(sink.history.size, dataset.length - 1);
});

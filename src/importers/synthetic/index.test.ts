import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { communeByCode } from '../../geo/communes.ts';
import { allDepartments } from '../../geo/departments.ts';
import { getCommuneCog, getDataOrigin, getRegion, VALUE_SET } from '../../model/index.ts';
import { validateRorResource } from '../../model/validate.ts';
import { hasCode, valueSet } from '../../nos/index.ts';
import { MemorySink } from '../../store/memory-sink.test-support.ts';
import type { DemoResource } from '../demo/resources.ts';
import { establishmentsFor, generateSynthetic, NATIONAL_ESTABLISHMENTS, seedSynthetic } from './index.ts';

const AS_OF = new Date('2026-11-22T10:00:00Z');
const SCALE = 200;
const resources: DemoResource[] = [...generateSynthetic({ scale: SCALE, asOf: AS_OF })];

/** Full-scale targets (ROR national order of magnitude) and how close a small scale must come to them. */
const NATIONAL_TARGETS: Record<string, number> = { Organization: 150_000, HealthcareService: 500_000, Location: 500_000, PractitionerRole: 300_000 };
const TOLERANCE = 0.25;

test('scale 200 generates 200 établissements and the other counts in national proportion', (t) => {
  const counts: Record<string, number> = {};
  for (const r of resources) counts[r.resourceType] = (counts[r.resourceType] ?? 0) + 1;
  t.diagnostic(`scale ${SCALE}: ${JSON.stringify(counts)}`);
  assert.equal(resources.filter((r) => r.id?.startsWith('eg-')).length, SCALE);
  assert.equal(resources.filter((r) => r.id?.startsWith('site-')).length, SCALE);
  const factor = SCALE / NATIONAL_ESTABLISHMENTS;
  for (const [type, target] of Object.entries(NATIONAL_TARGETS)) {
    const expected = target * factor;
    const got = counts[type] ?? 0;
    assert.ok(Math.abs(got - expected) <= expected * TOLERANCE, `${type}: ${got} for ~${Math.round(expected)}`);
  }
  assert.ok((counts.Practitioner ?? 0) > 0 && (counts.Practitioner ?? 0) <= (counts.PractitionerRole ?? 0));
});

test('two generations with the same seed are identical, another seed differs', () => {
  const digest = (rs: Iterable<DemoResource>): string => {
    const h = createHash('sha256');
    for (const r of rs) h.update(JSON.stringify(r));
    return h.digest('hex');
  };
  assert.equal(digest(generateSynthetic({ scale: SCALE, asOf: AS_OF })), digest(resources));
  assert.notEqual(digest(generateSynthetic({ scale: SCALE, asOf: AS_OF, seed: 'other' })), digest(resources));
});

test('a smaller scale generates the first établissements of a bigger one, identically', () => {
  const sites = (rs: Iterable<DemoResource>): string[] => [...rs].filter((r) => r.id?.startsWith('eg-')).map((r) => JSON.stringify(r));
  const small = sites(generateSynthetic({ scale: 50, asOf: AS_OF }));
  assert.equal(small.length, 50);
  assert.deepEqual(small, sites(resources).slice(0, 50));
});

test('structures spread over France, each tagged with its region and marked synthetic', () => {
  const regions = new Set<string>();
  for (const r of resources) {
    const region = getRegion(r);
    assert.ok(region && hasCode(VALUE_SET.J237, valueSet(VALUE_SET.J237).systems[0] ?? '', region), `${r.id}: region ${region}`);
    assert.equal(getDataOrigin(r), 'synthetic', r.id);
    regions.add(region);
  }
  assert.ok(regions.size >= 12, `${regions.size} regions`);
});

test('at 10 000 établissements every department of the 18 regions has structures', () => {
  const departments = new Set<string>();
  for (const r of generateSynthetic({ scale: 10_000, asOf: AS_OF })) {
    if (r.resourceType !== 'Location' || !r.id?.startsWith('site-')) continue;
    const commune = communeByCode(getCommuneCog(r) ?? '');
    if (commune) departments.add(commune.department);
  }
  const expected = allDepartments().filter((d) => d.zone !== 'com').map((d) => d.code);
  assert.deepEqual(expected.filter((d) => !departments.has(d)), []);
});

test('generated resources are valid and their ids unique', () => {
  const keys = new Set(resources.map((r) => `${r.resourceType}/${r.id}`));
  assert.equal(keys.size, resources.length);
  const invalid = resources.flatMap((r) => validateRorResource(r).map((i) => `${r.resourceType}/${r.id}: ${i.diagnostics}`));
  assert.deepEqual(invalid.slice(0, 5), []);
});

test('the seed writes bounded batches, pulling resources lazily', async () => {
  const sink = new MemorySink();
  const summary = await seedSynthetic(sink, { scale: SCALE, asOf: AS_OF, batchSize: 300 });
  assert.equal(summary.created, resources.length);
  assert.ok(sink.batchSizes.length >= Math.floor(resources.length / 300));
  assert.ok(sink.batchSizes.every((n) => n <= 300));
  const again = await seedSynthetic(sink, { scale: SCALE, asOf: AS_OF });
  assert.equal(again.unchanged, resources.length);
});

test('a bad scale is refused with a clear error', () => {
  assert.equal(establishmentsFor('national'), NATIONAL_ESTABLISHMENTS);
  assert.throws(() => establishmentsFor(0), /scale must be "national" or an integer between 1 and/);
  assert.throws(() => establishmentsFor(2.5), /scale must be/);
  assert.throws(() => [...generateSynthetic({ scale: -1 })], /scale must be/);
});

/**
 * CPU µs per resource of search-index extraction on the indexing fixtures (src/store/search-parameters/fixtures),
 * compiled accessors vs medplum's FHIRPath interpreter.
 * Run: node --import tsx bench/indexing.ts [iterations per fixture, default 20000]
 */
import type { Resource } from '@medplum/fhirtypes';
import { extractIndex, extractIndexInterpreted } from '../src/store/indexing.ts';
import { loadFixtures } from '../src/store/search-parameters/fixtures/index.ts';

const iterations = Number(process.argv[2] ?? 20_000);
if (!Number.isInteger(iterations) || iterations <= 0) throw new Error(`iterations must be a positive integer, got "${process.argv[2]}"`);

/** CPU time (user + system) rather than wall time, so that other processes on the machine weigh less. */
function microsPerResource(extract: (r: Resource) => unknown, resource: Resource, n: number): number {
  for (let i = 0; i < Math.min(n, 500); i++) extract(resource);
  const start = process.cpuUsage();
  for (let i = 0; i < n; i++) extract(resource);
  const used = process.cpuUsage(start);
  return (used.user + used.system) / n;
}

const fixtures = loadFixtures();
const rows = fixtures.map((resource) => {
  const compiled = microsPerResource(extractIndex, resource, iterations);
  const interpreted = microsPerResource(extractIndexInterpreted, resource, Math.max(1, Math.floor(iterations / 20)));
  return { fixture: `${resource.resourceType}/${resource.id}`, compiled, interpreted };
});

const pad = (s: string, n: number): string => s.padEnd(n);
const num = (x: number): string => x.toFixed(1).padStart(11);
console.log(`${pad('fixture', 50)} ${'compiled µs'.padStart(11)} ${'interp. µs'.padStart(11)} ${'speed-up'.padStart(9)}`);
for (const r of rows) console.log(`${pad(r.fixture, 50)} ${num(r.compiled)} ${num(r.interpreted)} ${(r.interpreted / r.compiled).toFixed(1).padStart(8)}×`);
const mean = (k: 'compiled' | 'interpreted'): number => rows.reduce((s, r) => s + r[k], 0) / rows.length;
console.log(`${pad('mean over fixtures', 50)} ${num(mean('compiled'))} ${num(mean('interpreted'))} ${(mean('interpreted') / mean('compiled')).toFixed(1).padStart(8)}×`);

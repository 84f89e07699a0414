// One resource write (validate + index + version + event), p50/p95 over N sequential updates.
// Usage: [DATABASE_URL=postgres://…] node --import tsx bench/write.ts [N]
import type { Resource } from '@medplum/fhirtypes';
import { buildDemoDataset } from '../src/importers/demo/index.ts';
import { Repository } from '../src/store/repository.ts';
import { machine, openBenchDatabase, percentile } from './bench-db.ts';

const n = Number(process.argv[2] ?? 2000);
const { db, label, drop } = await openBenchDatabase();
const repo = new Repository(db);
const dataset = buildDemoDataset();
await repo.putBatch(dataset.slice(0, 5000));
const sample = dataset.filter((r) => r.resourceType === 'HealthcareService' || r.resourceType === 'Location').slice(0, 200) as Resource[];
await repo.putBatch(sample);
const times: number[] = [];
for (let i = 0; i < n + 100; i++) {
  const base = sample[i % sample.length] as Resource;
  const current = await repo.read(base.resourceType, base.id as string);
  const changed = { ...current, meta: { ...current.meta } } as Resource & { name?: string };
  changed.name = `${(base as { name?: string }).name ?? 'x'} #${i}`;
  const t = performance.now();
  await repo.update(changed, { ifMatch: current.meta?.versionId });
  if (i >= 100) times.push(performance.now() - t);
}
times.sort((a, b) => a - b);
console.log(`bench/write — ${label}; ${machine()}`);
console.log(`${n} updates of HealthcareService/Location (validate + index + version + NOTIFY, one transaction each)`);
console.log(`p50 ${percentile(times, 50).toFixed(2)} ms  p95 ${percentile(times, 95).toFixed(2)} ms  max ${(times.at(-1) ?? 0).toFixed(2)} ms`);
await drop();

/**
 * Bulk export benchmark: seeds the synthetic dataset into a fresh database (or uses a schema already seeded with
 * `KEEP_SCHEMA=1 … bench/seed.ts`, named by BENCH_SCHEMA), then runs a system `$export` job to its end as Profil 1
 * (files written from the stored JSON text) and as Profil 2 (each resource parsed and projected), printing
 * resources/s, the time, the peak RSS of the process and the size of the files.
 * Run: [DATABASE_URL=postgres://…] [BENCH_SCHEMA=bench_…] node --import tsx bench/export.ts [national|N, default 500]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { EMPTY_PERIMETER, type AccessProfile, type Principal } from '../src/auth/principal.ts';
import { ExportService, parseExportKickOff } from '../src/fhir/export.ts';
import { formatAmount, formatDuration } from '../src/importers/progress.ts';
import { datasetSummary, machine, openSeededBenchDatabase } from './bench-db.ts';

const arg = process.argv[2] ?? '500';
const scale = arg === 'national' ? 'national' : Number(arg);

const { db, label, done } = await openSeededBenchDatabase(scale);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ror-bench-export-'));
try {
  console.log(`\nbench/export — ${label}; ${machine()}`);
  console.log(`dataset: ${await datasetSummary(db)}`);
  for (const profile of [1, 2] as AccessProfile[]) {
    const principal: Principal = { kind: 'client', id: `bench-${profile}`, label: 'bench', scopes: ['read'], perimeter: EMPTY_PERIMETER, profile, client: 'bench' };
    const service = new ExportService(db, { dir });
    const rssBefore = process.memoryUsage().rss;
    let peakRss = rssBefore;
    let peakHeap = 0;
    const sampler = setInterval(() => {
      const m = process.memoryUsage();
      peakRss = Math.max(peakRss, m.rss);
      peakHeap = Math.max(peakHeap, m.heapUsed + m.external);
    }, 50);
    const cpuBefore = process.cpuUsage();
    const started = performance.now();
    const id = await service.kickOff(principal, parseExportKickOff(undefined, {}, 'respond-async'), 'bench');
    let status = await service.status(principal, id, 'http://bench/fhir');
    while (status.state === 'in-progress') {
      await sleep(100);
      status = await service.status(principal, id, 'http://bench/fhir');
    }
    const ms = performance.now() - started;
    const cpu = process.cpuUsage(cpuBefore);
    clearInterval(sampler);
    await service.close();
    if (status.state !== 'completed') throw new Error(`export failed: ${JSON.stringify(status)}`);
    const exported = status.manifest.output.reduce((n, o) => n + o.count, 0);
    const bytes = status.manifest.output.reduce((n, o) => n + fs.statSync(path.join(dir, id, `${o.type}.ndjson`)).size, 0);
    console.log(
      `Profil ${profile}: ${exported} resources in ${formatDuration(ms)} (${(ms / 1000).toFixed(1)} s), ${Math.round(exported / (ms / 1000))} resources/s, ` +
        `${formatAmount(bytes, 'bytes')} of ndjson; Node CPU ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s; RSS ${formatAmount(rssBefore, 'bytes')} before, ` +
        `peak ${formatAmount(peakRss, 'bytes')}; peak heap + external ${formatAmount(peakHeap, 'bytes')}; load average ${os.loadavg()[0]?.toFixed(1)}`,
    );
    fs.rmSync(path.join(dir, id), { recursive: true, force: true });
  }
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
  await done();
}

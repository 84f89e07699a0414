/**
 * Beds benchmark, over HTTP against a server in a process of its own (bench/beds-server.ts) on the synthetic
 * dataset:
 * 1. board load: time and heap of the in-memory board at start;
 * 2. update throughput: `PUT /api/beds/units/{id}` from 16 concurrent loops on distinct units for 20 s, then
 *    `POST /api/beds/updates` batches of 50 units from 4 loops;
 * 3. propagation at 200 updates/s while 200 searches/s run (half the critical-care board of a department, half
 *    the FHIR available-bed search near a commune), open loop but never more than 64 requests waiting: from each
 *    acknowledged update to its `unit` event on an open SSE stream, and to the board's answer
 *    (`GET /api/beds/units/{id}` polled for one update in ten);
 * 4. SSE clients: N streams held for D seconds while 20 updates/s go on, with the server's RSS sampled.
 * Run: DATABASE_URL=postgres://… [BENCH_SCHEMA=bench_…] node --import tsx bench/beds.ts [national|N=500] [sse clients=1000] [hold seconds=60]
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import { createInterface } from 'node:readline';
import type { Location } from '@medplum/fhirtypes';
import { getCommuneCog, SYSTEM } from '../src/model/index.ts';
import { datasetSummary, machine, openSeededBenchDatabase, percentile } from './bench-db.ts';

if (!process.env.DATABASE_URL) throw new Error('bench/beds.ts needs DATABASE_URL: the server runs in a process of its own, on the same PostgreSQL database');
const arg = process.argv[2] ?? '500';
const scale = arg === 'national' ? 'national' : Number(arg);
const sseClients = Number(process.argv[3] ?? 1000);
const holdSeconds = Number(process.argv[4] ?? 60);
const THROUGHPUT_SECONDS = 20;
const THROUGHPUT_LOOPS = 16;
const PROPAGATION_SECONDS = 30;
const RATE = 200;
const BATCH = 50;
const BATCH_LOOPS = 4;
const MAX_IN_FLIGHT = 64;
const UNITS = 4000;

const { db, label, done } = await openSeededBenchDatabase(scale);
const schema = (await db.pool.query<{ s: string }>('SELECT current_schema() AS s')).rows[0]?.s;
const { rows: sample } = await db.pool.query<{ id: string; installed: number; content: Location }>(
  `SELECT r.id, i.nb_capacity AS installed, r.content FROM resource r
   JOIN sp_capacity i ON i.resource_type = 'Location' AND i.id = r.id AND i.capacity_status = '01' AND i.temporality = '01' AND i.gender IS NULL
   WHERE r.resource_type = 'Location' AND NOT r.deleted
     AND EXISTS (SELECT 1 FROM sp_capacity d WHERE d.resource_type = 'Location' AND d.id = r.id AND d.capacity_status = '02')
   ORDER BY md5(r.id) LIMIT ${UNITS}`,
);
if (sample.length < THROUGHPUT_LOOPS) throw new Error(`only ${sample.length} units with an available figure in the dataset`);
const communes = [...new Set(sample.map((s) => getCommuneCog(s.content)).filter((c): c is string => c !== undefined))];
const departments = [...new Set(communes.map((c) => (c.startsWith('97') ? c.slice(0, 3) : c.slice(0, 2))))];
const summary = await datasetSummary(db);

const server = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', 'bench/beds-server.ts'], {
  env: { ...process.env, BENCH_DB_SCHEMA: schema },
  stdio: ['pipe', 'pipe', 'inherit'],
});
const ready = JSON.parse(await new Promise<string>((resolve, reject) => {
  createInterface({ input: server.stdout }).once('line', resolve);
  server.once('exit', (code) => reject(new Error(`bench/beds-server.ts exited (${code})`)));
})) as { url: string; token: string; units: number; loadMs: number; boardHeapBytes: number };
const { url, token } = ready;
const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

function request(method: string, path: string, body?: unknown): Promise<{ status: number; json: any }> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = http.request(`${url}${path}`, { method, agent, headers: { authorization: `Bearer ${token}`, ...(payload ? { 'content-type': 'application/json' } : {}) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, json: chunks.length > 0 ? JSON.parse(Buffer.concat(chunks).toString()) : undefined }));
    });
    req.on('error', reject);
    req.end(payload);
  });
}

let round = 0;
/** One update of a unit: its available count moves inside its installed capacity. */
async function update(i: number): Promise<{ id: string; versionId: string; ms: number }> {
  const unit = sample[i % sample.length] as (typeof sample)[number];
  const available = (round++ * 7 + i) % (Math.max(1, unit.installed) + 1);
  const t = performance.now();
  const res = await request('PUT', `/api/beds/units/${unit.id}`, { counts: [{ status: '02', count: available }], source: '02' });
  if (res.status !== 200) throw new Error(`PUT ${unit.id} answered ${res.status}: ${JSON.stringify(res.json)}`);
  return { id: unit.id, versionId: res.json.versionId as string, ms: performance.now() - t };
}

const stats = (xs: number[]): string => {
  const s = [...xs].sort((a, b) => a - b);
  return `p50 ${percentile(s, 50).toFixed(1)} ms, p95 ${percentile(s, 95).toFixed(1)} ms, p99 ${percentile(s, 99).toFixed(1)} ms, max ${(s.at(-1) ?? 0).toFixed(1)} ms (n=${s.length})`;
};

/** An SSE stream calling `onUnit` with each unit event's id and version. */
function openStream(onUnit: (id: string, versionId: string) => void): Promise<http.ClientRequest> {
  return new Promise((resolve, reject) => {
    const req = http.get(`${url}/api/beds/stream`, { agent: false, headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream' } }, (res) => {
      if (res.statusCode !== 200) return reject(new Error(`stream answered ${res.statusCode}`));
      let buffer = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffer += chunk;
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          if (!block.startsWith('event: unit\n')) continue;
          const data = block.slice(block.indexOf('data: ') + 6);
          const m = /^\{"id":"([^"]+)","versionId":"(\d+)"/.exec(data);
          if (m) onUnit(m[1] as string, m[2] as string);
        }
      });
      resolve(req);
    });
    req.on('error', reject);
  });
}

const serverRss = (): number => {
  const status = fs.readFileSync(`/proc/${server.pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) * 1024;
};
const mb = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(0)} MB`;

console.log(`bench/beds — ${label}; ${machine()}`);
console.log(`dataset: ${summary}`);
console.log(`1. board: ${ready.units} units loaded in ${(ready.loadMs / 1000).toFixed(2)} s, heap +${mb(ready.boardHeapBytes)}`);

// 2. Throughput.
{
  const latencies: number[] = [];
  const deadline = performance.now() + THROUGHPUT_SECONDS * 1000;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: THROUGHPUT_LOOPS }, async (_, loop) => {
      for (let k = 0; performance.now() < deadline; k++) latencies.push((await update(loop + k * THROUGHPUT_LOOPS)).ms);
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  console.log(`2. updates: ${(latencies.length / seconds).toFixed(0)} updates/s with ${THROUGHPUT_LOOPS} concurrent clients for ${seconds.toFixed(0)} s; latency ${stats(latencies)}`);
}

// 2b. Batches, as bed-management software sends a whole establishment.
{
  const latencies: number[] = [];
  let written = 0;
  const deadline = performance.now() + THROUGHPUT_SECONDS * 1000;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: BATCH_LOOPS }, async (_, loop) => {
      for (let k = 0; performance.now() < deadline; k++) {
        const first = ((loop + k * BATCH_LOOPS) * BATCH) % sample.length;
        const units = Array.from({ length: BATCH }, (_, j) => sample[(first + j) % sample.length] as (typeof sample)[number]);
        const t = performance.now();
        const res = await request('POST', '/api/beds/updates', {
          units: units.map((u, j) => ({ id: u.id, counts: [{ status: '02', count: (round++ + j) % (Math.max(1, u.installed) + 1) }], source: '02' })),
        });
        if (res.status !== 200) throw new Error(`POST /api/beds/updates answered ${res.status}: ${JSON.stringify(res.json)}`);
        latencies.push(performance.now() - t);
        written += units.length;
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  console.log(`2b. batches: ${(written / seconds).toFixed(0)} updates/s in batches of ${BATCH} units from ${BATCH_LOOPS} concurrent clients for ${seconds.toFixed(0)} s; batch latency ${stats(latencies)}`);
}

// 3. Propagation.
{
  // The server applies a change to its board before answering it, so an event may come before its acknowledgement.
  const acked = new Map<string, number>();
  const early = new Map<string, number>();
  const toStream: number[] = [];
  const stream = await openStream((id, versionId) => {
    const key = `${id}/${versionId}`;
    const at = acked.get(key);
    if (at === undefined) early.set(key, performance.now());
    else {
      toStream.push(performance.now() - at);
      acked.delete(key);
    }
  });
  const toBoard: number[] = [];
  const searches: number[] = [];
  let errors = 0;
  const pending: Promise<unknown>[] = [];
  const started = performance.now();
  let sent = 0;
  let searched = 0;
  // Open loop, but a request that would make more than MAX_IN_FLIGHT wait is not sent (and counted as dropped).
  let inFlight = 0;
  let dropped = 0;
  let dropped2 = 0;
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      const elapsed = (performance.now() - started) / 1000;
      if (elapsed >= PROPAGATION_SECONDS) {
        clearInterval(timer);
        resolve();
        return;
      }
      while (sent + dropped < elapsed * RATE) {
        if (inFlight >= MAX_IN_FLIGHT) {
          dropped++;
          continue;
        }
        const i = sent++;
        inFlight++;
        pending.push(
          update(i * 13).then(async ({ id, versionId }) => {
            const ackAt = performance.now();
            if (early.delete(`${id}/${versionId}`)) toStream.push(0);
            else acked.set(`${id}/${versionId}`, ackAt);
            if (i % 10 !== 0) return;
            for (;;) {
              const res = await request('GET', `/api/beds/units/${id}`);
              if (Number(res.json?.versionId) >= Number(versionId)) break;
              await new Promise((r) => setTimeout(r, 2));
            }
            toBoard.push(performance.now() - ackAt);
          })
            .catch(() => void errors++)
            .finally(() => void inFlight--),
        );
      }
      while (searched + dropped2 < elapsed * RATE) {
        if (inFlight >= MAX_IN_FLIGHT) {
          dropped2++;
          continue;
        }
        const i = searched++;
        inFlight++;
        const t = performance.now();
        const path =
          i % 2 === 0
            ? `/api/beds?department=${departments[i % departments.length]}&activity=127,130,351,354,356`
            : `/fhir/Location?near-insee-code=${communes[i % communes.length]}|15|km&capacity-status=${encodeURIComponent(`${SYSTEM.typeStatutCapacite}|02`)}&nb-capacity=gt0&_count=20`;
        pending.push(
          request('GET', path)
            .then((r) => (r.status === 200 ? searches.push(performance.now() - t) : errors++))
            .catch(() => void errors++)
            .finally(() => void inFlight--),
        );
      }
    }, 5);
  });
  await Promise.all(pending);
  await new Promise((r) => setTimeout(r, 1000));
  stream.destroy();
  console.log(
    `3. propagation, aiming at ${RATE} updates/s and ${RATE} searches/s for ${PROPAGATION_SECONDS} s: ${(sent / PROPAGATION_SECONDS).toFixed(0)} updates/s and ${(searched / PROPAGATION_SECONDS).toFixed(0)} searches/s sent (${dropped} updates and ${dropped2} searches not sent, ${MAX_IN_FLIGHT} already waiting), ${errors} errors, ${acked.size} updates never seen on the stream:`,
  );
  console.log(`   acknowledged update → SSE event (0 when the event came first): ${stats(toStream)}`);
  console.log(`   acknowledged update → board answer (GET /api/beds/units/{id}): ${stats(toBoard)}`);
  console.log(`   searches meanwhile: ${stats(searches)}`);
}

// 4. Many SSE clients held.
{
  let received = 0;
  const streams: http.ClientRequest[] = [];
  for (let i = 0; i < sseClients; i++) streams.push(await openStream(() => void received++));
  const rss: number[] = [serverRss()];
  const started = performance.now();
  let k = 0;
  const updates = setInterval(() => void update(100_000 + k++).catch(() => undefined), 50);
  const sampler = setInterval(() => rss.push(serverRss()), 10_000);
  await new Promise((r) => setTimeout(r, holdSeconds * 1000));
  clearInterval(updates);
  clearInterval(sampler);
  rss.push(serverRss());
  for (const s of streams) s.destroy();
  const seconds = (performance.now() - started) / 1000;
  console.log(
    `4. ${sseClients} SSE clients held ${seconds.toFixed(0)} s with 20 updates/s: ${received} events received (${(received / sseClients).toFixed(0)} per client); server RSS ${rss.map(mb).join(' → ')}`,
  );
}

agent.destroy();
server.stdin.end();
await new Promise((r) => server.once('exit', r));
await done();

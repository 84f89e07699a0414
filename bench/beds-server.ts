/**
 * The server side of bench/beds.ts, in a process of its own: opens the benchmark database (BENCH_DB_SCHEMA on
 * DATABASE_URL), loads the bed board (timing it and its memory), starts the
 * app on a free port and prints one JSON line: its URL, a bearer token of a national Profil 1 client with the
 * capacity scope, and the board's load figures. It stops when its standard input closes. With BENCH_CPU_PROFILE=file
 * it writes there a CPU profile of what it did once the board was loaded.
 */
import fs from 'node:fs';
import inspector from 'node:inspector';
import { Authenticator } from '../src/auth/authenticator.ts';
import { loadServerKeys } from '../src/auth/keys.ts';
import { EMPTY_PERIMETER } from '../src/auth/principal.ts';
import { freshnessPolicyFromEnv } from '../src/beds/freshness.ts';
import { openBeds } from '../src/beds/index.ts';
import { openDatabase } from '../src/db/open.ts';
import { buildApp } from '../src/http/app.ts';
import { loadR4Definitions } from '../src/model/index.ts';
import { loadNos } from '../src/nos/index.ts';
import { Repository } from '../src/store/repository.ts';

loadNos();
loadR4Definitions();
const db = await openDatabase({ databaseUrl: process.env.DATABASE_URL, schema: process.env.BENCH_DB_SCHEMA });
const repo = new Repository(db);
const auth = new Authenticator(db, { keys: await loadServerKeys(db, 'bench secret of at least thirty-two characters'), sessionIdleMinutes: 60, sessionAbsoluteHours: 8, tokenTtlSeconds: 86_400 });
global.gc?.();
const heapBefore = process.memoryUsage().heapUsed;
const started = performance.now();
const beds = await openBeds(db, repo, { policy: freshnessPolicyFromEnv(process.env) });
const loadMs = performance.now() - started;
global.gc?.();
const heapAfter = process.memoryUsage().heapUsed;
const app = await buildApp({ repo, db, auth, beds, rateLimitPerMinute: 10_000_000 });
const url = await app.listen({ port: 0, host: '127.0.0.1' });
const { client_id } = await auth.clients.create({ name: 'bench beds', scopes: ['read', 'write-capacities'], perimeter: { ...EMPTY_PERIMETER, national: true }, profileCodes: ['CU22'] });
const client = await auth.clients.get(client_id);
if (!client) throw new Error('bench client vanished');
const { access_token } = await auth.tokens.issue(client);
const profile = process.env.BENCH_CPU_PROFILE ? new inspector.Session() : undefined;
if (profile) {
  profile.connect();
  await new Promise((resolve) => profile.post('Profiler.enable', () => profile.post('Profiler.start', resolve)));
}
process.stdout.write(`${JSON.stringify({ url, token: access_token, units: beds.board.size, loadMs, boardHeapBytes: heapAfter - heapBefore })}\n`);
process.stdin.resume();
process.stdin.on('end', () => {
  void (async () => {
    if (profile) {
      const written = await new Promise<unknown>((resolve) => profile.post('Profiler.stop', (_err, result) => resolve(result.profile)));
      fs.writeFileSync(process.env.BENCH_CPU_PROFILE as string, JSON.stringify(written));
    }
    await app.close();
    await beds.close();
    await db.close();
    process.exit(0);
  })();
});

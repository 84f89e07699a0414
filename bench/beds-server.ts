/**
 * The server side of bench/beds.ts, in a process of its own: opens the benchmark database (BENCH_DB_SCHEMA on
 * DATABASE_URL), loads the bed board (timing it and its memory), starts the
 * app on a free port and prints one JSON line: its URL, a bearer token of a national Profil 1 client with the
 * capacity scope, and the board's load figures. It stops when its standard input closes.
 */
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
process.stdout.write(`${JSON.stringify({ url, token: access_token, units: beds.board.size, loadMs, boardHeapBytes: heapAfter - heapBefore })}\n`);
process.stdin.resume();
process.stdin.on('end', () => {
  void (async () => {
    await app.close();
    await beds.close();
    await db.close();
    process.exit(0);
  })();
});

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Location } from '@medplum/fhirtypes';
import { userPrincipal } from '../auth/access.test-support.ts';
import { openDatabase, type Database } from '../db/open.ts';
import { openTestDatabase } from '../db/testing.ts';
import { setCapacities } from '../model/index.ts';
import { Repository } from '../store/repository.ts';
import { BEDS, bedsDataset, figures } from './beds.test-support.ts';
import { openBeds, type Beds } from './index.ts';

/*
 * Two servers on one database: on PostgreSQL, two connections pools with their own LISTEN connection, as two
 * processes would have; on the embedded database (one process by design), two boards on the same database.
 */
const regulator = userPrincipal('regulateur', 'reader', {}, 1);
let dbA: Database;
let dbB: Database;
let a: Beds;
let b: Beds;

before(async () => {
  dbA = await openTestDatabase();
  await new Repository(dbA).putBatch(bedsDataset(new Date()));
  const schema = (await dbA.pool.query<{ s: string }>('SELECT current_schema() AS s')).rows[0]?.s;
  dbB = process.env.DATABASE_URL ? await openDatabase({ databaseUrl: process.env.DATABASE_URL, schema }) : dbA;
  a = await openBeds(dbA, new Repository(dbA));
  b = await openBeds(dbB, new Repository(dbB));
});

after(async () => {
  await a.close();
  await b.close();
  if (dbB !== dbA) await dbB.close();
  await dbA.close();
});

async function eventually(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

test('a count written through one server reaches the board and the streams of the other', async () => {
  const heard: string[] = [];
  const stop = b.board.listen((ids) => heard.push(...ids));
  const repoA = new Repository(dbA);
  const current = (await repoA.read('Location', BEDS.units.rea)) as Location;
  const next = structuredClone(current);
  setCapacities(next, figures(20, 7, new Date()));
  await repoA.update(next);
  await eventually(() => b.board.serve(regulator, BEDS.units.rea)?.figures[0]?.available === 7, 'the other board');
  stop();
  assert.ok(heard.includes(BEDS.units.rea));
});

test('a hold placed through one server is deducted on the other, and the last bed is held once across both', async () => {
  const repoA = new Repository(dbA);
  const current = (await repoA.read('Location', BEDS.units.rea)) as Location;
  const next = structuredClone(current);
  setCapacities(next, figures(20, 1, new Date()));
  await repoA.update(next);
  await eventually(() => a.board.serve(regulator, BEDS.units.rea)?.figures[0]?.available === 1 && b.board.serve(regulator, BEDS.units.rea)?.figures[0]?.available === 1, 'both boards');
  const results = await Promise.allSettled([a.holds.place(regulator, BEDS.units.rea, {}), b.holds.place(userPrincipal('regulateur-2', 'reader', {}, 1), BEDS.units.rea, {})]);
  assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
  await eventually(() => a.board.serve(regulator, BEDS.units.rea)?.figures[0]?.availableNow === 0 && b.board.serve(regulator, BEDS.units.rea)?.figures[0]?.availableNow === 0, 'the hold on both boards');
});

test('one server only watches plausibility', () => {
  assert.equal(Number(a.watcher.leading) + Number(b.watcher.leading), process.env.DATABASE_URL ? 1 : 2);
});

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { BEDS, bedsDataset } from '../beds/beds.test-support.ts';
import { openBeds, type Beds } from '../beds/index.ts';
import { buildApp } from './app.ts';
import { clientToken, openTestApp, type TestApp } from './app.test-support.ts';

let t: TestApp;
let beds: Beds | undefined;

before(async () => {
  t = await openTestApp({ seed: async (repo) => void (await repo.putBatch(bedsDataset(new Date()))) });
});
after(async () => {
  await beds?.close();
  await t.close();
});

test('while the board loads the beds API answers 503 with Retry-After and /healthz says so; then it serves', { skip: !process.env.DATABASE_URL && 'holding the load back needs a second connection (PostgreSQL server)' }, async () => {
  const token = (await clientToken(t, ['read'], ['CU22'])).token;
  const blocker = await t.db.pool.connect();
  await blocker.query('BEGIN');
  await blocker.query('LOCK TABLE sp_capacity IN ACCESS EXCLUSIVE MODE');
  beds = await openBeds(t.db, t.repo, { background: true });
  const app = await buildApp({ repo: t.repo, db: t.db, auth: t.auth, beds });
  try {
    const loading = await app.inject({ method: 'GET', url: '/api/beds', headers: { authorization: `Bearer ${token}` } });
    assert.equal(loading.statusCode, 503);
    assert.equal(loading.headers['retry-after'], '5');
    assert.equal(loading.json().error.code, 'loading');
    assert.deepEqual((await app.inject({ method: 'GET', url: '/healthz' })).json(), { status: 'ok', beds: 'loading' });
    assert.equal((await app.inject({ method: 'GET', url: '/fhir/Location?_count=1', headers: { authorization: `Bearer ${token}` } })).statusCode, 200, 'the rest of the server serves');
    await blocker.query('COMMIT');
    await beds.board.ready;
    const served = await app.inject({ method: 'GET', url: '/api/beds', headers: { authorization: `Bearer ${token}` } });
    assert.equal(served.statusCode, 200);
    assert.equal(served.json().units.length, Object.keys(BEDS.units).length);
    assert.deepEqual((await app.inject({ method: 'GET', url: '/healthz' })).json(), { status: 'ok', beds: 'ready' });
  } finally {
    blocker.release();
    await app.close();
  }
});

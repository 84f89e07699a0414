import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Database } from '../db/open.ts';
import { openTestDatabase } from '../db/testing.ts';
import { buildDemoDataset } from '../importers/demo/index.ts';
import { Repository } from '../store/repository.ts';
import { AccountStore } from './accounts.ts';
import { ClientStore } from './clients.ts';
import { createDemoAccounts, formatDemoCredentials } from './demo-accounts.ts';

let db: Database;
let repo: Repository;
const DEMO_IDS = new Set(['ej-440000289', 'eg-440000271', 'loc-440000271-rea-adulte']);

before(async () => {
  db = await openTestDatabase();
  repo = new Repository(db);
  await repo.putBatch(buildDemoDataset().filter((r) => DEMO_IDS.has(r.id ?? '')));
});
after(() => db.close());

test('the demo accounts (one per role) and API client are created once, with working credentials', async () => {
  const created = await createDemoAccounts(db, repo);
  const accounts = new AccountStore(db);
  const byEmail = new Map((await accounts.list()).map((a) => [a.email, a]));
  assert.deepEqual(
    [...byEmail.values()].map((a) => [a.email, a.role]),
    [
      ['admin-pdl@ror.demo', 'regional-admin'],
      ['admin@ror.demo', 'national-admin'],
      ['ide.rea.chu-nantes@ror.demo', 'capacity-operator'],
      ['lecteur@ror.demo', 'reader'],
      ['referent.chu-nantes@ror.demo', 'referent'],
    ],
  );
  assert.equal(byEmail.get('admin@ror.demo')?.perimeter.national, true);
  assert.deepEqual(byEmail.get('admin-pdl@ror.demo')?.perimeter.regions, ['52']);
  assert.deepEqual(byEmail.get('referent.chu-nantes@ror.demo')?.perimeter.organizations, ['ej-440000289']);
  assert.deepEqual(byEmail.get('ide.rea.chu-nantes@ror.demo')?.perimeter.locations, ['loc-440000271-rea-adulte']);
  for (const c of created) {
    if (c.kind === 'account') assert.ok(await accounts.verifyLogin(c.email, c.password), c.email);
  }
  const client = created.find((c) => c.kind === 'client');
  assert.ok(client?.kind === 'client');
  const verified = await new ClientStore(db).verify(client.clientId, client.clientSecret);
  assert.deepEqual([verified?.name, verified?.scopes, verified?.perimeter.organizations], ['Logiciel de gestion des lits (démo)', ['read', 'write-capacities'], ['ej-440000289']]);

  const table = formatDemoCredentials(created);
  for (const c of created) assert.ok(table.includes(c.kind === 'account' ? c.password : c.clientSecret));
  assert.match(table, /Mot de passe \/ password/);

  assert.deepEqual(await createDemoAccounts(db, repo), [], 'nothing new the second time');
  assert.equal((await accounts.list()).length, 5);
  assert.equal((await new ClientStore(db).list()).length, 1);
});

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Location, Organization } from '@medplum/fhirtypes';
import type { Database } from '../../db/open.ts';
import { openTestDatabase } from '../../db/testing.ts';
import { getOrganizationPeriod, getPosition } from '../../model/index.ts';
import { Repository } from '../../store/repository.ts';
import { searchResources } from '../../store/search.ts';
import { EJ, GEO, REAL_ET, REAL_GEO, ej501, et507, tempDir, type TempDir } from './fixtures.test-support.ts';
import { importFinessFiles } from './import.ts';

let db: Database;
let repo: Repository;
let dir: TempDir;
before(async () => {
  db = await openTestDatabase();
  repo = new Repository(db);
  dir = await tempDir();
});
after(async () => {
  await db.close();
  await dir.remove();
});

async function byFiness(finess: string): Promise<string[]> {
  const { resources } = await searchResources(db, {
    resourceType: 'Organization',
    filters: [{ kind: 'token', code: 'identifier', values: [{ system: 'http://finess.esante.gouv.fr', code: finess }], not: false }],
    count: 10,
    offset: 0,
    total: false,
  });
  return resources.map((r) => r.id as string);
}

test('real FINESS lines imported into the store are searchable, and a re-import changes nothing', async () => {
  const files = [
    await dir.write('ej.csv', ej501([EJ.bourg, EJ.chuReunion, EJ.chCayenne, EJ.messo])),
    await dir.write('et.csv', et507([REAL_ET.fleyriat, REAL_ET.felixGuyon, REAL_ET.ehpadCayenne, REAL_ET.mavouna], [REAL_GEO.fleyriat, GEO.felixGuyon, GEO.cayenne, GEO.mavouna])),
  ];
  const first = await importFinessFiles(files, repo);
  assert.deepEqual(first.rejected, []);
  assert.equal(first.created, 12);
  assert.deepEqual(await byFiness('010000024'), ['eg-010000024']);
  const position = getPosition((await repo.read('Location', 'site-010000024')) as Location);
  assert.ok(position && Math.abs(position.latitude - 46.222286) < 1e-5 && Math.abs(position.longitude - 5.209181) < 1e-5, JSON.stringify(position));

  const again = await importFinessFiles(files, repo);
  assert.deepEqual({ created: again.created, updated: again.updated, unchanged: again.unchanged }, { created: 0, updated: 0, unchanged: 12 });
  assert.equal((await repo.read('Organization', 'eg-010000024')).meta?.versionId, '1');
});

test('a structure missing from a newer stock is closed in the store, its earlier version kept', async () => {
  const newer = await dir.write('et-newer.csv', et507([REAL_ET.fleyriat, REAL_ET.felixGuyon, REAL_ET.mavouna], [REAL_GEO.fleyriat, GEO.felixGuyon, GEO.mavouna], 'finess;etalab;99;2026-07-07'));
  const s = await importFinessFiles([newer], repo);
  assert.ok(s.closed >= 1);
  const closed = (await repo.read('Organization', 'eg-970302287')) as Organization;
  assert.equal(closed.active, false);
  assert.equal(getOrganizationPeriod(closed)?.end, '2026-07-07');
  assert.deepEqual((await repo.history('Organization', 'eg-970302287')).map((h) => h.versionId), ['2', '1']);
});

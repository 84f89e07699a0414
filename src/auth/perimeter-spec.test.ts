import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Database } from '../db/open.ts';
import { openTestDatabase } from '../db/testing.ts';
import { buildDemoDataset } from '../importers/demo/index.ts';
import { Repository } from '../store/repository.ts';
import { AuthError } from './errors.ts';
import { resolvePerimeter } from './perimeter-spec.ts';
import { EMPTY_PERIMETER } from './principal.ts';

let db: Database;
let repo: Repository;
const DEMO_IDS = new Set(['ej-440000289', 'eg-440000271', 'site-440000271', 'loc-440000271-rea-adulte', 'hs-440000271-rea-adulte']);

before(async () => {
  db = await openTestDatabase();
  repo = new Repository(db);
  await repo.putBatch(buildDemoDataset().filter((r) => DEMO_IDS.has(r.id ?? '')));
});
after(() => db.close());

const refused = (...mentions: string[]) => (err: unknown) =>
  err instanceof AuthError && err.status === 400 && err.code === 'invalid-perimeter' && mentions.every((m) => err.message.includes(m));

test('a national admin is national and takes no id', async () => {
  assert.deepEqual(await resolvePerimeter(repo, 'national-admin', []), { ...EMPTY_PERIMETER, national: true });
  await assert.rejects(resolvePerimeter(repo, 'national-admin', ['52']), refused('52'));
});

test('a regional admin names JDV_J237 regions, at least one', async () => {
  assert.deepEqual(await resolvePerimeter(repo, 'regional-admin', ['52', '53', '52']), { ...EMPTY_PERIMETER, regions: ['52', '53'] });
  await assert.rejects(resolvePerimeter(repo, 'regional-admin', ['52', '99', 'ej-440000289']), refused('99', 'ej-440000289'));
  await assert.rejects(resolvePerimeter(repo, 'regional-admin', []), refused('regional-admin'));
});

test('a referent names Organizations by id, reference or FINESS number', async () => {
  assert.deepEqual(await resolvePerimeter(repo, 'referent', ['eg-440000271', 'Organization/ej-440000289']), {
    ...EMPTY_PERIMETER,
    organizations: ['eg-440000271', 'ej-440000289'],
  });
  assert.deepEqual(await resolvePerimeter(repo, 'referent', ['440000289']), { ...EMPTY_PERIMETER, organizations: ['ej-440000289'] });
  await assert.rejects(resolvePerimeter(repo, 'referent', ['eg-999999999', '999999999', 'Location/loc-440000271-rea-adulte', '52']), refused('eg-999999999', '999999999', 'Location/loc-440000271-rea-adulte', '52'));
});

test('a capacity operator names Locations and HealthcareServices, bare or as references', async () => {
  assert.deepEqual(await resolvePerimeter(repo, 'capacity-operator', ['loc-440000271-rea-adulte', 'HealthcareService/hs-440000271-rea-adulte']), {
    ...EMPTY_PERIMETER,
    services: ['hs-440000271-rea-adulte'],
    locations: ['loc-440000271-rea-adulte'],
  });
  assert.deepEqual(await resolvePerimeter(repo, 'capacity-operator', ['hs-440000271-rea-adulte']), { ...EMPTY_PERIMETER, services: ['hs-440000271-rea-adulte'] });
  await assert.rejects(resolvePerimeter(repo, 'capacity-operator', ['ej-440000289']), refused('ej-440000289'));
  await assert.rejects(resolvePerimeter(repo, 'capacity-operator', []), refused('capacity-operator'));
});

test('a reader and a client may name nothing or anything', async () => {
  assert.deepEqual(await resolvePerimeter(repo, 'reader', []), EMPTY_PERIMETER);
  assert.deepEqual(await resolvePerimeter(repo, 'client', ['52', '440000271', 'loc-440000271-rea-adulte']), {
    ...EMPTY_PERIMETER,
    regions: ['52'],
    organizations: ['eg-440000271'],
    locations: ['loc-440000271-rea-adulte'],
  });
  await assert.rejects(resolvePerimeter(repo, 'client', ['Practitioner/x', 'nothing-here']), refused('Practitioner/x', 'nothing-here'));
});

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { HealthcareService } from '@medplum/fhirtypes';
import { buildHealthcareService } from '../../model/index.ts';
import { Repository } from '../../store/repository.ts';
import type { Database } from '../open.ts';
import { openTestDatabase } from '../testing.ts';
import { down, up } from './0006_json_content.ts';

let db: Database;
let repo: Repository;

before(async () => {
  db = await openTestDatabase();
  repo = new Repository(db);
});
after(async () => {
  await db.close();
});

function offer(id: string, sensitive: boolean): HealthcareService {
  return buildHealthcareService({
    id,
    identifier: `52/${id}`,
    name: 'Psychiatrie adulte',
    providedBy: 'Organization/eg-440000271',
    champActivite: '03',
    activite: '183',
    careMode: '28',
    patientType: { ageRange: { low: { value: 18, unit: 'a' }, high: { value: 120, unit: 'a' } } },
    sensitiveUnit: sensitive,
    region: '52',
    origin: 'synthetic',
  });
}

async function contentColumns(): Promise<string[]> {
  const { rows } = await db.pool.query<{ c: string }>(
    `SELECT attrelid::regclass::text || ' ' || atttypid::regtype::text || ' ' || attcompression::text AS c FROM pg_attribute
     WHERE attrelid IN ('resource'::regclass, 'resource_history'::regclass) AND attname = 'content' ORDER BY 1`,
  );
  return rows.map((r) => r.c);
}

async function flags(): Promise<Record<string, boolean>> {
  const { rows } = await db.pool.query<{ id: string; sensitive: boolean }>("SELECT id, sensitive FROM resource WHERE resource_type = 'HealthcareService'");
  return Object.fromEntries(rows.map((r) => [r.id, r.sensitive]));
}

test('0006 turns content into json, keeping its compression, and flags the current sensitive units; down reverses it', async () => {
  const written = [(await repo.update(offer('hs-sensitive', true))).resource];
  await repo.update(offer('hs-was-sensitive', true));
  written.push((await repo.update(offer('hs-was-sensitive', false))).resource);
  await repo.update(offer('hs-deleted', true));
  await repo.delete('HealthcareService', 'hs-deleted');
  const migrated = await contentColumns();
  assert.ok(migrated.every((c) => c.includes(' json ')), migrated.join(', '));
  // lz4 on PostgreSQL (set by 0002), the default on PGlite, which has no lz4
  if (process.env.DATABASE_URL) assert.ok(migrated.every((c) => c.endsWith(' l')), migrated.join(', '));

  await down(db.kysely);
  assert.deepEqual(await contentColumns(), migrated.map((c) => c.replace(' json ', ' jsonb ')));
  const { rows } = await db.pool.query("SELECT 1 FROM pg_attribute WHERE attrelid = 'resource'::regclass AND attname = 'sensitive' AND NOT attisdropped");
  assert.equal(rows.length, 0);

  await up(db.kysely);
  assert.deepEqual(await contentColumns(), migrated);
  assert.deepEqual(await flags(), { 'hs-sensitive': true, 'hs-was-sensitive': false, 'hs-deleted': false });
  for (const r of written) assert.deepEqual(await repo.read('HealthcareService', r.id as string), r);
  assert.equal((await repo.history('HealthcareService', 'hs-was-sensitive')).length, 2);
});

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { bedsDataset, BEDS } from '../../beds/beds.test-support.ts';
import { Repository } from '../../store/repository.ts';
import type { Database } from '../open.ts';
import { openTestDatabase } from '../testing.ts';
import { down, up } from './0008_capacity_source_comment.ts';

let db: Database;

before(async () => {
  db = await openTestDatabase();
  await new Repository(db).putBatch(bedsDataset(new Date('2026-11-22T03:10:00Z')));
});
after(async () => {
  await db.close();
});

const rowsOf = async (id: string): Promise<{ capacity_status: string; source_type: string | null }[]> =>
  (await db.pool.query<{ capacity_status: string; source_type: string | null }>('SELECT capacity_status, source_type FROM sp_capacity WHERE id = $1 ORDER BY entry', [id])).rows;

test('0008 gives every capacity row its source; down removes the columns, up fills them again', async () => {
  const written = await rowsOf(BEDS.units.rea);
  assert.deepEqual(written, [
    { capacity_status: '01', source_type: '02' },
    { capacity_status: '02', source_type: '02' },
    { capacity_status: '03', source_type: '02' },
  ]);
  await down(db.kysely);
  const { rows } = await db.pool.query<{ n: string }>("SELECT count(*) AS n FROM information_schema.columns WHERE table_name = 'sp_capacity' AND column_name IN ('source_type', 'comment') AND table_schema = current_schema()");
  assert.equal(rows[0]?.n, '0');
  await up(db.kysely);
  assert.deepEqual(await rowsOf(BEDS.units.rea), written);
  const { rows: all } = await db.pool.query<{ n: string }>('SELECT count(*) AS n FROM sp_capacity WHERE source_type IS NULL');
  assert.equal(all[0]?.n, '0');
});

import type { Resource } from '@medplum/fhirtypes';
import { sql, type Kysely } from 'kysely';
import { StoreError } from '../../store/errors.ts';
import { capacityColumns } from '../../store/index-types.ts';
import { capacityIndex } from '../../store/indexing.ts';

/** Locations read per backfill batch. */
const BATCH = 500;
/** The columns of `sp_capacity` as this migration creates them (later ones add more). */
const COLUMNS =
  'resource_type text, id text, entry int, capacity_type text, capacity_status text, temporality text, gender text, closing_type text, ' +
  'additional_bed_type text, crisis_type text, temporary_assignment text, nb_capacity int, update_low timestamptz, update_high timestamptz';

/**
 * `sp_capacity`: one row per `ror-location-supported-capacity` entry of a current Location (`entry` = its rank),
 * so that capacity criteria can be required of one and the same entry. Filled at write time like the other
 * `sp_*` tables; existing Locations are indexed here.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE sp_capacity (
      resource_type text NOT NULL,
      id text NOT NULL,
      entry integer NOT NULL,
      capacity_type text NOT NULL,
      capacity_status text NOT NULL,
      temporality text NOT NULL,
      gender text,
      closing_type text,
      additional_bed_type text,
      crisis_type text,
      temporary_assignment text NOT NULL,
      nb_capacity integer NOT NULL,
      update_low timestamptz NOT NULL,
      update_high timestamptz NOT NULL
    )`.execute(db);
  await sql`CREATE INDEX sp_capacity_resource ON sp_capacity (resource_type, id)`.execute(db);
  await sql`CREATE INDEX sp_capacity_status ON sp_capacity (resource_type, capacity_status, nb_capacity)`.execute(db);
  await backfillCapacities(db, COLUMNS, false);
}

/**
 * Indexes the capacity entries of every current Location into the `columns` of `sp_capacity` (name type, …);
 * with `replace`, the rows already there are replaced.
 */
export async function backfillCapacities(db: Kysely<unknown>, columns: string, replace: boolean): Promise<void> {
  const names = columns.split(',').map((c) => c.trim().split(' ')[0] as string).join(', ');
  let after = '';
  for (;;) {
    const { rows } = await sql<{ id: string; content: Resource }>`
      SELECT id, content FROM resource
      WHERE resource_type = 'Location' AND NOT deleted AND id > ${after}
      ORDER BY id LIMIT ${BATCH}`.execute(db);
    if (rows.length === 0) return;
    after = rows[rows.length - 1]?.id as string;
    const entries = rows.flatMap(({ id, content }) => {
      let index;
      try {
        index = capacityIndex(content);
      } catch (err) {
        // Stored before validation required these parts: the next write of the Location is refused until fixed.
        if (err instanceof StoreError) return [];
        throw err;
      }
      return index.map((e, entry) => ({ resource_type: 'Location', id, entry, ...capacityColumns(e) }));
    });
    if (replace) await sql`DELETE FROM sp_capacity WHERE resource_type = 'Location' AND id = ANY(${rows.map((r) => r.id)})`.execute(db);
    if (entries.length === 0) continue;
    await sql`
      INSERT INTO sp_capacity (${sql.raw(names)})
      SELECT ${sql.raw(names)} FROM json_to_recordset(${JSON.stringify(entries)}::json) AS x(${sql.raw(columns)})`.execute(db);
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE IF EXISTS sp_capacity`.execute(db);
}

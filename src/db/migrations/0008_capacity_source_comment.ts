import { sql, type Kysely } from 'kysely';
import { CAPACITY_COLUMNS } from '../../store/index-types.ts';
import { backfillCapacities } from './0004_capacity_entries.ts';

/**
 * `sp_capacity` rows also carry the source of each figure (typeSourceCapacite, JDV_J193) and its comment, so
 * that the table is the whole capacity view of the current Locations, written with each version.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE sp_capacity ADD COLUMN source_type text, ADD COLUMN comment text`.execute(db);
  await backfillCapacities(db, CAPACITY_COLUMNS, true);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE sp_capacity DROP COLUMN IF EXISTS source_type, DROP COLUMN IF EXISTS comment`.execute(db);
}

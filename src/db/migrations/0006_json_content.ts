import { sql, type Kysely } from 'kysely';
import { EXT } from '../../model/urls.ts';

/**
 * Resource JSON is stored as `json` (its text as written) rather than `jsonb`: reading it back as text, which
 * every read, search page and export does, was 6 times slower from jsonb, and writing it 2.5 times slower
 * (PostgreSQL 15, 100,000 resources of 6 KB). What queries needed jsonb for is an index instead:
 * `resource.sensitive` marks the current HealthcareServices that are sensitive units, set at write time.
 * The text of existing rows is jsonb's output until they are written again.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE resource ADD COLUMN sensitive boolean NOT NULL DEFAULT false`.execute(db);
  const sensitiveUnit = JSON.stringify({ extension: [{ url: EXT.healthcareServiceSensitiveUnit, valueBoolean: true }] });
  await sql`
    UPDATE resource SET sensitive = true
    WHERE resource_type = 'HealthcareService' AND NOT deleted AND content @> ${sensitiveUnit}::jsonb`.execute(db);
  await setContentType(db, 'json');
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await setContentType(db, 'jsonb');
  await sql`ALTER TABLE resource DROP COLUMN sensitive`.execute(db);
}

/**
 * A type change rewrites the column with the default compression and resets its setting: lz4, where 0002 could
 * set it, is set again in the same statement so that the rewrite already uses it.
 */
async function setContentType(db: Kysely<unknown>, type: 'json' | 'jsonb'): Promise<void> {
  for (const table of ['resource', 'resource_history']) {
    const { rows } = await sql<{ lz4: boolean }>`
      SELECT attcompression = 'l' AS lz4 FROM pg_attribute WHERE attrelid = ${table}::regclass AND attname = 'content'`.execute(db);
    const keepLz4 = rows[0]?.lz4 === true ? sql`, ALTER COLUMN content SET COMPRESSION lz4` : sql``;
    await sql`ALTER TABLE ${sql.table(table)} ALTER COLUMN content TYPE ${sql.raw(type)} USING content::${sql.raw(type)}${keepLz4}`.execute(db);
  }
}

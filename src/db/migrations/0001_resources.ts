import { sql, type Kysely } from 'kysely';

/**
 * FHIR resources as JSON, every version kept:
 * - `resource` holds the current version of each resource (a deleted one is a tombstone row);
 * - `resource_history` holds every earlier version.
 * Search values are extracted at write time into the `sp_*` tables (current versions only).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE resource (
      resource_type text NOT NULL,
      id text NOT NULL,
      version_id integer NOT NULL,
      last_updated timestamptz NOT NULL,
      deleted boolean NOT NULL DEFAULT false,
      content jsonb,
      PRIMARY KEY (resource_type, id)
    )`.execute(db);
  await sql`CREATE INDEX resource_last_updated ON resource (resource_type, last_updated, id)`.execute(db);
  await sql`CREATE INDEX resource_changes ON resource (last_updated)`.execute(db);
  await sql`
    CREATE TABLE resource_history (
      resource_type text NOT NULL,
      id text NOT NULL,
      version_id integer NOT NULL,
      last_updated timestamptz NOT NULL,
      deleted boolean NOT NULL,
      content jsonb,
      PRIMARY KEY (resource_type, id, version_id)
    )`.execute(db);
  await sql`CREATE INDEX resource_history_changes ON resource_history (last_updated)`.execute(db);

  await sql`CREATE TABLE sp_token (resource_type text NOT NULL, id text NOT NULL, code text NOT NULL, system text, value text)`.execute(db);
  await sql`CREATE INDEX sp_token_value ON sp_token (resource_type, code, value, system)`.execute(db);
  await sql`CREATE INDEX sp_token_resource ON sp_token (resource_type, id)`.execute(db);

  await sql`CREATE TABLE sp_string (resource_type text NOT NULL, id text NOT NULL, code text NOT NULL, value text NOT NULL, norm text NOT NULL)`.execute(db);
  await sql`CREATE INDEX sp_string_norm ON sp_string (resource_type, code, norm text_pattern_ops)`.execute(db);
  await sql`CREATE INDEX sp_string_resource ON sp_string (resource_type, id)`.execute(db);

  await sql`CREATE TABLE sp_date (resource_type text NOT NULL, id text NOT NULL, code text NOT NULL, low timestamptz, high timestamptz)`.execute(db);
  await sql`CREATE INDEX sp_date_range ON sp_date (resource_type, code, low, high)`.execute(db);
  await sql`CREATE INDEX sp_date_resource ON sp_date (resource_type, id)`.execute(db);

  await sql`CREATE TABLE sp_number (resource_type text NOT NULL, id text NOT NULL, code text NOT NULL, value numeric NOT NULL)`.execute(db);
  await sql`CREATE INDEX sp_number_value ON sp_number (resource_type, code, value)`.execute(db);
  await sql`CREATE INDEX sp_number_resource ON sp_number (resource_type, id)`.execute(db);

  await sql`CREATE TABLE sp_quantity (resource_type text NOT NULL, id text NOT NULL, code text NOT NULL, value numeric NOT NULL, system text, unit text)`.execute(db);
  await sql`CREATE INDEX sp_quantity_value ON sp_quantity (resource_type, code, value)`.execute(db);
  await sql`CREATE INDEX sp_quantity_resource ON sp_quantity (resource_type, id)`.execute(db);

  await sql`CREATE TABLE sp_reference (resource_type text NOT NULL, id text NOT NULL, code text NOT NULL, target_type text, target_id text NOT NULL)`.execute(db);
  await sql`CREATE INDEX sp_reference_target ON sp_reference (target_id, code, resource_type)`.execute(db);
  await sql`CREATE INDEX sp_reference_resource ON sp_reference (resource_type, id)`.execute(db);

  await sql`CREATE TABLE sp_uri (resource_type text NOT NULL, id text NOT NULL, code text NOT NULL, value text NOT NULL)`.execute(db);
  await sql`CREATE INDEX sp_uri_value ON sp_uri (resource_type, code, value)`.execute(db);
  await sql`CREATE INDEX sp_uri_resource ON sp_uri (resource_type, id)`.execute(db);

  await sql`CREATE TABLE sp_position (resource_type text NOT NULL, id text NOT NULL, lat double precision NOT NULL, lon double precision NOT NULL)`.execute(db);
  await sql`CREATE INDEX sp_position_resource ON sp_position (resource_type, id)`.execute(db);
  await sql`CREATE INDEX sp_position_point ON sp_position USING gist (point(lon, lat))`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const t of ['sp_position', 'sp_uri', 'sp_reference', 'sp_quantity', 'sp_number', 'sp_date', 'sp_string', 'sp_token', 'resource_history', 'resource']) {
    await sql`DROP TABLE IF EXISTS ${sql.table(t)}`.execute(db);
  }
}

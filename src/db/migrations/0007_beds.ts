import { sql, type Kysely } from 'kysely';

/**
 * Beds: crises declared for a region or a department (kept after they end), and bed holds — one bed of a unit
 * set aside by a regulator for a short time while a transfer is organised.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE bed_crisis (
      id text PRIMARY KEY,
      scope_kind text NOT NULL CHECK (scope_kind IN ('region', 'department')),
      scope_code text NOT NULL,
      crisis_type text NOT NULL,
      label text,
      starts_at timestamptz NOT NULL,
      ends_at timestamptz,
      declared_by jsonb NOT NULL,
      ended_by jsonb,
      created_at timestamptz NOT NULL DEFAULT now(),
      CHECK (ends_at IS NULL OR ends_at > starts_at)
    )`.execute(db);
  await sql`CREATE INDEX bed_crisis_open ON bed_crisis (ends_at)`.execute(db);
  await sql`
    CREATE TABLE bed_hold (
      id text PRIMARY KEY,
      location_id text NOT NULL,
      capacity_type text NOT NULL,
      gender text,
      state text NOT NULL CHECK (state IN ('held', 'confirmed', 'released')),
      held_by jsonb NOT NULL,
      note text,
      created_at timestamptz NOT NULL,
      expires_at timestamptz NOT NULL,
      ended_at timestamptz,
      ended_by jsonb
    )`.execute(db);
  await sql`CREATE INDEX bed_hold_location ON bed_hold (location_id, expires_at) WHERE state = 'held'`.execute(db);
  await sql`CREATE INDEX bed_hold_expiry ON bed_hold (expires_at) WHERE state = 'held'`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE IF EXISTS bed_hold`.execute(db);
  await sql`DROP TABLE IF EXISTS bed_crisis`.execute(db);
}

import { sql, type Kysely } from 'kysely';

/**
 * Bulk Data `$export` jobs: who asked (owner, and the access profile the files are filtered by), what was asked,
 * where the job stands, and the files it wrote (under the export directory of the instance named `runner`).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE export_job (
      id text PRIMARY KEY,
      owner text NOT NULL,
      context jsonb NOT NULL,
      access_profile smallint NOT NULL,
      request text NOT NULL,
      params jsonb NOT NULL,
      runner text NOT NULL,
      status text NOT NULL,
      progress jsonb,
      transaction_time timestamptz NOT NULL,
      output jsonb,
      error jsonb,
      created_at timestamptz NOT NULL DEFAULT now(),
      finished_at timestamptz,
      expires_at timestamptz NOT NULL
    )`.execute(db);
  await sql`CREATE INDEX export_job_expires ON export_job (expires_at)`.execute(db);
  await sql`CREATE INDEX export_job_runner ON export_job (runner, status)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE IF EXISTS export_job`.execute(db);
}

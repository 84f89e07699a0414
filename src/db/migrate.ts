import { Migrator, type Kysely, type Migration, type MigrationProvider } from 'kysely';
import * as m0001 from './migrations/0001_resources.ts';
import * as m0002 from './migrations/0002_lz4_content.ts';
import * as m0003 from './migrations/0003_access.ts';
import * as m0004 from './migrations/0004_capacity_entries.ts';
import * as m0005 from './migrations/0005_export_jobs.ts';
import * as m0006 from './migrations/0006_json_content.ts';
import * as m0007 from './migrations/0007_beds.ts';
import * as m0008 from './migrations/0008_capacity_source_comment.ts';

const migrations: Record<string, Migration> = {
  '0001_resources': m0001,
  '0002_lz4_content': m0002,
  '0003_access': m0003,
  '0004_capacity_entries': m0004,
  '0005_export_jobs': m0005,
  '0006_json_content': m0006,
  '0007_beds': m0007,
  '0008_capacity_source_comment': m0008,
};

/** Every migration, in the order they run. */
export const MIGRATION_NAMES: readonly string[] = Object.keys(migrations).sort();

const provider: MigrationProvider = {
  async getMigrations() {
    return migrations;
  },
};

export async function migrateToLatest(db: Kysely<unknown>, schema = 'public'): Promise<void> {
  const migrator = new Migrator({
    db,
    provider,
    migrationTableSchema: schema,
    migrationTableName: 'ror_migration',
    migrationLockTableName: 'ror_migration_lock',
  });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  if (error || failed) {
    const cause = error instanceof Error ? error : new Error(String(error ?? 'unknown error'));
    throw new Error(`Database migration ${failed?.migrationName ?? ''} failed: ${cause.message}`, { cause });
  }
}

import type { Location } from '@medplum/fhirtypes';
import type { Database } from '../db/open.ts';
import { holdOf, type Hold, type HoldRow } from './holds.ts';
import { readableCapacities, unitFigures, type UnitFigures } from './unit.ts';

/** The versions of `ids` current at `at` (deleted ones left out), and the holds running then. */
export async function boardStateAt(db: Database, ids: readonly string[], at: Date): Promise<{ locations: Location[]; holds: Map<string, Hold[]> }> {
  const { rows } = await db.pool.query<{ content: Location | null; deleted: boolean }>(
    `SELECT DISTINCT ON (id) id, deleted, content FROM (
       SELECT id, version_id, deleted, content FROM resource WHERE resource_type = 'Location' AND id = ANY($1) AND last_updated <= $2
       UNION ALL
       SELECT id, version_id, deleted, content FROM resource_history WHERE resource_type = 'Location' AND id = ANY($1) AND last_updated <= $2
     ) v ORDER BY id, version_id DESC`,
    [[...ids], at],
  );
  const { rows: holdRows } = await db.pool.query<HoldRow>(
    'SELECT * FROM bed_hold WHERE location_id = ANY($1) AND created_at <= $2 AND least(expires_at, coalesce(ended_at, expires_at)) > $2',
    [[...ids], at],
  );
  const holds = new Map<string, Hold[]>();
  for (const r of holdRows) {
    // As it was at `at`: running.
    const h: Hold = { ...holdOf(r, at.getTime()), state: 'held' };
    delete h.endedAt;
    delete h.endedBy;
    holds.set(h.locationId, [...(holds.get(h.locationId) ?? []), h]);
  }
  return { locations: rows.filter((r) => !r.deleted && r.content).map((r) => r.content as Location), holds };
}

/** One version of a unit's figures. */
export interface UnitVersionFigures {
  versionId: string;
  lastUpdated: string;
  figures: UnitFigures[];
}

/** The figures of every version of one Location written in [since, until), oldest first, and the one current at `since`. */
export async function unitTimeSeries(db: Database, id: string, since: Date, until: Date, limit: number): Promise<{ versions: UnitVersionFigures[]; truncated: boolean }> {
  const { rows } = await db.pool.query<{ version_id: number; last_updated: Date; deleted: boolean; content: Location | null }>(
    `WITH v AS (
       SELECT version_id, last_updated, deleted, content FROM resource WHERE resource_type = 'Location' AND id = $1
       UNION ALL
       SELECT version_id, last_updated, deleted, content FROM resource_history WHERE resource_type = 'Location' AND id = $1
     )
     (SELECT * FROM v WHERE last_updated < $2 ORDER BY version_id DESC LIMIT 1)
     UNION ALL
     (SELECT * FROM v WHERE last_updated >= $2 AND last_updated < $3 ORDER BY version_id LIMIT $4)
     ORDER BY version_id`,
    [id, since, until, limit + 1],
  );
  const inWindow = rows.filter((r) => r.last_updated >= since);
  const kept = [...rows.filter((r) => r.last_updated < since), ...inWindow.slice(0, limit)];
  const versions = kept
    .filter((r) => !r.deleted && r.content)
    .map((r) => ({ versionId: String(r.version_id), lastUpdated: r.last_updated.toISOString(), figures: unitFigures(readableCapacities(r.content as Location)) }));
  return { versions, truncated: inWindow.length > limit };
}

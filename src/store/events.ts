import type { Database } from '../db/open.ts';

export const CHANGE_CHANNEL = 'ror_change';

/** Emitted (after commit only) for every written resource version. */
export interface ChangeEvent {
  resourceType: string;
  id: string;
  versionId: string;
  lastUpdated: string;
  operation: 'create' | 'update' | 'delete';
}

/** Subscribes to committed changes from every process writing to the same database. */
export async function subscribeChanges(db: Database, cb: (event: ChangeEvent) => void): Promise<() => Promise<void>> {
  return db.listen(CHANGE_CHANNEL, (payload) => {
    cb(JSON.parse(payload) as ChangeEvent);
  });
}

import type { OperationOutcomeIssue, Resource } from '@medplum/fhirtypes';
import type { RequestContext } from './audit.ts';

export type PutOutcome =
  | { status: 'created' | 'updated' | 'unchanged'; id: string; versionId: string }
  | { status: 'rejected'; id: string; issues: OperationOutcomeIssue[] };

/** What importers and seeders write to; the {@link Repository} implements it. */
export interface ResourceSink {
  /** Current versions of the given ids (absent or deleted ids are missing from the map). */
  readCurrent(resourceType: string, ids: string[]): Promise<Map<string, Resource>>;
  /** Validates, indexes and writes each resource (resource.id must be set) in one transaction per call;
   *  a resource equal to its current version (ignoring meta.versionId/lastUpdated) is 'unchanged' and not
   *  versioned; an invalid one is 'rejected' with its issues and does not stop the others. `by` is recorded
   *  in the audit log with each version written. */
  putBatch(resources: Resource[], by?: RequestContext): Promise<PutOutcome[]>;
  /** Ids of current, non-deleted resources of that type carrying meta.tag system|code. */
  idsByTag(resourceType: string, system: string, code: string): Promise<string[]>;
}

import type { OperationOutcomeIssue, Resource } from '@medplum/fhirtypes';
import type { PutOutcome, ResourceSink } from './sink.ts';

/** An in-memory ResourceSink for tests: keeps current versions, records batch sizes, optionally validates. */
export class MemorySink implements ResourceSink {
  readonly store = new Map<string, { resource: Resource; version: number }>();
  readonly batchSizes: number[] = [];

  constructor(private readonly validate: (r: Resource) => OperationOutcomeIssue[] = () => []) {}

  async readCurrent(resourceType: string, ids: string[]): Promise<Map<string, Resource>> {
    const out = new Map<string, Resource>();
    for (const id of ids) {
      const hit = this.store.get(`${resourceType}/${id}`);
      if (hit) out.set(id, hit.resource);
    }
    return out;
  }

  async putBatch(resources: Resource[]): Promise<PutOutcome[]> {
    this.batchSizes.push(resources.length);
    return resources.map((r): PutOutcome => {
      const id = r.id ?? '';
      if (!/^[A-Za-z0-9\-.]{1,64}$/.test(id)) {
        return { status: 'rejected', id, issues: [{ severity: 'error', code: 'invalid', diagnostics: `bad id "${id}"` }] };
      }
      const issues = this.validate(r);
      if (issues.length > 0) return { status: 'rejected', id, issues };
      const key = `${r.resourceType}/${id}`;
      const current = this.store.get(key);
      if (current && JSON.stringify(current.resource) === JSON.stringify(r)) {
        return { status: 'unchanged', id, versionId: String(current.version) };
      }
      const version = (current?.version ?? 0) + 1;
      this.store.set(key, { resource: structuredClone(r), version });
      return { status: current ? 'updated' : 'created', id, versionId: String(version) };
    });
  }

  async idsByTag(resourceType: string, system: string, code: string): Promise<string[]> {
    return [...this.store.values()]
      .filter(({ resource }) => resource.resourceType === resourceType && resource.meta?.tag?.some((t) => t.system === system && t.code === code))
      .map(({ resource }) => resource.id as string)
      .sort();
  }
}

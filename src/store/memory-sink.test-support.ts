/**
 * In-memory double of the store's {@link ResourceSink} for importer unit tests: "unchanged" detection
 * ignoring meta.versionId / meta.lastUpdated, then stamping of both and validation, like Repository.putBatch.
 * Integration tests use the real Repository.
 */
import type { OperationOutcomeIssue, Resource } from '@medplum/fhirtypes';
import { jsonEqual } from './json.ts';
import type { PutOutcome, ResourceSink } from './sink.ts';

const ID_PATTERN = /^[A-Za-z0-9\-.]{1,64}$/;

function withoutVersionMeta(r: Resource): unknown {
  const { meta, ...rest } = r;
  if (!meta) return rest;
  const { versionId: _v, lastUpdated: _l, ...kept } = meta;
  return Object.keys(kept).length > 0 ? { ...rest, meta: kept } : rest;
}

export class MemorySink implements ResourceSink {
  /** `type/id` → versions, oldest first. */
  readonly history = new Map<string, Resource[]>();
  /** Size of each putBatch call, in order. */
  readonly batchSizes: number[] = [];

  constructor(private readonly validate: (r: Resource) => OperationOutcomeIssue[] = () => []) {}

  current(type: string, id: string): Resource | undefined {
    return this.history.get(`${type}/${id}`)?.at(-1);
  }

  all(type: string): Resource[] {
    return [...this.history.entries()].filter(([k]) => k.startsWith(`${type}/`)).map(([, v]) => v.at(-1) as Resource);
  }

  async readCurrent(resourceType: string, ids: string[]): Promise<Map<string, Resource>> {
    const out = new Map<string, Resource>();
    for (const id of ids) {
      const r = this.current(resourceType, id);
      if (r) out.set(id, structuredClone(r));
    }
    return out;
  }

  async putBatch(resources: Resource[]): Promise<PutOutcome[]> {
    this.batchSizes.push(resources.length);
    return resources.map((resource): PutOutcome => {
      const id = resource.id ?? '';
      if (!ID_PATTERN.test(id)) return { status: 'rejected', id, issues: [{ severity: 'error', code: 'invalid', diagnostics: `Invalid or missing resource id "${id}"` }] };
      const key = `${resource.resourceType}/${id}`;
      const versions = this.history.get(key) ?? [];
      const previous = versions.at(-1);
      if (previous && jsonEqual(withoutVersionMeta(previous), withoutVersionMeta(resource))) {
        return { status: 'unchanged', id, versionId: previous.meta?.versionId ?? String(versions.length) };
      }
      const versionId = String(versions.length + 1);
      const stored = structuredClone(resource);
      stored.meta = { ...stored.meta, versionId, lastUpdated: new Date(Date.UTC(2026, 0, 1, 0, 0, versions.length)).toISOString() };
      const issues = this.validate(stored);
      if (issues.length > 0) return { status: 'rejected', id, issues };
      this.history.set(key, [...versions, stored]);
      return { status: previous ? 'updated' : 'created', id, versionId };
    });
  }

  async idsByTag(resourceType: string, system: string, code: string): Promise<string[]> {
    return this.all(resourceType)
      .filter((r) => r.meta?.tag?.some((t) => t.system === system && t.code === code))
      .map((r) => r.id as string)
      .sort();
  }
}

import type { OperationOutcomeIssue, Resource } from '@medplum/fhirtypes';
import type { RequestContext } from '../../store/audit.ts';
import type { ResourceSink } from '../../store/sink.ts';
import type { ProgressReporter } from '../progress.ts';

/** What a seed wrote. */
export interface SeedSummary {
  /** resources produced, per resource type */
  resources: Record<string, number>;
  created: number;
  updated: number;
  unchanged: number;
  rejected: number;
}

export class SeedRejectedError extends Error {
  readonly rejected: { resourceType: string; id: string; issues: OperationOutcomeIssue[] }[];
  readonly summary: SeedSummary;

  constructor(summary: SeedSummary, rejected: SeedRejectedError['rejected']) {
    const first = rejected
      .slice(0, 5)
      .map((r) => `${r.resourceType}/${r.id}: ${r.issues.map((i) => `${i.diagnostics ?? i.details?.text ?? i.code}${i.expression ? ` (${i.expression.join(', ')})` : ''}`).join('; ')}`)
      .join('\n  ');
    super(`${rejected.length} generated resources were rejected by the store (the others were written):\n  ${first}`);
    this.rejected = rejected;
    this.summary = summary;
  }
}

const MAX_BATCHES_IN_FLIGHT = 2;

export interface WriteOptions {
  batchSize: number;
  progress: ProgressReporter;
  label: string;
  /** Who writes, for the audit log. */
  by: RequestContext;
  /** expected number of resources, for the progress bar */
  total?: number;
}

/**
 * Writes resources with `putBatch` in batches of `batchSize`, pulling them lazily from `source`. Two batches are
 * in flight at once, so that one is validated and indexed while the database stores the other (the store writes
 * each in its own transaction). Throws a {@link SeedRejectedError} after the last batch when any was rejected.
 */
export async function writeInBatches(
  sink: ResourceSink,
  source: Iterable<Resource> | AsyncIterable<Resource>,
  options: WriteOptions,
): Promise<SeedSummary> {
  if (!Number.isInteger(options.batchSize) || options.batchSize < 1) throw new RangeError(`batchSize must be a positive integer, got ${options.batchSize}`);
  const summary: SeedSummary = { resources: {}, created: 0, updated: 0, unchanged: 0, rejected: 0 };
  const rejected: SeedRejectedError['rejected'] = [];
  let done = 0;
  let batch: Resource[] = [];
  const inFlight = new Set<Promise<void>>();
  options.progress.start(options.label, options.total, 'items');
  const write = async (resources: Resource[]): Promise<void> => {
    const outcomes = await sink.putBatch(resources, options.by);
    if (outcomes.length !== resources.length) throw new Error(`putBatch returned ${outcomes.length} outcomes for ${resources.length} resources`);
    outcomes.forEach((o, i) => {
      if (o.status === 'rejected') {
        summary.rejected += 1;
        rejected.push({ resourceType: resources[i]?.resourceType ?? '?', id: o.id, issues: o.issues });
      } else {
        summary[o.status] += 1;
      }
    });
    done += resources.length;
    options.progress.update(done);
  };
  const flush = async (): Promise<void> => {
    const pending: Promise<void> = write(batch).finally(() => inFlight.delete(pending));
    pending.catch(() => {});
    inFlight.add(pending);
    batch = [];
    if (inFlight.size >= MAX_BATCHES_IN_FLIGHT) await Promise.race(inFlight);
  };
  for await (const resource of source) {
    summary.resources[resource.resourceType] = (summary.resources[resource.resourceType] ?? 0) + 1;
    batch.push(resource);
    if (batch.length >= options.batchSize) await flush();
  }
  if (batch.length > 0) await flush();
  await Promise.all(inFlight);
  options.progress.finish(`${summary.created} created, ${summary.updated} updated, ${summary.unchanged} unchanged, ${summary.rejected} rejected`);
  if (rejected.length > 0) throw new SeedRejectedError(summary, rejected);
  return summary;
}

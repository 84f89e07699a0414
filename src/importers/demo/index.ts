import { type ProgressReporter, silentProgress } from '../progress.ts';
import { buildDemoDataset, type DemoOptions } from './dataset.ts';
import type { ResourceSink } from '../../store/sink.ts';
import { type SeedSummary, writeInBatches } from './sink.ts';

export { buildDemoDataset, planDemo, PAYS_DE_LA_LOIRE, type DemoOptions } from './dataset.ts';
export type { DemoResource } from './resources.ts';
export { type SeedSummary, SeedRejectedError } from './sink.ts';

export interface SeedDemoOptions extends DemoOptions {
  progress?: ProgressReporter;
}

/**
 * Writes the Pays de la Loire demo dataset (about 10,000 resources) in batches of 500. Idempotent: reseeding
 * with the same `asOf` leaves every resource unchanged.
 */
export async function seedDemo(sink: ResourceSink, options: SeedDemoOptions = {}): Promise<SeedSummary> {
  const progress = options.progress ?? silentProgress;
  progress.start('Building the demo dataset', undefined, 'items');
  const resources = buildDemoDataset(options);
  progress.finish(`${resources.length} resources`);
  return writeInBatches(sink, resources, {
    batchSize: 500,
    progress,
    label: 'Writing the demo dataset',
    total: resources.length,
    by: { actor: { kind: 'system', id: 'seed-demo', label: 'ror seed --demo' }, client: 'import' },
  });
}

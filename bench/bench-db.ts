import os from 'node:os';
import { openScratchDatabase, type ScratchDatabase } from '../src/db/testing.ts';

/** A fresh database for one benchmark (see openScratchDatabase) and a label saying which one. */
export async function openBenchDatabase(): Promise<ScratchDatabase & { label: string }> {
  const scratch = await openScratchDatabase('bench');
  if (!scratch.schema) return { ...scratch, label: 'PGlite 0.5.16 (in-memory)' };
  const { rows } = await scratch.db.pool.query<{ server_version: string }>('SHOW server_version');
  return { ...scratch, label: `PostgreSQL ${rows[0]?.server_version ?? '?'} (schema ${scratch.schema})` };
}

export function machine(): string {
  return `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
}

export function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

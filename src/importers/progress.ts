/**
 * Progress reporting for long commands (import, seed) on stderr.
 *
 * On a terminal: one line redrawn in place with a bar, percentage, rate and ETA.
 * Elsewhere (CI logs, redirected output): one plain line every `intervalMs`, plus the final line.
 */

export type ProgressUnit = 'bytes' | 'items';

export interface ProgressReporter {
  /** Starts a task; `total` undefined when unknown. An unfinished previous task is finished first. */
  start(label: string, total: number | undefined, unit: ProgressUnit): void;
  /** Reports the amount done so far (absolute, not a delta) with an optional short note. */
  update(done: number, note?: string): void;
  /** Ends the current task and prints its final line. */
  finish(note?: string): void;
}

/** The subset of a stderr-like stream the reporter uses. */
export interface ProgressStream {
  write(chunk: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export interface ProgressOptions {
  stream?: ProgressStream;
  /** Plain-mode interval between lines; default 5 s. */
  intervalMs?: number;
  /** TTY-mode minimum interval between redraws; default 100 ms. */
  redrawMs?: number;
  /** Clock in milliseconds; injectable for tests. */
  now?: () => number;
}

interface Task {
  label: string;
  total: number | undefined;
  unit: ProgressUnit;
  startedAt: number;
  done: number;
  note: string | undefined;
  lastPrintAt: number;
}

const BAR_WIDTH = 24;

export function createProgressReporter(options: ProgressOptions = {}): ProgressReporter {
  const stream = options.stream ?? process.stderr;
  const tty = stream.isTTY === true;
  const intervalMs = options.intervalMs ?? 5000;
  const redrawMs = options.redrawMs ?? 100;
  const now = options.now ?? (() => Date.now());
  let task: Task | undefined;
  let drawnWidth = 0;

  function draw(t: Task, final: boolean): void {
    const line = formatLine(t, now(), final, tty);
    if (tty) {
      const columns = stream.columns ?? 120;
      const fitted = line.length > columns - 1 ? line.slice(0, columns - 1) : line;
      const pad = drawnWidth > fitted.length ? ' '.repeat(drawnWidth - fitted.length) : '';
      stream.write(`\r${fitted}${pad}${final ? '\n' : ''}`);
      drawnWidth = final ? 0 : fitted.length;
    } else {
      stream.write(`${line}\n`);
    }
    t.lastPrintAt = now();
  }

  function finish(note?: string): void {
    if (!task) return;
    if (note !== undefined) task.note = note;
    draw(task, true);
    task = undefined;
  }

  return {
    start(label, total, unit) {
      if (total !== undefined && (!Number.isFinite(total) || total < 0)) {
        throw new RangeError(`Progress total must be a non-negative number, got ${total}`);
      }
      finish();
      const t = now();
      task = { label, total, unit, startedAt: t, done: 0, note: undefined, lastPrintAt: t };
      if (tty) draw(task, false);
    },
    update(done, note) {
      if (!task) throw new Error('Progress update without a started task');
      if (!Number.isFinite(done) || done < 0) throw new RangeError(`Progress amount must be a non-negative number, got ${done}`);
      task.done = done;
      if (note !== undefined) task.note = note;
      const elapsedSincePrint = now() - task.lastPrintAt;
      if (elapsedSincePrint >= (tty ? redrawMs : intervalMs)) draw(task, false);
    },
    finish,
  };
}

/** A reporter that prints nothing (tests, quiet commands). */
export const silentProgress: ProgressReporter = {
  start() {},
  update() {},
  finish() {},
};

function formatLine(t: Task, at: number, final: boolean, tty: boolean): string {
  const elapsedMs = Math.max(0, at - t.startedAt);
  const parts: string[] = [t.label];
  const ratio = t.total ? Math.min(1, t.done / t.total) : t.total === 0 ? 1 : undefined;
  if (tty && ratio !== undefined) {
    const filled = Math.round(ratio * BAR_WIDTH);
    parts.push(`[${'#'.repeat(filled)}${'.'.repeat(BAR_WIDTH - filled)}]`);
  }
  if (ratio !== undefined) parts.push(`${(ratio * 100).toFixed(1)}%`);
  parts.push(t.total !== undefined ? `${formatAmount(t.done, t.unit)}/${formatAmount(t.total, t.unit)}` : formatAmount(t.done, t.unit));
  const rate = elapsedMs > 0 ? (t.done * 1000) / elapsedMs : undefined;
  if (rate !== undefined) parts.push(`${formatAmount(rate, t.unit)}/s`);
  if (final) {
    parts.push(`in ${formatDuration(elapsedMs)}`);
  } else if (t.total !== undefined && rate !== undefined && rate > 0 && t.done < t.total) {
    parts.push(`ETA ${formatDuration(((t.total - t.done) / rate) * 1000)}`);
  }
  if (t.note) parts.push(`— ${t.note}`);
  return parts.join(' ');
}

export function formatAmount(value: number, unit: ProgressUnit): string {
  if (unit === 'items') return value >= 10_000 ? `${(value / 1000).toFixed(1)}k` : String(Math.round(value));
  if (value < 1024) return `${Math.round(value)} B`;
  if (value < 1024 * 1024) return `${(value / 1024).toFixed(1)} KB`;
  if (value < 1024 * 1024 * 1024) return `${(value / (1024 * 1024)).toFixed(1)} MB`;
  return `${(value / (1024 * 1024 * 1024)).toFixed(2)} GB`;
}

export function formatDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createProgressReporter, formatAmount, formatDuration, type ProgressStream } from './progress.ts';

function fakeStream(isTTY: boolean): ProgressStream & { out: string } {
  const s = {
    out: '',
    isTTY,
    columns: 200,
    write(chunk: string) {
      s.out += chunk;
      return true;
    },
  };
  return s;
}

test('without a TTY prints one plain line per interval and a final line', () => {
  const stream = fakeStream(false);
  let now = 0;
  const p = createProgressReporter({ stream, intervalMs: 5000, now: () => now });
  p.start('import etalab.csv', 1000 * 1024, 'bytes');
  now = 1000;
  p.update(100 * 1024);
  assert.equal(stream.out, '', 'nothing before the interval');
  now = 5000;
  p.update(500 * 1024, '20 000 lines');
  now = 6000;
  p.update(600 * 1024);
  now = 10_000;
  p.finish('done');
  const lines = stream.out.trimEnd().split('\n');
  assert.equal(lines.length, 2);
  assert.equal(lines[0], 'import etalab.csv 50.0% 500.0 KB/1000.0 KB 100.0 KB/s ETA 5s — 20 000 lines');
  assert.equal(lines[1], 'import etalab.csv 60.0% 600.0 KB/1000.0 KB 60.0 KB/s in 10s — done');
  assert.doesNotMatch(stream.out, /\r|\[#/);
});

test('on a TTY redraws one line in place with a bar and ends it with a newline', () => {
  const stream = fakeStream(true);
  let now = 0;
  const p = createProgressReporter({ stream, redrawMs: 100, now: () => now });
  p.start('seed', 200, 'items');
  now = 50;
  p.update(10);
  now = 1000;
  p.update(100);
  p.finish();
  const frames = stream.out.split('\r').filter((f) => f !== '');
  assert.equal(frames.length, 3, 'start, one throttled update, finish');
  assert.match(frames[1] ?? '', /^seed \[############\.{12}\] 50\.0% 100\/200 100\/s ETA 1s/);
  assert.ok(stream.out.endsWith('\n'));
  assert.match(frames[2] ?? '', /100\.0%|50\.0%/);
});

test('starting a new task finishes the previous one', () => {
  const stream = fakeStream(false);
  let now = 0;
  const p = createProgressReporter({ stream, now: () => now });
  p.start('pass 1', undefined, 'items');
  now = 2000;
  p.update(42);
  p.start('pass 2', 10, 'items');
  p.finish();
  assert.deepEqual(stream.out.trimEnd().split('\n'), ['pass 1 42 21/s in 2s', 'pass 2 0.0% 0/10 in 0s']);
});

test('rejects bad amounts and updates without a task', () => {
  const p = createProgressReporter({ stream: fakeStream(false) });
  assert.throws(() => p.update(1), /without a started task/);
  assert.throws(() => p.start('x', -1, 'bytes'), /non-negative/);
  p.start('x', 10, 'bytes');
  assert.throws(() => p.update(Number.NaN), /non-negative/);
});

test('formats amounts and durations', () => {
  assert.equal(formatAmount(512, 'bytes'), '512 B');
  assert.equal(formatAmount(48 * 1024 * 1024, 'bytes'), '48.0 MB');
  assert.equal(formatAmount(103_000, 'items'), '103.0k');
  assert.equal(formatDuration(59_400), '59s');
  assert.equal(formatDuration(125_000), '2m05s');
  assert.equal(formatDuration(3_900_000), '1h05m');
});

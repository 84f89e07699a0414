import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { openDatabase } from './db/open.ts';
import { EJ, ej501 } from './importers/finess/fixtures.test-support.ts';

const ROR = fileURLToPath(new URL('../bin/ror.js', import.meta.url));

function ror(args: string[], dataDir: string): { status: number | null; stdout: string; stderr: string } {
  const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dataDir };
  delete env.DATABASE_URL;
  const r = spawnSync(process.execPath, [ROR, ...args], { env, encoding: 'utf8', timeout: 120_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('ror import finess imports a file and prints its summary as JSON; bad usage exits 64', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ror-cli-'));
  try {
    const file = path.join(dir, 'ej.csv');
    fs.writeFileSync(file, ej501([EJ.bourg, EJ.messo]));
    const run = ror(['import', 'finess', file], path.join(dir, 'data'));
    assert.equal(run.status, 0, run.stderr);
    const summary = JSON.parse(run.stdout) as { created: number; rejected: unknown[] };
    assert.equal(summary.created, 2);
    assert.deepEqual(summary.rejected, []);
    const usage = ror(['import', 'hl7', file], path.join(dir, 'data'));
    assert.equal(usage.status, 64);
    assert.match(usage.stderr, /Unknown import source "hl7"/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a ror command on an embedded database held by another process refuses with a clear message', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ror-cli-'));
  const held = await openDatabase({ dataDir: dir });
  try {
    const run = ror(['seed', '--scale', '1'], dir);
    assert.equal(run.status, 75);
    assert.match(run.stderr, /held by another process \(pid \d+\)/);
  } finally {
    await held.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

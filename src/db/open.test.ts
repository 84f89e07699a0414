import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { DataDirLockedError, openDatabase } from './open.ts';
import { MIGRATION_NAMES } from './migrate.ts';

test('an embedded data directory has one owner: a second open is refused until the first closes', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ror-lock-'));
  try {
    const first = await openDatabase({ dataDir: dir });
    await assert.rejects(openDatabase({ dataDir: dir }), (err) => err instanceof DataDirLockedError && /held by another process/.test(err.message));
    await first.pool.query("CREATE TABLE kept (v text); INSERT INTO kept VALUES ('x')");
    await first.close();
    const second = await openDatabase({ dataDir: dir });
    const { rows } = await second.pool.query<{ v: string }>('SELECT v FROM kept');
    assert.deepEqual(rows, [{ v: 'x' }]);
    await second.close();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a stale lock left by a dead process is taken over', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ror-lock-'));
  try {
    fs.writeFileSync(path.join(dir, 'ror.lock'), '2147483646');
    const db = await openDatabase({ dataDir: dir });
    assert.equal(fs.readFileSync(path.join(dir, 'ror.lock'), 'utf8'), String(process.pid));
    await db.close();
    assert.equal(fs.existsSync(path.join(dir, 'ror.lock')), false);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('migrations are idempotent: reopening a migrated database runs none again', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ror-mig-'));
  try {
    const a = await openDatabase({ dataDir: dir });
    await a.close();
    const b = await openDatabase({ dataDir: dir });
    const { rows } = await b.pool.query<{ name: string }>('SELECT name FROM ror_migration ORDER BY name');
    assert.deepEqual(rows.map((r) => r.name), MIGRATION_NAMES);
    assert.ok(MIGRATION_NAMES.includes('0001_resources'));
    await b.close();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

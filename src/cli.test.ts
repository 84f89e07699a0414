import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { AccountStore } from './auth/accounts.ts';
import { ClientStore } from './auth/clients.ts';
import { main } from './cli.ts';
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

/** Runs `main(args)` in this process on the embedded database in `dataDir`, capturing its output. */
async function runMain(args: string[], dataDir: string): Promise<{ status: number; stdout: string; stderr: string }> {
  const saved = { DATA_DIR: process.env.DATA_DIR, DATABASE_URL: process.env.DATABASE_URL };
  let stdout = '';
  let stderr = '';
  process.env.DATA_DIR = dataDir;
  delete process.env.DATABASE_URL;
  try {
    const status = await main(args, { out: (text) => (stdout += text), err: (text) => (stderr += text) });
    return { status, stdout, stderr };
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

test('ror user and ror client print one JSON object, list as JSON lines, and exit 64/65/67 on bad input', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ror-cli-'));
  const data = path.join(dir, 'data');
  try {
    const file = path.join(dir, 'ej.csv');
    fs.writeFileSync(file, ej501([EJ.bourg]));
    assert.equal((await runMain(['import', 'finess', file], data)).status, 0);

    const admin = await runMain(['user', 'add', 'Admin@Example.fr', '--role', 'national-admin', '--name', 'Admin'], data);
    assert.equal(admin.status, 0, admin.stderr);
    assert.match(admin.stdout, /^\{[^\n]*\}\n$/, 'one JSON line');
    const adminJson = JSON.parse(admin.stdout) as { email: string; password: string };
    assert.deepEqual(Object.keys(adminJson), ['email', 'password']);
    assert.equal(adminJson.email, 'admin@example.fr');
    assert.equal(adminJson.password.length, 20);

    const referent = await runMain(['user', 'add', 'ref@example.fr', '--role', 'referent', '--perimeter', '010780054', '--profile', 'CU20'], data);
    assert.equal(referent.status, 0, referent.stderr);

    const usage = async (args: string[], status: number, message: RegExp): Promise<void> => {
      const run = await runMain(args, data);
      assert.equal(run.status, status, `${args.join(' ')}: ${run.stderr}`);
      assert.match(run.stderr, message);
      assert.equal(run.stdout, '');
    };
    await usage(['user', 'add', 'ref@example.fr', '--role', 'reader'], 65, /existe déjà/);
    await usage(['user', 'add', 'x@example.fr', '--role', 'boss'], 64, /Rôle inconnu "boss".*national-admin/);
    await usage(['user', 'add', 'x@example.fr', '--role', 'reader', '--profile', 'CU99'], 64, /Profil d'accès inconnu "CU99"/);
    await usage(['user', 'add', 'x@example.fr', '--role', 'referent'], 64, /demande un périmètre/);
    await usage(['user', 'add', 'x@example.fr', '--role', 'referent', '--perimeter', 'eg-nowhere,010780054'], 64, /introuvables.*eg-nowhere/);
    await usage(['user', 'add', 'x@example.fr'], 64, /needs --role/);
    await usage(['user', 'frobnicate', 'x@example.fr'], 64, /Unknown user command/);
    await usage(['user', 'disable', 'nobody@example.fr'], 67, /Aucun compte/);

    const reset = await runMain(['user', 'password', 'REF@example.fr'], data);
    assert.equal(reset.status, 0, reset.stderr);
    const resetJson = JSON.parse(reset.stdout) as { email: string; password: string };
    assert.equal(resetJson.email, 'ref@example.fr');
    assert.equal((await runMain(['user', 'disable', 'admin@example.fr'], data)).status, 0);

    const list = await runMain(['user', 'list'], data);
    const lines = list.stdout.trim().split('\n').map((l) => JSON.parse(l) as { email: string; role: string; perimeter: { organizations: string[] }; profile: string; disabled: boolean });
    assert.deepEqual(lines.map((l) => [l.email, l.role, l.profile, l.disabled]), [
      ['admin@example.fr', 'national-admin', 'CU22', true],
      ['ref@example.fr', 'referent', 'CU20', false],
    ]);
    assert.equal(lines[1]?.perimeter.organizations.length, 1);

    const client = await runMain(['client', 'add', 'Gestion des lits', '--scope', 'read', '--scope', 'write-capacities', '--perimeter', '010780054', '--profile', 'CU18', '--profile', 'CU22'], data);
    assert.equal(client.status, 0, client.stderr);
    const clientJson = JSON.parse(client.stdout) as { client_id: string; client_secret: string };
    assert.deepEqual(Object.keys(clientJson), ['client_id', 'client_secret']);
    await usage(['client', 'add', 'X', '--scope', 'admin'], 64, /Portée inconnue : admin/);
    await usage(['client', 'add', 'X'], 64, /at least one --scope/);
    await usage(['client', 'add', 'X', '--scope', 'write-offer'], 64, /ne peut que lire/);
    await usage(['client', 'add', 'X', '--scope', 'read', '--profile', 'CU1'], 64, /Profil d'accès inconnu "CU1"/);
    await usage(['client', 'disable', 'no-such-client'], 67, /Aucun client/);
    const readOnly = await runMain(['client', 'add', 'Annuaire', '--scope', 'read'], data);
    assert.equal(readOnly.status, 0, readOnly.stderr);
    assert.equal((await runMain(['client', 'disable', clientJson.client_id], data)).status, 0);
    const clients = (await runMain(['client', 'list'], data)).stdout.trim().split('\n').map((l) => JSON.parse(l) as { name: string; profiles: string[]; disabled: boolean });
    assert.deepEqual(clients.map((c) => [c.name, c.profiles, c.disabled]), [
      ['Gestion des lits', ['CU18', 'CU22'], true],
      ['Annuaire', ['CU18'], false],
    ]);

    const db = await openDatabase({ dataDir: data });
    try {
      const accounts = new AccountStore(db);
      assert.ok(await accounts.verifyLogin('ref@example.fr', resetJson.password), 'the printed password works');
      assert.equal(await accounts.verifyLogin('admin@example.fr', adminJson.password), null, 'disabled');
      assert.equal(await new ClientStore(db).verify(clientJson.client_id, clientJson.client_secret), null, 'disabled');
      const annuaire = JSON.parse(readOnly.stdout) as { client_id: string; client_secret: string };
      assert.equal((await new ClientStore(db).verify(annuaire.client_id, annuaire.client_secret))?.name, 'Annuaire');
    } finally {
      await db.close();
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

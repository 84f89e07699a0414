import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, test } from 'node:test';
import type { Resource } from '@medplum/fhirtypes';
import { accessDataset, clientPrincipal, openAccessDataset } from '../auth/access.test-support.ts';
import type { Database } from '../db/open.ts';
import { StoreError } from '../store/errors.ts';
import { ExportService, parametersQuery, parseExportKickOff, purgeExpiredExports, type ExportStatus } from './export.ts';

let db: Database;
let dir: string;
const everything = clientPrincipal('c-1', ['read'], {}, 1);
const BASE = 'http://ror.test/fhir';

before(async () => {
  ({ db } = await openAccessDataset());
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ror-export-unit-'));
});
after(async () => {
  await db.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function finished(service: ExportService, id: string): Promise<ExportStatus> {
  for (let i = 0; i < 500; i++) {
    const status = await service.status(everything, id, BASE);
    if (status.state !== 'in-progress') return status;
    await sleep(10);
  }
  throw new Error(`job ${id} still running`);
}

test('the kick-off reads its parameters strictly', () => {
  const asked = parseExportKickOff(
    undefined,
    {
      _outputFormat: 'application/fhir ndjson',
      _since: '2024-01-15T10:00:00 01:00',
      _type: ['Location', 'HealthcareService,Location'],
      _typeFilter: 'Location?identifier=52%2F1%2C52%2F2,HealthcareService?name=r%C3%A9a',
    },
    'respond-async, handling=strict',
  );
  assert.deepEqual(asked, {
    types: ['Location', 'HealthcareService'],
    since: '2024-01-15T09:00:00.000Z',
    typeFilters: { Location: ['identifier=52%2F1%2C52%2F2'], HealthcareService: ['name=r%C3%A9a'] },
  });
  assert.deepEqual(parseExportKickOff('Task', {}, 'respond-async').types, ['Task']);
  const refused = (query: Record<string, string>, prefer = 'respond-async'): StoreError => {
    try {
      parseExportKickOff(undefined, query, prefer);
    } catch (err) {
      assert.ok(err instanceof StoreError && err.status === 400);
      return err;
    }
    throw new Error(`${JSON.stringify(query)} was accepted`);
  };
  assert.deepEqual(refused({}, 'return=minimal').issues[0]?.expression, ['Prefer']);
  assert.deepEqual(refused({ _since: '2024-02-30T00:00:00Z' }).issues[0]?.expression, ['_since']);
  assert.deepEqual(refused({ _typeFilter: 'Location?near-insee-code=x&_include=Location:organization' }).issues[0]?.expression, ['_typeFilter']);
  assert.deepEqual(refused({ _typeFilter: 'Location?' }).issues[0]?.expression, ['_typeFilter']);
});

test('a POST body is a Parameters resource of strings', () => {
  assert.deepEqual(
    parametersQuery({ resourceType: 'Parameters', parameter: [{ name: '_type', valueString: 'Location' }, { name: '_since', valueInstant: '2024-01-01T00:00:00Z' }] }),
    { _type: ['Location'], _since: ['2024-01-01T00:00:00Z'] },
  );
  assert.throws(() => parametersQuery({ resourceType: 'Bundle' }), StoreError);
  assert.throws(() => parametersQuery({ resourceType: 'Parameters', parameter: [{ name: '_type', valueInteger: 1 }] }), StoreError);
});

test('pages follow one another by id: every resource once, whatever the page size', async () => {
  const service = new ExportService(db, { dir, pageSize: 2 });
  try {
    const id = await service.kickOff(everything, parseExportKickOff(undefined, {}, 'respond-async'), `${BASE}/$export`);
    const status = await finished(service, id);
    assert.equal(status.state, 'completed');
    if (status.state !== 'completed') return;
    const expected = accessDataset();
    for (const out of status.manifest.output) {
      assert.equal(out.url, `${BASE}/$export-file/${id}/${out.type}.ndjson`);
      const file = await service.file(everything, id, `${out.type}.ndjson`);
      const ids = fs.readFileSync(file, 'utf8').trim().split('\n').map((l) => (JSON.parse(l) as Resource).id as string);
      const stored = expected.filter((r) => r.resourceType === out.type).map((r) => r.id as string);
      assert.deepEqual([...ids].sort(), [...stored].sort(), out.type);
      assert.equal(new Set(ids).size, ids.length, `${out.type}: no resource twice`);
    }
    assert.equal(status.manifest.output.reduce((n, o) => n + o.count, 0), expected.length);
  } finally {
    await service.close();
  }
});

test('a job the server did not finish before it stopped is failed at the next start', async () => {
  const first = new ExportService(db, { dir });
  const id = await first.kickOff(everything, parseExportKickOff('Organization', {}, 'respond-async'), `${BASE}/Organization/$export`);
  await finished(first, id);
  await first.close();
  // a crash in the middle of the job leaves it running
  await db.pool.query(`UPDATE export_job SET status = 'running' WHERE id = $1`, [id]);
  const restarted = new ExportService(db, { dir });
  assert.equal(await restarted.recover(), 1);
  const status = await restarted.status(everything, id, BASE);
  assert.equal(status.state, 'failed');
  if (status.state === 'failed') assert.equal(status.outcome.issue[0]?.code, 'incomplete');
  const elsewhere = new ExportService(db, { dir: path.join(dir, 'other-instance') });
  await db.pool.query(`UPDATE export_job SET status = 'running' WHERE id = $1`, [id]);
  assert.equal(await elsewhere.recover(), 0, "another instance's jobs are not touched");
});

test('a stop interrupts the running job; expired jobs are purged with their files', async () => {
  const service = new ExportService(db, { dir, pageSize: 1 });
  const id = await service.kickOff(everything, parseExportKickOff(undefined, {}, 'respond-async'), `${BASE}/$export`);
  await service.close();
  const status = await new ExportService(db, { dir }).status(everything, id, BASE);
  assert.equal(status.state, 'failed');
  assert.ok(!fs.existsSync(path.join(dir, id)));

  const done = new ExportService(db, { dir });
  const kept = await done.kickOff(everything, parseExportKickOff('Task', {}, 'respond-async'), `${BASE}/Task/$export`);
  await finished(done, kept);
  assert.ok(fs.existsSync(path.join(dir, kept)));
  await db.pool.query(`UPDATE export_job SET expires_at = now() - interval '1 second' WHERE id = $1`, [kept]);
  await assert.rejects(done.status(everything, kept, BASE), (err) => err instanceof StoreError && err.status === 404);
  assert.ok((await purgeExpiredExports(db, dir)) >= 1);
  assert.ok(!fs.existsSync(path.join(dir, kept)));
  await done.close();
});

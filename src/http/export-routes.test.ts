import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, test } from 'node:test';
import type { Bundle, HealthcareService, OperationOutcome, Resource } from '@medplum/fhirtypes';
import { accessDataset, SENSITIVE, SIDES } from '../auth/access.test-support.ts';
import type { ExportManifest } from '../fhir/export.ts';
import { clientToken, createAccount, login, NATIONAL, openTestApp, type TestApp } from './app.test-support.ts';

let t: TestApp;
let dir: string;
/** Profil 2 (CU18): sensitive units hidden. */
let reader: Record<string, string>;
/** Profil 1 (CU22): everything. */
let regulator: Record<string, string>;
let other: Record<string, string>;

const ASYNC = { prefer: 'respond-async', accept: 'application/fhir+json' };
const TYPES = ['Organization', 'HealthcareService', 'Location', 'Practitioner', 'PractitionerRole', 'Task'];

before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ror-export-test-'));
  t = await openTestApp({
    app: { exportDir: dir },
    seed: async (repo) => {
      const rejected = (await repo.putBatch(accessDataset())).filter((o) => o.status === 'rejected');
      assert.deepEqual(rejected, []);
    },
  });
  const bearer = async (profiles: string[], scopes = ['read']): Promise<Record<string, string>> => ({
    authorization: `Bearer ${(await clientToken(t, scopes, profiles)).token}`,
  });
  reader = await bearer(['CU18']);
  regulator = await bearer(['CU22']);
  other = await bearer(['CU18']);
});
after(async () => {
  await t.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const local = (url: string): string => url.replace(/^https?:\/\/[^/]+/, '');

async function kickOff(url: string, headers: Record<string, string>): Promise<string> {
  const res = await t.app.inject({ method: 'GET', url, headers: { ...ASYNC, ...headers } });
  assert.equal(res.statusCode, 202, res.body);
  const location = res.headers['content-location'];
  assert.match(String(location), /^http:\/\/[^/]+\/fhir\/\$export-status\/[0-9a-f-]{36}$/);
  return local(String(location));
}

/** Polls the status URL until it answers something other than 202; that answer. */
async function poll(statusUrl: string, headers: Record<string, string>): Promise<{ status: number; body: string; contentType: string }> {
  for (let i = 0; i < 500; i++) {
    const res = await t.app.inject({ method: 'GET', url: statusUrl, headers });
    if (res.statusCode !== 202) return { status: res.statusCode, body: res.body, contentType: String(res.headers['content-type']) };
    assert.equal(res.headers['retry-after'], '2');
    assert.ok(res.headers['x-progress'], 'a running job tells its progress');
    await sleep(20);
  }
  throw new Error(`${statusUrl} still running`);
}

/** Runs an export to completion: its manifest and the resources of each output file, by type. */
async function exportAll(url: string, headers: Record<string, string>): Promise<{ manifest: ExportManifest; files: Map<string, Resource[]> }> {
  const done = await poll(await kickOff(url, headers), headers);
  assert.equal(done.status, 200, done.body);
  assert.match(done.contentType, /^application\/json/);
  const manifest = JSON.parse(done.body) as ExportManifest;
  const files = new Map<string, Resource[]>();
  for (const out of manifest.output) {
    const res = await t.app.inject({ method: 'GET', url: local(out.url), headers: { ...headers, accept: 'application/fhir+ndjson' } });
    assert.equal(res.statusCode, 200, res.body);
    assert.match(String(res.headers['content-type']), /^application\/fhir\+ndjson/);
    assert.ok(res.body.endsWith('\n'));
    const lines = res.body.split('\n').slice(0, -1);
    const resources = lines.map((line) => JSON.parse(line) as Resource);
    assert.equal(resources.length, out.count, `${out.type}: the manifest count is the number of lines`);
    assert.ok(resources.every((r) => r.resourceType === out.type));
    files.set(out.type, resources);
  }
  return { manifest, files };
}

async function searchTotal(type: string, headers: Record<string, string>, query = ''): Promise<number> {
  const res = await t.app.inject({ method: 'GET', url: `/fhir/${type}?_count=0&_total=accurate${query}`, headers });
  assert.equal(res.statusCode, 200, res.body);
  return (res.json() as Bundle).total ?? -1;
}

const idsOf = (files: Map<string, Resource[]>, type: string): string[] => (files.get(type) ?? []).map((r) => r.id as string);

test('a system export serves every type, as many resources as a search, without what the profile hides', async () => {
  const { manifest, files } = await exportAll('/fhir/$export', reader);
  assert.equal(manifest.requiresAccessToken, true);
  assert.match(manifest.request, /\/fhir\/\$export$/);
  assert.ok(!Number.isNaN(Date.parse(manifest.transactionTime)));
  assert.deepEqual(manifest.error, []);
  assert.deepEqual(manifest.output.map((o) => o.type), TYPES);
  for (const type of TYPES) assert.equal(files.get(type)?.length, await searchTotal(type, reader), type);
  const served = [...files.values()].flat().map((r) => `${r.resourceType}/${r.id}`);
  for (const hidden of [`HealthcareService/${SENSITIVE.offer}`, `Location/${SENSITIVE.location}`, `PractitionerRole/${SENSITIVE.role}`]) {
    assert.ok(!served.includes(hidden), `${hidden} is hidden from Profil 2`);
  }
  const offer = files.get('HealthcareService')?.find((r) => r.id === SIDES.A.offer) as HealthcareService;
  assert.ok(!JSON.stringify(offer).includes('0240000000'), 'the très-restreint line of the offer is left out for Profil 2');
});

test('Profil 1 exports everything, each resource as a read serves it (meta as stored)', async () => {
  const { files } = await exportAll('/fhir/$export', regulator);
  assert.ok(idsOf(files, 'HealthcareService').includes(SENSITIVE.offer));
  assert.ok(idsOf(files, 'Location').includes(SENSITIVE.location));
  for (const type of TYPES) assert.equal(files.get(type)?.length, await searchTotal(type, regulator), type);
  const offer = files.get('HealthcareService')?.find((r) => r.id === SIDES.A.offer);
  const read = await t.app.inject({ method: 'GET', url: `/fhir/HealthcareService/${SIDES.A.offer}`, headers: regulator });
  assert.deepEqual(offer, read.json());
  assert.ok(JSON.stringify(offer).includes('0240000000'));
});

test('_type and the type-level kick-off select the types; _outputFormat accepts the ndjson names', async () => {
  const some = await exportAll('/fhir/$export?_type=Location,HealthcareService&_outputFormat=application%2Ffhir%2Bndjson', reader);
  assert.deepEqual(some.manifest.output.map((o) => o.type), ['Location', 'HealthcareService']);
  const locations = await exportAll('/fhir/Location/$export?_outputFormat=ndjson', reader);
  assert.deepEqual([...locations.files.keys()], ['Location']);
  assert.equal(locations.files.get('Location')?.length, await searchTotal('Location', reader));
});

test('_typeFilter runs its search (several for a type: any of them); other types are exported whole', async () => {
  const filter = (id: string): string => encodeURIComponent(`HealthcareService?identifier=${encodeURIComponent(`${SIDES.A.region}/${id}`)}`);
  const one = await exportAll(`/fhir/$export?_type=HealthcareService,Organization&_typeFilter=${filter(SIDES.B.offer)}`, reader);
  assert.deepEqual(idsOf(one.files, 'HealthcareService'), []);
  const b = encodeURIComponent(`HealthcareService?identifier=${SIDES.B.region}/${SIDES.B.offer}`);
  const found = await exportAll(`/fhir/$export?_type=HealthcareService,Organization&_typeFilter=${b}`, reader);
  assert.deepEqual(idsOf(found.files, 'HealthcareService'), [SIDES.B.offer]);
  assert.equal(found.files.get('Organization')?.length, await searchTotal('Organization', reader));
  const both = await exportAll(`/fhir/HealthcareService/$export?_typeFilter=${filter(SIDES.A.offer)}&_typeFilter=${b}`, reader);
  assert.deepEqual(idsOf(both.files, 'HealthcareService').sort(), [SIDES.A.offer, SIDES.B.offer].sort());
  const sensitive = await exportAll(`/fhir/HealthcareService/$export?_typeFilter=${filter(SENSITIVE.offer)}`, reader);
  assert.deepEqual(sensitive.manifest.output, [], 'a filter does not reach what the profile hides');
});

test('_since exports only what changed after it', async () => {
  const since = new Date().toISOString();
  await sleep(5);
  const current = (await t.repo.readCurrent('HealthcareService', [SIDES.B.offer])).get(SIDES.B.offer) as HealthcareService;
  await t.repo.update({ ...current, name: 'Réanimation adulte (renommée)' });
  const { files } = await exportAll(`/fhir/$export?_since=${encodeURIComponent(since)}`, reader);
  assert.deepEqual([...files.keys()], ['HealthcareService']);
  assert.deepEqual(idsOf(files, 'HealthcareService'), [SIDES.B.offer]);
  assert.equal((files.get('HealthcareService')?.[0] as HealthcareService).name, 'Réanimation adulte (renommée)');
  const { manifest } = await exportAll(`/fhir/$export?_since=${encodeURIComponent(since)}`, reader);
  const next = await exportAll(`/fhir/$export?_since=${encodeURIComponent(manifest.transactionTime)}`, reader);
  assert.deepEqual(next.manifest.output, [], 'nothing changed since the transactionTime of the last export');
});

test('POST with a Parameters body, and a person signed in with a session cookie', async () => {
  await createAccount(t, 'lecteur@example.fr', 'reader');
  const { cookie, csrfToken } = await login(t.app, 'lecteur@example.fr');
  const res = await t.app.inject({
    method: 'POST',
    url: '/fhir/$export',
    headers: { ...ASYNC, cookie, 'x-csrf-token': csrfToken, 'content-type': 'application/fhir+json' },
    payload: { resourceType: 'Parameters', parameter: [{ name: '_type', valueString: 'Organization' }, { name: '_outputFormat', valueString: 'application/fhir+ndjson' }] },
  });
  assert.equal(res.statusCode, 202, res.body);
  const done = await poll(local(String(res.headers['content-location'])), { cookie });
  assert.equal(done.status, 200, done.body);
  assert.deepEqual((JSON.parse(done.body) as ExportManifest).output.map((o) => o.type), ['Organization']);
});

test('a bad kick-off answers 400 naming the problem', async () => {
  const cases: [string, Record<string, string>, string][] = [
    ['/fhir/$export', {}, 'Prefer'],
    ['/fhir/$export?_outputFormat=text/csv', ASYNC, '_outputFormat'],
    ['/fhir/$export?_type=Patient', ASYNC, '_type'],
    ['/fhir/Location/$export?_type=Organization', ASYNC, '_type'],
    ['/fhir/$export?_since=2024-01-01', ASYNC, '_since'],
    [`/fhir/$export?_typeFilter=${encodeURIComponent('HealthcareService?nope=1')}`, ASYNC, 'nope'],
    [`/fhir/$export?_typeFilter=${encodeURIComponent('Location?_count=5')}`, ASYNC, '_typeFilter'],
    [`/fhir/$export?_type=Location&_typeFilter=${encodeURIComponent('Organization?name=chu')}`, ASYNC, '_typeFilter'],
    ['/fhir/$export?_typeFilter=identifier%3D1', ASYNC, '_typeFilter'],
    ['/fhir/$export?patient=Patient/1', ASYNC, 'patient'],
    ['/fhir/$export?_foo=1', ASYNC, '_foo'],
  ];
  for (const [url, headers, expression] of cases) {
    const res = await t.app.inject({ method: 'GET', url, headers: { ...reader, ...headers } });
    assert.equal(res.statusCode, 400, `${url}: ${res.body}`);
    const outcome = res.json() as OperationOutcome;
    assert.equal(outcome.resourceType, 'OperationOutcome');
    assert.ok(outcome.issue[0]?.expression?.[0]?.includes(expression) ?? false, `${url}: ${res.body}`);
  }
  const unknownType = await t.app.inject({ method: 'GET', url: '/fhir/Patient/$export', headers: { ...reader, ...ASYNC } });
  assert.equal(unknownType.statusCode, 404);
  const noRead = await clientToken(t, ['write-capacities'], ['CU18'], NATIONAL);
  const forbidden = await t.app.inject({ method: 'GET', url: '/fhir/$export', headers: { ...ASYNC, authorization: `Bearer ${noRead.token}` } });
  assert.equal(forbidden.statusCode, 403);
  const anonymous = await t.app.inject({ method: 'GET', url: '/fhir/$export', headers: ASYNC });
  assert.equal(anonymous.statusCode, 401);
});

test("someone else's job is not found; its owner cancels it and its files go", async () => {
  const statusUrl = await kickOff('/fhir/$export?_type=Organization', reader);
  const done = await poll(statusUrl, reader);
  const fileUrl = local((JSON.parse(done.body) as ExportManifest).output[0]?.url ?? '');
  for (const [method, url] of [['GET', statusUrl], ['DELETE', statusUrl], ['GET', fileUrl]] as const) {
    const res = await t.app.inject({ method, url, headers: other });
    assert.equal(res.statusCode, 404, `${method} ${url} by another client`);
    assert.equal((res.json() as OperationOutcome).resourceType, 'OperationOutcome');
  }
  const traversal = await t.app.inject({ method: 'GET', url: `${fileUrl.replace(/[^/]+$/, '')}..%2F..%2Fetc%2Fpasswd`, headers: reader });
  assert.equal(traversal.statusCode, 404);
  const jobDir = path.join(dir, statusUrl.split('/').at(-1) as string);
  assert.ok(fs.existsSync(jobDir));
  const cancelled = await t.app.inject({ method: 'DELETE', url: statusUrl, headers: reader });
  assert.equal(cancelled.statusCode, 202);
  assert.ok(!fs.existsSync(jobDir), 'the files are deleted');
  for (const url of [statusUrl, fileUrl]) assert.equal((await t.app.inject({ method: 'GET', url, headers: reader })).statusCode, 404);
  assert.equal((await t.app.inject({ method: 'DELETE', url: statusUrl, headers: reader })).statusCode, 404);
});

test('a job cancelled while it runs stops and leaves nothing', async () => {
  const statusUrl = await kickOff('/fhir/$export', regulator);
  const cancelled = await t.app.inject({ method: 'DELETE', url: statusUrl, headers: regulator });
  assert.equal(cancelled.statusCode, 202);
  assert.equal((await t.app.inject({ method: 'GET', url: statusUrl, headers: regulator })).statusCode, 404);
  const next = await exportAll('/fhir/Organization/$export', regulator);
  assert.equal(next.manifest.output.length, 1, 'the runner goes on with the next job');
  assert.ok(!fs.existsSync(path.join(dir, statusUrl.split('/').at(-1) as string)));
});

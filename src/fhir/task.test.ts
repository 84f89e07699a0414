import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Bundle, OperationOutcome, Parameters, Task } from '@medplum/fhirtypes';
import { accessDataset, SENSITIVE, SIDES, task } from '../auth/access.test-support.ts';
import { clientToken, createAccount, login, openTestApp, type TestApp } from '../http/app.test-support.ts';
import { EMPTY_PERIMETER } from '../auth/principal.ts';

/** Anomaly reports (RORTask) over the HTTP API, with real accounts, clients and the access layer. */
let t: TestApp;
const A = SIDES.A;
const B = SIDES.B;
let reporter: Record<string, string>;
let referentA: Record<string, string>;
let referentB: Record<string, string>;
let reader: Record<string, string>;
const FHIR_JSON = 'application/fhir+json';

before(async () => {
  t = await openTestApp({
    seed: async (repo) => {
      await repo.putBatch(accessDataset());
    },
  });
  reporter = { authorization: `Bearer ${(await clientToken(t, ['read'])).token}` };
  const session = async (email: string, role: 'referent' | 'reader', organizations: string[]): Promise<Record<string, string>> => {
    await createAccount(t, email, role, { ...EMPTY_PERIMETER, organizations });
    const { cookie, csrfToken } = await login(t.app, email);
    return { cookie, 'x-csrf-token': csrfToken };
  };
  referentA = await session('referent.a@example.fr', 'referent', [A.ej]);
  referentB = await session('referent.b@example.fr', 'referent', [B.ej]);
  reader = await session('lecteur@example.fr', 'reader', [A.ej]);
});
after(async () => {
  await t.close();
});

async function fhir<T = unknown>(method: string, url: string, headers: Record<string, string>, payload?: unknown): Promise<{ status: number; body: T; headers: Record<string, unknown> }> {
  const res = await t.app.inject({
    method: method as 'GET',
    url,
    headers: { ...headers, ...(payload !== undefined ? { 'content-type': FHIR_JSON } : {}) },
    ...(payload !== undefined ? { payload: JSON.stringify(payload) } : {}),
  });
  return { status: res.statusCode, body: (res.body ? res.json() : undefined) as T, headers: res.headers };
}

const diagnostics = (body: unknown): string => (body as OperationOutcome).issue?.map((i) => i.diagnostics).join('; ') ?? '';
const setStatus = (status: string): Parameters => ({
  resourceType: 'Parameters',
  parameter: [
    { name: 'operation', part: [{ name: 'type', valueCode: 'replace' }, { name: 'path', valueString: 'Task.status' }, { name: 'value', valueCode: status }] },
    { name: 'operation', part: [{ name: 'type', valueCode: 'replace' }, { name: 'path', valueString: 'Task.lastModified' }, { name: 'value', valueDateTime: '2024-03-01T10:00:00Z' }] },
  ],
});

test('a reader reports an anomaly on an offer it can read; the focus’s referent moves it from requested to completed', async () => {
  const created = await fhir<Task>('POST', '/fhir/Task', reporter, { ...task(undefined, `HealthcareService/${A.offer}`), description: 'Téléphone erroné' });
  assert.equal(created.status, 201, diagnostics(created.body));
  const id = created.body.id as string;
  assert.equal(created.body.status, 'requested');
  assert.match(String(created.headers.location), new RegExp(`/fhir/Task/${id}/_history/1$`));

  const byFocus = await fhir<Bundle>('GET', `/fhir/Task?focus=HealthcareService/${A.offer}`, reader);
  assert.equal(byFocus.status, 200);
  assert.deepEqual(byFocus.body.entry?.map((e) => e.resource?.id).sort(), [A.task, id].sort());

  const revinclude = await fhir<Bundle>('GET', `/fhir/HealthcareService?_id=${A.offer}&_revinclude=Task:focus`, referentA);
  assert.equal(revinclude.status, 200, diagnostics(revinclude.body));
  const included = revinclude.body.entry?.filter((e) => e.search?.mode === 'include').map((e) => e.resource?.id);
  assert.deepEqual(included?.sort(), [A.task, id].sort());

  for (const [status, version] of [['accepted', '2'], ['in-progress', '3'], ['completed', '4']] as const) {
    const res = await fhir<Task>('PATCH', `/fhir/Task/${id}`, { ...referentA, 'if-match': `W/"${Number(version) - 1}"` }, setStatus(status));
    assert.equal(res.status, 200, diagnostics(res.body));
    assert.equal(res.body.status, status);
    assert.equal(res.headers.etag, `W/"${version}"`);
  }
  const completed = await fhir<Bundle>('GET', `/fhir/Task?status=completed&focus=HealthcareService/${A.offer}`, reader);
  assert.deepEqual(completed.body.entry?.map((e) => e.resource?.id), [id]);
  const requested = await fhir<Bundle>('GET', '/fhir/Task?status=requested', reader);
  assert.ok(!requested.body.entry?.some((e) => e.resource?.id === id));
});

test('only the focus’s referent changes a report: another region’s referent and a reader are refused (403); a stale If-Match answers 412', async () => {
  const path = `/fhir/Task/${A.task}`;
  const other = await fhir('PATCH', path, referentB, setStatus('rejected'));
  assert.equal(other.status, 403);
  assert.match(diagnostics(other.body), /hors de votre périmètre/);
  const readOnly = await fhir('PATCH', path, reader, setStatus('rejected'));
  assert.equal(readOnly.status, 403);
  assert.match(diagnostics(readOnly.body), /write-offer/);
  const stale = await fhir('PATCH', path, { ...referentA, 'if-match': 'W/"9"' }, setStatus('rejected'));
  assert.equal(stale.status, 412);
  const task = await fhir<Task>('GET', path, reader);
  assert.equal(task.body.status, 'requested');
  assert.equal(task.body.meta?.versionId, '1');
});

test('a report on a focus the caller cannot read, or that does not exist, is refused; an invalid report answers 422', async () => {
  const hidden = await fhir('POST', '/fhir/Task', reporter, task(undefined, `HealthcareService/${SENSITIVE.offer}`));
  assert.equal(hidden.status, 403, 'profile 2 does not see the sensitive offer');
  assert.match(diagnostics(hidden.body), /focus/);
  const missing = await fhir('POST', '/fhir/Task', reporter, task(undefined, 'Location/nowhere'));
  assert.equal(missing.status, 403);
  const { reasonCode: _r, ...incomplete } = task(undefined, `Location/${A.location}`);
  const invalid = await fhir('POST', '/fhir/Task', reporter, incomplete);
  assert.equal(invalid.status, 422);
  assert.match(diagnostics(invalid.body), /reasonCode/);
});

test('reports on an organisation and a location through one transaction at the FHIR base, Prefer: return=minimal', async () => {
  const res = await t.app.inject({
    method: 'POST',
    url: '/fhir',
    headers: { ...reporter, 'content-type': FHIR_JSON, prefer: 'return=minimal' },
    payload: JSON.stringify({
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [
        { resource: task(undefined, `Organization/${A.eg}`), request: { method: 'POST', url: 'Task' } },
        { resource: task(undefined, `Location/${A.location}`), request: { method: 'POST', url: 'Task' } },
      ],
    }),
  });
  assert.equal(res.statusCode, 200, res.body);
  const bundle = res.json() as Bundle;
  assert.equal(bundle.type, 'transaction-response');
  assert.deepEqual(bundle.entry?.map((e) => [e.response?.status, e.resource]), [['201 Created', undefined], ['201 Created', undefined]]);
  const onLocation = await fhir<Bundle>('GET', `/fhir/Task?focus=Location/${A.location}`, reader);
  assert.equal(onLocation.body.entry?.length, 1);
});

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { EMPTY_PERIMETER } from '../auth/principal.ts';
import { recordAudit, type AuditRecord } from '../store/audit.ts';
import { clientToken, createAccount, login, openTestApp, type TestApp } from './app.test-support.ts';

let t: TestApp;
let admin: string;

const referent = { actor: { kind: 'user' as const, id: 'acc-referent', label: 'referent@ror.test' }, client: 'web', ip: '10.0.0.7' };
const tool = { actor: { kind: 'client' as const, id: 'client-lits', label: 'Gestion des lits' }, client: 'client-lits' };

before(async () => {
  t = await openTestApp();
  await createAccount(t, 'admin@ror.test', 'national-admin');
  await createAccount(t, 'admin-pdl@ror.test', 'regional-admin', { ...EMPTY_PERIMETER, regions: ['52'] });
  await createAccount(t, 'lecteur@ror.test', 'reader');
  await recordAudit(t.db, [
    { action: 'update', outcome: 'success', context: referent, resourceType: 'HealthcareService', resourceId: 'hs-1', versionId: 2 },
    { action: 'update', outcome: 'denied', context: referent, resourceType: 'Location', resourceId: 'loc-1', detail: { reason: 'outside perimeter' } },
    { action: 'update', outcome: 'success', context: tool, resourceType: 'Location', resourceId: 'loc-1', versionId: 5 },
  ]);
  admin = (await login(t.app, 'admin@ror.test')).cookie;
});
after(() => t.close());

async function audit(query: string, cookie = admin): Promise<{ status: number; body: { events: AuditRecord[]; next?: string; error?: { code: string; message: string } } }> {
  const res = await t.app.inject({ method: 'GET', url: `/api/audit${query}`, headers: { cookie } });
  return { status: res.statusCode, body: res.json() };
}

test('a national administrator reads the audit log, newest first', async () => {
  const { status, body } = await audit('');
  assert.equal(status, 200);
  const ids = body.events.map((e) => Number(e.id));
  assert.deepEqual(ids, [...ids].sort((a, b) => b - a));
  assert.ok(body.events.some((e) => e.action === 'login' && e.actor.label === 'admin@ror.test'), 'logins are in it');
});

test('filters: actor, resourceType, resourceId, action, outcome, since, until', async () => {
  const locations = await audit('?resourceType=Location&resourceId=loc-1');
  assert.deepEqual(locations.body.events.map((e) => e.actor.id), ['client-lits', 'acc-referent']);
  const denied = await audit('?actor=acc-referent&action=update&outcome=denied');
  assert.equal(denied.body.events.length, 1);
  assert.deepEqual(denied.body.events[0]?.detail, { reason: 'outside perimeter' });
  const future = await audit('?since=2999-01-01');
  assert.deepEqual(future.body.events, []);
  const past = await audit(`?until=${encodeURIComponent('2000-01-01T00:00:00+01:00')}`);
  assert.deepEqual(past.body.events, []);
  const today = await audit(`?action=update&since=${new Date(Date.now() - 3_600_000).toISOString()}`);
  assert.equal(today.body.events.length, 3);
});

test('limit and next page through the log with before', async () => {
  const first = await audit('?action=update&limit=2');
  assert.equal(first.body.events.length, 2);
  assert.ok(first.body.next);
  const next = new URL(first.body.next, 'http://x');
  assert.equal(next.searchParams.get('action'), 'update');
  const second = await audit(next.search);
  assert.equal(second.body.events.length, 1);
  assert.equal(second.body.next, undefined);
  assert.ok(Number(second.body.events[0]?.id) < Number(first.body.events[1]?.id));
});

test('an unknown, repeated or malformed parameter answers 400', async () => {
  const cases: [string, string][] = [
    ['?resource=Location', 'unknown-parameter'],
    ['?action=update&action=create', 'invalid-parameter'],
    ['?outcome=maybe', 'invalid-parameter'],
    ['?since=yesterday', 'invalid-parameter'],
    ['?since=2026-01-01T10:00', 'invalid-parameter'],
    ['?until=2026-02-30', 'invalid-parameter'],
    ['?limit=0', 'invalid-parameter'],
    ['?limit=5000', 'invalid-parameter'],
    ['?before=abc', 'invalid-parameter'],
    ['?resourceType=location', 'invalid-parameter'],
  ];
  for (const [query, code] of cases) {
    const { status, body } = await audit(query);
    assert.equal(status, 400, query);
    assert.equal(body.error?.code, code, query);
  }
});

test('the audit log is for national administrators only; a refusal is audited', async () => {
  for (const email of ['lecteur@ror.test', 'admin-pdl@ror.test']) {
    const { status, body } = await audit('', (await login(t.app, email)).cookie);
    assert.equal(status, 403, email);
    assert.equal(body.error?.code, 'forbidden');
  }
  const { token } = await clientToken(t, ['read']);
  const res = await t.app.inject({ method: 'GET', url: '/api/audit', headers: { authorization: `Bearer ${token}` } });
  assert.equal(res.statusCode, 403);
  const denied = await audit('?action=read-audit&outcome=denied');
  assert.deepEqual(denied.body.events.map((e) => e.actor.kind), ['client', 'user', 'user']);
});

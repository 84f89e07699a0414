import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Location } from '@medplum/fhirtypes';
import { EMPTY_PERIMETER } from '../auth/principal.ts';
import { BEDS, bedsDataset } from '../beds/beds.test-support.ts';
import type { ServedUnit } from '../beds/board.ts';
import { CAPACITY_STATUS, getCapacities } from '../model/index.ts';
import { clientToken, createAccount, login, openTestApp, type TestApp } from './app.test-support.ts';

const { units } = BEDS;
let t: TestApp;
let reader: { cookie: string; csrfToken: string };
let operator: { cookie: string; csrfToken: string };
let admin: { cookie: string; csrfToken: string };
let regulatorToken: string;
let baseUrl: string;

type Session = { cookie: string; csrfToken: string };
const headers = (s: Session, extra: Record<string, string> = {}): Record<string, string> => ({ cookie: s.cookie, 'x-csrf-token': s.csrfToken, ...extra });

async function get(s: Session | string, url: string): Promise<{ status: number; body: any; headers: Record<string, unknown> }> {
  const res = await t.app.inject({ method: 'GET', url, headers: typeof s === 'string' ? { authorization: `Bearer ${s}` } : headers(s) });
  return { status: res.statusCode, body: res.json(), headers: res.headers };
}

async function send(s: Session, method: 'PUT' | 'POST', url: string, payload: unknown, extra: Record<string, string> = {}): Promise<{ status: number; body: any; headers: Record<string, unknown> }> {
  const res = await t.app.inject({ method, url, headers: headers(s, extra), payload: payload as object });
  return { status: res.statusCode, body: res.json(), headers: res.headers };
}

async function versionOf(id: string): Promise<string> {
  return ((await t.repo.read('Location', id)) as Location).meta?.versionId as string;
}

/** Reads Server-Sent Events from a real connection until `until` holds of the events so far (or 5 s pass). */
async function readEvents(url: string, auth: string, until: (events: { event: string; id?: string; data: any }[]) => boolean, extra: Record<string, string> = {}): Promise<{ event: string; id?: string; data: any }[]> {
  const controller = new AbortController();
  const res = await fetch(url, { headers: { authorization: `Bearer ${auth}`, ...extra }, signal: controller.signal });
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /^text\/event-stream/);
  const events: { event: string; id?: string; data: any }[] = [];
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  const timer = setTimeout(() => controller.abort(), 5000);
  try {
    while (!until(events)) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true });
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const fields = Object.fromEntries(block.split('\n').filter((l) => !l.startsWith(':') && l.includes(':')).map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 1).trim()]));
        if (fields.event) events.push({ event: fields.event, ...(fields.id ? { id: fields.id } : {}), data: JSON.parse(fields.data ?? 'null') });
      }
    }
  } finally {
    clearTimeout(timer);
    controller.abort();
  }
  return events;
}

before(async () => {
  t = await openTestApp({ seed: async (repo) => void (await repo.putBatch(bedsDataset(new Date()))) });
  await createAccount(t, 'lecteur@example.fr', 'reader');
  await createAccount(t, 'ide.rea@example.fr', 'capacity-operator', { ...EMPTY_PERIMETER, locations: [units.rea] });
  await createAccount(t, 'admin-pdl@example.fr', 'regional-admin', { ...EMPTY_PERIMETER, regions: ['52'] });
  reader = await login(t.app, 'lecteur@example.fr');
  operator = await login(t.app, 'ide.rea@example.fr');
  admin = await login(t.app, 'admin-pdl@example.fr');
  regulatorToken = (await clientToken(t, ['read'], ['CU22'])).token;
  baseUrl = await t.app.listen({ port: 0, host: '127.0.0.1' });
});

after(async () => {
  await t.close();
});

describe('GET /api/beds', () => {
  test('answers the board with its totals, filtered, as the caller\'s profile is served', async () => {
    const all = await get(regulatorToken, '/api/beds?region=52');
    assert.equal(all.status, 200);
    assert.deepEqual(all.body.units.map((u: ServedUnit) => u.id).sort(), [units.rea, units.sensitive, units.usic].sort());
    assert.equal(all.body.totals['01'].installed, 40);
    assert.match(all.body.eventId, /^\d+$/);
    const profile2 = await get(reader, '/api/beds?region=52');
    assert.deepEqual(profile2.body.units.map((u: ServedUnit) => u.id).sort(), [units.rea, units.usic].sort(), 'a reader (Profil 2) does not see the sensitive unit');
    assert.equal((await get(reader, `/api/beds?activity=354`)).body.units.length, 1);
  });

  test('pages the units, the totals covering them all', async () => {
    const first = await get(regulatorToken, '/api/beds?region=52&page_size=2');
    assert.deepEqual([first.body.total, first.body.page, first.body.units.length], [3, 1, 2]);
    assert.equal(first.body.totals['01'].installed, 40);
    assert.equal(first.body.next, '/api/beds?region=52&page_size=2&page=2');
    const second = await get(regulatorToken, first.body.next);
    assert.equal(second.body.units.length, 1);
    assert.equal(second.body.next, undefined);
    const whole = await get(regulatorToken, '/api/beds?region=52');
    assert.deepEqual([...first.body.units, ...second.body.units].map((u: ServedUnit) => u.id), whole.body.units.map((u: ServedUnit) => u.id));
    for (const url of ['/api/beds?page=0', '/api/beds?page_size=5000', '/api/beds?page=deux']) assert.equal((await get(reader, url)).status, 400, url);
  });

  test('refuses unknown parameters and malformed values, and a future "at"', async () => {
    for (const [url, code] of [
      ['/api/beds?regio=52', 'unknown-parameter'],
      ['/api/beds?region=Pays', 'invalid-parameter'],
      ['/api/beds?department=444', 'invalid-parameter'],
      ['/api/beds?activity=12%3B3', 'invalid-parameter'],
      ['/api/beds?at=hier', 'invalid-parameter'],
      ['/api/beds?at=2999-01-01T00:00:00Z', 'invalid-parameter'],
      ['/api/beds?region=52&region=53', 'invalid-parameter'],
    ] as const) {
      const res = await get(reader, url);
      assert.equal(res.status, 400, url);
      assert.equal(res.body.error.code, code, url);
    }
  });

  test('one unit, with its ETag; a hidden or unknown one is 404', async () => {
    const res = await get(reader, `/api/beds/units/${units.rea}`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.etag, `W/"${await versionOf(units.rea)}"`);
    assert.equal((await get(reader, `/api/beds/units/${units.sensitive}`)).status, 404);
    assert.equal((await get(regulatorToken, `/api/beds/units/${units.sensitive}`)).status, 200);
    assert.equal((await get(reader, '/api/beds/units/loc-absent')).status, 404);
  });

  test('requires authentication', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/beds' });
    assert.equal(res.statusCode, 401);
  });
});

describe('PUT /api/beds/units/{id}', () => {
  test('a capacity operator sets the counts of its unit in one version; If-Match guards it', async () => {
    const before = await versionOf(units.rea);
    const res = await send(operator, 'PUT', `/api/beds/units/${units.rea}`, { counts: [{ status: '02', count: 4 }, { status: '03', count: 16 }] }, { 'if-match': `W/"${before}"` });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.versionId, String(Number(before) + 1));
    assert.equal(res.headers.etag, `W/"${res.body.versionId}"`);
    assert.equal(res.body.unit.figures[0].available, 4);
    assert.equal(res.body.unit.figures[0].freshness, 'fresh');
    assert.deepEqual(res.body.warnings, []);
    const stale = await send(operator, 'PUT', `/api/beds/units/${units.rea}`, { counts: [{ status: '02', count: 9 }] }, { 'if-match': `W/"${before}"` });
    assert.equal(stale.status, 412);
    assert.equal(stale.body.error.code, 'version-conflict');
    const stored = (await t.repo.read('Location', units.rea)) as Location;
    assert.equal(getCapacities(stored).find((e) => e.capacityStatus === CAPACITY_STATUS.disponible)?.nbCapacity, 4);
    assert.equal(stored.meta?.versionId, res.body.versionId, 'nothing written by the refused update');
  });

  test('an inconsistent figure is kept, with a warning', async () => {
    const res = await send(operator, 'PUT', `/api/beds/units/${units.rea}`, { counts: [{ status: '02', count: 25 }] });
    assert.equal(res.status, 200);
    assert.match(res.body.warnings[0], /Disponible \(25\) supérieur à installé/);
    await send(operator, 'PUT', `/api/beds/units/${units.rea}`, { counts: [{ status: '02', count: 4 }] });
  });

  test('bad counts, units outside the perimeter and readers are refused, and nothing changes', async () => {
    const before = await versionOf(units.rea);
    const bad = await send(operator, 'PUT', `/api/beds/units/${units.rea}`, { counts: [{ status: '02', count: -3 }] });
    assert.equal(bad.status, 400);
    assert.match(bad.body.error.message, /counts\[0\]\.count/);
    const closingWithoutFerme = await send(operator, 'PUT', `/api/beds/units/${units.rea}`, { counts: [{ status: '02', count: 1, closingType: '01' }] });
    assert.equal(closingWithoutFerme.status, 422);
    assert.match(closingWithoutFerme.body.error.message, /capacityClosingType is only allowed with capacityStatus 05/);
    const outside = await send(operator, 'PUT', `/api/beds/units/${units.usic}`, { counts: [{ status: '02', count: 1 }] });
    assert.equal(outside.status, 403);
    const asReader = await send(reader, 'PUT', `/api/beds/units/${units.rea}`, { counts: [{ status: '02', count: 1 }] });
    assert.equal(asReader.status, 403);
    const badEtag = await send(operator, 'PUT', `/api/beds/units/${units.rea}`, { counts: [{ status: '02', count: 1 }] }, { 'if-match': 'soon' });
    assert.equal(badEtag.status, 400);
    assert.equal(await versionOf(units.rea), before);
  });
});

describe('live stream', () => {
  test('an update reaches an open stream as a unit event; a filter keeps other units out', async () => {
    const stream = readEvents(`${baseUrl}/api/beds/stream?department=44`, regulatorToken, (evs) => evs.some((e) => e.event === 'unit' && e.data.figures[0].available === 2));
    await new Promise((r) => setTimeout(r, 200));
    const other = await t.app.inject({ method: 'PUT', url: `/api/beds/units/${units.rennes}`, headers: headers(admin), payload: { counts: [{ status: '02', count: 7 }] } });
    assert.equal(other.statusCode, 403, 'Rennes is outside region 52');
    const rennes = structuredClone((await t.repo.read('Location', units.rennes)) as Location);
    await t.repo.update({ ...rennes, name: 'Réanimation — Rennes (renommée)' });
    const res = await send(operator, 'PUT', `/api/beds/units/${units.rea}`, { counts: [{ status: '02', count: 2 }] });
    assert.equal(res.status, 200);
    const events = await stream;
    assert.equal(events[0]?.event, 'ready');
    const unitEvents = events.filter((e) => e.event === 'unit');
    assert.ok(unitEvents.some((e) => e.data.id === units.rea && e.data.figures[0].available === 2));
    assert.ok(!unitEvents.some((e) => e.data.id === units.rennes), 'Rennes is not in department 44');
  });

  test('resuming with Last-Event-ID sends what changed since', async () => {
    const since = String(Date.now());
    await send(operator, 'PUT', `/api/beds/units/${units.rea}`, { counts: [{ status: '02', count: 5 }] });
    await new Promise((r) => setTimeout(r, 300));
    const events = await readEvents(`${baseUrl}/api/beds/stream`, regulatorToken, (evs) => evs.some((e) => e.event === 'ready'), { 'last-event-id': since });
    assert.ok(events.some((e) => e.event === 'unit' && e.data.id === units.rea && e.data.figures[0].available === 5));
    const bad = await t.app.inject({ method: 'GET', url: '/api/beds/stream', headers: { authorization: `Bearer ${regulatorToken}`, 'last-event-id': 'yesterday' } });
    assert.equal(bad.statusCode, 400);
    const badFilter = await t.app.inject({ method: 'GET', url: '/api/beds/stream?colour=red', headers: { authorization: `Bearer ${regulatorToken}` } });
    assert.equal(badFilter.statusCode, 400);
  });
});

describe('holds, nearest, overdue, crises over HTTP', () => {
  test('hold, list and confirm a bed', async () => {
    const placed = await send(reader, 'POST', `/api/beds/units/${units.rea}/holds`, { minutes: 15, note: 'SMUR 44' });
    assert.equal(placed.status, 201, JSON.stringify(placed.body));
    assert.equal(placed.body.state, 'held');
    const mine = await get(reader, '/api/beds/holds');
    assert.deepEqual(mine.body.holds.map((h: { id: string }) => h.id), [placed.body.id]);
    const unit = await get(regulatorToken, `/api/beds/units/${units.rea}`);
    assert.equal(unit.body.figures[0].held, 1);
    const confirmed = await send(reader, 'POST', `/api/beds/holds/${placed.body.id}/confirm`, {});
    assert.equal(confirmed.status, 200);
    assert.equal(confirmed.body.state, 'confirmed');
    const again = await send(reader, 'POST', `/api/beds/holds/${placed.body.id}/release`, {});
    assert.equal(again.status, 409);
    assert.equal((await send(reader, 'POST', `/api/beds/units/${units.usic}/holds`, {})).body.error.code, 'no-bed');
    assert.equal((await send(reader, 'POST', `/api/beds/units/${units.rea}/holds`, { minutes: 'lots' })).status, 400);
    assert.equal((await send(reader, 'POST', `/api/beds/units/${units.rea}/holds`, { bed: 3 })).status, 400);
    assert.equal((await send(reader, 'POST', `/api/beds/units/${units.sensitive}/holds`, {})).status, 404, 'hidden from Profil 2');
  });

  test('the nearest available beds from a commune, a postal code or a point', async () => {
    const fromCommune = await get(reader, '/api/beds/nearest?near=44109&radius_km=30&age=45');
    assert.equal(fromCommune.status, 200);
    assert.deepEqual(fromCommune.body.results.map((r: { unit: ServedUnit }) => r.unit.id), [units.rea]);
    assert.ok(fromCommune.body.results[0].distance_km < 5);
    const fromPostalCode = await get(reader, '/api/beds/nearest?near=44000');
    assert.deepEqual(fromPostalCode.body.results.map((r: { unit: ServedUnit }) => r.unit.id), [units.rea]);
    assert.equal((await get(reader, '/api/beds/nearest?near=47.2,-1.55&age=8')).body.results.length, 0);
    for (const url of ['/api/beds/nearest', '/api/beds/nearest?near=99999', '/api/beds/nearest?near=91,0', '/api/beds/nearest?near=44109&radius_km=-2', '/api/beds/nearest?near=44109&age=-3', '/api/beds/nearest?near=44109&gender=9']) {
      assert.equal((await get(reader, url)).status, 400, url);
    }
  });

  test('overdue figures for those who update them', async () => {
    const res = await get(admin, '/api/beds/overdue');
    assert.equal(res.status, 200);
    assert.deepEqual(res.body.units.map((u: ServedUnit) => u.id), [units.usic]);
    assert.equal((await get(reader, '/api/beds/overdue')).status, 403);
  });

  test('a regional administrator declares a plan blanc, the board shows it, and ends it', async () => {
    const refused = await send(reader, 'POST', '/api/beds/crises', { scope: { kind: 'region', code: '52' }, crisisType: '02' });
    assert.equal(refused.status, 403);
    const bad = await send(admin, 'POST', '/api/beds/crises', { scope: { kind: 'region', code: '52' }, crisisType: '02', endsAt: '2020-01-01T00:00:00Z' });
    assert.equal(bad.status, 400);
    const declared = await send(admin, 'POST', '/api/beds/crises', { scope: { kind: 'region', code: '52' }, crisisType: '02', label: 'SSE — plan blanc régional' });
    assert.equal(declared.status, 201, JSON.stringify(declared.body));
    await new Promise((r) => setTimeout(r, 100));
    const board = await get(reader, '/api/beds?region=52');
    assert.deepEqual(board.body.crises.map((c: { label: string }) => c.label), ['SSE — plan blanc régional']);
    assert.ok(board.body.units.every((u: ServedUnit) => u.inCrisis));
    const ended = await send(admin, 'POST', `/api/beds/crises/${declared.body.id}/end`, {});
    assert.equal(ended.status, 200);
    assert.ok(ended.body.endsAt);
    const list = await get(reader, '/api/beds/crises');
    assert.ok(list.body.crises.some((c: { id: string }) => c.id === declared.body.id));
  });

  test('the board as of a past instant and the history of a unit', async () => {
    const before = new Date().toISOString();
    await new Promise((r) => setTimeout(r, 5));
    await send(operator, 'PUT', `/api/beds/units/${units.rea}`, { counts: [{ status: '02', count: 8 }] });
    const then = await get(reader, `/api/beds?unit=${units.rea}&at=${encodeURIComponent(before)}`);
    assert.equal(then.status, 200);
    assert.notEqual(then.body.units[0].figures[0].available, 8);
    const history = await get(reader, `/api/beds/units/${units.rea}/history?limit=100`);
    assert.equal(history.status, 200);
    assert.equal(history.body.versions.at(-1).figures[0].available, 8);
    assert.equal((await get(reader, `/api/beds/units/${units.rea}/history?since=2026-01-02T00:00:00Z&until=2026-01-01T00:00:00Z`)).status, 400);
  });
});

describe('POST /api/beds/updates', () => {
  test('sets the counts of several units in one transaction', async () => {
    const before = [await versionOf(units.rea), await versionOf(units.usic)];
    const res = await send(admin, 'POST', '/api/beds/updates', {
      units: [
        { id: units.rea, counts: [{ status: '02', count: 6 }], source: '02' },
        { id: units.usic, counts: [{ status: '02', count: 1 }, { status: '03', count: 11 }], ifMatch: `W/"${before[1]}"` },
      ],
    });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.deepEqual(res.body.units.map((u: { id: string; versionId: string }) => [u.id, u.versionId]), [
      [units.rea, String(Number(before[0]) + 1)],
      [units.usic, String(Number(before[1]) + 1)],
    ]);
    const usic = await get(reader, `/api/beds/units/${units.usic}`);
    assert.equal(usic.body.figures[0].available, 1);
    assert.equal(usic.body.freshness, 'fresh');
  });

  test('one refused unit writes none, and the answer names it', async () => {
    const before = [await versionOf(units.rea), await versionOf(units.rennes)];
    const outside = await send(admin, 'POST', '/api/beds/updates', { units: [{ id: units.rea, counts: [{ status: '02', count: 2 }] }, { id: units.rennes, counts: [{ status: '02', count: 2 }] }] });
    assert.equal(outside.status, 403);
    assert.match(outside.body.error.message, /^units\[1\] \(loc-rennes-rea\)/);
    const stale = await send(admin, 'POST', '/api/beds/updates', { units: [{ id: units.rea, counts: [{ status: '02', count: 2 }], ifMatch: '1' }] });
    assert.equal(stale.status, 412);
    for (const [payload, message] of [
      [{}, /Corps JSON attendu/],
      [{ units: [] }, /de 1 à 500 unités/],
      [{ units: [{ id: units.rea, counts: [{ status: '02', count: -1 }] }] }, /^units\[0\] : counts\[0\]\.count/],
      [{ units: [{ id: units.rea, counts: [{ status: '02', count: 1 }] }, { id: units.rea, counts: [{ status: '02', count: 1 }] }] }, /units\[1\] : loc-nantes-rea figure deux fois/],
      [{ units: [{ counts: [{ status: '02', count: 1 }] }] }, /units\[0\] : identifiant de lieu/],
    ] as const) {
      const res = await send(admin, 'POST', '/api/beds/updates', payload);
      assert.equal(res.status, 400, JSON.stringify(payload));
      assert.match(res.body.error.message, message);
    }
    assert.equal((await send(admin, 'POST', '/api/beds/updates', { units: [{ id: 'loc-absent', counts: [{ status: '02', count: 1 }] }] })).status, 404);
    assert.deepEqual([await versionOf(units.rea), await versionOf(units.rennes)], before);
  });
});

test('a Profil 2 client setting counts keeps the figures its profile does not see, in the store and on the board', async () => {
  const p2 = (await clientToken(t, ['read', 'write-capacities'], ['CU18'], { ...EMPTY_PERIMETER, national: true })).token;
  const extra = await send(admin, 'PUT', `/api/beds/units/${units.usic}`, { counts: [{ status: '06', count: 2, additionalBedType: '02' }] });
  assert.equal(extra.status, 200);
  const put = await t.app.inject({ method: 'PUT', url: `/api/beds/units/${units.usic}`, headers: { authorization: `Bearer ${p2}` }, payload: { counts: [{ status: '02', count: 3 }] } });
  assert.equal(put.statusCode, 200, put.body);
  assert.equal(put.json().unit.figures[0].supplementary.total, 0, 'Profil 2 is not served supplementary beds');
  const stored = getCapacities((await t.repo.read('Location', units.usic)) as Location);
  assert.equal(stored.find((e) => e.capacityStatus === CAPACITY_STATUS.supplementaire)?.nbCapacity, 2);
  const batch = await t.app.inject({ method: 'POST', url: '/api/beds/updates', headers: { authorization: `Bearer ${p2}` }, payload: { units: [{ id: units.usic, counts: [{ status: '02', count: 4 }] }] } });
  assert.equal(batch.statusCode, 200, batch.body);
  const profil1 = await get(regulatorToken, `/api/beds/units/${units.usic}`);
  assert.deepEqual([profil1.body.figures[0].available, profil1.body.figures[0].supplementary.total], [4, 2]);
});

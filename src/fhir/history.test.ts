import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Bundle, CapabilityStatement, HealthcareService, Location, OperationOutcome } from '@medplum/fhirtypes';
import { location, openAccessDataset, SENSITIVE, SIDES, userPrincipal } from '../auth/access.test-support.ts';
import type { Principal } from '../auth/principal.ts';
import type { Database } from '../db/open.ts';
import { Repository } from '../store/repository.ts';
import { handleFhirRequest, type FhirRequest, type FhirResponse } from './router.ts';

let db: Database;
let repo: Repository;
/** The Repository writing at `now`, fixed instants of 2100, after everything the dataset wrote. */
let clocked: Repository;
let now: string;
const BASE = 'http://ror.test/fhir';
const admin = userPrincipal('history-admin', 'national-admin', { national: true }, 1);
const referent = userPrincipal('history-referent', 'referent', { organizations: [SIDES.A.ej] });
const SINCE = '2100-01-01T00:00:00.000Z';
const at = (hour: number): string => `2100-01-01T${String(hour).padStart(2, '0')}:00:00.000Z`;

before(async () => {
  ({ db, repo } = await openAccessDataset());
  now = at(0);
  clocked = new Repository(db, { now: () => new Date(now) });
  await clocked.update(location('A', 'hist-1'));
  now = at(1);
  await clocked.update(location('A', 'hist-2'));
  now = at(2);
  await clocked.update({ ...location('A', 'hist-1'), description: 'v2' } as Location);
  now = at(3);
  await clocked.delete('Location', 'hist-2');
  now = at(4);
  const sensitive = (await repo.readCurrent('HealthcareService', [SENSITIVE.offer])).get(SENSITIVE.offer) as HealthcareService;
  await clocked.update({ ...sensitive, comment: 'v2' });
});
after(async () => {
  await db.close();
});

function get(path: string, query: FhirRequest['query'] = {}, principal: Principal = admin, method = 'GET'): Promise<FhirResponse> {
  return handleFhirRequest({ method, path, query, baseUrl: BASE }, { repo, principal });
}

const diagnostics = (res: FhirResponse): string => (res.body as OperationOutcome).issue?.map((i) => i.diagnostics).join('; ') ?? '';

/** `Type/id/_history/version method` of each entry. */
function versions(res: FhirResponse): string[] {
  assert.equal(res.status, 200, diagnostics(res));
  const bundle = res.body as Bundle;
  assert.equal(bundle.type, 'history');
  return (bundle.entry ?? []).map((e) => {
    assert.equal(e.resource === undefined, e.request?.method === 'DELETE', 'only tombstones come without a resource');
    const [, type, id] = /\/([^/]+)\/([^/]+)$/.exec(e.fullUrl ?? '') ?? [];
    return `${type}/${id}/_history/${/\d+/.exec(e.response?.etag ?? '')?.[0]} ${e.request?.method}`;
  });
}

const nextLink = (res: FhirResponse): string | undefined => (res.body as Bundle).link?.find((l) => l.relation === 'next')?.url;

test('type history: every version of the type, newest first, tombstones as DELETE entries', async () => {
  assert.deepEqual(versions(await get('Location/_history', { _since: SINCE })), [
    'Location/hist-2/_history/2 DELETE',
    'Location/hist-1/_history/2 PUT',
    'Location/hist-2/_history/1 POST',
    'Location/hist-1/_history/1 POST',
  ]);
  const all = versions(await get('Location/_history'));
  assert.ok(all.length > 4 && all.includes(`Location/${SIDES.B.location}/_history/1 POST`), 'without _since, the dataset too');
  assert.equal(nextLink(await get('Location/_history')), undefined);
});

test('system history: every type; _since keeps versions updated at or after it', async () => {
  assert.deepEqual(versions(await get('_history', { _since: '2100-01-01T01:30:00+00:00' })), [
    `HealthcareService/${SENSITIVE.offer}/_history/2 PUT`,
    'Location/hist-2/_history/2 DELETE',
    'Location/hist-1/_history/2 PUT',
  ]);
  assert.deepEqual(versions(await get('_history', { _since: at(4) })), [`HealthcareService/${SENSITIVE.offer}/_history/2 PUT`], 'the bound is included');
});

test('a sensitive offer’s versions are left out for profile 2, in system and type history', async () => {
  assert.deepEqual(versions(await get('_history', { _since: SINCE }, referent)), [
    'Location/hist-2/_history/2 DELETE',
    'Location/hist-1/_history/2 PUT',
    'Location/hist-2/_history/1 POST',
    'Location/hist-1/_history/1 POST',
  ]);
  const offers = versions(await get('HealthcareService/_history', {}, referent));
  assert.ok(offers.length > 0);
  assert.ok(!offers.some((v) => v.includes(SENSITIVE.offer)));
  assert.ok(versions(await get('HealthcareService/_history', {}, admin)).includes(`HealthcareService/${SENSITIVE.offer}/_history/1 POST`));
});

test('paging follows next links; versions written meanwhile do not shift the pages', async () => {
  const seen: string[][] = [];
  let res = await get('_history', { _since: SINCE, _count: '2' });
  for (;;) {
    seen.push(versions(res));
    if (seen.length === 1) {
      now = at(5);
      await clocked.update(location('A', 'hist-3'));
    }
    const next = nextLink(res);
    if (!next) break;
    const url = new URL(next);
    assert.equal(`${url.origin}${url.pathname}`, `${BASE}/_history`);
    res = await get('_history', Object.fromEntries(url.searchParams));
  }
  assert.deepEqual(seen, [
    [`HealthcareService/${SENSITIVE.offer}/_history/2 PUT`, 'Location/hist-2/_history/2 DELETE'],
    ['Location/hist-1/_history/2 PUT', 'Location/hist-2/_history/1 POST'],
    ['Location/hist-1/_history/1 POST'],
  ]);
  const instance = await get('Location/hist-1/_history', { _count: '1' });
  assert.deepEqual(versions(instance), ['Location/hist-1/_history/2 PUT']);
  assert.deepEqual(versions(await get('Location/hist-1/_history', Object.fromEntries(new URL(nextLink(instance) ?? BASE).searchParams))), [
    'Location/hist-1/_history/1 POST',
  ]);
});

test('_at keeps the versions current at that instant, or at some time of that date', async () => {
  const location230 = versions(await get('Location/_history', { _at: '2100-01-01T02:30:00Z' }));
  assert.ok(location230.includes('Location/hist-1/_history/2 PUT') && location230.includes('Location/hist-2/_history/1 POST'), location230.join());
  assert.ok(!location230.some((v) => /hist-1\/_history\/1 |hist-2\/_history\/2 /.test(v)));
  assert.ok(versions(await get('Location/_history', { _at: '2100-01-01T03:30:00Z' })).includes('Location/hist-2/_history/2 DELETE'));
  assert.deepEqual(versions(await get('Location/hist-1/_history', { _at: '2100-01-01T01:00:00Z' })), ['Location/hist-1/_history/1 POST']);
  const day = versions(await get('Location/hist-1/_history', { _at: '2100-01-01' }));
  assert.ok(day.includes('Location/hist-1/_history/1 POST') && day.includes('Location/hist-1/_history/2 PUT'), day.join());
  assert.deepEqual(versions(await get('Location/hist-1/_history', { _at: '2099-12' })), []);
});

test('instance history takes _since and _count; an unknown or hidden resource is still 404', async () => {
  assert.deepEqual(versions(await get('Location/hist-1/_history', { _since: at(1) })).slice(-1), ['Location/hist-1/_history/2 PUT']);
  assert.equal((await get('Location/nothing-here/_history')).status, 404);
  assert.equal((await get(`HealthcareService/${SENSITIVE.offer}/_history`, { _since: SINCE }, referent)).status, 404);
});

test('bad history parameters answer 400 naming the problem', async () => {
  for (const [path, query, message] of [
    ['_history', { _since: 'yesterday' }, /_since must be an instant/],
    ['Location/_history', { _since: '2100-01-01' }, /_since must be an instant/],
    ['_history', { _at: '2100-13' }, /_at must be a date/],
    ['_history', { _count: '0' }, /_count must be an integer from 1 to 200/],
    ['Location/_history', { _count: '500' }, /_count must be an integer from 1 to 200/],
    ['Location/hist-1/_history', { foo: 'bar' }, /Unknown history parameters: foo/],
    ['_history', { _since: [SINCE, SINCE] }, /_since may be given once/],
    ['_history', { _cursor: 'garbage' }, /_cursor is not one this server gave/],
  ] as const) {
    const res = await get(path, query as FhirRequest['query']);
    assert.equal(res.status, 400, `${path} ${JSON.stringify(query)}`);
    assert.equal(res.body?.resourceType, 'OperationOutcome');
    assert.match(diagnostics(res), message);
  }
  assert.equal((await get('_history', {}, admin, 'POST')).headers.allow, 'GET, HEAD');
  assert.equal((await get('Location/_history', {}, admin, 'DELETE')).headers.allow, 'GET, HEAD');
  assert.equal((await get('Nothing/_history')).status, 404);
});

test('the CapabilityStatement announces type and system history', async () => {
  const rest = ((await get('metadata')).body as CapabilityStatement).rest?.[0];
  assert.ok(rest?.resource?.find((r) => r.type === 'Location')?.interaction?.some((i) => i.code === 'history-type'));
  assert.ok(rest?.interaction?.some((i) => i.code === 'history-system'));
});

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Bundle, HealthcareService, Resource } from '@medplum/fhirtypes';
import { buildDemoDataset } from '../importers/demo/index.ts';
import { getServiceContacts, getServiceTelecoms } from '../model/index.ts';
import { clientToken, createAccount, login, openTestApp, type TestApp } from './app.test-support.ts';

/**
 * End to end over HTTP, on the demo description of the CHU de Nantes (Hôtel-Dieu site): the très-restreint
 * phone numbers of its offers never appear in any response served to a profile without the right, whatever
 * the read path, and appear for Profil 1 (so that this test can fail).
 */
const SITE = '440000271';
const EJ = 'ej-440000289';
let t: TestApp;
let chu: Resource[];
let veryRestricted: string[];

function telecomsOf(hs: HealthcareService): { level: string; value: string }[] {
  const inContacts = getServiceContacts(hs).flatMap((c) => c.telecoms.map((tc) => ({ tc, contactLevel: c.confidentiality })));
  const direct = getServiceTelecoms(hs).map((tc) => ({ tc, contactLevel: undefined }));
  return [...inContacts, ...direct].map(({ tc, contactLevel }) => ({ level: tc.confidentiality ?? contactLevel ?? '3', value: tc.value ?? '' }));
}

before(async () => {
  const all: Resource[] = buildDemoDataset();
  const roles = all.filter((r) => r.resourceType === 'PractitionerRole' && r.id?.includes(SITE));
  const practitioners = new Set(roles.map((r) => (r.resourceType === 'PractitionerRole' ? r.practitioner?.reference : undefined)));
  chu = all.filter((r) => r.id === EJ || r.id?.includes(SITE) || practitioners.has(`Practitioner/${r.id}`));
  const telecoms = chu.filter((r): r is HealthcareService => r.resourceType === 'HealthcareService').flatMap(telecomsOf);
  const open = new Set(telecoms.filter((tc) => tc.level !== '3').map((tc) => tc.value));
  veryRestricted = [...new Set(telecoms.filter((tc) => tc.level === '3' && !open.has(tc.value)).map((tc) => tc.value))];
  assert.ok(veryRestricted.length >= 5, `the CHU offers carry très-restreint lines (${veryRestricted.length})`);
  t = await openTestApp({
    seed: async (repo) => {
      const rejected = (await repo.putBatch(chu)).filter((o) => o.status === 'rejected');
      assert.deepEqual(rejected, []);
    },
  });
});
after(async () => {
  await t.close();
});

/** Every response body of every read path over the CHU: searches of every type (all pages), and the read, vread and history of each offer. */
async function everyResponse(headers: Record<string, string>): Promise<string[]> {
  const bodies: string[] = [];
  const get = async (url: string): Promise<string> => {
    const res = await t.app.inject({ method: 'GET', url, headers });
    assert.ok(res.statusCode === 200 || res.statusCode === 404, `${url} answered ${res.statusCode}: ${res.body.slice(0, 300)}`);
    bodies.push(res.body);
    return res.body;
  };
  for (const type of ['Organization', 'HealthcareService', 'Location', 'PractitionerRole', 'Practitioner']) {
    let url: string | undefined = `/fhir/${type}?_count=50`;
    while (url) {
      const page = JSON.parse(await get(url)) as Bundle;
      url = page.link?.find((l) => l.relation === 'next')?.url?.replace(/^https?:\/\/[^/]+/, '');
    }
  }
  for (const r of chu.filter((x) => x.resourceType === 'HealthcareService')) {
    await get(`/fhir/${r.resourceType}/${r.id}`);
    await get(`/fhir/${r.resourceType}/${r.id}/_history`);
    await get(`/fhir/${r.resourceType}/${r.id}/_history/1`);
  }
  return bodies;
}

function leaks(bodies: string[]): string[] {
  return veryRestricted.filter((phone) => bodies.some((b) => b.includes(phone)));
}

test('no très-restreint phone reaches a professional reader, nor API clients of profiles 0, 2 and 3', async () => {
  await createAccount(t, 'lecteur@chu.test', 'reader');
  const reader = await login(t.app, 'lecteur@chu.test');
  assert.deepEqual(leaks(await everyResponse({ cookie: reader.cookie })), [], 'reader (CU18, Profil 2)');
  for (const code of ['CU23', 'CU18', 'CU19']) {
    const { token } = await clientToken(t, ['read'], [code]);
    assert.deepEqual(leaks(await everyResponse({ authorization: `Bearer ${token}` })), [], `client ${code}`);
  }
});

test('a client that may use Profil 1 but asks for Profil 2 in Ror-Profil-Utilisateur-Code gets no très-restreint phone', async () => {
  const { token } = await clientToken(t, ['read'], ['CU22', 'CU18']);
  const headers = { authorization: `Bearer ${token}`, 'ror-profil-utilisateur-code': 'CU18', 'ror-profil-utilisateur-system': '1.2.250.1.213.1.6.1.66' };
  assert.deepEqual(leaks(await everyResponse(headers)), []);
});

test('Profil 1 is served every très-restreint phone, and each such read is audited', async () => {
  const { token, clientId } = await clientToken(t, ['read'], ['CU22']);
  const bodies = await everyResponse({ authorization: `Bearer ${token}` });
  assert.deepEqual(leaks(bodies).sort(), [...veryRestricted].sort());
  const { rows } = await t.db.pool.query<{ n: string }>(
    "SELECT count(DISTINCT resource_id) AS n FROM audit_event WHERE action = 'read-restricted' AND actor_id = $1",
    [clientId],
  );
  assert.ok(Number(rows[0]?.n) >= veryRestricted.length, `audited reads: ${rows[0]?.n}`);
});

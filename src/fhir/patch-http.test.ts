import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Location, OperationOutcome, Parameters, ParametersParameter } from '@medplum/fhirtypes';
import { clientPrincipal, location, openAccessDataset, SIDES, userPrincipal } from '../auth/access.test-support.ts';
import type { Principal } from '../auth/principal.ts';
import type { Database } from '../db/open.ts';
import { EXT, getCapacities } from '../model/index.ts';
import type { Repository } from '../store/repository.ts';
import { handleFhirRequest, type FhirRequest, type FhirResponse } from './router.ts';

let db: Database;
let repo: Repository;
const A = SIDES.A;
const admin = userPrincipal('patch-admin', 'national-admin', { national: true }, 1);
const operator = clientPrincipal('patch-beds', ['read', 'write-capacities'], { organizations: [A.ej] });

before(async () => {
  ({ db, repo } = await openAccessDataset());
});
after(async () => {
  await db.close();
});

const FHIR_JSON = 'application/fhir+json';

function patch(path: string, body: unknown, extra: Partial<FhirRequest> = {}, principal: Principal = operator): Promise<FhirResponse> {
  return handleFhirRequest(
    { method: 'PATCH', path, query: {}, baseUrl: 'http://ror.test/fhir', body, contentType: `${FHIR_JSON}; charset=utf-8`, ...extra },
    { repo, principal },
  );
}

const diagnostics = (res: FhirResponse): string => (res.body as OperationOutcome).issue?.map((i) => i.diagnostics).join('; ') ?? '';

const op = (type: string, path: string, more: ParametersParameter[] = []): ParametersParameter => ({
  name: 'operation',
  part: [{ name: 'type', valueCode: type }, { name: 'path', valueString: path }, ...more],
});
const patchOf = (...ops: ParametersParameter[]): Parameters => ({ resourceType: 'Parameters', parameter: ops });

const entry = (status: string): string =>
  `Location.extension.where(url='${EXT.locationSupportedCapacity}' and extension.where(url='capacityStatus').value.coding.code='${status}' ` +
  `and extension.where(url='temporalityCapacity').value.coding.code='01')`;
const count = (status: string): string => `${entry(status)}.extension.where(url='nbCapacity').value`;
const setCount = (status: string, nb: number): Parameters => patchOf(op('replace', count(status), [{ name: 'value', valueInteger: nb }]));

/** A capacity entry as nested parts, copied from an existing one with another status and count. */
function entryParts(from: Location, status: string, nb: number): ParametersParameter[] {
  const model = from.extension?.find((e) => e.url === EXT.locationSupportedCapacity);
  return [
    { name: 'url', valueUri: EXT.locationSupportedCapacity },
    ...(model?.extension ?? []).map((sub): ParametersParameter => {
      const value: ParametersParameter =
        sub.url === 'nbCapacity'
          ? { name: 'value', valueInteger: nb }
          : sub.url === 'capacityStatus'
            ? { name: 'value', valueCodeableConcept: { coding: [{ ...sub.valueCodeableConcept?.coding?.[0], code: status, display: 'Occupé' }] } }
            : sub.valueDateTime !== undefined
              ? { name: 'value', valueDateTime: sub.valueDateTime }
              : { name: 'value', valueCodeableConcept: sub.valueCodeableConcept };
      return { name: 'extension', part: [{ name: 'url', valueUri: sub.url }, value] };
    }),
  ];
}

test('a capacity operator replaces the available-beds count of its Location: 200, new version, only the capacity changed', async () => {
  const before = await repo.read('Location', A.location);
  const res = await patch(`Location/${A.location}`, setCount('02', 8));
  assert.equal(res.status, 200, diagnostics(res));
  const stored = await repo.read('Location', A.location);
  assert.equal(stored.meta?.versionId, String(Number(before.meta?.versionId) + 1));
  assert.equal(res.headers.etag, `W/"${stored.meta?.versionId}"`);
  assert.ok(res.headers['last-modified']);
  assert.deepEqual(getCapacities(res.body as Location).map((c) => [c.capacityStatus, c.nbCapacity]), [['01', 10], ['02', 8]]);
  const strip = (l: Location): unknown => ({ ...l, meta: undefined, extension: l.extension?.filter((e) => e.url !== EXT.locationSupportedCapacity) });
  assert.deepEqual(strip(stored as Location), strip(before as Location));
});

test('the same operator patching the name is refused (403) and nothing changes', async () => {
  const before = await repo.read('Location', A.location);
  const res = await patch(`Location/${A.location}`, patchOf(op('replace', 'Location.name', [{ name: 'value', valueString: 'Autre' }])));
  assert.equal(res.status, 403, diagnostics(res));
  assert.deepEqual(await repo.read('Location', A.location), before);
});

test('replace on a missing entry answers 404 with the path as expression; the add that follows answers 200', async () => {
  const res = await patch(`Location/${A.location}`, setCount('03', 2));
  assert.equal(res.status, 404);
  const issue = (res.body as OperationOutcome).issue?.[0];
  assert.equal(issue?.code, 'not-found');
  assert.deepEqual(issue?.expression, [count('03')]);
  const current = (await repo.read('Location', A.location)) as Location;
  const added = await patch(`Location/${A.location}`, patchOf(op('add', 'Location', [{ name: 'name', valueString: 'extension' }, { name: 'value', part: entryParts(current, '03', 2) }])));
  assert.equal(added.status, 200, diagnostics(added));
  assert.deepEqual(getCapacities(added.body as Location).find((c) => c.capacityStatus === '03')?.nbCapacity, 2);
});

test('conditional PATCH by identifier: one match is patched, none answers 404, several answer 412', async () => {
  const one = await patch('Location', setCount('02', 4), { query: { identifier: `${A.region}/${A.location}` } });
  assert.equal(one.status, 200, diagnostics(one));
  assert.equal((one.body as Location).id, A.location);
  assert.equal(getCapacities(one.body as Location).find((c) => c.capacityStatus === '02')?.nbCapacity, 4);

  const none = await patch('Location', setCount('02', 4), { query: { identifier: `${A.region}/nowhere` } });
  assert.equal(none.status, 404);

  for (const id of ['loc-dup-1', 'loc-dup-2']) {
    const twin = location('A', id) as Location;
    await repo.create({ ...twin, identifier: [{ ...twin.identifier?.[0], value: `${A.region}/dup` }] });
  }
  const several = await patch('Location', setCount('02', 4), { query: { identifier: `${A.region}/dup` } }, admin);
  assert.equal(several.status, 412);
  assert.equal((several.body as OperationOutcome).issue?.[0]?.code, 'multiple-matches');

  const outside = await patch('Location', setCount('02', 4), { query: { identifier: `${SIDES.B.region}/${SIDES.B.location}` } });
  assert.equal(outside.status, 403, 'a Location outside the perimeter is found, then refused by the policy');
  assert.equal((await patch('Location', setCount('02', 4), { query: {} })).status, 400, 'no criteria');
  for (const extra of [{ _include: 'Location:organization' }, { _summary: 'true' }, { _elements: 'name' }]) {
    const res = await patch('Location', setCount('02', 4), { query: { identifier: `${A.region}/${A.location}`, ...extra } });
    assert.equal(res.status, 400, `criteria with ${Object.keys(extra)[0]}`);
  }
});

test('invalid path → 400, invalid result → 422, unknown content type → 415, stale If-Match → 412; nothing changes', async () => {
  const before = await repo.read('Location', A.location);
  const badPath = await patch(`Location/${A.location}`, patchOf(op('replace', 'Location.extension.where(', [{ name: 'value', valueInteger: 1 }])));
  assert.equal(badPath.status, 400);
  assert.match(diagnostics(badPath), /invalid FHIRPath/);
  const invalid = await patch(`Location/${A.location}`, patchOf(op('replace', `${entry('02')}.extension.where(url='capacityStatus').value.coding.code`, [{ name: 'value', valueCode: 'ZZ' }])));
  assert.equal(invalid.status, 422, diagnostics(invalid));
  const json = await patch(`Location/${A.location}`, 'nope', { contentType: 'text/plain' });
  assert.equal(json.status, 415);
  const stale = await patch(`Location/${A.location}`, setCount('02', 1), { ifMatch: 'W/"1"' });
  assert.equal(stale.status, 412);
  assert.deepEqual(await repo.read('Location', A.location), before);
});

test('JSON Patch through the router; PATCH of a history entry is not allowed', async () => {
  const res = await handleFhirRequest(
    {
      method: 'PATCH',
      path: `Location/${A.location}`,
      query: {},
      baseUrl: 'http://ror.test/fhir',
      contentType: 'application/json-patch+json',
      body: [{ op: 'add', path: '/description', value: 'Bâtiment B' }, { op: 'test', path: '/description', value: 'Bâtiment B' }],
    },
    { repo, principal: admin },
  );
  assert.equal(res.status, 200, diagnostics(res));
  assert.equal((res.body as Location).description, 'Bâtiment B');
  const history = await patch(`Location/${A.location}/_history/1`, setCount('02', 1));
  assert.equal(history.status, 405);
});

test('PATCH on a HealthcareService and an internal Organization by their referent; FINESS-owned elements of an EG stay refused', async () => {
  const referent = userPrincipal('patch-referent', 'referent', { organizations: [A.ej] });
  const offer = await patch(`HealthcareService/${A.offer}`, patchOf(op('replace', 'HealthcareService.name', [{ name: 'value', valueString: 'Réanimation polyvalente' }])), {}, referent);
  assert.equal(offer.status, 200, diagnostics(offer));
  assert.equal((offer.body as { name?: string }).name, 'Réanimation polyvalente');
  const service = await patch(`Organization/${A.service}`, patchOf(op('replace', 'Organization.name', [{ name: 'value', valueString: 'Service de réanimation' }])), {}, referent);
  assert.equal(service.status, 200, diagnostics(service));
  assert.equal((service.body as { name?: string }).name, 'Service de réanimation');
  const eg = await patch(`Organization/${A.eg}`, patchOf(op('replace', 'Organization.name', [{ name: 'value', valueString: 'Autre nom' }])), {}, referent);
  assert.equal(eg.status, 403);
  assert.match(diagnostics(eg), /FINESS/);
  const outside = await patch(`HealthcareService/${SIDES.B.offer}`, patchOf(op('replace', 'HealthcareService.name', [{ name: 'value', valueString: 'x' }])), {}, referent);
  assert.equal(outside.status, 403);
});

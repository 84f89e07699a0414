import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import type { Organization, Resource } from '@medplum/fhirtypes';
import type { Client, FhirResource } from 'fhir-kit-client';
import { bearer, fhirClient, nationalAdmin, responseOf, startFhirServer, type FhirServer } from './conformance.test-support.ts';

/**
 * The IG's example instances (input/fsh/examples), one JSON fixture each (see fixtures/ig-examples/README.md):
 * a national administrator PUTs each with its id, and a reader gets it back identical apart from the version
 * and update instant the server sets.
 */
const DIR = new URL('./fixtures/ig-examples/', import.meta.url);
const examples: Resource[] = readdirSync(DIR)
  .filter((f) => f.endsWith('.json'))
  .sort()
  .map((f) => JSON.parse(readFileSync(new URL(f, DIR), 'utf8')) as Resource);

let server: FhirServer;
let admin: Client;
let reader: Client;

before(async () => {
  server = await startFhirServer();
  admin = fhirClient(server.baseUrl, await nationalAdmin(server.t));
  reader = fhirClient(server.baseUrl, await bearer(server.t, ['read']));
  // The Task example names its focus by identifier only (an Organization 1910800002), which no example defines:
  // a Task needs its focus to exist, so an EJ carrying that identifier is stored first.
  const ej = examples.find((r) => r.id === 'ror-organization-exemple-ej') as Organization;
  await admin.update({
    resourceType: 'Organization',
    id: 'ej-1910800002',
    body: { ...structuredClone(ej), id: 'ej-1910800002', identifier: [
      { ...ej.identifier?.[0], value: '1910800002' },
      { ...ej.identifier?.[1], value: '910800002' },
    ] } as unknown as FhirResource,
  });
});
after(async () => {
  await server.close();
});

/** The resource without what the server owns: meta.versionId and meta.lastUpdated (and meta when nothing else is left). */
function withoutServerMeta(r: Resource): Resource {
  const { versionId: _v, lastUpdated: _l, ...meta } = r.meta ?? {};
  const { meta: _m, ...rest } = r;
  return Object.keys(meta).length > 0 ? ({ ...rest, meta } as Resource) : (rest as Resource);
}

test('the fixtures cover every served type of the IG examples', () => {
  assert.deepEqual([...new Set(examples.map((r) => r.resourceType))].sort(), ['HealthcareService', 'Location', 'Organization', 'Practitioner', 'PractitionerRole', 'Task']);
  assert.equal(examples.length, 9);
});

for (const example of examples) {
  const key = `${example.resourceType}/${example.id}`;
  test(`${key} is accepted on create and read back identical apart from meta`, async () => {
    const type = example.resourceType;
    const id = example.id as string;
    const written = (await admin.update({ resourceType: type, id, body: structuredClone(example) as unknown as FhirResource })) as unknown as Resource;
    assert.equal(responseOf(written).status, 201);
    assert.equal(written.meta?.versionId, '1');
    assert.deepEqual(withoutServerMeta(written), withoutServerMeta(example));
    const read = (await reader.read({ resourceType: type, id })) as unknown as Resource;
    assert.deepEqual(withoutServerMeta(read), withoutServerMeta(example));
  });
}

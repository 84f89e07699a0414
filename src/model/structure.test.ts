import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Resource } from '@medplum/fhirtypes';
import { FIXTURE_NAMES, loadFixture } from './fixtures/load.ts';
import { validateR4Full, validateR4Structure } from './structure.ts';

function broken(base: Resource, patch: Record<string, unknown>): Resource {
  return { ...base, ...patch } as Resource;
}

const org = (): Resource => loadFixture('organization-ej');

/** Broken resources, the path and message the fast validator gives; Medplum's complete validator also refuses each. */
const CASES: [string, () => Resource, string, RegExp][] = [
  ['a string for a boolean', () => broken(org(), { active: 'yes' }), 'Organization.active', /expected boolean/],
  ['an unknown property', () => broken(org(), { foo: 1 }), 'Organization.foo', /Invalid additional property "foo"/],
  ['a string for an integer extension value', () => broken(loadFixture('location'), { extension: [{ url: 'http://x', valueInteger: '1' }] }), 'Location.extension[0].valueInteger', /expected an integer/],
  ['a string for a decimal', () => broken(loadFixture('location'), { position: { latitude: '48.1', longitude: 2 } }), 'Location.position.latitude', /expected number/],
  ['a malformed dateTime', () => broken(loadFixture('task'), { authoredOn: '2024-13-01' }), 'Task.authoredOn', /Invalid dateTime format/],
  ['a missing required element', () => broken(loadFixture('task'), { status: undefined }), 'Task.status', /Missing required property "status"/],
  ['an extension with both a value and extensions (ext-1)', () => broken(org(), { extension: [{ url: 'http://x', valueString: 'a', extension: [{ url: 'y', valueString: 'b' }] }] }), 'Organization.extension[0]', /ext-1/],
  ['an extension without value nor extensions (ext-1)', () => broken(org(), { extension: [{ url: 'http://x' }] }), 'Organization.extension[0]', /ext-1/],
  ['an array for a single element', () => broken(org(), { name: ['a'] }), 'Organization.name', /Expected a single value/],
  ['a single value for an array', () => broken(org(), { alias: 'a' }), 'Organization.alias', /Expected an array/],
  ['a bad value in a primitive extension', () => broken(org(), { _name: { extension: [{ url: 'http://x', valueInteger: 'bad' }] } }), 'Organization.name.extension[0].valueInteger', /expected an integer/],
  ['a contained resource of unknown type', () => broken(org(), { contained: [{ resourceType: 'Foo' }] }), 'Organization.contained[0]', /Unknown resource type "Foo"/],
  ['a null value', () => broken(org(), { name: null }), 'Organization.name', /null is not a FHIR value/],
  ['an extension without url', () => broken(org(), { extension: [{ valueString: 'x' }] }), 'Organization.extension[0].url', /Missing required property "url"/],
];

test('the fixtures are structurally valid for both validators', () => {
  for (const name of FIXTURE_NAMES) {
    assert.deepEqual(validateR4Structure(loadFixture(name)), [], name);
    assert.deepEqual(validateR4Full(loadFixture(name)), [], name);
  }
});

for (const [what, make, path, message] of CASES) {
  test(`structure: ${what} is refused at ${path}, as Medplum's complete validator does`, () => {
    const resource = JSON.parse(JSON.stringify(make())) as Resource;
    const issues = validateR4Structure(resource);
    const found = issues.find((i) => i.expression?.[0] === path);
    assert.ok(found, `no issue at ${path}: ${JSON.stringify(issues)}`);
    assert.equal(found.severity, 'error');
    assert.equal(found.code, 'structure');
    assert.match(found.diagnostics ?? '', message);
    assert.ok(validateR4Full(resource).length > 0);
  });
}

test('structure: empty elements, empty arrays and empty strings are refused (stricter than Medplum)', () => {
  const issues = validateR4Structure(broken(org(), { partOf: {}, alias: [], name: '' }));
  assert.deepEqual(
    issues.map((i) => i.expression?.[0]),
    ['Organization.name', 'Organization.partOf', 'Organization.alias'],
  );
});

test('structure: properties left undefined in memory count as absent', () => {
  assert.deepEqual(validateR4Structure(broken(org(), { description: undefined, alias: undefined })), []);
});

test('structure: an unknown resource type is refused', () => {
  assert.match(validateR4Structure({ resourceType: 'Nope' } as unknown as Resource)[0]?.diagnostics ?? '', /Unknown resource type "Nope"/);
});

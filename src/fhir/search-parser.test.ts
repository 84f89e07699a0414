import assert from 'node:assert/strict';
import { test } from 'node:test';
import { StoreError } from '../store/errors.ts';
import { parseDateValue, parseSearch, splitValues } from './search-parser.ts';

function rejects400(fn: () => unknown, pattern: RegExp): void {
  assert.throws(fn, (err) => err instanceof StoreError && err.status === 400 && pattern.test(err.message));
}

test('a date search value stands for the whole range of its precision', () => {
  assert.deepEqual(parseDateValue('d', '2024'), { prefix: 'eq', low: '2024-01-01T00:00:00.000Z', high: '2025-01-01T00:00:00.000Z' });
  assert.deepEqual(parseDateValue('d', 'ge2024-02'), { prefix: 'ge', low: '2024-02-01T00:00:00.000Z', high: '2024-03-01T00:00:00.000Z' });
  assert.deepEqual(parseDateValue('d', 'lt2024-02-29'), { prefix: 'lt', low: '2024-02-29T00:00:00.000Z', high: '2024-03-01T00:00:00.000Z' });
  assert.deepEqual(parseDateValue('d', '2024-02-29T10:00+01:00'), { prefix: 'eq', low: '2024-02-29T09:00:00.000Z', high: '2024-02-29T09:01:00.000Z' });
});

test('malformed dates and unknown prefixes are refused', () => {
  rejects400(() => parseDateValue('d', '2023-02-29'), /Invalid date/);
  rejects400(() => parseDateValue('d', '2024-13'), /Invalid date/);
  rejects400(() => parseDateValue('d', 'yesterday'), /Invalid date/);
  rejects400(() => parseDateValue('d', 'xx2024'), /Unknown prefix "xx"/);
});

test('commas separate OR values unless escaped', () => {
  assert.deepEqual(splitValues('a,b\\,c'), ['a', 'b\\,c']);
});

test('identifier and _id are parsed into token and id criteria', () => {
  const q = parseSearch('Organization', { identifier: 'http://finess.esante.gouv.fr|440000271,|x', _id: 'a,b' });
  assert.deepEqual(q.filters, [
    {
      kind: 'token',
      code: 'identifier',
      not: false,
      values: [{ system: 'http://finess.esante.gouv.fr', code: '440000271' }, { system: null, code: 'x' }],
    },
    { kind: 'id', values: ['a', 'b'] },
  ]);
  assert.equal(q.count, 200);
  assert.equal(q.total, true);
});

test('_count is capped at 200 and must be an integer', () => {
  assert.equal(parseSearch('Location', { _count: '1000' }).count, 200);
  assert.equal(parseSearch('Location', { _count: '5' }).count, 5);
  rejects400(() => parseSearch('Location', { _count: 'ten' }), /_count must be/);
});

test('unknown parameters, modifiers and chains are refused, never ignored', () => {
  rejects400(() => parseSearch('Organization', { colour: 'blue' }), /Unknown search parameter "colour"/);
  rejects400(() => parseSearch('Organization', { 'identifier:fuzzy': 'x' }), /Modifier :fuzzy/);
  rejects400(() => parseSearch('HealthcareService', { 'organization.name': 'x' }), /Chained parameter/);
  rejects400(() => parseSearch('Organization', { name: '' }), /Empty value/);
  rejects400(() => parseSearch('Organization', { '_lastUpdated:exact': '2024' }), /Modifier :exact/);
});

test('ROR search parameters are known with their types', () => {
  const q = parseSearch('Location', { 'capacity-status': 'https://mos.esante.gouv.fr/NOS/TRE_R330-TypeStatutCapacite/FHIR/TRE-R330-TypeStatutCapacite|02', 'nb-capacity': 'gt0' });
  assert.equal(q.filters[0]?.kind, 'token');
  assert.deepEqual(q.filters[1], { kind: 'number', code: 'nb-capacity', values: [{ prefix: 'gt', value: 0 }] });
});

test('_include and _revinclude, with :iterate and a target type, are parsed against the reference parameters', () => {
  const q = parseSearch('HealthcareService', {
    _include: ['HealthcareService:organization', 'PractitionerRole:practitioner'],
    '_include:iterate': 'Organization:partof',
    _revinclude: 'PractitionerRole:service',
    '_revinclude:iterate': 'Task:focus:HealthcareService',
    name: 'Réa',
  });
  assert.equal(q.filters.length, 1);
  assert.deepEqual(q.includes, [
    { direction: 'include', sourceType: 'HealthcareService', code: 'organization', targetTypes: ['Organization'], iterate: false },
    { direction: 'include', sourceType: 'PractitionerRole', code: 'practitioner', targetTypes: ['Practitioner'], iterate: false },
    { direction: 'include', sourceType: 'Organization', code: 'partof', targetTypes: ['Organization'], iterate: true },
    { direction: 'revinclude', sourceType: 'PractitionerRole', code: 'service', targetTypes: ['HealthcareService'], iterate: false },
    { direction: 'revinclude', sourceType: 'Task', code: 'focus', targetTypes: ['HealthcareService'], iterate: true },
  ]);
  const focus = parseSearch('Task', { _include: 'Task:focus' }).includes[0];
  assert.deepEqual(new Set(focus?.targetTypes), new Set(['Organization', 'HealthcareService', 'Location', 'Practitioner', 'PractitionerRole', 'Task']));
  assert.deepEqual(parseSearch('Location', {}).includes, []);
});

test('malformed or unknown _include and _revinclude values are refused', () => {
  for (const [key, value, message] of [
    ['_include', '*', /wildcard \* is not supported/],
    ['_include', 'HealthcareService:*', /wildcard \* is not supported/],
    ['_include', '', /expected Type:param/],
    ['_include', 'HealthcareService', /expected Type:param/],
    ['_include', 'HealthcareService:organization:Organization:x', /expected Type:param/],
    ['_include', 'Patient:organization', /Unknown resource type "Patient"/],
    ['_include', 'HealthcareService:nope', /Unknown search parameter "nope" for HealthcareService/],
    ['_include', 'HealthcareService:name', /"name" is not a reference search parameter of HealthcareService/],
    ['_include', 'HealthcareService:organization:Location', /does not point to "Location"/],
    ['_include', 'Task:patient', /points to no resource type this server serves/],
    ['_include:recurse', 'HealthcareService:organization', /expected _include or _include:iterate/],
    ['_revinclude:iterate:x', 'PractitionerRole:service', /expected _revinclude or _revinclude:iterate/],
  ] as const) {
    rejects400(() => parseSearch('HealthcareService', { [key]: value }), message);
  }
});

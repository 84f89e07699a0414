import assert from 'node:assert/strict';
import { test } from 'node:test';
import { StoreError } from '../store/errors.ts';
import { groupCapacityCriteria, parseCriterion, parseDateValue, parseSearch, splitValues } from './search-parser.ts';

const STATUS = 'https://mos.esante.gouv.fr/NOS/TRE_R330-TypeStatutCapacite/FHIR/TRE-R330-TypeStatutCapacite';

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
  rejects400(() => parseSearch('HealthcareService', { 'organization.colour': 'x' }), /Unknown search parameter "colour" for Organization/);
  rejects400(() => parseSearch('Organization', { name: '' }), /Empty value/);
  rejects400(() => parseSearch('Organization', { '_lastUpdated:exact': '2024' }), /Modifier :exact/);
});

test('ROR search parameters are known with their types; capacity criteria are grouped into one capacity entry', () => {
  const q = parseSearch('Location', { 'capacity-status': `${STATUS}|02`, 'nb-capacity': 'gt0', 'commune-cog': '44109' });
  assert.deepEqual(q.filters, [
    {
      kind: 'capacityEntry',
      criteria: [
        { kind: 'token', code: 'capacity-status', values: [{ system: STATUS, code: '02' }], not: false },
        { kind: 'number', code: 'nb-capacity', values: [{ prefix: 'gt', value: 0 }] },
      ],
    },
    { kind: 'token', code: 'commune-cog', values: [{ code: '44109' }], not: false },
  ]);
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

test('chains follow a reference parameter to its served type and parse the value as the target parameter', () => {
  const filters = (type: string, query: Record<string, string>) => parseSearch(type, query).filters;
  assert.deepEqual(filters('HealthcareService', { 'organization.name:exact': 'CHU A' }), [
    { kind: 'chain', code: 'organization', targetType: 'Organization', filter: { kind: 'string', code: 'name', values: ['CHU A'], match: 'exact' } },
  ]);
  assert.deepEqual(filters('HealthcareService', { 'location:Location.nb-capacity': 'gt2' }), [
    {
      kind: 'chain',
      code: 'location',
      targetType: 'Location',
      filter: { kind: 'capacityEntry', criteria: [{ kind: 'number', code: 'nb-capacity', values: [{ prefix: 'gt', value: 2 }] }] },
    },
  ]);
  assert.deepEqual(filters('HealthcareService', { 'organization.partof._id': 'ej-1' }), [
    {
      kind: 'chain',
      code: 'organization',
      targetType: 'Organization',
      filter: { kind: 'chain', code: 'partof', targetType: 'Organization', filter: { kind: 'id', values: ['ej-1'] } },
    },
  ]);
  assert.deepEqual(filters('Task', { 'focus:HealthcareService.identifier': '52/x' }), [
    { kind: 'chain', code: 'focus', targetType: 'HealthcareService', filter: { kind: 'token', code: 'identifier', values: [{ code: '52/x' }], not: false } },
  ]);
});

test('_has selects the resources a type points to through a reference parameter, nested or chained', () => {
  assert.deepEqual(parseSearch('Location', { '_has:HealthcareService:location:identifier': '52/1,52/2' }).filters, [
    {
      kind: 'has',
      sourceType: 'HealthcareService',
      code: 'location',
      filter: { kind: 'token', code: 'identifier', values: [{ code: '52/1' }, { code: '52/2' }], not: false },
    },
  ]);
  assert.deepEqual(parseSearch('Practitioner', { '_has:PractitionerRole:practitioner:_has:Task:focus:status': 'requested' }).filters, [
    {
      kind: 'has',
      sourceType: 'PractitionerRole',
      code: 'practitioner',
      filter: { kind: 'has', sourceType: 'Task', code: 'focus', filter: { kind: 'token', code: 'status', values: [{ code: 'requested' }], not: false } },
    },
  ]);
  assert.deepEqual(parseSearch('Organization', { '_has:HealthcareService:organization:location.commune-cog': '44109' }).filters, [
    {
      kind: 'has',
      sourceType: 'HealthcareService',
      code: 'organization',
      filter: { kind: 'chain', code: 'location', targetType: 'Location', filter: { kind: 'token', code: 'commune-cog', values: [{ code: '44109' }], not: false } },
    },
  ]);
});

test('malformed, unknown, ambiguous or unsupported chains and _has are refused', () => {
  for (const [type, key, value, message] of [
    ['HealthcareService', 'name.x', 'y', /"name" is not a reference search parameter of HealthcareService/],
    ['HealthcareService', 'nope.name', 'y', /Unknown search parameter "nope" for HealthcareService in nope.name/],
    ['HealthcareService', 'organization.nope', 'y', /Unknown search parameter "nope" for Organization/],
    ['HealthcareService', 'organization.', 'y', /Invalid chained parameter/],
    ['HealthcareService', 'organization:Location.name', 'y', /does not point to "Location" \(served targets: Organization\)/],
    ['PractitionerRole', 'service:above.identifier', 'y', /:above follows a hierarchy, and HealthcareService has none/],
    ['HealthcareService', 'organization.identifier:above', 'y', /:above needs a code system hierarchy/],
    ['HealthcareService', 'organization.name:fuzzy', 'y', /Modifier :fuzzy is not supported/],
    ['HealthcareService', 'location.nb-capacity', 'xx3', /Unknown prefix "xx"/],
    ['HealthcareService', 'organization.name', '', /Empty value for search parameter "organization.name"/],
    ['Task', 'focus.identifier', 'y', /Task:focus may point to .*HealthcareService.*; name one as focus:Type/],
    ['Organization', 'partof.partof.partof.partof.name', 'y', /at most 3 references/],
    ['Location', '_has:HealthcareService:location', 'y', /expected _has:Type:reference:param/],
    ['Location', '_has:Patient:location:name', 'y', /Unknown resource type "Patient"/],
    ['Location', '_has:HealthcareService:organization:name', 'y', /HealthcareService:organization does not point to "Location"/],
    ['Location', '_has:HealthcareService:location:nope', 'y', /Unknown search parameter "nope" for HealthcareService/],
  ] as const) {
    rejects400(() => parseSearch(type, { [key]: value }), message);
  }
});

test('capacity criteria chained through the same reference are merged into one chain; :not and :missing stay apart', () => {
  const q = parseSearch('HealthcareService', {
    'location.capacity-status': '02',
    'organization.name': 'CHU',
    'location.nb-capacity': 'gt0',
    'location.commune-cog': '44109',
    'location.capacity-status:not': '05',
  });
  assert.deepEqual(q.filters, [
    {
      kind: 'chain',
      code: 'location',
      targetType: 'Location',
      filter: {
        kind: 'capacityEntry',
        criteria: [
          { kind: 'token', code: 'capacity-status', values: [{ code: '02' }], not: false },
          { kind: 'number', code: 'nb-capacity', values: [{ prefix: 'gt', value: 0 }] },
        ],
      },
    },
    { kind: 'chain', code: 'organization', targetType: 'Organization', filter: { kind: 'string', code: 'name', values: ['CHU'], match: 'start' } },
    { kind: 'chain', code: 'location', targetType: 'Location', filter: { kind: 'token', code: 'commune-cog', values: [{ code: '44109' }], not: false } },
    { kind: 'chain', code: 'location', targetType: 'Location', filter: { kind: 'token', code: 'capacity-status', values: [{ code: '05' }], not: true } },
  ]);
  const missing = parseSearch('Location', { 'capacity-status:missing': 'true', 'nb-capacity': '3' }).filters;
  assert.deepEqual(missing.map((f) => f.kind), ['missing', 'capacityEntry']);
});

test('capacity grouping applies to top-level AND-ed criteria only, not inside boolean combinations', () => {
  const status = parseCriterion('Location', 'capacity-status', '02');
  const count = parseCriterion('Location', 'nb-capacity', 'gt0');
  const either = { kind: 'any' as const, filters: [status, count] };
  assert.deepEqual(groupCapacityCriteria('Location', [either]), [either]);
  assert.deepEqual(groupCapacityCriteria('Organization', [status]), [status]);
});

test('near and near-insee-code become a distance criterion around a point; the first one is the point of the search', () => {
  const q = parseSearch('Location', { near: '47.2|-1.55|500|m' });
  assert.deepEqual(q.filters, [{ kind: 'near', lat: 47.2, lon: -1.55, km: 0.5 }]);
  assert.deepEqual(q.proximity, { lat: 47.2, lon: -1.55, via: [] });
  assert.deepEqual(parseSearch('Location', { near: '47.2|-1.55' }).filters, [{ kind: 'near', lat: 47.2, lon: -1.55, km: 10 }]);
  const chained = parseSearch('HealthcareService', { 'location.near-insee-code': '44109|15|km' });
  assert.equal(chained.proximity?.via[0], 'location');
  assert.ok(Math.abs((chained.proximity?.lat ?? 0) - 47.217) < 0.01);
  rejects400(() => parseSearch('Location', { near: '47.2|-1.55|5|miles' }), /unit "miles" is not supported/);
  rejects400(() => parseSearch('Location', { 'near:missing': 'true' }), /Modifier :missing is not supported on near/);
});

test('_sort keys: direction, parameters of the type, _id, _lastUpdated and near', () => {
  assert.deepEqual(parseSearch('Location', { _sort: '-name,_id,_lastUpdated' }).sort, [
    { by: 'index', table: 'sp_string', code: 'name', descending: true },
    { by: 'id', descending: false },
    { by: 'lastUpdated', descending: false },
  ]);
  assert.deepEqual(parseSearch('Location', { near: '47|-1|5', _sort: 'near' }).sort, [{ by: 'distance', descending: false }]);
  rejects400(() => parseSearch('Location', { _sort: 'colour' }), /unknown search parameter "colour"/);
  rejects400(() => parseSearch('Location', { _sort: ['name', 'identifier'] }), /_sort may be given only once/);
});

test('lenient handling lists unknown parameters and modifiers instead of refusing them', () => {
  const q = parseSearch('Organization', { colour: 'blue', 'name:fuzzy': 'x', name: 'CHU', 'partof.colour': 'red' }, { lenient: true });
  assert.deepEqual(q.filters, [{ kind: 'string', code: 'name', values: ['CHU'], match: 'start' }]);
  assert.deepEqual(q.ignored.map((i) => i.parameter), ['colour', 'name:fuzzy', 'partof.colour']);
  rejects400(() => parseSearch('Organization', { colour: 'blue' }), /Unknown search parameter "colour"/);
  rejects400(() => parseSearch('Organization', { colour: 'blue', _lastUpdated: 'yesterday' }, { lenient: true }), /Invalid date/);
  rejects400(() => parseSearch('HealthcareService', { 'organization:Location.name': 'x' }, { lenient: true }), /does not point to "Location"/);
});

test(':above / :below: reference values become chains on _id extended up or down, chained ones extend the matches the other way', () => {
  const below = parseCriterion('HealthcareService', 'organization:below', 'Organization/x,y');
  assert.deepEqual(below, {
    kind: 'chain',
    code: 'organization',
    targetType: 'Organization',
    filter: { kind: 'id', values: ['x', 'y'] },
    hierarchy: { via: 'partof', extendTo: 'descendants' },
  });
  assert.deepEqual(parseCriterion('Location', 'partof:above', 'z'), {
    kind: 'chain',
    code: 'partof',
    targetType: 'Location',
    filter: { kind: 'id', values: ['z'] },
    hierarchy: { via: 'partof', extendTo: 'ancestors' },
  });
  const chained = parseCriterion('PractitionerRole', 'organization:above.identifier', '440000271');
  assert.deepEqual(chained.kind === 'chain' && chained.hierarchy, { via: 'partof', extendTo: 'descendants' });
  assert.deepEqual(parseCriterion('Task', 'part-of:below', 'Task/t1').kind, 'chain');
});

test('capacity criteria chained through location:above and through location are not merged into one entry', () => {
  const q = parseSearch('HealthcareService', { 'location:above.capacity-status': `${STATUS}|02`, 'location.nb-capacity': 'gt0' });
  assert.deepEqual(
    q.filters.map((f) => f.kind === 'chain' && [f.hierarchy?.extendTo, f.filter.kind]),
    [
      ['descendants', 'capacityEntry'],
      [undefined, 'capacityEntry'],
    ],
  );
});

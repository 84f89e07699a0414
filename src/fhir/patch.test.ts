import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Location, Parameters, ParametersParameter } from '@medplum/fhirtypes';
import { capacity, location } from '../auth/access.test-support.ts';
import { buildCapacityExtension, CAPACITY_STATUS, EXT, getCapacities } from '../model/index.ts';
import { StoreError } from '../store/errors.ts';
import { applyFhirPathPatch, applyJsonPatch } from './patch.ts';

const loc = (): Location => location('A', 'loc-patch') as Location;

function op(type: string, path: string, more: ParametersParameter[] = []): ParametersParameter {
  return { name: 'operation', part: [{ name: 'type', valueCode: type }, { name: 'path', valueString: path }, ...more] };
}
const patchOf = (...ops: ParametersParameter[]): Parameters => ({ resourceType: 'Parameters', parameter: ops });

/** The ROR path of one capacity entry (status × temporality × temporary assignment). */
const capacityPath = (status: string): string =>
  `Location.extension.where(url='${EXT.locationSupportedCapacity}' and extension.where(url='capacityStatus').value.coding.code='${status}' ` +
  `and extension.where(url='temporalityCapacity').value.coding.code='01' and extension.where(url='temporaryAssignement').value.coding.code='01')`;

function refused(fn: () => unknown, status: number, message: RegExp): StoreError {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof StoreError, String(err));
    assert.equal(err.status, status, err.message);
    assert.match(err.message, message);
    return err;
  }
  assert.fail('expected a refusal');
}

/** A capacity entry as FHIRPath Patch parts: an extension with its nested extensions. */
function capacityParts(status: string, nb: number): ParametersParameter[] {
  const ext = buildCapacityExtension(capacity(status, nb));
  return [
    { name: 'url', valueUri: ext.url },
    ...(ext.extension ?? []).map(
      (sub): ParametersParameter => ({
        name: 'extension',
        part: [
          { name: 'url', valueUri: sub.url },
          sub.valueInteger !== undefined
            ? { name: 'value', valueInteger: sub.valueInteger }
            : sub.valueDateTime !== undefined
              ? { name: 'value', valueDateTime: sub.valueDateTime }
              : { name: 'value', valueCodeableConcept: sub.valueCodeableConcept },
        ],
      }),
    ),
  ];
}

test('replace of a value selected by a ROR capacity path changes that entry only', () => {
  const before = loc();
  const after = applyFhirPathPatch(
    before,
    patchOf(op('replace', `${capacityPath(CAPACITY_STATUS.disponible)}.extension.where(url='nbCapacity').value`, [{ name: 'value', valueInteger: 7 }])),
  ) as Location;
  assert.deepEqual(getCapacities(after).map((c) => [c.capacityStatus, c.nbCapacity]), [['01', 10], ['02', 7]]);
  assert.equal(getCapacities(before)[1]?.nbCapacity, 3, 'the input is not mutated');
});

test('replace of a whole capacity entry built from nested parts', () => {
  const after = applyFhirPathPatch(loc(), patchOf(op('replace', capacityPath('02'), [{ name: 'value', part: capacityParts('02', 5) }]))) as Location;
  assert.deepEqual(getCapacities(after)[1], capacity('02', 5));
});

test('replace on a path that selects nothing answers 404 whose expression is the path; add then creates the entry', () => {
  const path = capacityPath(CAPACITY_STATUS.occupe);
  const err = refused(() => applyFhirPathPatch(loc(), patchOf(op('replace', path, [{ name: 'value', part: capacityParts('03', 4) }]))), 404, /selects nothing/);
  assert.deepEqual(err.issues[0]?.expression, [path]);
  assert.equal(err.issues[0]?.code, 'not-found');
  const added = applyFhirPathPatch(loc(), patchOf(op('add', 'Location', [{ name: 'name', valueString: 'extension' }, { name: 'value', part: capacityParts('03', 4) }]))) as Location;
  assert.deepEqual(getCapacities(added).map((c) => [c.capacityStatus, c.nbCapacity]), [['01', 10], ['02', 3], ['03', 4]]);
});

test('delete removes the one entry selected; deleting nothing changes nothing', () => {
  const after = applyFhirPathPatch(loc(), patchOf(op('delete', capacityPath('02')))) as Location;
  assert.deepEqual(getCapacities(after).map((c) => c.capacityStatus), ['01']);
  assert.deepEqual(applyFhirPathPatch(loc(), patchOf(op('delete', capacityPath('05')))), loc());
  const unnamed = applyFhirPathPatch(loc(), patchOf(op('delete', 'Location.description')));
  assert.deepEqual(unnamed, loc());
});

test('replace or delete on a path selecting several elements answers 400', () => {
  const all = `Location.extension.where(url='${EXT.locationSupportedCapacity}')`;
  refused(() => applyFhirPathPatch(loc(), patchOf(op('delete', all))), 400, /selects 2 elements; it must select one/);
  refused(() => applyFhirPathPatch(loc(), patchOf(op('replace', `${all}.extension.where(url='nbCapacity').value`, [{ name: 'value', valueInteger: 1 }]))), 400, /selects 2/);
});

test('add, replace and delete of simple elements; a choice element may change type', () => {
  const added = applyFhirPathPatch(loc(), patchOf(op('add', 'Location', [{ name: 'name', valueString: 'description' }, { name: 'value', valueString: 'Rez-de-chaussée' }])));
  assert.equal((added as Location).description, 'Rez-de-chaussée');
  refused(() => applyFhirPathPatch(added, patchOf(op('add', 'Location', [{ name: 'name', valueString: 'description' }, { name: 'value', valueString: 'x' }]))), 400, /already has a value; use replace/);
  const renamed = applyFhirPathPatch(loc(), patchOf(op('replace', 'Location.name', [{ name: 'value', valueString: 'Nouveau' }]))) as Location;
  assert.equal(renamed.name, 'Nouveau');
  const path = `${capacityPath('02')}.extension.where(url='nbCapacity').value`;
  const retyped = applyFhirPathPatch(loc(), patchOf(op('replace', path, [{ name: 'value', valueString: 'trois' }]))) as Location;
  const sub = retyped.extension?.find((e) => e.url === EXT.locationSupportedCapacity && e.extension?.some((s) => s.valueString === 'trois'));
  assert.ok(sub, 'valueInteger became valueString');
  assert.equal(sub.extension?.some((s) => s.url === 'nbCapacity' && 'valueInteger' in s), false);
  const noName = applyFhirPathPatch(loc(), patchOf(op('delete', 'Location.name'))) as Location;
  assert.equal(noName.name, undefined);
});

test('insert and move reorder a list', () => {
  const base: Location = { ...loc(), alias: ['a', 'b', 'c'] };
  const inserted = applyFhirPathPatch(base, patchOf(op('insert', 'Location.alias', [{ name: 'index', valueInteger: 1 }, { name: 'value', valueString: 'x' }]))) as Location;
  assert.deepEqual(inserted.alias, ['a', 'x', 'b', 'c']);
  const moved = applyFhirPathPatch(base, patchOf(op('move', 'Location.alias', [{ name: 'source', valueInteger: 0 }, { name: 'destination', valueInteger: 2 }]))) as Location;
  assert.deepEqual(moved.alias, ['b', 'c', 'a']);
  refused(() => applyFhirPathPatch(base, patchOf(op('insert', 'Location.alias', [{ name: 'index', valueInteger: 9 }, { name: 'value', valueString: 'x' }]))), 400, /past the end/);
  refused(() => applyFhirPathPatch(base, patchOf(op('move', 'Location.name', [{ name: 'source', valueInteger: 0 }, { name: 'destination', valueInteger: 0 }]))), 400, /must name a list/);
  const second = applyFhirPathPatch(base, patchOf(op('replace', 'Location.alias[1]', [{ name: 'value', valueString: 'B' }]))) as Location;
  assert.deepEqual(second.alias, ['a', 'B', 'c']);
});

test('operations apply in order, all or nothing', () => {
  const after = applyFhirPathPatch(
    loc(),
    patchOf(op('replace', 'Location.name', [{ name: 'value', valueString: 'Un' }]), op('replace', 'Location.name', [{ name: 'value', valueString: 'Deux' }])),
  ) as Location;
  assert.equal(after.name, 'Deux');
  const before = loc();
  refused(() => applyFhirPathPatch(before, patchOf(op('delete', 'Location.name'), op('replace', 'Location.nothing', [{ name: 'value', valueString: 'x' }]))), 400, /Location has no element "nothing"/);
  assert.equal(before.name, loc().name);
});

test('refused shapes name what is expected: bare value, valueInt, coding as an object, unknown type, missing parts', () => {
  const path = `${capacityPath('02')}.extension.where(url='nbCapacity').value`;
  const refuse = (value: Record<string, unknown>, message: RegExp): StoreError =>
    refused(() => applyFhirPathPatch(loc(), patchOf(op('replace', path, [{ name: 'value', ...value } as ParametersParameter]))), 400, message);
  refuse({ value: 5 }, /as value\[x\] .* not as a bare "value"/);
  refuse({ valueInt: 5 }, /valueInt is not a FHIR value\[x\] \(expected e\.g\. valueInteger/);
  refused(
    () =>
      applyFhirPathPatch(
        loc(),
        patchOf(op('replace', `${capacityPath('02')}.extension.where(url='capacityStatus').value`, [{ name: 'value', valueCodeableConcept: { coding: { code: '02' } } } as never])),
      ),
    400,
    /coding: expected a JSON array/,
  );
  refused(() => applyFhirPathPatch(loc(), patchOf(op('replace', 'Location.name', [{ name: 'value', valueInteger: 5 }]))), 400, /expected valueString, got valueInteger/);
  refused(() => applyFhirPathPatch(loc(), patchOf(op('replace', 'Location.name'))), 400, /"value" required/);
  refused(() => applyFhirPathPatch(loc(), patchOf(op('frobnicate', 'Location.name'))), 400, /"type" must be a valueCode among/);
  refused(() => applyFhirPathPatch(loc(), patchOf(op('replace', 'Location.name.(', [{ name: 'value', valueString: 'x' }]))), 400, /invalid FHIRPath/);
  refused(() => applyFhirPathPatch(loc(), { resourceType: 'Parameters' }), 400, /no operation/);
  refused(() => applyFhirPathPatch(loc(), { resourceType: 'Location' } as never), 400, /Parameters resource/);
});

test('a patch may not change resourceType or id', () => {
  refused(() => applyFhirPathPatch(loc(), patchOf(op('replace', 'Location.id', [{ name: 'value', valueString: 'other' }]))), 400, /may not change the id/);
  refused(() => applyFhirPathPatch(loc(), patchOf(op('delete', 'Location.id'))), 400, /may not change the id/);
  refused(() => applyJsonPatch(loc(), [{ op: 'replace', path: '/resourceType', value: 'Organization' }]), 400, /may not change resourceType/);
  refused(() => applyJsonPatch(loc(), [{ op: 'remove', path: '/id' }]), 400, /may not change the id/);
});

test('JSON Patch: add, remove, replace, move, copy, test; escaped pointers and "-"', () => {
  const base: Location = { ...loc(), alias: ['a', 'b'] };
  const after = applyJsonPatch(base, [
    { op: 'test', path: '/alias/0', value: 'a' },
    { op: 'add', path: '/alias/-', value: 'c' },
    { op: 'add', path: '/alias/0', value: 'z' },
    { op: 'remove', path: '/alias/1' },
    { op: 'replace', path: '/name', value: 'Renommé' },
    { op: 'copy', from: '/name', path: '/description' },
    { op: 'move', from: '/alias/0', path: '/alias/-' },
  ]) as Location;
  assert.deepEqual(after.alias, ['b', 'c', 'z']);
  assert.equal(after.name, 'Renommé');
  assert.equal(after.description, 'Renommé');
  assert.deepEqual(base.alias, ['a', 'b'], 'the input is not mutated');
  const escaped = applyJsonPatch({ ...loc(), contained: [{ resourceType: 'Basic', id: 'x', code: { text: 'a/b~c' } }] } as Location, [
    { op: 'add', path: '/contained/0/code/a~1b~0c', value: 1 },
  ]) as unknown as { contained: [{ code: Record<string, unknown> }] };
  assert.equal(escaped.contained[0].code['a/b~c'], 1);
});

test('JSON Patch: a failed test answers 422 and changes nothing; bad pointers and operations answer 400', () => {
  const before = loc();
  refused(() => applyJsonPatch(before, [{ op: 'replace', path: '/name', value: 'x' }, { op: 'test', path: '/name', value: 'y' }]), 422, /test failed/);
  assert.equal(before.name, loc().name);
  refused(() => applyJsonPatch(loc(), [{ op: 'replace', path: '/nothing', value: 1 }]), 400, /does not exist/);
  refused(() => applyJsonPatch(loc(), [{ op: 'remove', path: '/extension/99' }]), 400, /outside the array/);
  refused(() => applyJsonPatch(loc(), [{ op: 'add', path: '/extension/01', value: {} }]), 400, /not an array index/);
  refused(() => applyJsonPatch(loc(), [{ op: 'add', path: 'name', value: 'x' }]), 400, /JSON Pointer/);
  refused(() => applyJsonPatch(loc(), [{ op: 'jump', path: '/name' }]), 400, /"op" among/);
  refused(() => applyJsonPatch(loc(), [{ op: 'add', path: '/name' }]), 400, /"value" is required/);
  refused(() => applyJsonPatch(loc(), [{ op: 'move', from: '/extension', path: '/extension/0' }]), 400, /into itself/);
  refused(() => applyJsonPatch(loc(), { op: 'add' }), 400, /JSON array/);
});

import {
  type Atom,
  DotAtom,
  evalFhirPathTyped,
  FhirPathAtom,
  getElementDefinition,
  IndexerAtom,
  type InternalSchemaElement,
  parseFhirPath,
  SymbolAtom,
  tryGetDataType,
  type TypedValue,
} from '@medplum/core';
import type { Parameters, ParametersParameter, Resource } from '@medplum/fhirtypes';
import { badRequest, issue, StoreError } from '../store/errors.ts';
import { jsonEqual } from '../store/json.ts';
import { ensureFhirSchema } from '../store/search-parameters/schema.ts';

/*
 * PATCH bodies, applied to a copy of a resource: FHIRPath Patch (FHIR R4 §3.1.0.13.3, a Parameters resource) and
 * JSON Patch (RFC 6902). Nothing here writes; the router stores the result like a PUT.
 *
 * Statuses: a malformed patch, a path selecting several elements where one is required, or a change of
 * resourceType or id answers 400. A FHIRPath `replace` whose path selects nothing answers 404 with the path as
 * the issue's `expression` (the ROR capacity protocol: the client then sends `add`); a `delete` of nothing does
 * nothing. A failed JSON Patch `test` answers 422, as HAPI and Medplum do.
 */

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

const capitalize = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);

function checkIdentity(before: Resource, after: unknown): Resource {
  if (!isObject(after)) throw badRequest('The patch must leave a resource (a JSON object)');
  if (after.resourceType !== before.resourceType) throw badRequest(`A patch may not change resourceType (${before.resourceType})`, 'resourceType');
  if (after.id !== before.id) throw badRequest(`A patch may not change the id (${String(before.id)})`, `${before.resourceType}.id`);
  return after as unknown as Resource;
}

// ---------------------------------------------------------------------------------------------------------
// FHIRPath Patch

/** An operation's value: a `value[x]` (with its FHIR type) or the `part`s of a complex element. */
type PatchValue = { type: string; value: unknown } | { parts: ParametersParameter[] };

interface Operation {
  type: string;
  path: string;
  name?: string;
  value?: PatchValue;
  index?: number;
  source?: number;
  destination?: number;
  /** `operation 2 (replace)`, for messages. */
  label: string;
}

/** Where an element sits: `parent[key]`, or item `index` of the array `parent[key]`. */
interface Slot {
  parent: Json;
  key: string;
  index?: number;
  /** The types a new value may have: those of its definition when the path ends with its name, else its current type. */
  types: string[];
  /** The element's name when it is a choice (`value` for `valueInteger`): a replacement may change its type. */
  choiceName?: string;
}

const OPERATION_TYPES = ['add', 'insert', 'delete', 'replace', 'move'];
const PART_NAMES = ['type', 'path', 'name', 'value', 'index', 'source', 'destination'];
const VALUE_PART_NAME = /^value[A-Z]/;

/** The FHIR type a `value[x]` suffix names (`Integer` → integer, `CodeableConcept`), or undefined. */
function typeOfSuffix(suffix: string): string | undefined {
  const primitive = suffix.charAt(0).toLowerCase() + suffix.slice(1);
  if (tryGetDataType(primitive)) return primitive;
  return tryGetDataType(suffix) ? suffix : undefined;
}

/** The value carried by a Parameters parameter or part, or undefined when it carries none. */
function valueOf(p: ParametersParameter, where: string): PatchValue | undefined {
  const raw = p as unknown as Json;
  if ('value' in raw) throw badRequest(`${where}: a value is given as value[x] (valueInteger, valueString, valueCodeableConcept…) or as parts, not as a bare "value"`);
  const keys = Object.keys(raw).filter((k) => VALUE_PART_NAME.test(k));
  if (keys.length > 1) throw badRequest(`${where}: several values (${keys.join(', ')}); give one`);
  const [key] = keys;
  if (key !== undefined) {
    if (p.part !== undefined) throw badRequest(`${where}: give either ${key} or parts, not both`);
    const type = typeOfSuffix(key.slice('value'.length));
    if (type === undefined) throw badRequest(`${where}: ${key} is not a FHIR value[x] (expected e.g. valueInteger, valueString, valueCode, valueCodeableConcept)`);
    return { type, value: raw[key] };
  }
  return p.part === undefined ? undefined : { parts: p.part };
}

function integerPart(p: ParametersParameter, where: string): number {
  if (!Number.isInteger(p.valueInteger) || (p.valueInteger as number) < 0) throw badRequest(`${where}: ${p.name} must be a valueInteger ≥ 0`);
  return p.valueInteger as number;
}

function parseOperation(param: ParametersParameter, n: number): Operation {
  const at = `operation ${n + 1}`;
  if (param.name !== 'operation') throw badRequest(`Parameters.parameter[${n}]: expected a parameter named "operation", got "${String(param.name)}"`);
  const parts = new Map<string, ParametersParameter>();
  for (const part of param.part ?? []) {
    if (!PART_NAMES.includes(part.name)) throw badRequest(`${at}: unknown part "${String(part.name)}" (expected ${PART_NAMES.join(', ')})`);
    if (parts.has(part.name)) throw badRequest(`${at}: part "${part.name}" given twice`);
    parts.set(part.name, part);
  }
  const type = parts.get('type')?.valueCode;
  if (type === undefined || !OPERATION_TYPES.includes(type)) throw badRequest(`${at}: the part "type" must be a valueCode among ${OPERATION_TYPES.join(', ')}`);
  const label = `${at} (${type})`;
  const text = (name: string): string | undefined => {
    const part = parts.get(name);
    if (part === undefined) return undefined;
    if (typeof part.valueString !== 'string' || part.valueString === '') throw badRequest(`${label}: the part "${name}" must be a non-empty valueString`);
    return part.valueString;
  };
  const path = text('path');
  if (path === undefined) throw badRequest(`${label}: the part "path" is required`);
  const op: Operation = { type, path, label };
  const name = text('name');
  if (name !== undefined) op.name = name;
  const valuePart = parts.get('value');
  const value = valuePart && valueOf(valuePart, `${label}, part "value"`);
  if (valuePart && value === undefined) throw badRequest(`${label}: the part "value" carries no value[x] and no parts`);
  if (value !== undefined) op.value = value;
  for (const key of ['index', 'source', 'destination'] as const) {
    const part = parts.get(key);
    if (part !== undefined) op[key] = integerPart(part, label);
  }
  const required: Record<string, (keyof Operation)[]> = {
    add: ['name', 'value'],
    insert: ['index', 'value'],
    delete: [],
    replace: ['value'],
    move: ['source', 'destination'],
  };
  const missing = (required[type] ?? []).filter((k) => op[k] === undefined);
  if (missing.length > 0) throw badRequest(`${label}: the part${missing.length > 1 ? 's' : ''} ${missing.map((m) => `"${m}"`).join(', ')} required`);
  return op;
}

/** Evaluates FHIRPath on the working copy; the objects returned are the copy's own (they are edited in place). */
class Target {
  constructor(readonly resource: Json) {}

  private root(): TypedValue {
    return { type: String(this.resource.resourceType), value: this.resource };
  }

  private eval(atom: Atom, op: Operation): TypedValue[] {
    try {
      return evalFhirPathTyped(new FhirPathAtom(op.path, atom), [this.root()]);
    } catch (err) {
      throw badRequest(`${op.label}: the path cannot be evaluated: ${message(err)}`, op.path);
    }
  }

  /** The elements `op.path` selects, in FHIRPath order. */
  slots(op: Operation): Slot[] {
    return this.slotsOf(parsePath(op), op);
  }

  private slotsOf(atom: Atom, op: Operation): Slot[] {
    if (atom instanceof DotAtom && atom.right instanceof SymbolAtom) return this.members(this.eval(atom.left, op), atom.right.name, op);
    if (atom instanceof SymbolAtom && atom.name !== this.resource.resourceType) return this.members([this.root()], atom.name, op);
    if (atom instanceof IndexerAtom) {
      const [index] = this.eval(atom.expr, op);
      if (typeof index?.value !== 'number') throw badRequest(`${op.label}: the index in the path must be an integer`, op.path);
      const slot = this.slotsOf(atom.left, op)[index.value];
      return slot ? [slot] : [];
    }
    return this.eval(atom, op).map((found) => {
      if (found.value === this.resource) throw badRequest(`${op.label}: the path selects the resource itself`, op.path);
      const slot = isObject(found.value) ? findSlot(this.resource, found.value) : undefined;
      if (!slot) throw badRequest(`${op.label}: the path selects a primitive value through a function; end it with the element's name`, op.path);
      return { ...slot, types: [found.type] };
    });
  }

  private members(parents: TypedValue[], name: string, op: Operation): Slot[] {
    return parents.flatMap((parent) => {
      if (!isObject(parent.value)) return [];
      const element = definition(parent.type, name, op);
      const keys = Object.keys(parent.value).filter((k) => k === name || (isChoice(element) && choiceKey(name, k)));
      return keys.flatMap((key): Slot[] => {
        const value = (parent.value as Json)[key];
        const base = { parent: parent.value as Json, key, types: allowedTypes(element), ...(isChoice(element) ? { choiceName: name } : {}) };
        return Array.isArray(value) ? value.map((_, index) => ({ ...base, index })) : [base];
      });
    });
  }

  /** The single object `op.path` selects, to add an element to. */
  container(op: Operation): TypedValue {
    const found = this.eval(parsePath(op), op);
    if (found.length === 0) throw badRequest(`${op.label}: the path selects nothing to add to`, op.path);
    if (found.length > 1) throw badRequest(`${op.label}: the path selects ${found.length} elements; it must select one`, op.path);
    const [one] = found as [TypedValue];
    if (!isObject(one.value)) throw badRequest(`${op.label}: the path selects a primitive value, which has no elements to add`, op.path);
    return one;
  }
}

const message = (err: unknown): string => (err instanceof Error ? err.message : String(err));

function parsePath(op: Operation): Atom {
  try {
    return parseFhirPath(op.path).child;
  } catch (err) {
    throw badRequest(`${op.label}: invalid FHIRPath: ${message(err)}`, op.path);
  }
}

function definition(type: string, name: string, op: Operation): InternalSchemaElement {
  const element = getElementDefinition(type, name);
  if (element === undefined) throw badRequest(`${op.label}: ${type} has no element "${name}"`, op.path);
  return element;
}

const isChoice = (element: InternalSchemaElement): boolean => element.path.endsWith('[x]');
const choiceKey = (name: string, key: string): boolean => key.startsWith(name) && typeOfSuffix(key.slice(name.length)) !== undefined;

/** Where `target` (by identity) sits in `node`. */
function findSlot(node: unknown, target: Json): Pick<Slot, 'parent' | 'key' | 'index'> | undefined {
  if (!isObject(node)) return undefined;
  for (const [key, value] of Object.entries(node)) {
    if (value === target) return { parent: node, key };
    if (Array.isArray(value)) {
      const index = value.indexOf(target);
      if (index >= 0) return { parent: node, key, index };
      for (const item of value) {
        const deeper = findSlot(item, target);
        if (deeper) return deeper;
      }
    } else {
      const deeper = findSlot(value, target);
      if (deeper) return deeper;
    }
  }
  return undefined;
}

const allowedTypes = (element: InternalSchemaElement): string[] => element.type.map((t) => t.code);
const isRepeating = (element: InternalSchemaElement): boolean => element.max > 1;

/**
 * The JSON of `value` for an element of one of `types`, with the type it has; `where` names it in messages.
 * Parts build a complex element (nested parts for nested elements: an extension with its sub-extensions).
 */
function materialize(value: PatchValue, types: string[], where: string): { type: string; json: unknown } {
  if ('type' in value) {
    if (!types.includes(value.type)) throw badRequest(`${where}: expected ${describeTypes(types)}, got value${capitalize(value.type)}`);
    checkShape(value.value, value.type, where);
    return { type: value.type, json: value.value };
  }
  if (types.length !== 1) throw badRequest(`${where}: this element has several possible types; give its value as value[x] (e.g. value${capitalize(types[0] ?? '')})`);
  const type = types[0] as string;
  if (!tryGetDataType(type) || isPrimitive(type)) throw badRequest(`${where}: a ${type} is given as value${capitalize(type)}, not as parts`);
  const json: Json = {};
  for (const part of value.parts) {
    const at = `${where}.${part.name}`;
    const element = getElementDefinition(type, part.name);
    if (element === undefined) throw badRequest(`${at}: ${type} has no element "${part.name}"`);
    const partValue = valueOf(part, at);
    if (partValue === undefined) throw badRequest(`${at}: the part carries no value[x] and no parts`);
    const built = materialize(partValue, allowedTypes(element), at);
    const key = isChoice(element) ? elementName(element) + capitalize(built.type) : part.name;
    if (isRepeating(element)) json[key] = [...((json[key] as unknown[] | undefined) ?? []), built.json];
    else if (key in json) throw badRequest(`${at}: given twice, but ${type}.${part.name} has at most one value`);
    else json[key] = built.json;
  }
  return { type, json };
}

function describeTypes(types: string[]): string {
  const shown = types.slice(0, 6).map((t) => `value${capitalize(t)}`);
  return `${shown.join(' or ')}${types.length > shown.length ? ' or another value[x]' : ''}`;
}

const isPrimitive = (type: string): boolean => type.charAt(0) === type.charAt(0).toLowerCase();
const elementName = (element: InternalSchemaElement): string => (element.path.split('.').pop() ?? '').replace('[x]', '');

/** Refuses JSON that cannot be a `type`: an object for a primitive, a lone object where FHIR wants an array… */
function checkShape(json: unknown, type: string, where: string): void {
  if (isPrimitive(type)) {
    if (typeof json === 'object' || json === undefined) throw badRequest(`${where}: a ${type} is a JSON string, number or boolean`);
    return;
  }
  if (!isObject(json)) throw badRequest(`${where}: a ${type} is a JSON object`);
  for (const [key, v] of Object.entries(json)) {
    if (key.startsWith('_')) continue;
    const element = getElementDefinition(type, key);
    if (element === undefined) throw badRequest(`${where}: ${type} has no element "${key}"`);
    const itemType = isChoice(element) ? typeOfSuffix(key.slice(elementName(element).length)) : element.type[0]?.code;
    const at = `${where}.${key}`;
    if (isRepeating(element) !== Array.isArray(v)) {
      throw badRequest(isRepeating(element) ? `${at}: expected a JSON array (e.g. "${key}": [ … ])` : `${at}: expected a single value, not an array`);
    }
    if (itemType === undefined || itemType === 'Resource') continue;
    for (const item of Array.isArray(v) ? v : [v]) checkShape(item, itemType, at);
  }
}

function single(slots: Slot[], op: Operation): Slot | undefined {
  if (slots.length > 1) throw badRequest(`${op.label}: the path selects ${slots.length} elements; it must select one`, op.path);
  return slots[0];
}

function applyOperation(target: Target, op: Operation): void {
  const at = `${op.label}, part "value"`;
  switch (op.type) {
    case 'add': {
      const container = target.container(op);
      const name = op.name as string;
      const element = definition(container.type, name, op);
      const { type, json } = materialize(op.value as PatchValue, allowedTypes(element), at);
      const parent = container.value as Json;
      const key = isChoice(element) ? name + capitalize(type) : name;
      if (isRepeating(element)) parent[key] = [...((parent[key] as unknown[] | undefined) ?? []), json];
      else if (Object.keys(parent).some((k) => k === name || (isChoice(element) && choiceKey(name, k)))) {
        throw badRequest(`${op.label}: ${container.type}.${name} already has a value; use replace`, op.path);
      } else parent[key] = json;
      return;
    }
    case 'replace': {
      const slot = single(target.slots(op), op);
      if (!slot) throw new StoreError(404, [issue('not-found', `${op.label}: the path selects nothing (use add to create it)`, op.path)]);
      replaceAt(slot, op);
      return;
    }
    case 'delete': {
      const slot = single(target.slots(op), op);
      if (slot) removeAt(slot);
      return;
    }
    case 'insert':
    case 'move': {
      const { list, slot } = listAt(target, op);
      if (op.type === 'insert') {
        if ((op.index as number) > list.length) throw badRequest(`${op.label}: index ${op.index} is past the end of the list (${list.length} elements)`, op.path);
        list.splice(op.index as number, 0, materialize(op.value as PatchValue, slot.types, at).json);
      } else {
        for (const k of ['source', 'destination'] as const) {
          if ((op[k] as number) >= list.length) throw badRequest(`${op.label}: ${k} ${op[k]} is outside the list (${list.length} elements)`, op.path);
        }
        list.splice(op.destination as number, 0, ...list.splice(op.source as number, 1));
      }
      slot.parent[slot.key] = list;
      return;
    }
  }
}

function replaceAt(slot: Slot, op: Operation): void {
  const { type, json } = materialize(op.value as PatchValue, slot.types, `${op.label}, part "value"`);
  if (slot.index !== undefined) {
    (slot.parent[slot.key] as unknown[])[slot.index] = json;
  } else if (slot.choiceName !== undefined) {
    delete slot.parent[slot.key];
    slot.parent[slot.choiceName + capitalize(type)] = json;
  } else {
    slot.parent[slot.key] = json;
  }
}

function removeAt(slot: Slot): void {
  const value = slot.parent[slot.key];
  if (slot.index !== undefined && Array.isArray(value)) {
    value.splice(slot.index, 1);
    if (value.length > 0) return;
  }
  delete slot.parent[slot.key];
  delete slot.parent[`_${slot.key}`];
}

/** The (possibly empty) list `op.path` names, which must end with a repeating element's name. */
function listAt(target: Target, op: Operation): { list: unknown[]; slot: Slot } {
  const slots = target.slots(op);
  const owners = new Set(slots.map((s) => s.parent));
  if (owners.size > 1) throw badRequest(`${op.label}: the path selects elements of ${owners.size} lists; it must name one list`, op.path);
  const [slot] = slots;
  if (!slot) throw badRequest(`${op.label}: the path selects no list (an empty list is filled with add)`, op.path);
  if (slot.index === undefined || slots.some((s) => s.key !== slot.key)) throw badRequest(`${op.label}: the path must name a list (a repeating element)`, op.path);
  return { list: [...(slot.parent[slot.key] as unknown[])], slot };
}

/** Applies a FHIRPath Patch to a copy of `resource`; throws a {@link StoreError} (400, 404) when it cannot. */
export function applyFhirPathPatch(resource: Resource, parameters: Parameters): Resource {
  if (!isObject(parameters) || parameters.resourceType !== 'Parameters') throw badRequest('A FHIRPath Patch body is a Parameters resource');
  const params = parameters.parameter;
  if (!Array.isArray(params) || params.length === 0) throw badRequest('The Parameters resource has no operation');
  ensureFhirSchema();
  const operations = params.map(parseOperation);
  const target = new Target(structuredClone(resource) as unknown as Json);
  for (const op of operations) applyOperation(target, op);
  return checkIdentity(resource, target.resource);
}

// ---------------------------------------------------------------------------------------------------------
// JSON Patch (RFC 6902)

interface JsonPatchOperation {
  op: 'add' | 'remove' | 'replace' | 'move' | 'copy' | 'test';
  path: string;
  from?: string;
  value?: unknown;
}

const JSON_PATCH_OPS = ['add', 'remove', 'replace', 'move', 'copy', 'test'];

/** The reference tokens of a JSON Pointer (RFC 6901); the root ("") is refused: a patch changes elements, not the resource. */
function pointer(text: unknown, where: string): string[] {
  if (typeof text !== 'string' || !text.startsWith('/')) throw badRequest(`${where}: expected a JSON Pointer to an element, such as "/name" or "/extension/0"`);
  return text
    .slice(1)
    .split('/')
    .map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function arrayIndex(list: unknown[], token: string, where: string, allowEnd: boolean): number {
  if (allowEnd && token === '-') return list.length;
  if (!/^(0|[1-9][0-9]*)$/.test(token)) throw badRequest(`${where}: "${token}" is not an array index`);
  const index = Number(token);
  if (index > list.length || (!allowEnd && index === list.length)) throw badRequest(`${where}: index ${index} is outside the array (${list.length} elements)`);
  return index;
}

/** The container of the pointed element, and the last token. */
function parentOf(doc: Json, tokens: string[], where: string): { container: Json | unknown[]; last: string } {
  let node: unknown = doc;
  for (const token of tokens.slice(0, -1)) {
    if (Array.isArray(node)) node = node[arrayIndex(node, token, where, false)];
    else if (isObject(node) && token in node) node = node[token];
    else throw badRequest(`${where}: the path does not exist`);
  }
  if (!Array.isArray(node) && !isObject(node)) throw badRequest(`${where}: the path does not exist`);
  return { container: node, last: tokens[tokens.length - 1] as string };
}

function getAt(doc: Json, tokens: string[], where: string): unknown {
  const { container, last } = parentOf(doc, tokens, where);
  if (Array.isArray(container)) return container[arrayIndex(container, last, where, false)];
  if (!(last in container)) throw badRequest(`${where}: the path does not exist`);
  return container[last];
}

function addAt(doc: Json, tokens: string[], value: unknown, where: string): void {
  const { container, last } = parentOf(doc, tokens, where);
  if (Array.isArray(container)) container.splice(arrayIndex(container, last, where, true), 0, value);
  else container[last] = value;
}

function removeAtPointer(doc: Json, tokens: string[], where: string): void {
  const { container, last } = parentOf(doc, tokens, where);
  if (Array.isArray(container)) container.splice(arrayIndex(container, last, where, false), 1);
  else if (last in container) delete container[last];
  else throw badRequest(`${where}: the path does not exist`);
}

function parseJsonPatchOperation(raw: unknown, n: number): JsonPatchOperation {
  const where = `operation ${n + 1}`;
  if (!isObject(raw) || typeof raw.op !== 'string' || !JSON_PATCH_OPS.includes(raw.op)) throw badRequest(`${where}: expected an object with "op" among ${JSON_PATCH_OPS.join(', ')}`);
  if (typeof raw.path !== 'string') throw badRequest(`${where}: "path" (a JSON Pointer) is required`);
  if (['add', 'replace', 'test'].includes(raw.op) && !('value' in raw)) throw badRequest(`${where} (${raw.op}): "value" is required`);
  if (['move', 'copy'].includes(raw.op) && typeof raw.from !== 'string') throw badRequest(`${where} (${raw.op}): "from" (a JSON Pointer) is required`);
  return raw as unknown as JsonPatchOperation;
}

/** Applies a JSON Patch (RFC 6902) to a copy of `resource`; throws a {@link StoreError} (400; 422 for a failed `test`). */
export function applyJsonPatch(resource: Resource, operations: unknown): Resource {
  if (!Array.isArray(operations)) throw badRequest('A JSON Patch body is a JSON array of operations');
  const ops = operations.map(parseJsonPatchOperation);
  const doc = structuredClone(resource) as unknown as Json;
  ops.forEach((op, n) => {
    const where = `operation ${n + 1} (${op.op} ${op.path})`;
    const path = pointer(op.path, where);
    switch (op.op) {
      case 'add':
        addAt(doc, path, structuredClone(op.value), where);
        return;
      case 'remove':
        removeAtPointer(doc, path, where);
        return;
      case 'replace':
        getAt(doc, path, where);
        removeAtPointer(doc, path, where);
        addAt(doc, path, structuredClone(op.value), where);
        return;
      case 'move': {
        const from = pointer(op.from, where);
        if (op.path.startsWith(`${op.from as string}/`)) throw badRequest(`${where}: an element cannot be moved into itself`);
        const value = getAt(doc, from, where);
        removeAtPointer(doc, from, where);
        addAt(doc, path, value, where);
        return;
      }
      case 'copy':
        addAt(doc, path, structuredClone(getAt(doc, pointer(op.from, where), where)), where);
        return;
      case 'test':
        if (!jsonEqual(getAt(doc, path, where), op.value)) {
          throw new StoreError(422, [issue('processing', `${where}: test failed, the current value differs`, op.path)]);
        }
    }
  });
  return checkIdentity(resource, doc);
}

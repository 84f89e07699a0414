import type { TypedValue } from '@medplum/core';
import type { Location, Resource } from '@medplum/fhirtypes';
import { getCapacities, type CapacityEntry } from '../model/capacity.ts';
import { invalidResource } from './errors.ts';
import type { CapacityIndexEntry, IndexEntries } from './index-types.ts';
import { emptyIndexEntries } from './index-types.ts';
import type { EvaluationScope, FhirPathEvaluator } from './search-parameters/fhirpath.ts';
import { compileFhirPath, interpretFhirPath } from './search-parameters/fhirpath.ts';
import type { SearchParameterDefinition } from './search-parameters/registry.ts';
import { getSearchParameter, searchParametersFor } from './search-parameters/registry.ts';

export interface PlannedParameter {
  readonly param: SearchParameterDefinition;
  readonly evaluator: FhirPathEvaluator;
}

export type EvaluationMode = 'compiled' | 'interpreted';

const plans: Record<EvaluationMode, Map<string, PlannedParameter[]>> = { compiled: new Map(), interpreted: new Map() };

/**
 * Search-index values of one resource version: every search parameter of its type that lives in the
 * `sp_*` tables or the position column, evaluated with expressions compiled once per parameter.
 * Throws a 422 StoreError when a value cannot be indexed (malformed date, reference or position).
 */
export function extractIndex(resource: Resource): IndexEntries {
  return extract(resource, 'compiled');
}

/** Same result through medplum's FHIRPath interpreter for every expression; the reference that checks `extractIndex`. */
export function extractIndexInterpreted(resource: Resource): IndexEntries {
  return extract(resource, 'interpreted');
}

/** The evaluation plan of a resource type: each indexed parameter with its evaluator. */
export function indexingPlan(resourceType: string, mode: EvaluationMode = 'compiled'): readonly PlannedParameter[] {
  let plan = plans[mode].get(resourceType);
  if (!plan) {
    plan = searchParametersFor(resourceType).flatMap((param) => {
      if ((param.indexing !== 'index' && param.indexing !== 'position') || param.expression === undefined) return [];
      const evaluator = mode === 'compiled' ? compileFhirPath(param.expression) : interpretFhirPath(param.expression);
      return [{ param, evaluator }];
    });
    plans[mode].set(resourceType, plan);
  }
  return plan;
}

function extract(resource: Resource, mode: EvaluationMode): IndexEntries {
  const sink = new EntrySink();
  const scope: EvaluationScope = new Map();
  for (const { param, evaluator } of indexingPlan(resource.resourceType, mode)) {
    const values = evaluator.evaluate(resource, scope);
    if (values.length === 0) continue;
    sink.beginParameter();
    addValues(sink, param, values);
  }
  sink.entries.capacity = capacityIndex(resource);
  return sink.entries;
}

/**
 * The `sp_capacity` rows of a resource: one per `ror-location-supported-capacity` entry of a Location, none for
 * other types. Throws a 422 StoreError when an entry lacks a mandatory part or has a malformed update date.
 */
export function capacityIndex(resource: Resource): CapacityIndexEntry[] {
  if (resource.resourceType !== 'Location') return [];
  let entries: CapacityEntry[];
  try {
    entries = getCapacities(resource as Location);
  } catch (err) {
    throw invalidResource([{ severity: 'error', code: 'invalid', diagnostics: (err as Error).message, expression: ['Location.extension'] }]);
  }
  if (entries.length === 0) return [];
  const updateDate = getSearchParameter('Location', 'capacity-update-date');
  if (!updateDate) throw new Error('Search parameter Location.capacity-update-date is not registered');
  return entries.map((e) => {
    const update = dateRange(updateDate, e.updateDate);
    return {
      capacityType: e.capacityType,
      capacityStatus: e.capacityStatus,
      temporality: e.temporality,
      gender: e.gender ?? null,
      closingType: e.closingType ?? null,
      additionalBedType: e.additionalBedType ?? null,
      crisisType: e.crisisType ?? null,
      temporaryAssignment: e.temporaryAssignment,
      nbCapacity: e.nbCapacity,
      updateLow: update.low,
      updateHigh: update.high,
      sourceType: e.sourceType,
      comment: e.comment ?? null,
    };
  });
}

/**
 * Collects entries, dropping exact duplicates. Codes are unique per parameter, so duplicates can only come
 * from the parameter being added: each kind is searched from where that parameter's entries start.
 */
class EntrySink {
  readonly entries = emptyIndexEntries();
  private readonly start = { token: 0, string: 0, date: 0, number: 0, quantity: 0, reference: 0, uri: 0 };

  beginParameter(): void {
    const e = this.entries;
    const s = this.start;
    s.token = e.token.length;
    s.string = e.string.length;
    s.date = e.date.length;
    s.number = e.number.length;
    s.quantity = e.quantity.length;
    s.reference = e.reference.length;
    s.uri = e.uri.length;
  }

  token(code: string, system: string | null, value: string | null): void {
    if (system === null && value === null) return;
    const list = this.entries.token;
    for (let i = this.start.token; i < list.length; i++) {
      const t = list[i] as IndexEntries['token'][number];
      if (t.value === value && t.system === system) return;
    }
    list.push({ code, system, value });
  }

  string(code: string, value: string): void {
    if (value === '') return;
    const list = this.entries.string;
    for (let i = this.start.string; i < list.length; i++) if ((list[i] as IndexEntries['string'][number]).value === value) return;
    list.push({ code, value });
  }

  date(code: string, low: string | null, high: string | null): void {
    const list = this.entries.date;
    for (let i = this.start.date; i < list.length; i++) {
      const d = list[i] as IndexEntries['date'][number];
      if (d.low === low && d.high === high) return;
    }
    list.push({ code, low, high });
  }

  number(code: string, value: number): void {
    const list = this.entries.number;
    for (let i = this.start.number; i < list.length; i++) if ((list[i] as IndexEntries['number'][number]).value === value) return;
    list.push({ code, value });
  }

  quantity(code: string, value: number, system: string | null, unit: string | null): void {
    const list = this.entries.quantity;
    for (let i = this.start.quantity; i < list.length; i++) {
      const q = list[i] as IndexEntries['quantity'][number];
      if (q.value === value && q.system === system && q.unit === unit) return;
    }
    list.push({ code, value, system, unit });
  }

  reference(code: string, targetType: string | null, targetId: string): void {
    const list = this.entries.reference;
    for (let i = this.start.reference; i < list.length; i++) {
      const r = list[i] as IndexEntries['reference'][number];
      if (r.targetId === targetId && r.targetType === targetType) return;
    }
    list.push({ code, targetType, targetId });
  }

  uri(code: string, value: string): void {
    if (value === '') return;
    const list = this.entries.uri;
    for (let i = this.start.uri; i < list.length; i++) if ((list[i] as IndexEntries['uri'][number]).value === value) return;
    list.push({ code, value });
  }
}

function addValues(sink: EntrySink, param: SearchParameterDefinition, values: TypedValue[]): void {
  const add = param.indexing === 'position' ? addPosition : ADDERS[param.type];
  if (!add) throw new Error(`Search parameter ${param.resourceType}.${param.code} of type ${param.type} cannot be indexed`);
  for (const node of values) add(sink, param, node);
}

type Adder = (sink: EntrySink, param: SearchParameterDefinition, node: TypedValue) => void;

const ADDERS: Partial<Record<SearchParameterDefinition['type'], Adder>> = {
  token: addToken,
  string: addString,
  date: addDate,
  number: addNumber,
  quantity: addQuantity,
  reference: addReference,
  uri: addUri,
};

const PRIMITIVE_STRING_TYPES = new Set(['string', 'code', 'id', 'uri', 'url', 'canonical', 'oid', 'uuid', 'markdown']);

interface CodingLike {
  system?: unknown;
  code?: unknown;
  value?: unknown;
}

function addToken(sink: EntrySink, param: SearchParameterDefinition, node: TypedValue): void {
  const { code } = param;
  switch (node.type) {
    case 'Coding':
      addCoding(sink, code, node.value as CodingLike);
      return;
    case 'CodeableConcept':
      for (const coding of (node.value as { coding?: CodingLike[] }).coding ?? []) addCoding(sink, code, coding);
      return;
    case 'Identifier':
    case 'ContactPoint': {
      const v = node.value as CodingLike;
      sink.token(code, optionalString(v.system), optionalString(v.value));
      return;
    }
    case 'boolean':
      sink.token(code, null, String(node.value));
      return;
    default:
      if (PRIMITIVE_STRING_TYPES.has(node.type)) {
        sink.token(code, null, String(node.value));
        return;
      }
      throw unsupported(param, node);
  }
}

function addCoding(sink: EntrySink, code: string, coding: CodingLike): void {
  sink.token(code, optionalString(coding.system), optionalString(coding.code));
}

function addString(sink: EntrySink, param: SearchParameterDefinition, node: TypedValue): void {
  const { code } = param;
  if (PRIMITIVE_STRING_TYPES.has(node.type)) {
    sink.string(code, String(node.value));
    return;
  }
  const parts = STRING_PARTS[node.type];
  if (!parts) throw unsupported(param, node);
  const value = node.value as Record<string, unknown>;
  for (const part of parts) {
    const v = value[part];
    for (const item of Array.isArray(v) ? v : [v]) if (typeof item === 'string') sink.string(code, item);
  }
}

const STRING_PARTS: Record<string, readonly string[] | undefined> = {
  HumanName: ['text', 'family', 'given', 'prefix', 'suffix'],
  Address: ['text', 'line', 'city', 'district', 'state', 'postalCode', 'country'],
};

function addDate(sink: EntrySink, param: SearchParameterDefinition, node: TypedValue): void {
  switch (node.type) {
    case 'date':
    case 'dateTime':
    case 'instant': {
      const range = dateRange(param, String(node.value));
      sink.date(param.code, range.low, range.high);
      return;
    }
    case 'Period': {
      const { start, end } = node.value as { start?: unknown; end?: unknown };
      if (start === undefined && end === undefined) return;
      const low = start === undefined ? null : dateRange(param, String(start)).low;
      const high = end === undefined ? null : dateRange(param, String(end)).high;
      sink.date(param.code, low, high);
      return;
    }
    default:
      throw unsupported(param, node);
  }
}

const NUMBER_TYPES = new Set(['integer', 'decimal', 'positiveInt', 'unsignedInt', 'integer64']);

function addNumber(sink: EntrySink, param: SearchParameterDefinition, node: TypedValue): void {
  if (!NUMBER_TYPES.has(node.type)) throw unsupported(param, node);
  sink.number(param.code, finiteNumber(param, node.value));
}

const QUANTITY_TYPES = new Set(['Quantity', 'SimpleQuantity', 'Age', 'Count', 'Distance', 'Duration', 'MoneyQuantity']);

function addQuantity(sink: EntrySink, param: SearchParameterDefinition, node: TypedValue): void {
  if (node.type === 'Money') {
    const money = node.value as { value?: unknown; currency?: unknown };
    if (money.value === undefined) return;
    sink.quantity(param.code, finiteNumber(param, money.value), 'urn:iso:std:iso:4217', optionalString(money.currency));
    return;
  }
  if (!QUANTITY_TYPES.has(node.type)) throw unsupported(param, node);
  const q = node.value as { value?: unknown; system?: unknown; code?: unknown; unit?: unknown };
  if (q.value === undefined) return;
  sink.quantity(param.code, finiteNumber(param, q.value), optionalString(q.system), optionalString(q.code) ?? optionalString(q.unit));
}

/** `Type/id`, relative or at the end of an absolute URL, optionally followed by `/_history/version`. */
const TYPED_REFERENCE = /(?:^|\/)([A-Z][A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})(?:\/_history\/[^/]+)?$/;

/** The `Type/id` a reference string points to, read as the index reads it; undefined when it is not one. */
export function parseTypedReference(reference: string): { type: string; id: string } | undefined {
  const m = TYPED_REFERENCE.exec(reference);
  return m ? { type: m[1] as string, id: m[2] as string } : undefined;
}
const ABSOLUTE = /^[A-Za-z][A-Za-z0-9+.-]*:/;

function addReference(sink: EntrySink, param: SearchParameterDefinition, node: TypedValue): void {
  let reference: string;
  if (node.type === 'Reference') {
    const value = (node.value as { reference?: unknown }).reference;
    // A logical reference (identifier or display only) points to nothing the store can join on.
    if (value === undefined) return;
    reference = String(value);
  } else if (node.type === 'canonical' || node.type === 'uri' || node.type === 'url') {
    sink.reference(param.code, null, String(node.value));
    return;
  } else {
    throw unsupported(param, node);
  }
  const typed = parseTypedReference(reference);
  if (typed) {
    sink.reference(param.code, typed.type, typed.id);
  } else if (reference.startsWith('#') || ABSOLUTE.test(reference)) {
    sink.reference(param.code, null, reference);
  } else {
    throw badValue(param, `invalid reference "${reference}": expected Type/id, an absolute URL or #contained-id`);
  }
}

function addUri(sink: EntrySink, param: SearchParameterDefinition, node: TypedValue): void {
  if (!PRIMITIVE_STRING_TYPES.has(node.type)) throw unsupported(param, node);
  sink.uri(param.code, String(node.value));
}

function addPosition(sink: EntrySink, param: SearchParameterDefinition, node: TypedValue): void {
  if (node.type !== 'LocationPosition') throw unsupported(param, node);
  const { latitude, longitude } = node.value as { latitude?: unknown; longitude?: unknown };
  if (typeof latitude !== 'number' || typeof longitude !== 'number' || Math.abs(latitude) > 90 || Math.abs(longitude) > 180) {
    throw badValue(param, `invalid position (latitude ${String(latitude)}, longitude ${String(longitude)}): expected WGS84 degrees`);
  }
  const current = sink.entries.position;
  if (current && (current.lat !== latitude || current.lon !== longitude)) {
    throw badValue(param, 'a Location has a single position');
  }
  sink.entries.position = { lat: latitude, lon: longitude };
}

const DATE_PATTERN = /^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?(Z|[+-]\d{2}:\d{2})?)?)?)?$/;

/**
 * The instants bounding a FHIR date, dateTime or instant at its precision: `2024` covers the year,
 * `2024-03` the month, `2024-03-05T10:00` the minute. Times without a zone are read as UTC.
 */
function dateRange(param: SearchParameterDefinition, text: string): DateRange {
  let range = dateRanges.get(text);
  if (!range) {
    range = computeDateRange(param, text);
    if (dateRanges.size >= DATE_CACHE_SIZE) dateRanges.clear();
    dateRanges.set(text, range);
  }
  return range;
}

interface DateRange {
  readonly low: string;
  readonly high: string;
}

/** Bulk loads repeat the same timestamps (capacity updates, meta dates): their ranges are kept. */
const DATE_CACHE_SIZE = 10_000;
const dateRanges = new Map<string, DateRange>();

function computeDateRange(param: SearchParameterDefinition, text: string): DateRange {
  const m = DATE_PATTERN.exec(text);
  if (!m) throw badValue(param, `invalid date "${text}"`);
  const [, y, mo, d, h, mi, s, fraction, zone] = m;
  const year = Number(y);
  const month = mo === undefined ? 1 : Number(mo);
  const day = d === undefined ? 1 : Number(d);
  const hour = h === undefined ? 0 : Number(h);
  const minute = mi === undefined ? 0 : Number(mi);
  const second = s === undefined ? 0 : Number(s);
  const millis = fraction === undefined ? 0 : Number(fraction.slice(0, 3).padEnd(3, '0'));
  const start = utc(year, month - 1, day, hour, minute, second, millis);
  const check = new Date(start);
  if (month < 1 || month > 12 || hour > 23 || minute > 59 || second > 59 || check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day) {
    throw badValue(param, `invalid date "${text}"`);
  }
  let end: number;
  if (mo === undefined) end = utc(year + 1, 0, 1);
  else if (d === undefined) end = utc(year, month, 1);
  else if (h === undefined) end = start + 86_400_000;
  else if (s === undefined) end = start + 60_000;
  else if (fraction === undefined) end = start + 1000;
  else end = start + (fraction.length >= 3 ? 1 : 10 ** (3 - fraction.length));
  const offset = zone === undefined || zone === 'Z' ? 0 : zoneOffsetMinutes(zone) * 60_000;
  return { low: new Date(start - offset).toISOString(), high: new Date(end - 1 - offset).toISOString() };
}

/** `Date.UTC` without its mapping of years 0–99 to 1900–1999. */
function utc(year: number, monthIndex: number, day: number, hour = 0, minute = 0, second = 0, millis = 0): number {
  const time = Date.UTC(year, monthIndex, day, hour, minute, second, millis);
  if (year >= 100) return time;
  const date = new Date(time);
  date.setUTCFullYear(year);
  return date.getTime();
}

function zoneOffsetMinutes(zone: string): number {
  const sign = zone.startsWith('-') ? -1 : 1;
  return sign * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4, 6)));
}

function finiteNumber(param: SearchParameterDefinition, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw badValue(param, `invalid number ${JSON.stringify(value)}`);
  return value;
}

function optionalString(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}

function badValue(param: SearchParameterDefinition, message: string): Error {
  return invalidResource([
    {
      severity: 'error',
      code: 'invalid',
      diagnostics: `Search parameter ${param.code}: ${message}`,
      ...(param.expression ? { expression: [param.expression] } : {}),
    },
  ]);
}

/** A definition whose expression yields a type its parameter type cannot index: a definition bug, not bad data. */
function unsupported(param: SearchParameterDefinition, node: TypedValue): Error {
  return new Error(`Search parameter ${param.resourceType}.${param.code} (${param.type}) cannot index a ${node.type} value`);
}

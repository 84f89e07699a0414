import { badRequest } from '../store/errors.ts';
import { getSearchParameter, isIndexedResourceType, resourceTypes, type IndexedResourceType, type SearchParameterDefinition } from '../store/search-parameters/registry.ts';
import type { DateValue, IndexTable, Prefix, SearchFilter, SearchQuery, TokenValue } from '../store/search.ts';
import { parseProjection, type Projection } from './elements.ts';
import { referenceTargets, type IncludeParameter } from './include.ts';

/** RG_RECH_52: 200 results per page by default, and at most. */
export const DEFAULT_COUNT = 200;
export const MAX_COUNT = 200;

const PREFIXES: readonly Prefix[] = ['eq', 'ne', 'gt', 'lt', 'ge', 'le', 'sa', 'eb'];

const TABLE_OF_TYPE: Record<string, IndexTable | undefined> = {
  token: 'sp_token',
  string: 'sp_string',
  date: 'sp_date',
  number: 'sp_number',
  quantity: 'sp_quantity',
  reference: 'sp_reference',
  uri: 'sp_uri',
};

/** Whether a registered search parameter is served from the index tables by this parser. */
export function isSearchable(sp: SearchParameterDefinition): boolean {
  return sp.indexing === 'index' && TABLE_OF_TYPE[sp.type] !== undefined;
}

/** Splits on commas not escaped with a backslash, and unescapes `\,` `\|` `\$` `\\`. */
export function splitValues(raw: string): string[] {
  const out: string[] = [];
  let cur = '';
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i] as string;
    if (c === '\\' && i + 1 < raw.length) {
      cur += c + (raw[++i] as string);
    } else if (c === ',') {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  out.push(cur);
  return out;
}

function unescape(v: string): string {
  return v.replace(/\\([\\,|$])/g, '$1');
}

/** Splits `a|b` on the first unescaped pipe. */
function splitPipe(v: string): [string, string] | undefined {
  for (let i = 0; i < v.length; i++) {
    if (v[i] === '\\') i++;
    else if (v[i] === '|') return [v.slice(0, i), v.slice(i + 1)];
  }
  return undefined;
}

function splitPrefix(name: string, v: string): { prefix: Prefix; rest: string } {
  const head = v.slice(0, 2) as Prefix;
  if (PREFIXES.includes(head) && v.length > 2) return { prefix: head, rest: v.slice(2) };
  if (/^[a-z]{2}[0-9-]/.test(v)) throw badRequest(`Unknown prefix "${v.slice(0, 2)}" in ${name}=${v}: expected one of ${PREFIXES.join(', ')}`, name);
  return { prefix: 'eq', rest: v };
}

const DATE_RE = /^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?)?)?$/;

/** A FHIR date search value → the half-open UTC range it stands for at its precision. */
export function parseDateValue(name: string, raw: string): DateValue {
  const { prefix, rest } = splitPrefix(name, raw);
  const m = DATE_RE.exec(rest);
  if (!m) throw badRequest(`Invalid date in ${name}=${raw}: expected YYYY, YYYY-MM, YYYY-MM-DD or YYYY-MM-DDThh:mm[:ss][zone]`, name);
  const [, y, mo, d, h, mi, s, frac, zone] = m;
  const year = Number(y);
  const month = mo ? Number(mo) : undefined;
  const day = d ? Number(d) : undefined;
  if ((month !== undefined && (month < 1 || month > 12)) || (day !== undefined && (day < 1 || day > 31))) {
    throw badRequest(`Invalid date in ${name}=${raw}`, name);
  }
  let low: Date;
  let high: Date;
  if (h !== undefined) {
    const base = `${y}-${mo}-${d}T${h}:${mi}:${s ?? '00'}${frac ?? ''}${zone ?? 'Z'}`;
    low = new Date(base);
    if (Number.isNaN(low.getTime())) throw badRequest(`Invalid date in ${name}=${raw}`, name);
    const step = frac ? 1 : s ? 1000 : 60_000;
    high = new Date(low.getTime() + step);
  } else if (day !== undefined) {
    low = new Date(Date.UTC(year, (month as number) - 1, day));
    if (low.getUTCDate() !== day) throw badRequest(`Invalid date in ${name}=${raw}`, name);
    high = new Date(Date.UTC(year, (month as number) - 1, day + 1));
  } else if (month !== undefined) {
    low = new Date(Date.UTC(year, month - 1, 1));
    high = new Date(Date.UTC(year, month, 1));
  } else {
    low = new Date(Date.UTC(year, 0, 1));
    high = new Date(Date.UTC(year + 1, 0, 1));
  }
  return { prefix, low: low.toISOString(), high: high.toISOString() };
}

function parseNumber(name: string, raw: string): { prefix: Prefix; value: number } {
  const { prefix, rest } = splitPrefix(name, raw);
  if (!/^-?\d+(\.\d+)?([eE][+-]?\d+)?$/.test(rest)) throw badRequest(`Invalid number in ${name}=${raw}`, name);
  return { prefix, value: Number(rest) };
}

function parseToken(raw: string): TokenValue {
  const pair = splitPipe(raw);
  if (!pair) return { code: unescape(raw) };
  const [system, code] = pair;
  return {
    system: system === '' ? null : unescape(system),
    ...(code === '' ? {} : { code: unescape(code) }),
  };
}

function parseReference(name: string, raw: string, typeModifier: string | undefined): { targetType?: string; targetId: string } {
  const v = unescape(raw);
  const m = /(?:^|\/)([A-Z][A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})(?:\/_history\/[^/]+)?$/.exec(v);
  if (m) return { targetType: m[1] as string, targetId: m[2] as string };
  if (!/^[A-Za-z0-9\-.]{1,64}$/.test(v)) throw badRequest(`Invalid reference in ${name}=${raw}`, name);
  return typeModifier ? { targetType: typeModifier, targetId: v } : { targetId: v };
}

const CONTROL = new Set(['_count', '_offset', '_total', '_format']);

/** A store query, the `_include` / `_revinclude` parameters to resolve on its page, and the projection of what it serves. */
export interface ParsedSearch extends SearchQuery, Projection {
  includes: IncludeParameter[];
}

/**
 * Parses FHIR search query parameters into a store query. Every unknown parameter, modifier or malformed
 * value is refused (strict handling).
 */
export function parseSearch(resourceType: string, query: Record<string, string | string[] | undefined>): ParsedSearch {
  const projection = parseProjection(resourceType, query, true);
  const q: ParsedSearch = { resourceType, filters: [], count: DEFAULT_COUNT, offset: 0, total: true, includes: [], ...projection };
  for (const [key, rawValue] of Object.entries(query)) {
    if (rawValue === undefined || key === '_summary' || key === '_elements') continue;
    const rawValues = Array.isArray(rawValue) ? rawValue : [rawValue];
    const [name, modifier] = key.split(':');
    if (name === '_include' || name === '_revinclude') {
      for (const raw of rawValues) q.includes.push(parseInclude(key, name, modifier, raw));
      continue;
    }
    if (CONTROL.has(key)) {
      if (rawValues.length > 1) throw badRequest(`${key} may be given only once`, key);
      const v = rawValues[0] as string;
      if (key === '_count') {
        if (!/^\d+$/.test(v)) throw badRequest(`_count must be a non-negative integer, got "${v}"`, key);
        q.count = Math.min(Number(v), MAX_COUNT);
      } else if (key === '_offset') {
        if (!/^\d+$/.test(v)) throw badRequest(`_offset must be a non-negative integer, got "${v}"`, key);
        q.offset = Number(v);
      } else if (key === '_total') {
        if (!['none', 'estimate', 'accurate'].includes(v)) throw badRequest(`_total must be none, estimate or accurate, got "${v}"`, key);
        q.total = v !== 'none';
      } else if (key === '_format' && !['json', 'application/json', 'application/fhir+json'].includes(v)) {
        throw badRequest(`_format ${v} is not supported: only JSON`, key);
      }
      continue;
    }
    for (const raw of rawValues) q.filters.push(parseCriterion(resourceType, key, raw));
  }
  return q;
}

/** `Type:param[:targetType]` of `_include[:iterate]` or `_revinclude[:iterate]`; `param` a reference parameter of `Type`. */
function parseInclude(key: string, name: '_include' | '_revinclude', modifier: string | undefined, raw: string): IncludeParameter {
  if (key !== name && key !== `${name}:iterate`) throw badRequest(`Invalid parameter "${key}": expected ${name} or ${name}:iterate`, key);
  if (raw === '*' || raw.endsWith(':*')) throw badRequest(`${key}=${raw}: the wildcard * is not supported, name the reference parameter (Type:param)`, key);
  const [sourceType, code, targetType, ...extra] = raw.split(':');
  if (!sourceType || !code || extra.length > 0) throw badRequest(`Invalid ${key} value "${raw}": expected Type:param or Type:param:targetType`, key);
  if (!isIndexedResourceType(sourceType)) throw badRequest(`Unknown resource type "${sourceType}" in ${key}=${raw}: expected one of ${resourceTypes.join(', ')}`, key);
  return {
    direction: name === '_include' ? 'include' : 'revinclude',
    sourceType,
    code,
    targetTypes: servedTargets(sourceType, code, targetType, `${key}=${raw}`, key),
    iterate: modifier === 'iterate',
  };
}

/** How many references a chained or `_has` parameter may follow. */
const MAX_CHAIN_DEPTH = 3;

/**
 * One criterion `key=raw` on `resourceType`; `label` is the whole parameter as sent, for messages, when `key` is
 * what is left of it after the chain links already followed.
 */
export function parseCriterion(resourceType: string, key: string, raw: string, label = key, depth = 0): SearchFilter {
  if (key.startsWith('_has:') || key.includes('.')) {
    if (depth === MAX_CHAIN_DEPTH) throw badRequest(`${label}: chains follow at most ${MAX_CHAIN_DEPTH} references`, label);
    return key.startsWith('_has:') ? parseHas(resourceType, key, raw, label, depth) : parseChain(resourceType, key, raw, label, depth);
  }
  const [name, modifier, ...extra] = key.split(':');
  if (!name || extra.length > 0) throw badRequest(`Invalid search parameter "${label}"`, label);
  if (raw === '') throw badRequest(`Empty value for search parameter "${label}"`, label);
  const values = splitValues(raw);

  if (name === '_id') {
    if (modifier) throw badRequest(`Modifier :${modifier} is not supported on _id`, label);
    return { kind: 'id', values: values.map(unescape) };
  }
  if (name === '_lastUpdated') {
    if (modifier) throw badRequest(`Modifier :${modifier} is not supported on _lastUpdated`, label);
    return { kind: 'lastUpdated', values: values.map((v) => parseDateValue(label, v)) };
  }
  const sp = getSearchParameter(resourceType, name);
  if (!sp) throw badRequest(`Unknown search parameter "${name}" for ${resourceType}`, label);
  const table = TABLE_OF_TYPE[sp.type];
  if (!table || !isSearchable(sp)) throw badRequest(`Search parameter "${name}" (type ${sp.type}) is not supported yet`, label);

  if (modifier === 'missing') {
    if (raw !== 'true' && raw !== 'false') throw badRequest(`${label} must be true or false`, label);
    return { kind: 'missing', table, code: name, missing: raw === 'true' };
  }
  const refuseModifier = (): never => {
    throw badRequest(`Modifier :${modifier} is not supported on ${sp.type} parameter "${name}"`, label);
  };
  switch (sp.type) {
    case 'token':
      if (modifier && modifier !== 'not') refuseModifier();
      return { kind: 'token', code: name, values: values.map(parseToken), not: modifier === 'not' };
    case 'string':
      if (modifier && modifier !== 'exact' && modifier !== 'contains') refuseModifier();
      return { kind: 'string', code: name, values: values.map(unescape), match: modifier === 'exact' ? 'exact' : modifier === 'contains' ? 'contains' : 'start' };
    case 'date':
      if (modifier) refuseModifier();
      return { kind: 'date', code: name, values: values.map((v) => parseDateValue(label, v)) };
    case 'number':
      if (modifier) refuseModifier();
      return { kind: 'number', code: name, values: values.map((v) => parseNumber(label, v)) };
    case 'quantity':
      if (modifier) refuseModifier();
      return {
        kind: 'quantity',
        code: name,
        values: values.map((v) => {
          const [num, system, unit, ...more] = v.split('|');
          if (more.length > 0) throw badRequest(`Invalid quantity in ${label}=${v}`, label);
          const n = parseNumber(label, num ?? '');
          return { ...n, ...(system ? { system: unescape(system) } : {}), ...(unit ? { unit: unescape(unit) } : {}) };
        }),
      };
    case 'reference': {
      const typeModifier = modifier && /^[A-Z][A-Za-z]+$/.test(modifier) ? modifier : undefined;
      if (modifier && !typeModifier) refuseModifier();
      return { kind: 'reference', code: name, values: values.map((v) => parseReference(label, v, typeModifier)) };
    }
    default:
      if (modifier) refuseModifier();
      return { kind: 'uri', code: name, values: values.map(unescape) };
  }
}

/**
 * The served types the reference parameter `code` of `resourceType` points to, only `targetType` when given;
 * `context` (the parameter as sent) and `expression` are for messages.
 */
function servedTargets(resourceType: string, code: string, targetType: string | undefined, context: string, expression: string): IndexedResourceType[] {
  const sp = getSearchParameter(resourceType, code);
  if (!sp) throw badRequest(`Unknown search parameter "${code}" for ${resourceType} in ${context}`, expression);
  if (sp.type !== 'reference' || !isSearchable(sp)) throw badRequest(`${context}: "${code}" is not a reference search parameter of ${resourceType}`, expression);
  const targets = referenceTargets(sp);
  if (targets.length === 0) throw badRequest(`${context}: ${resourceType}:${code} points to no resource type this server serves`, expression);
  if (targetType === undefined) return targets;
  if (!(targets as string[]).includes(targetType)) {
    throw badRequest(`${context}: ${resourceType}:${code} does not point to "${targetType}" (served targets: ${targets.join(', ')})`, expression);
  }
  return targets.filter((t) => t === targetType);
}

/** `code[:Type].rest`: `rest` applies to the resources the reference parameter `code` points to. */
function parseChain(resourceType: string, key: string, raw: string, label: string, depth: number): SearchFilter {
  const dot = key.indexOf('.');
  const [code, typeModifier, ...extra] = key.slice(0, dot).split(':');
  const rest = key.slice(dot + 1);
  if (!code || extra.length > 0 || rest === '') throw badRequest(`Invalid chained parameter "${label}": expected param.param2 or param:Type.param2`, label);
  if (typeModifier === 'above' || typeModifier === 'below') {
    throw badRequest(`${label}: :${typeModifier} on a chained reference (anywhere up or down the hierarchy) is not supported`, label);
  }
  const targets = servedTargets(resourceType, code, typeModifier, label, label);
  if (targets.length > 1) throw badRequest(`${label}: ${resourceType}:${code} may point to ${targets.join(', ')}; name one as ${code}:Type.…`, label);
  const targetType = targets[0] as string;
  return { kind: 'chain', code, targetType, filter: parseCriterion(targetType, rest, raw, label, depth + 1) };
}

/** `_has:Type:code:rest`: resources some `Type` points to through its reference parameter `code`, where `rest` applies to that `Type`. */
function parseHas(resourceType: string, key: string, raw: string, label: string, depth: number): SearchFilter {
  const [, sourceType, code, ...restParts] = key.split(':');
  const rest = restParts.join(':');
  if (!sourceType || !code || rest === '') throw badRequest(`Invalid parameter "${label}": expected _has:Type:reference:param`, label);
  if (!isIndexedResourceType(sourceType)) throw badRequest(`Unknown resource type "${sourceType}" in ${label}: expected one of ${resourceTypes.join(', ')}`, label);
  servedTargets(sourceType, code, resourceType, label, label);
  return { kind: 'has', sourceType, code, filter: parseCriterion(sourceType, rest, raw, label, depth + 1) };
}

import { currentCommune } from '../geo/communes.ts';
import { badRequest, issue, StoreError } from '../store/errors.ts';
import { normalizeText } from '../store/normalize.ts';
import {
  getSearchParameter,
  isIndexedResourceType,
  resourceTypes,
  searchParametersFor,
  type IndexedResourceType,
  type SearchParameterDefinition,
} from '../store/search-parameters/registry.ts';
import {
  CAPACITY_ENTRY_COLUMNS,
  MAX_HIERARCHY_DEPTH,
  type CapacityCriterion,
  type DateValue,
  type Hierarchy,
  type IndexTable,
  type Prefix,
  type Proximity,
  type SearchFilter,
  type SearchQuery,
  type SortKey,
  type TokenValue,
} from '../store/search.ts';
import { parseFilter } from './filter.ts';
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

/** Whether a registered search parameter is served by this parser (index tables, positions for proximity, `_content`). */
export function isSearchable(sp: SearchParameterDefinition): boolean {
  if (sp.code === '_content') return hasIndexedText(sp.resourceType);
  return sp.indexing === 'position' || (sp.indexing === 'index' && TABLE_OF_TYPE[sp.type] !== undefined);
}

/** Whether `resourceType` has string search parameters, the text `_content` searches. */
function hasIndexedText(resourceType: string): boolean {
  return searchParametersFor(resourceType).some((sp) => sp.type === 'string' && sp.indexing === 'index');
}

/**
 * The reference parameter of `resourceType` to itself that arranges its resources in a hierarchy (Organization
 * and Location `partof`, Task `part-of`), which `:above` and `:below` follow; undefined when it has none.
 */
export function hierarchyParameter(resourceType: string): string | undefined {
  const circular = searchParametersFor(resourceType).filter(
    (sp) => sp.type === 'reference' && sp.indexing === 'index' && (sp.target ?? []).length === 1 && sp.target?.[0] === resourceType,
  );
  return circular.length === 1 ? circular[0]?.code : undefined;
}

const isHierarchyModifier = (modifier: string | undefined): modifier is 'above' | 'below' => modifier === 'above' || modifier === 'below';

/** The hierarchy a `:above` or `:below` on a reference to `targetType` follows; 400 when `targetType` has none. */
function hierarchyOf(targetType: string, extendTo: Hierarchy['extendTo'], modifier: string, label: string): Hierarchy {
  const via = hierarchyParameter(targetType);
  if (!via) {
    throw badRequest(`${label}: :${modifier} follows a hierarchy, and ${targetType} has none (no reference parameter of ${targetType} to itself, such as Organization partof)`, label);
  }
  return { via, extendTo };
}

/**
 * A parameter or modifier this server does not know: refused (400) under strict handling, left out with a
 * warning under `Prefer: handling=lenient`.
 */
function notSupported(diagnostics: string, expression: string): StoreError {
  return new StoreError(400, [issue('not-supported', diagnostics, expression)]);
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

const CONTROL = new Set(['_count', '_offset', '_total', '_format', '_sort']);

/** A store query, the `_include` / `_revinclude` parameters to resolve on its page, and the projection of what it serves. */
export interface ParsedSearch extends SearchQuery, Projection {
  includes: IncludeParameter[];
  /** Parameters left out under lenient handling, with why. */
  ignored: { parameter: string; diagnostics: string }[];
}

export interface ParseOptions {
  /** `Prefer: handling=lenient`: unknown parameters and unsupported modifiers are left out instead of refused. */
  lenient?: boolean;
}

/**
 * Parses FHIR search query parameters into a store query. Every unknown parameter, modifier or malformed
 * value is refused (strict handling), except that lenient handling leaves out (and lists in `ignored`) the
 * unknown parameters and unsupported modifiers; a malformed value of a known parameter is always refused.
 * Top-level capacity criteria on Location (or through one chain) are grouped per capacity entry (see
 * {@link groupCapacityCriteria}).
 */
export function parseSearch(resourceType: string, query: Record<string, string | string[] | undefined>, options: ParseOptions = {}): ParsedSearch {
  const projection = parseProjection(resourceType, query, true);
  const q: ParsedSearch = { resourceType, filters: [], count: DEFAULT_COUNT, offset: 0, total: true, includes: [], ignored: [], ...projection };
  let sort: string | undefined;
  for (const [key, rawValue] of Object.entries(query)) {
    if (rawValue === undefined || key === '_summary' || key === '_elements') continue;
    const rawValues = Array.isArray(rawValue) ? rawValue : [rawValue];
    const [name, modifier] = key.split(':');
    if (name === '_include' || name === '_revinclude') {
      for (const raw of rawValues) q.includes.push(parseInclude(key, name, modifier, raw));
      continue;
    }
    if (name === '_filter') {
      if (modifier !== undefined) throw badRequest(`Modifier :${modifier} is not supported on _filter`, key);
      q.filters.push(...rawValues.map((raw) => parseFilter(resourceType, raw)));
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
      } else if (key === '_sort') {
        sort = v;
      }
      continue;
    }
    try {
      q.filters.push(...rawValues.map((raw) => parseCriterion(resourceType, key, raw)));
    } catch (err) {
      const unknown = err instanceof StoreError && err.issues.every((i) => i.code === 'not-supported');
      if (!(options.lenient && unknown)) throw err;
      q.ignored.push({ parameter: key, diagnostics: err.message });
    }
  }
  q.filters = groupCapacityCriteria(resourceType, q.filters);
  const proximity = proximityOf(q.filters);
  if (proximity) q.proximity = proximity;
  if (sort !== undefined) q.sort = parseSort(resourceType, sort, q.proximity);
  return q;
}

/**
 * `_sort=a,-b`: `_id`, `_lastUpdated`, a search parameter of the type held in an index table, or `near` (the
 * distance, when the query has a proximity criterion on Location or one chain link away).
 */
function parseSort(resourceType: string, raw: string, proximity: Proximity | undefined): SortKey[] {
  return raw.split(',').map((item): SortKey => {
    const descending = item.startsWith('-');
    const name = descending ? item.slice(1) : item;
    if (name === '_id') return { by: 'id', descending };
    if (name === '_lastUpdated') return { by: 'lastUpdated', descending };
    if (name === 'near') {
      if (!proximity || proximity.via.length > 1) {
        throw badRequest(`_sort=${raw}: sorting by distance (near) needs a near or near-insee-code criterion on Location or one chain link away`, '_sort');
      }
      return { by: 'distance', descending };
    }
    const sp = name === '' ? undefined : getSearchParameter(resourceType, name);
    if (!sp) throw badRequest(`_sort=${raw}: unknown search parameter "${name}" for ${resourceType}`, '_sort');
    const table = TABLE_OF_TYPE[sp.type];
    if (!table || sp.indexing !== 'index') throw badRequest(`_sort=${raw}: ${resourceType} cannot be sorted by "${name}" (type ${sp.type})`, '_sort');
    return { by: 'index', table, code: name, descending };
  });
}

/** The point of the first top-level proximity criterion, on the searched type or through chain links. */
function proximityOf(filters: readonly SearchFilter[]): Proximity | undefined {
  for (const f of filters) {
    const via: string[] = [];
    let g: SearchFilter = f;
    while (g.kind === 'chain' && !g.hierarchy) {
      via.push(g.code);
      g = g.filter;
    }
    if (g.kind === 'near') return { lat: g.lat, lon: g.lon, via };
  }
  return undefined;
}

function isCapacityCriterion(resourceType: string, f: SearchFilter): f is CapacityCriterion {
  if (resourceType !== 'Location' || (f.kind !== 'token' && f.kind !== 'number' && f.kind !== 'date')) return false;
  return CAPACITY_ENTRY_COLUMNS[f.code] !== undefined && !(f.kind === 'token' && f.not);
}

function reachesCapacity(f: SearchFilter & { kind: 'chain' }): boolean {
  return isCapacityCriterion(f.targetType, f.filter) || (f.filter.kind === 'chain' && reachesCapacity(f.filter));
}

/**
 * Capacity criteria (capacity-status, nb-capacity, temporality-capacity… but not `:not` nor `:missing`) AND-ed at
 * the top level of a Location search are required of one and the same capacity entry: one `capacityEntry`
 * filter, at the place of the first of them. Chains through the same reference parameter to such criteria
 * (`location.capacity-status=…&location.nb-capacity=gt0`) are merged into one chain grouped the same way.
 * Criteria inside `_filter` expressions stay independent.
 */
export function groupCapacityCriteria(resourceType: string, filters: readonly SearchFilter[]): SearchFilter[] {
  const out: SearchFilter[] = [];
  let entry: (SearchFilter & { kind: 'capacityEntry' }) | undefined;
  const chains = new Map<string, { at: number; chain: SearchFilter & { kind: 'chain' }; filters: SearchFilter[] }>();
  for (const f of filters) {
    if (isCapacityCriterion(resourceType, f)) {
      if (!entry) out.push((entry = { kind: 'capacityEntry', criteria: [] }));
      entry.criteria.push(f);
    } else if (f.kind === 'chain' && reachesCapacity(f)) {
      const key = `${f.code}:${f.targetType}:${f.hierarchy?.extendTo ?? ''}`;
      const chain = chains.get(key);
      if (chain) chain.filters.push(f.filter);
      else {
        chains.set(key, { at: out.length, chain: f, filters: [f.filter] });
        out.push(f);
      }
    } else out.push(f);
  }
  for (const { at, chain, filters: grouped } of chains.values()) {
    const [only, ...more] = groupCapacityCriteria(chain.targetType, grouped);
    const filter: SearchFilter = more.length === 0 && only ? only : { kind: 'all', filters: [only as SearchFilter, ...more] };
    out[at] = { ...chain, filter };
  }
  return out;
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
  if (!name || extra.length > 0) throw notSupported(`Invalid search parameter "${label}"`, label);
  if (raw === '') throw badRequest(`Empty value for search parameter "${label}"`, label);
  const values = splitValues(raw);

  if (name === '_id') {
    if (modifier) throw notSupported(`Modifier :${modifier} is not supported on _id`, label);
    return { kind: 'id', values: values.map(unescape) };
  }
  if (name === '_lastUpdated') {
    if (modifier) throw notSupported(`Modifier :${modifier} is not supported on _lastUpdated`, label);
    return { kind: 'lastUpdated', values: values.map((v) => parseDateValue(label, v)) };
  }
  const sp = getSearchParameter(resourceType, name);
  if (!sp) throw notSupported(`Unknown search parameter "${name}" for ${resourceType}`, label);
  if (name === '_content') {
    if (modifier) throw notSupported(`Modifier :${modifier} is not supported on _content`, label);
    if (!isSearchable(sp)) throw notSupported(`_content is not supported on ${resourceType}: it has no indexed text (no string search parameter)`, label);
    return { kind: 'content', values: values.map((v) => parseContentWords(label, v)) };
  }
  if (sp.indexing === 'position') {
    if (modifier) throw notSupported(`Modifier :${modifier} is not supported on ${name}`, label);
    return name === 'near' ? parseNear(label, raw) : parseNearInseeCode(label, raw);
  }
  const table = TABLE_OF_TYPE[sp.type];
  if (!table || !isSearchable(sp)) throw notSupported(`Search parameter "${name}" (type ${sp.type}) is not supported yet`, label);

  if (modifier === 'missing') {
    if (raw !== 'true' && raw !== 'false') throw badRequest(`${label} must be true or false`, label);
    return { kind: 'missing', table, code: name, missing: raw === 'true' };
  }
  const refuseModifier = (): never => {
    throw notSupported(`Modifier :${modifier} is not supported on ${sp.type} parameter "${name}"`, label);
  };
  switch (sp.type) {
    case 'token':
      if (isHierarchyModifier(modifier)) {
        const systems = [...new Set(values.map(parseToken).flatMap((v) => (v.system ? [v.system] : [])))];
        const named = systems.length > 0 ? `code system ${systems.join(', ')}` : `the code systems of "${name}"`;
        throw notSupported(`${label}: :${modifier} needs a code system hierarchy, and ${named} has none (the NOS code systems are flat lists)`, label);
      }
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
      if (isHierarchyModifier(modifier)) return parseHierarchyReference(resourceType, name, modifier, values, label);
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
  if (!sp) throw notSupported(`Unknown search parameter "${code}" for ${resourceType} in ${context}`, expression);
  if (sp.type !== 'reference' || !isSearchable(sp)) throw badRequest(`${context}: "${code}" is not a reference search parameter of ${resourceType}`, expression);
  const targets = referenceTargets(sp);
  if (targets.length === 0) throw badRequest(`${context}: ${resourceType}:${code} points to no resource type this server serves`, expression);
  if (targetType === undefined) return targets;
  if (!(targets as string[]).includes(targetType)) {
    throw badRequest(`${context}: ${resourceType}:${code} does not point to "${targetType}" (served targets: ${targets.join(', ')})`, expression);
  }
  return targets.filter((t) => t === targetType);
}

/** Distance of `near` and `near-insee-code` when none is given (FHIR leaves it to the server). */
export const DEFAULT_NEAR_KM = 10;
/** Proximity searches reach at most this far (a bound on the bounding box, not a refusal of big numbers). */
const MAX_NEAR_KM = 20_000;
const KM_PER_UNIT: Record<string, number> = { km: 1, m: 0.001 };

const CAPACITY_DOCUMENTATION =
  'Capacity criteria of one search (capacity-type, capacity-status, temporality-capacity, nb-capacity, gender-capacity-available, ' +
  'capacity-closing-type, additional-bed-type, crisis-type, temporary-assignement, capacity-update-date, also chained as location.…) ' +
  'must all hold for one and the same ror-location-supported-capacity entry. :not = no entry has the value; :missing=true = no entry has this part.';
const PROXIMITY_DOCUMENTATION = `Results nearest first (unless _sort), each Location entry with its distance (extension location-distance on entry.search). Distance unit km or m; default ${DEFAULT_NEAR_KM} km.`;

const CONTENT_DOCUMENTATION =
  'Text search over the values of the string search parameters of the resource (names, addresses…), accent- and case-insensitive: ' +
  'every word of a value must be contained in one of them; comma = OR.';

/** How `:above` / `:below` work on a reference parameter to a type arranged in a hierarchy. */
function hierarchyDocumentation(targetType: string, via: string): string {
  return (
    `:above / :below follow the ${targetType} ${via} hierarchy (at most ${MAX_HIERARCHY_DEPTH} levels, never through a resource the access profile hides): ` +
    `:below=${targetType}/X matches references to X or to a ${targetType} below it, :above=${targetType}/X to X or above it; ` +
    `chained, :above.param=v matches references to a ${targetType} at or below one where param=v (the offers of a whole structure), :below.param=v at or above one.`
  );
}

/** What the CapabilityStatement says of a search parameter beyond its definition (ROR specifics of this server). */
export function searchParameterDocumentation(resourceType: string, code: string): { documentation: string } | Record<string, never> {
  if (code === '_content') return { documentation: CONTENT_DOCUMENTATION };
  const sp = getSearchParameter(resourceType, code);
  const targets = sp?.type === 'reference' ? referenceTargets(sp) : [];
  const hierarchies = targets.flatMap((t) => {
    const via = hierarchyParameter(t);
    return via ? [hierarchyDocumentation(t, via)] : [];
  });
  if (hierarchies.length > 0) return { documentation: hierarchies.join(' ') };
  if (resourceType === 'Location' && CAPACITY_ENTRY_COLUMNS[code]) return { documentation: CAPACITY_DOCUMENTATION };
  if (resourceType === 'Location' && code === 'near') return { documentation: `latitude|longitude|distance|unit (WGS84). ${PROXIMITY_DOCUMENTATION}` };
  if (resourceType === 'Location' && code === 'near-insee-code') {
    return { documentation: `communeCode|distance|unit: around the commune's position (for a commune without a place of its own, an approximate centre: its EPCI, arrondissement or department). ${PROXIMITY_DOCUMENTATION}` };
  }
  return {};
}

/** `distance|unit` (both optional; unit `km` or `m`, default `km`) → kilometres. */
function parseDistance(label: string, raw: string, distance: string | undefined, unit: string | undefined): number {
  if (distance === undefined || distance === '') {
    if (unit) throw badRequest(`${label}=${raw}: a unit without a distance`, label);
    return DEFAULT_NEAR_KM;
  }
  if (!/^\d+(\.\d+)?$/.test(distance)) throw badRequest(`${label}=${raw}: the distance must be a non-negative number, got "${distance}"`, label);
  const factor = KM_PER_UNIT[unit === undefined || unit === '' ? 'km' : unit];
  if (factor === undefined) throw badRequest(`${label}=${raw}: unit "${unit}" is not supported: use km or m`, label);
  return Math.min(Number(distance) * factor, MAX_NEAR_KM);
}

/** `near=lat|lon[|distance[|unit]]` (WGS84 degrees). */
function parseNear(label: string, raw: string): SearchFilter {
  const [latText, lonText, distance, unit, ...extra] = raw.split('|');
  const degrees = (text: string | undefined, limit: number): number | undefined =>
    text !== undefined && /^-?\d+(\.\d+)?$/.test(text) && Math.abs(Number(text)) <= limit ? Number(text) : undefined;
  const lat = degrees(latText, 90);
  const lon = degrees(lonText, 180);
  if (lat === undefined || lon === undefined || extra.length > 0) {
    throw badRequest(`${label}=${raw}: expected latitude|longitude|distance|unit (WGS84 degrees, distance and unit optional)`, label);
  }
  return { kind: 'near', lat, lon, km: parseDistance(label, raw, distance, unit) };
}

/** `near-insee-code=commune[|distance[|unit]]`: around the position the commune directory gives the commune (INSEE COG code). */
function parseNearInseeCode(label: string, raw: string): SearchFilter {
  const [code = '', distance, unit, ...extra] = raw.split('|');
  if (extra.length > 0) throw badRequest(`${label}=${raw}: expected communeCode|distance|unit`, label);
  let commune;
  try {
    commune = currentCommune(code);
  } catch {
    throw badRequest(`${label}=${raw}: "${code}" is not an INSEE commune code (5 characters)`, label);
  }
  if (!commune) throw badRequest(`${label}=${raw}: unknown commune "${code}"`, label);
  if (!commune.position) throw badRequest(`${label}=${raw}: commune ${code} (${commune.name}) has no known position`, label);
  return { kind: 'near', lat: commune.position.lat, lon: commune.position.lon, km: parseDistance(label, raw, distance, unit) };
}

/** `code[:Type].rest`: `rest` applies to the resources the reference parameter `code` points to. */
function parseChain(resourceType: string, key: string, raw: string, label: string, depth: number): SearchFilter {
  const dot = key.indexOf('.');
  const [code, modifier, ...extra] = key.slice(0, dot).split(':');
  const rest = key.slice(dot + 1);
  if (!code || extra.length > 0 || rest === '') {
    throw badRequest(`Invalid chained parameter "${label}": expected param.param2, param:Type.param2, param:above.param2 or param:below.param2`, label);
  }
  const hierarchical = isHierarchyModifier(modifier);
  const targets = servedTargets(resourceType, code, hierarchical ? undefined : modifier, label, label);
  if (targets.length > 1) {
    throw badRequest(`${label}: ${resourceType}:${code} may point to ${targets.join(', ')}; name one as ${code}:Type.…${hierarchical ? ` (:${modifier} needs a single target type)` : ''}`, label);
  }
  const targetType = targets[0] as string;
  const filter = parseCriterion(targetType, rest, raw, label, depth + 1);
  if (!hierarchical) return { kind: 'chain', code, targetType, filter };
  return { kind: 'chain', code, targetType, filter, hierarchy: hierarchyOf(targetType, modifier === 'above' ? 'descendants' : 'ancestors', modifier, label) };
}

/**
 * `code:above=Type/id` (the reference points to one of the values or to a resource above it) and `code:below=…`
 * (to one of the values or below it): chains on `_id` that extend the values up or down the hierarchy.
 */
function parseHierarchyReference(resourceType: string, code: string, modifier: 'above' | 'below', values: string[], label: string): SearchFilter {
  const byType = new Map<string, string[]>();
  for (const raw of values) {
    const v = parseReference(label, raw, undefined);
    const targets = servedTargets(resourceType, code, v.targetType, label, label);
    if (targets.length > 1) throw badRequest(`${label}=${raw}: ${resourceType}:${code} may point to ${targets.join(', ')}; write the value as Type/id`, label);
    const targetType = targets[0] as string;
    byType.set(targetType, [...(byType.get(targetType) ?? []), v.targetId]);
  }
  const chains = [...byType].map(
    ([targetType, ids]): SearchFilter => ({
      kind: 'chain',
      code,
      targetType,
      filter: { kind: 'id', values: ids },
      hierarchy: hierarchyOf(targetType, modifier === 'above' ? 'ancestors' : 'descendants', modifier, label),
    }),
  );
  return chains.length === 1 ? (chains[0] as SearchFilter) : { kind: 'any', filters: chains };
}

/** The words of one `_content` value, normalized as the string index is; 400 when there is none. */
function parseContentWords(label: string, raw: string): string[] {
  const words = normalizeText(unescape(raw)).split(' ').filter((w) => w !== '');
  if (words.length === 0) throw badRequest(`${label}: empty text to search`, label);
  return words;
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

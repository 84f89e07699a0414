import type { Resource } from '@medplum/fhirtypes';
import type { Database } from '../db/open.ts';
import { boundingBox, EARTH_RADIUS_KM } from '../geo/distance.ts';
import { SYSTEM, VALUE_SET } from '../model/urls.ts';
import { findValueSet } from '../nos/index.ts';
import { normalizeText } from './normalize.ts';

export type Prefix = 'eq' | 'ne' | 'gt' | 'lt' | 'ge' | 'le' | 'sa' | 'eb';

/** A half-open instant range [low, high) standing for a date search value at its precision. */
export interface DateValue {
  prefix: Prefix;
  low: string;
  high: string;
}

export interface TokenValue {
  /** undefined = any system; null = no system (`|code`). */
  system?: string | null;
  /** undefined = any code (`system|`). */
  code?: string;
}

export type TokenFilter = { kind: 'token'; code: string; values: TokenValue[]; not: boolean };
export type DateFilter = { kind: 'date'; code: string; values: DateValue[] };
export type NumberFilter = { kind: 'number'; code: string; values: { prefix: Prefix; value: number }[] };
/** A criterion on one column of a capacity entry (`sp_capacity`); `code` is one of CAPACITY_ENTRY_COLUMNS. */
export type CapacityCriterion = TokenFilter | DateFilter | NumberFilter;

/** One search criterion; the values of one criterion are OR-ed, criteria are AND-ed. */
export type SearchFilter =
  | { kind: 'id'; values: string[] }
  | { kind: 'lastUpdated'; values: DateValue[] }
  | { kind: 'missing'; table: IndexTable; code: string; missing: boolean }
  | TokenFilter
  | { kind: 'string'; code: string; values: string[]; match: 'start' | 'end' | 'exact' | 'contains' }
  | DateFilter
  | NumberFilter
  | { kind: 'quantity'; code: string; values: { prefix: Prefix; value: number; system?: string; unit?: string }[] }
  | { kind: 'reference'; code: string; values: { targetType?: string; targetId: string }[] }
  | { kind: 'uri'; code: string; values: string[] }
  /** Locations with at least one capacity entry satisfying every criterion (not only each criterion by some entry). */
  | { kind: 'capacityEntry'; criteria: CapacityCriterion[] }
  /** Resources whose position is within `km` of the point (haversine). */
  | { kind: 'near'; lat: number; lon: number; km: number }
  /** Leaves out sensitive-unit offers and the Locations and PractitionerRoles of one (no-op on other types). */
  | { kind: 'notSensitive' }
  /** Keeps only the PractitionerRoles with an offer of one of these champs d'activité (JDV_J20; no-op on other types). */
  | { kind: 'rolesOfChamps'; champs: readonly string[] }
  /**
   * Chained search `code[:targetType].…`: a `code` reference to a current `targetType` matching `filter` or, with
   * `hierarchy`, to one below (`code:above.…`) or above (`code:below.…`) such a match.
   */
  | { kind: 'chain'; code: string; targetType: string; filter: SearchFilter; hierarchy?: Hierarchy }
  /** `_content`: resources whose indexed strings contain, for one of the values, every one of its words (normalized). */
  | { kind: 'content'; values: string[][] }
  /** Reverse chaining `_has:sourceType:code:…`: referenced through `code` by a current `sourceType` matching `filter`. */
  | { kind: 'has'; sourceType: string; code: string; filter: SearchFilter }
  /** Boolean combinations (`_filter`): every one, at least one, or not the one. */
  | { kind: 'all'; filters: SearchFilter[] }
  | { kind: 'any'; filters: SearchFilter[] }
  | { kind: 'not'; filter: SearchFilter };

/**
 * How a hierarchical chain extends its matches: to the resources below them (`descendants`) or above them
 * (`ancestors`), following `via`, the reference parameter of the target type to itself (Organization `partof`).
 */
export interface Hierarchy {
  via: string;
  extendTo: 'descendants' | 'ancestors';
}

/** How many `via` links a hierarchy walk follows from a match (bounds it on cyclic data too). */
export const MAX_HIERARCHY_DEPTH = 10;

export type IndexTable = 'sp_token' | 'sp_string' | 'sp_date' | 'sp_number' | 'sp_quantity' | 'sp_reference' | 'sp_uri';

/** The point of a proximity search and the reference parameters leading from the searched type to the Locations. */
export interface Proximity {
  lat: number;
  lon: number;
  /** `[]` on Location, `['location']` for `HealthcareService?location.near=…`. */
  via: string[];
}

/** One `_sort` key: a search parameter's index values (min ascending, max descending), `_id`, `_lastUpdated` or the distance. */
export type SortKey =
  | { by: 'id' | 'lastUpdated' | 'distance'; descending: boolean }
  | { by: 'index'; table: IndexTable; code: string; descending: boolean };

export interface SearchQuery {
  resourceType: string;
  filters: SearchFilter[];
  count: number;
  offset: number;
  total: boolean;
  /** Order of the results before the final tie-break on id; by distance when absent and `proximity` is set. */
  sort?: SortKey[];
  /** The point of the query's first top-level proximity criterion, on the searched type or through chain links. */
  proximity?: Proximity;
}

export interface SearchResult {
  resources: Resource[];
  total?: number;
}

/** The kinds of filter an access profile adds; they also apply to every resource a chain or `_has` goes through. */
const PROFILE_KINDS: ReadonlySet<SearchFilter['kind']> = new Set(['notSensitive', 'rolesOfChamps']);

class Params {
  /** Placeholder of the resource type the filters apply to (uncorrelated sub-queries plan better). */
  readonly type: string;
  constructor(
    /** The resource type the filters apply to, for filters whose SQL depends on it. */
    readonly resourceType: string,
    readonly profileFilters: readonly SearchFilter[],
    readonly values: unknown[] = [],
  ) {
    this.type = this.add(resourceType);
  }
  add(v: unknown): string {
    this.values.push(v);
    return `$${this.values.length}`;
  }
  /** The same placeholders, for filters on the `resourceType` resources of a chain or `_has`. */
  forType(resourceType: string): Params {
    return new Params(resourceType, this.profileFilters, this.values);
  }
}

/** Runs a search on current, non-deleted versions, in `q`'s order and then by id (stable paging). */
export async function searchResources(db: Database, q: SearchQuery): Promise<SearchResult> {
  const p = new Params(q.resourceType, q.filters.filter((f) => PROFILE_KINDS.has(f.kind)));
  const whereSql = currentMatching(q.filters, p);
  const whereValues = p.values.length;
  const order = [...(q.sort ?? defaultSort(q)).map((k) => sortSql(k, q.proximity, p)), 'r.id'].join(', ');
  const page = await db.pool.query<{ content: Resource }>(
    `SELECT r.content FROM resource r WHERE ${whereSql} ORDER BY ${order} LIMIT ${p.add(q.count)} OFFSET ${p.add(q.offset)}`,
    p.values,
  );
  const result: SearchResult = { resources: page.rows.map((r) => r.content) };
  const rows = page.rows.length;
  if (q.total && rows < q.count && (rows > 0 || q.offset === 0)) {
    // A page that is not full is the last one: the total needs no count.
    result.total = q.offset + rows;
  } else if (q.total) {
    const counted = await db.pool.query<{ n: string }>(`SELECT count(*) AS n FROM resource r WHERE ${whereSql}`, p.values.slice(0, whereValues));
    result.total = Number(counted.rows[0]?.n ?? 0);
  }
  return result;
}

/**
 * The condition on `resource r` selecting the current `resourceType` resources that match every filter, as a
 * search runs it, with its parameter values ($1…); for callers that page or select differently.
 */
export function matchingCondition(resourceType: string, filters: readonly SearchFilter[]): { sql: string; values: unknown[] } {
  const p = new Params(resourceType, filters.filter((f) => PROFILE_KINDS.has(f.kind)));
  return { sql: currentMatching(filters, p), values: p.values };
}

/** Nearest first when the query has a point (FHIR: servers should order a `near` search by distance), else by id. */
function defaultSort(q: SearchQuery): SortKey[] {
  return q.proximity && q.proximity.via.length <= 1 ? [{ by: 'distance', descending: false }] : [];
}

const SORT_COLUMN: Record<IndexTable, string> = {
  sp_token: 'value',
  sp_string: 'norm',
  sp_date: 'low',
  sp_number: 'value',
  sp_quantity: 'value',
  sp_reference: 'target_id',
  sp_uri: 'value',
};

/** One ORDER BY term; resources without a value come last in either direction. */
function sortSql(k: SortKey, proximity: Proximity | undefined, p: Params): string {
  const direction = k.descending ? 'DESC NULLS LAST' : 'ASC NULLS LAST';
  const pick = k.descending ? 'max' : 'min';
  switch (k.by) {
    case 'id':
      return `r.id ${k.descending ? 'DESC' : 'ASC'}`;
    case 'lastUpdated':
      return `r.last_updated ${direction}`;
    case 'index':
      return `(SELECT ${pick}(s.${SORT_COLUMN[k.table]}) FROM ${k.table} s WHERE s.resource_type = r.resource_type AND s.id = r.id AND s.code = ${p.add(k.code)}) ${direction}`;
    case 'distance': {
      if (!proximity || proximity.via.length > 1) throw new Error('A distance sort needs a proximity criterion at most one reference away');
      const km = haversineSql('g', proximity, p);
      const [via] = proximity.via;
      return via === undefined
        ? `(SELECT ${km} FROM sp_position g WHERE g.resource_type = r.resource_type AND g.id = r.id) ${direction}`
        : `(SELECT ${pick}(${km}) FROM sp_reference s JOIN sp_position g ON g.resource_type = 'Location' AND g.id = s.target_id
            WHERE s.resource_type = r.resource_type AND s.id = r.id AND s.code = ${p.add(via)} AND s.target_type = 'Location') ${direction}`;
    }
  }
}

/** Great-circle distance in km from the point to the position row `alias` (as `haversineKm` computes it). */
function haversineSql(alias: string, point: { lat: number; lon: number }, p: Params): string {
  const lat = `${p.add(point.lat)}::float8`;
  const lon = `${p.add(point.lon)}::float8`;
  return `(2 * ${EARTH_RADIUS_KM} * asin(least(1, sqrt(power(sin(radians(${alias}.lat - ${lat}) / 2), 2)
    + cos(radians(${lat})) * cos(radians(${alias}.lat)) * power(sin(radians(${alias}.lon - ${lon}) / 2), 2)))))`;
}

/** The condition on `resource r` selecting the current versions of `p.resourceType` that match every filter. */
function currentMatching(filters: readonly SearchFilter[], p: Params): string {
  return [`r.resource_type = ${p.type}`, 'NOT r.deleted', ...filters.map((f) => filterSql(f, p))].join(' AND ');
}

/** The ids of the current `p.resourceType` resources a chain or `_has` reaches, under the caller's profile. */
function reachedIds(filter: SearchFilter | undefined, p: Params): string {
  return `SELECT r.id FROM resource r WHERE ${currentMatching(filter ? [filter, ...p.profileFilters] : p.profileFilters, p)}`;
}

/**
 * The ids `seeds` selects and those of the current `p.resourceType` resources below or above them (up to
 * {@link MAX_HIERARCHY_DEPTH} links), never passing through one the caller's profile hides.
 */
function hierarchyIds(seeds: string, h: Hierarchy, p: Params): string {
  const [from, to] = h.extendTo === 'descendants' ? ['target_id', 'id'] : ['id', 'target_id'];
  return `WITH RECURSIVE tree(id, depth) AS (SELECT seed.id, 0 FROM (${seeds}) seed
      UNION SELECT s.${to}, tree.depth + 1 FROM tree JOIN sp_reference s ON s.resource_type = ${p.type} AND s.code = ${p.add(h.via)}
        AND s.target_type = ${p.type} AND s.${from} = tree.id
      WHERE tree.depth < ${MAX_HIERARCHY_DEPTH} AND s.${to} IN (${reachedIds(undefined, p)}))
    SELECT tree.id FROM tree`;
}

function anyOf(parts: string[]): string {
  return parts.length === 1 ? (parts[0] as string) : `(${parts.join(' OR ')})`;
}

function inIndex(table: IndexTable, code: string, p: Params, condition: string): string {
  return `r.id IN (SELECT s.id FROM ${table} s WHERE s.resource_type = ${p.type} AND s.code = ${p.add(code)} AND ${condition})`;
}

/** `v` with the LIKE wildcards and the escape character escaped. */
function likeEscaped(v: string): string {
  return v.replace(/[\\%_]/g, (c) => `\\${c}`);
}

function comparison(prefix: Prefix, column: string, value: string): string {
  switch (prefix) {
    case 'eq':
      return `${column} = ${value}`;
    case 'ne':
      return `${column} <> ${value}`;
    case 'gt':
    case 'sa':
      return `${column} > ${value}`;
    case 'lt':
    case 'eb':
      return `${column} < ${value}`;
    case 'ge':
      return `${column} >= ${value}`;
    case 'le':
      return `${column} <= ${value}`;
  }
}

/**
 * Range semantics of FHIR date search: the stored range [low, high] (null = unbounded) against the
 * search range [v.low, v.high).
 */
function dateCondition(v: DateValue, low: string, high: string, p: Params, nullable = true): string {
  const lo = (): string => `${p.add(v.low)}::timestamptz`;
  const hi = (): string => `${p.add(v.high)}::timestamptz`;
  // A NOT NULL column is compared as is, so that its index serves the condition.
  const L = nullable ? `coalesce(${low}, '-infinity'::timestamptz)` : low;
  const H = nullable ? `coalesce(${high}, 'infinity'::timestamptz)` : high;
  switch (v.prefix) {
    case 'eq':
      return `(${L} >= ${lo()} AND ${H} < ${hi()})`;
    case 'ne':
      return `NOT (${L} >= ${lo()} AND ${H} < ${hi()})`;
    case 'gt':
      return `${H} >= ${hi()}`;
    case 'lt':
      return `${L} < ${lo()}`;
    case 'ge':
      return `${H} >= ${lo()}`;
    case 'le':
      return `${L} < ${hi()}`;
    case 'sa':
      return `${L} >= ${hi()}`;
    case 'eb':
      return `${H} < ${lo()}`;
  }
}

function filterSql(f: SearchFilter, p: Params): string {
  switch (f.kind) {
    case 'id':
      return `r.id = ANY(${p.add(f.values)}::text[])`;
    case 'lastUpdated':
      return anyOf(f.values.map((v) => dateCondition(v, 'r.last_updated', 'r.last_updated', p, false)));
    case 'missing': {
      const exists = `EXISTS (SELECT 1 FROM ${f.table} s WHERE s.resource_type = r.resource_type AND s.id = r.id AND s.code = ${p.add(f.code)})`;
      return f.missing ? `NOT ${exists}` : exists;
    }
    case 'token': {
      const conds = f.values.map((v) => {
        const parts: string[] = [];
        if (v.code !== undefined) parts.push(`s.value = ${p.add(v.code)}`);
        if (v.system === null) parts.push('s.system IS NULL');
        else if (v.system !== undefined) parts.push(`s.system = ${p.add(v.system)}`);
        return parts.length > 0 ? `(${parts.join(' AND ')})` : 'true';
      });
      const sql = inIndex('sp_token', f.code, p, anyOf(conds));
      return f.not ? `NOT ${sql}` : sql;
    }
    case 'string': {
      const conds = f.values.map((v) => {
        if (f.match === 'exact') return `s.value = ${p.add(v)}`;
        const norm = likeEscaped(normalizeText(v));
        return `s.norm LIKE ${p.add(f.match === 'start' ? `${norm}%` : f.match === 'end' ? `%${norm}` : `%${norm}%`)}`;
      });
      return inIndex('sp_string', f.code, p, anyOf(conds));
    }
    case 'date':
      return inIndex('sp_date', f.code, p, anyOf(f.values.map((v) => dateCondition(v, 's.low', 's.high', p))));
    case 'number':
      return inIndex('sp_number', f.code, p, anyOf(f.values.map((v) => comparison(v.prefix, 's.value', `${p.add(v.value)}::numeric`))));
    case 'quantity':
      return inIndex(
        'sp_quantity',
        f.code,
        p,
        anyOf(
          f.values.map((v) => {
            const parts = [comparison(v.prefix, 's.value', `${p.add(v.value)}::numeric`)];
            if (v.system !== undefined) parts.push(`s.system = ${p.add(v.system)}`);
            if (v.unit !== undefined) parts.push(`s.unit = ${p.add(v.unit)}`);
            return `(${parts.join(' AND ')})`;
          }),
        ),
      );
    case 'reference':
      return inIndex(
        'sp_reference',
        f.code,
        p,
        anyOf(
          f.values.map((v) =>
            v.targetType ? `(s.target_id = ${p.add(v.targetId)} AND s.target_type = ${p.add(v.targetType)})` : `s.target_id = ${p.add(v.targetId)}`,
          ),
        ),
      );
    case 'uri':
      return inIndex('sp_uri', f.code, p, `s.value = ANY(${p.add(f.values)}::text[])`);
    case 'capacityEntry':
      return `r.id IN (SELECT c.id FROM sp_capacity c WHERE c.resource_type = ${p.type} AND ${f.criteria.map((c) => capacityCriterionSql(c, p)).join(' AND ')})`;
    case 'near': {
      const box = boundingBox({ lat: f.lat, lon: f.lon }, f.km);
      const inBox = (minLon: number, maxLon: number): string =>
        `point(g.lon, g.lat) <@ box(point(${p.add(minLon)}::float8, ${p.add(box.minLat)}::float8), point(${p.add(maxLon)}::float8, ${p.add(box.maxLat)}::float8))`;
      const boxes = box.minLon <= box.maxLon ? [inBox(box.minLon, box.maxLon)] : [inBox(box.minLon, 180), inBox(-180, box.maxLon)];
      return `r.id IN (SELECT g.id FROM sp_position g WHERE g.resource_type = ${p.type} AND ${anyOf(boxes)}
        AND ${haversineSql('g', f, p)} <= ${p.add(f.km)}::float8)`;
    }
    case 'notSensitive':
      return notSensitiveSql(p);
    case 'rolesOfChamps':
      return p.resourceType === 'PractitionerRole'
        ? `EXISTS (SELECT 1 FROM ${ROLE_OFFERS} AND EXISTS (SELECT 1 FROM ${OFFER_CHAMP}
            AND t.system = ${p.add(SYSTEM.champActivite)} AND t.value = ANY(${p.add(f.champs)}::text[])))`
        : 'true';
    case 'chain': {
      const target = p.forType(f.targetType);
      const reached = f.hierarchy ? hierarchyIds(reachedIds(f.filter, target), f.hierarchy, target) : reachedIds(f.filter, target);
      return inIndex('sp_reference', f.code, p, `s.target_type = ${target.type} AND s.target_id IN (${reached})`);
    }
    case 'content': {
      const contains = (word: string): string => `s.norm LIKE ${p.add(`%${likeEscaped(word)}%`)}`;
      const words = (value: string[]): string =>
        value.map((w) => `EXISTS (SELECT 1 FROM sp_string s WHERE s.resource_type = r.resource_type AND s.id = r.id AND ${contains(w)})`).join(' AND ');
      return anyOf(f.values.map((v) => `(${words(v)})`));
    }
    case 'has': {
      const source = p.forType(f.sourceType);
      return `r.id IN (SELECT s.target_id FROM sp_reference s WHERE s.resource_type = ${source.type} AND s.code = ${p.add(f.code)}
        AND s.target_type = ${p.type} AND s.id IN (${reachedIds(f.filter, source)}))`;
    }
    case 'all':
      return `(${f.filters.map((g) => filterSql(g, p)).join(' AND ')})`;
    case 'any':
      return `(${f.filters.map((g) => filterSql(g, p)).join(' OR ')})`;
    case 'not':
      return `NOT (${filterSql(f.filter, p)})`;
  }
}

/**
 * The per-entry capacity search parameters of Location: the `sp_capacity` column each one reads and, for codes,
 * the value set whose code systems a `system|code` search value must name.
 */
export const CAPACITY_ENTRY_COLUMNS: Readonly<Record<string, { column: string; valueSet?: string }>> = {
  'capacity-type': { column: 'capacity_type', valueSet: VALUE_SET.J187 },
  'capacity-status': { column: 'capacity_status', valueSet: VALUE_SET.J188 },
  'temporality-capacity': { column: 'temporality', valueSet: VALUE_SET.J189 },
  'gender-capacity-available': { column: 'gender', valueSet: VALUE_SET.J190 },
  'capacity-closing-type': { column: 'closing_type', valueSet: VALUE_SET.J191 },
  'additional-bed-type': { column: 'additional_bed_type', valueSet: VALUE_SET.J192 },
  'crisis-type': { column: 'crisis_type', valueSet: VALUE_SET.J194 },
  'temporary-assignement': { column: 'temporary_assignment', valueSet: VALUE_SET.J195 },
  'nb-capacity': { column: 'nb_capacity' },
  'capacity-update-date': { column: 'update' },
};

function capacityCriterionSql(c: CapacityCriterion, p: Params): string {
  const def = CAPACITY_ENTRY_COLUMNS[c.code];
  if (!def) throw new Error(`${c.code} is not a capacity entry parameter`);
  const column = `c.${def.column}`;
  switch (c.kind) {
    case 'token': {
      const systems = findValueSet(def.valueSet ?? '')?.systems ?? [];
      return anyOf(
        c.values.map((v) => {
          if (v.system === null || (v.system !== undefined && !systems.includes(v.system))) return 'false';
          return v.code === undefined ? `${column} IS NOT NULL` : `${column} = ${p.add(v.code)}`;
        }),
      );
    }
    case 'number':
      // An integer value keeps the integer column uncast, so that the entry index serves the comparison.
      return anyOf(c.values.map((v) => comparison(v.prefix, column, `${p.add(v.value)}::${Number.isInteger(v.value) ? 'integer' : 'numeric'}`)));
    case 'date':
      return anyOf(c.values.map((v) => dateCondition(v, 'c.update_low', 'c.update_high', p)));
  }
}

/** The current offers listing Location `r` as `h` (continue with AND). */
const LOCATION_OFFERS = `sp_reference s JOIN resource h ON h.resource_type = 'HealthcareService' AND h.id = s.id AND NOT h.deleted
  WHERE s.resource_type = 'HealthcareService' AND s.code = 'location' AND s.target_type = 'Location' AND s.target_id = r.id`;
/** The current offers of PractitionerRole `r` as `h` (continue with AND). */
const ROLE_OFFERS = `sp_reference s JOIN resource h ON h.resource_type = 'HealthcareService' AND h.id = s.target_id AND NOT h.deleted
  WHERE s.resource_type = 'PractitionerRole' AND s.id = r.id AND s.code = 'service' AND s.target_type = 'HealthcareService'`;
/** The `HealthcareService.type` codings of offer `h` as `t` (continue with AND). */
const OFFER_CHAMP = `sp_token t WHERE t.resource_type = 'HealthcareService' AND t.id = h.id AND t.code = 'service-type'`;

function notSensitiveSql(p: Params): string {
  switch (p.resourceType) {
    case 'HealthcareService':
      return 'NOT r.sensitive';
    case 'Location':
      return `NOT EXISTS (SELECT 1 FROM ${LOCATION_OFFERS} AND h.sensitive)`;
    case 'PractitionerRole':
      return `NOT EXISTS (SELECT 1 FROM ${ROLE_OFFERS} AND h.sensitive)`;
    default:
      return 'true';
  }
}

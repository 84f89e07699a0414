import type { Resource } from '@medplum/fhirtypes';
import type { Database } from '../db/open.ts';
import { SENSITIVE_UNIT_CONTAINMENT } from '../model/healthcare-service.ts';
import { SYSTEM } from '../model/urls.ts';
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

/** One search criterion; the values of one criterion are OR-ed, criteria are AND-ed. */
export type SearchFilter =
  | { kind: 'id'; values: string[] }
  | { kind: 'lastUpdated'; values: DateValue[] }
  | { kind: 'missing'; table: IndexTable; code: string; missing: boolean }
  | { kind: 'token'; code: string; values: TokenValue[]; not: boolean }
  | { kind: 'string'; code: string; values: string[]; match: 'start' | 'end' | 'exact' | 'contains' }
  | { kind: 'date'; code: string; values: DateValue[] }
  | { kind: 'number'; code: string; values: { prefix: Prefix; value: number }[] }
  | { kind: 'quantity'; code: string; values: { prefix: Prefix; value: number; system?: string; unit?: string }[] }
  | { kind: 'reference'; code: string; values: { targetType?: string; targetId: string }[] }
  | { kind: 'uri'; code: string; values: string[] }
  /** Leaves out sensitive-unit offers and the Locations and PractitionerRoles of one (no-op on other types). */
  | { kind: 'notSensitive' }
  /** Keeps only the PractitionerRoles with an offer of one of these champs d'activité (JDV_J20; no-op on other types). */
  | { kind: 'rolesOfChamps'; champs: readonly string[] }
  /** Chained search `code[:targetType].…`: a `code` reference to a current `targetType` matching `filter`. */
  | { kind: 'chain'; code: string; targetType: string; filter: SearchFilter }
  /** Reverse chaining `_has:sourceType:code:…`: referenced through `code` by a current `sourceType` matching `filter`. */
  | { kind: 'has'; sourceType: string; code: string; filter: SearchFilter }
  /** Boolean combinations (`_filter`): every one, at least one, or not the one. */
  | { kind: 'all'; filters: SearchFilter[] }
  | { kind: 'any'; filters: SearchFilter[] }
  | { kind: 'not'; filter: SearchFilter };

export type IndexTable = 'sp_token' | 'sp_string' | 'sp_date' | 'sp_number' | 'sp_quantity' | 'sp_reference' | 'sp_uri';

export interface SearchQuery {
  resourceType: string;
  filters: SearchFilter[];
  count: number;
  offset: number;
  total: boolean;
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

/** Runs a search on current, non-deleted versions; results ordered by id (stable paging). */
export async function searchResources(db: Database, q: SearchQuery): Promise<SearchResult> {
  const p = new Params(q.resourceType, q.filters.filter((f) => PROFILE_KINDS.has(f.kind)));
  const whereSql = currentMatching(q.filters, p);
  const page = await db.pool.query<{ content: Resource }>(
    `SELECT r.content FROM resource r WHERE ${whereSql} ORDER BY r.id LIMIT ${p.add(q.count)} OFFSET ${p.add(q.offset)}`,
    p.values,
  );
  const result: SearchResult = { resources: page.rows.map((r) => r.content) };
  if (q.total) {
    const counted = await db.pool.query<{ n: string }>(`SELECT count(*) AS n FROM resource r WHERE ${whereSql}`, p.values.slice(0, -2));
    result.total = Number(counted.rows[0]?.n ?? 0);
  }
  return result;
}

/** The condition on `resource r` selecting the current versions of `p.resourceType` that match every filter. */
function currentMatching(filters: readonly SearchFilter[], p: Params): string {
  return [`r.resource_type = ${p.type}`, 'NOT r.deleted', ...filters.map((f) => filterSql(f, p))].join(' AND ');
}

/** The ids of the current `p.resourceType` resources a chain or `_has` reaches, under the caller's profile. */
function reachedIds(filter: SearchFilter, p: Params): string {
  return `SELECT r.id FROM resource r WHERE ${currentMatching([filter, ...p.profileFilters], p)}`;
}

function anyOf(parts: string[]): string {
  return parts.length === 1 ? (parts[0] as string) : `(${parts.join(' OR ')})`;
}

function inIndex(table: IndexTable, code: string, p: Params, condition: string): string {
  return `r.id IN (SELECT s.id FROM ${table} s WHERE s.resource_type = ${p.type} AND s.code = ${p.add(code)} AND ${condition})`;
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
function dateCondition(v: DateValue, low: string, high: string, p: Params): string {
  const lo = (): string => `${p.add(v.low)}::timestamptz`;
  const hi = (): string => `${p.add(v.high)}::timestamptz`;
  const L = `coalesce(${low}, '-infinity'::timestamptz)`;
  const H = `coalesce(${high}, 'infinity'::timestamptz)`;
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
      return anyOf(f.values.map((v) => dateCondition(v, 'r.last_updated', 'r.last_updated', p)));
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
        const norm = normalizeText(v).replace(/[\\%_]/g, (c) => `\\${c}`);
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
    case 'notSensitive':
      return notSensitiveSql(p);
    case 'rolesOfChamps':
      return p.resourceType === 'PractitionerRole'
        ? `EXISTS (SELECT 1 FROM ${ROLE_OFFERS} AND EXISTS (SELECT 1 FROM jsonb_array_elements(h.content->'type'->0->'coding') c
            WHERE c->>'system' = ${p.add(SYSTEM.champActivite)} AND c->>'code' = ANY(${p.add(f.champs)}::text[])))`
        : 'true';
    case 'chain': {
      const target = p.forType(f.targetType);
      return inIndex('sp_reference', f.code, p, `s.target_type = ${target.type} AND s.target_id IN (${reachedIds(f.filter, target)})`);
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

/** The current offers listing Location `r` as `h` (continue with AND). */
const LOCATION_OFFERS = `sp_reference s JOIN resource h ON h.resource_type = 'HealthcareService' AND h.id = s.id AND NOT h.deleted
  WHERE s.resource_type = 'HealthcareService' AND s.code = 'location' AND s.target_type = 'Location' AND s.target_id = r.id`;
/** The current offers of PractitionerRole `r` as `h` (continue with AND). */
const ROLE_OFFERS = `sp_reference s JOIN resource h ON h.resource_type = 'HealthcareService' AND h.id = s.target_id AND NOT h.deleted
  WHERE s.resource_type = 'PractitionerRole' AND s.id = r.id AND s.code = 'service' AND s.target_type = 'HealthcareService'`;

function notSensitiveSql(p: Params): string {
  const sensitive = (alias: string): string => `${alias}.content @> ${p.add(JSON.stringify(SENSITIVE_UNIT_CONTAINMENT))}::jsonb`;
  switch (p.resourceType) {
    case 'HealthcareService':
      return `NOT ${sensitive('r')}`;
    case 'Location':
      return `NOT EXISTS (SELECT 1 FROM ${LOCATION_OFFERS} AND ${sensitive('h')})`;
    case 'PractitionerRole':
      return `NOT EXISTS (SELECT 1 FROM ${ROLE_OFFERS} AND ${sensitive('h')})`;
    default:
      return 'true';
  }
}

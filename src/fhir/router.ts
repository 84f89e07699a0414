import type { Parameters, Resource } from '@medplum/fhirtypes';
import { AccessStore, type WriteResult } from '../auth/access-store.ts';
import type { Principal } from '../auth/principal.ts';
import { badRequest, notFound, StoreError } from '../store/errors.ts';
import type { Repository } from '../store/repository.ts';
import { isIndexedResourceType } from '../store/search-parameters/registry.ts';
import { capabilityStatement } from './capability.ts';
import { parseProjection, project } from './elements.ts';
import { historyBundle } from './history.ts';
import { outcomeForError, operationOutcome } from './outcome.ts';
import { applyFhirPathPatch, applyJsonPatch } from './patch.ts';
import { parseSearch } from './search-parser.ts';
import { searchBundle } from './search-bundle.ts';

/** A transport-free FHIR request: `path` is relative to the FHIR base (`Organization/123`). */
export interface FhirRequest {
  method: string;
  path: string;
  query: Record<string, string | string[] | undefined>;
  /** Absolute URL of the FHIR base, without trailing slash (`http://host/fhir`). */
  baseUrl: string;
  /** The parsed JSON body (POST, PUT). */
  body?: unknown;
  /** The If-Match header (PUT, PATCH, DELETE): the expected current version, `W/"3"`. */
  ifMatch?: string;
  /** The Content-Type header (PATCH: `application/fhir+json` for FHIRPath Patch, `application/json-patch+json`). */
  contentType?: string;
  /** The Prefer header (`return=minimal|representation|OperationOutcome`, `handling=strict|lenient`, `respond-async`). */
  prefer?: string;
  /** The If-None-Exist header (conditional create): search criteria, `identifier=…`. */
  ifNoneExist?: string;
}

export interface FhirResponse {
  status: number;
  /** Absent for 204 No Content. */
  body?: Resource;
  headers: Record<string, string>;
}

export interface FhirContext {
  repo: Repository;
  /** The authenticated caller: every read is filtered by its access profile, every write judged by the write policy. */
  principal: Principal;
}

const ok = (body: Resource, headers: Record<string, string> = {}): FhirResponse => ({ status: 200, body, headers });

function versionHeaders(meta: { versionId?: string | undefined; lastUpdated?: string | undefined } | undefined): Record<string, string> {
  const headers: Record<string, string> = {};
  if (meta?.versionId) headers.etag = `W/"${meta.versionId}"`;
  if (meta?.lastUpdated) headers['last-modified'] = new Date(meta.lastUpdated).toUTCString();
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

function notAllowed(req: FhirRequest, allow: string): FhirResponse {
  const diagnostics = `${req.method} /${req.path.replace(/^\/+/, '')} is not supported`;
  return { status: 405, body: operationOutcome([{ severity: 'error', code: 'not-supported', diagnostics }]), headers: { allow } };
}

function rejectQuery(req: FhirRequest, what: string, accepted: readonly string[] = ['_format']): void {
  const unexpected = Object.keys(req.query).filter((k) => !accepted.includes(k));
  if (unexpected.length > 0) throw badRequest(`Unexpected query parameters on ${what}: ${unexpected.join(', ')}`);
}

async function route(req: FhirRequest, ctx: FhirContext): Promise<FhirResponse> {
  const parts = req.path.split('/').filter((p) => p !== '');
  const reading = req.method === 'GET' || req.method === 'HEAD';
  if (parts.length === 1 && parts[0] === 'metadata') return reading ? ok(capabilityStatement(req.baseUrl)) : notAllowed(req, 'GET, HEAD');
  const [type, id, op, vid, ...rest] = parts;
  if (!type || rest.length > 0 || (op !== undefined && op !== '_history')) throw notFound(`/${parts.join('/')}`);
  const store = new AccessStore(ctx.repo);
  const p = ctx.principal;
  if (parts.length === 1 && type === '_history') return reading ? ok(await historyBundle(store, p, req, {})) : notAllowed(req, 'GET, HEAD');
  if (!isIndexedResourceType(type)) throw notFound(`Resource type ${type}`);
  if (parts.length === 2 && id === '_history') return reading ? ok(await historyBundle(store, p, req, { resourceType: type })) : notAllowed(req, 'GET, HEAD');
  if (id === undefined) {
    if (reading) return ok(await searchBundle(store, type, req, p));
    if (req.method === 'PATCH') return patch(store, ctx, req, type);
    if (req.method !== 'POST') return notAllowed(req, 'GET, HEAD, POST, PATCH');
    rejectQuery(req, type);
    return written(req, type, await store.create(p, resourceBody(req, type)));
  }
  if (op !== undefined && !reading) return notAllowed(req, 'GET, HEAD');
  if (op !== undefined && vid === undefined) return ok(await historyBundle(store, p, req, { resourceType: type, id }));
  rejectQuery(req, `${type}/${id}`, reading ? ['_format', '_summary', '_elements'] : undefined);
  if (reading) {
    const projection = parseProjection(type, req.query, false);
    const resource = op === undefined ? await store.read(p, type, id) : await store.vread(p, type, id, vid as string);
    return ok(project(resource, projection), versionHeaders(resource.meta));
  }
  if (req.method === 'PUT') return written(req, type, await store.update(p, resourceBody(req, type, id), req.ifMatch));
  if (req.method === 'DELETE') {
    await store.delete(p, type, id, req.ifMatch);
    return { status: 204, headers: {} };
  }
  if (req.method === 'PATCH') return patch(store, ctx, req, type, id);
  return notAllowed(req, 'GET, HEAD, PUT, PATCH, DELETE');
}

/**
 * PATCH `type/id`, or the single resource a search selects (conditional PATCH: 404 for none, 412 for several;
 * a resource the caller's profile hides counts as absent). The patch applies to the full stored version (the
 * profile may hide parts of it), then is stored as a PUT would be: policy, validation, versioning.
 */
async function patch(store: AccessStore, ctx: FhirContext, req: FhirRequest, type: string, id?: string): Promise<FhirResponse> {
  const mediaType = req.contentType?.split(';')[0]?.trim().toLowerCase() ?? '';
  const fhirPathPatch = (resource: Resource, body: unknown): Resource => applyFhirPathPatch(resource, body as Parameters);
  const apply = new Map([
    ['application/fhir+json', fhirPathPatch],
    ['application/json', fhirPathPatch],
    ['application/json-patch+json', applyJsonPatch],
  ]).get(mediaType);
  if (!apply) {
    throw new StoreError(415, [
      {
        severity: 'error',
        code: 'not-supported',
        diagnostics: `PATCH bodies are application/fhir+json (a FHIRPath Patch Parameters) or application/json-patch+json, not "${mediaType}"`,
      },
    ]);
  }
  let target = id;
  if (target === undefined) {
    const { includes, summary, elements, ...q } = parseSearch(type, req.query);
    if (q.filters.length === 0) throw badRequest(`A conditional PATCH needs search criteria, such as ${type}?identifier=…`);
    if (includes.length > 0 || summary !== undefined || elements !== undefined) {
      throw badRequest('A conditional PATCH takes search criteria only, not _include, _revinclude, _summary or _elements');
    }
    const found = await store.search(ctx.principal, { ...q, count: 2, offset: 0, total: false });
    if (found.resources.length === 0) throw notFound(`${type} matching the search`);
    if (found.resources.length > 1) {
      throw new StoreError(412, [{ severity: 'error', code: 'multiple-matches', diagnostics: `Several ${type} resources match the search; the conditional PATCH needs exactly one` }]);
    }
    target = found.resources[0]?.id as string;
  }
  // The patch applies to what the caller is served; AccessStore.update keeps what its profile hides.
  const current = await store.read(ctx.principal, type, target);
  const patched = apply(current, req.body);
  return written(req, type, await store.update(ctx.principal, patched, req.ifMatch ?? current.meta?.versionId));
}

/** The body of a POST or PUT: a JSON resource of the URL's type (and, for a PUT, with the URL's id). */
function resourceBody(req: FhirRequest, type: string, id?: string): Resource {
  const body = req.body;
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw badRequest(`The body must be a ${type} resource as a JSON object`);
  const { resourceType, id: bodyId } = body as { resourceType?: unknown; id?: unknown };
  if (resourceType !== type) throw badRequest(`The body's resourceType "${String(resourceType)}" does not match the URL (${type})`, 'resourceType');
  if (id !== undefined && bodyId !== id) throw badRequest(`The body's id "${String(bodyId)}" does not match the URL id "${id}"`, `${type}.id`);
  return body as Resource;
}

/** 201 with Location (created) or 200; the body is the stored version as the caller's profile serves it. */
function written(req: FhirRequest, type: string, w: WriteResult): FhirResponse {
  const headers = versionHeaders(w);
  if (w.created) headers.location = `${req.baseUrl}/${type}/${w.id}/_history/${w.versionId}`;
  const body =
    w.resource ??
    operationOutcome([
      { severity: 'information', code: 'informational', diagnostics: `${type}/${w.id} est enregistrée ; votre profil d'accès ne permet pas de l'afficher.` },
    ]);
  return { status: w.created ? 201 : 200, body, headers };
}

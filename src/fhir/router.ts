import { randomUUID } from 'node:crypto';
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
import { bundleResponse } from './bundle.ts';

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
  if (parts.length === 0) {
    if (req.method !== 'POST') return notAllowed(req, 'POST');
    rejectQuery(req, 'a transaction or batch');
    return bundleResponse(req, ctx);
  }
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
    if (req.method === 'PUT') return conditionalUpdate(store, p, req, type);
    if (req.method === 'DELETE') return conditionalDelete(store, p, req, type);
    if (req.method !== 'POST') return notAllowed(req, 'GET, HEAD, POST, PUT, PATCH, DELETE');
    rejectQuery(req, type);
    const body = resourceBody(req.body, type);
    const existing = req.ifNoneExist === undefined ? undefined : await conditionalCreateMatch(store, p, type, req.ifNoneExist);
    return existing ? served(req, type, existing) : written(req, type, await store.create(p, body));
  }
  if (op !== undefined && !reading) return notAllowed(req, 'GET, HEAD');
  if (op !== undefined && vid === undefined) return ok(await historyBundle(store, p, req, { resourceType: type, id }));
  rejectQuery(req, `${type}/${id}`, reading ? ['_format', '_summary', '_elements'] : undefined);
  if (reading) {
    const projection = parseProjection(type, req.query, false);
    const resource = op === undefined ? await store.read(p, type, id) : await store.vread(p, type, id, vid as string);
    return ok(project(resource, projection), versionHeaders(resource.meta));
  }
  if (req.method === 'PUT') return written(req, type, await store.update(p, resourceBody(req.body, type, id), ifMatchVersion(req.ifMatch)));
  if (req.method === 'DELETE') {
    await store.delete(p, type, id, ifMatchVersion(req.ifMatch));
    return { status: 204, headers: {} };
  }
  if (req.method === 'PATCH') return patch(store, ctx, req, type, id);
  return notAllowed(req, 'GET, HEAD, PUT, PATCH, DELETE');
}

/** A search behind a conditional interaction selected several resources. */
function multipleMatches(type: string, interaction: string): StoreError {
  return new StoreError(412, [
    { severity: 'error', code: 'multiple-matches', diagnostics: `Several ${type} resources match the search; ${interaction} needs at most one` },
  ]);
}

/** The query of an If-None-Exist header or a conditional URL (`identifier=…`, a leading `Type?` allowed). */
export function criteriaOf(query: string): FhirRequest['query'] {
  const criteria: Record<string, string | string[]> = {};
  for (const [name, value] of new URLSearchParams(query.slice(query.indexOf('?') + 1))) {
    const previous = criteria[name];
    criteria[name] = previous === undefined ? value : [...[previous].flat(), value];
  }
  return criteria;
}

/**
 * The first two resources of `type` that the criteria of a conditional interaction select, as the caller is
 * served them: a resource its access profile hides counts as absent, so that no answer discloses that it exists.
 */
async function conditionalMatches(store: AccessStore, p: Principal, type: string, query: FhirRequest['query'], interaction: string): Promise<Resource[]> {
  const { includes, summary, elements, ...q } = parseSearch(type, query);
  if (q.filters.length === 0) throw badRequest(`${interaction} needs search criteria, such as ${type}?identifier=…`);
  if (includes.length > 0 || summary !== undefined || elements !== undefined) {
    throw badRequest(`${interaction} takes search criteria only, not _include, _revinclude, _summary or _elements`);
  }
  return (await store.search(p, { ...q, count: 2, offset: 0, total: false })).resources;
}

/** What a conditional create (If-None-Exist) finds: nothing, or the one resource its criteria select; 412 for several. */
export async function conditionalCreateMatch(store: AccessStore, p: Principal, type: string, ifNoneExist: string): Promise<Resource | undefined> {
  const [existing, more] = await conditionalMatches(store, p, type, criteriaOf(ifNoneExist), 'a conditional create (If-None-Exist)');
  if (more) throw multipleMatches(type, 'a conditional create (If-None-Exist)');
  return existing;
}

/** The one resource a conditional interaction selects: 404 for none, 412 for several. */
export async function conditionalTarget(store: AccessStore, p: Principal, type: string, query: FhirRequest['query'], interaction: string): Promise<string> {
  const [found, more] = await conditionalMatches(store, p, type, query, interaction);
  if (!found) throw notFound(`${type} matching the search`);
  if (more) throw multipleMatches(type, interaction);
  return found.id as string;
}

/**
 * PUT `type?criteria`: no match creates (with the body's id, else one the server chooses), one match is
 * updated (a body id must be its id), several answer 412.
 */
async function conditionalUpdate(store: AccessStore, p: Principal, req: FhirRequest, type: string): Promise<FhirResponse> {
  const body = resourceBody(req.body, type);
  const id = await conditionalUpdateTarget(store, p, type, req.query, body);
  return written(req, type, await store.update(p, { ...body, id }, ifMatchVersion(req.ifMatch)));
}

/** The id a conditional update writes: the match's, else the body's, else a new one. */
export async function conditionalUpdateTarget(store: AccessStore, p: Principal, type: string, query: FhirRequest['query'], body: Resource): Promise<string> {
  const [found, more] = await conditionalMatches(store, p, type, query, 'a conditional update');
  if (more) throw multipleMatches(type, 'a conditional update');
  if (found && body.id !== undefined && body.id !== found.id) {
    throw badRequest(`The body's id "${body.id}" is not the id of the ${type} the search selects (${found.id ?? ''})`, `${type}.id`);
  }
  return found?.id ?? body.id ?? randomUUID();
}

/** DELETE `type?criteria`: the one resource selected is deleted; none answers 404, several 412. */
async function conditionalDelete(store: AccessStore, p: Principal, req: FhirRequest, type: string): Promise<FhirResponse> {
  const id = await conditionalTarget(store, p, type, req.query, 'a conditional delete');
  await store.delete(p, type, id, ifMatchVersion(req.ifMatch));
  return { status: 204, headers: {} };
}

/**
 * PATCH `type/id`, or the single resource a search selects (conditional PATCH: 404 for none, 412 for several;
 * a resource the caller's profile hides counts as absent), then stored as a PUT would be: policy, validation,
 * versioning.
 */
async function patch(store: AccessStore, ctx: FhirContext, req: FhirRequest, type: string, id?: string): Promise<FhirResponse> {
  const target = id ?? (await conditionalTarget(store, ctx.principal, type, req.query, 'a conditional PATCH'));
  const { resource, ifMatch } = await patched(store, ctx.principal, type, target, req);
  return written(req, type, await store.update(ctx.principal, resource, ifMatch));
}

/**
 * The patch of `req` (its body, by its Content-Type) applied to what the caller is served of `type/id` (the
 * access store keeps what its profile hides), and the version it must replace: the If-Match one, else the one patched.
 */
export async function patched(
  store: AccessStore,
  p: Principal,
  type: string,
  id: string,
  req: Pick<FhirRequest, 'contentType' | 'body' | 'ifMatch'>,
): Promise<{ resource: Resource; ifMatch: string | undefined }> {
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
  const ifMatch = ifMatchVersion(req.ifMatch);
  const current = await store.read(p, type, id);
  return { resource: apply(current, req.body), ifMatch: ifMatch ?? current.meta?.versionId };
}

const IF_MATCH = /^(?:W\/)?"([1-9][0-9]*)"$/;

/** The versionId an If-Match names (`W/"3"` or `"3"`); 400 when it names none. */
export function ifMatchVersion(ifMatch: string | undefined): string | undefined {
  if (ifMatch === undefined) return undefined;
  const version = IF_MATCH.exec(ifMatch.trim())?.[1];
  if (version === undefined) throw badRequest(`If-Match must name a version as an ETag, such as W/"3", not "${ifMatch}"`, 'If-Match');
  return version;
}

export type ReturnPreference = 'minimal' | 'representation' | 'OperationOutcome';

/** The `return` preference of a Prefer header; absent or unknown values mean `representation` (a preference binds nothing). */
export function returnPreference(prefer: string | undefined): ReturnPreference {
  for (const token of (prefer ?? '').split(/[,;]/)) {
    const [name, value] = token.split('=').map((x) => x.trim().replace(/^"|"$/g, ''));
    if (name?.toLowerCase() === 'return' && (value === 'minimal' || value === 'representation' || value === 'OperationOutcome')) return value;
  }
  return 'representation';
}

/** The body of a POST or PUT: a JSON resource of the URL's type (and, for a PUT, with the URL's id). */
export function resourceBody(body: unknown, type: string, id?: string): Resource {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw badRequest(`The body must be a ${type} resource as a JSON object`);
  const { resourceType, id: bodyId } = body as { resourceType?: unknown; id?: unknown };
  if (resourceType !== type) throw badRequest(`The body's resourceType "${String(resourceType)}" does not match the URL (${type})`, 'resourceType');
  if (id !== undefined && bodyId !== id) throw badRequest(`The body's id "${String(bodyId)}" does not match the URL id "${id}"`, `${type}.id`);
  return body as Resource;
}

/**
 * 201 with Location (created) or 200, with ETag and Last-Modified; the body as Prefer asks: the stored version
 * as the caller's profile serves it (default), nothing (`return=minimal`), or an OperationOutcome.
 */
export function written(req: Pick<FhirRequest, 'baseUrl' | 'prefer'>, type: string, w: WriteResult): FhirResponse {
  const headers = versionHeaders(w);
  if (w.created) headers.location = `${req.baseUrl}/${type}/${w.id}/_history/${w.versionId}`;
  const status = w.created ? 201 : 200;
  const preference = returnPreference(req.prefer);
  if (preference === 'minimal') return { status, headers };
  const what = `${type}/${w.id}/_history/${w.versionId}`;
  if (preference === 'OperationOutcome' || w.resource === null) {
    const diagnostics =
      w.resource === null
        ? `${type}/${w.id} est enregistrée ; votre profil d'accès ne permet pas de l'afficher.`
        : `${what} ${w.created ? 'created' : 'updated'}`;
    return { status, body: operationOutcome([{ severity: 'information', code: 'informational', diagnostics }]), headers };
  }
  return { status, body: w.resource, headers };
}

/** 200 with a resource already stored (a conditional create that matched it), as Prefer asks. */
export function served(req: Pick<FhirRequest, 'baseUrl' | 'prefer'>, type: string, resource: Resource): FhirResponse {
  const { versionId = '', lastUpdated = '' } = resource.meta ?? {};
  return written(req, type, { resource, id: resource.id ?? '', versionId, lastUpdated, created: false });
}

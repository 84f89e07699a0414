import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { Bundle, BundleEntry, BundleEntryResponse, OperationOutcomeIssue, Resource } from '@medplum/fhirtypes';
import { AccessStore, type StoreWrite } from '../auth/access-store.ts';
import { badRequest, notFound, StoreError } from '../store/errors.ts';
import { TransactionWriteError } from '../store/repository.ts';
import { isIndexedResourceType } from '../store/search-parameters/registry.ts';
import { outcomeForError } from './outcome.ts';
import {
  conditionalCreateMatch,
  conditionalTarget,
  conditionalUpdateTarget,
  criteriaOf,
  handleFhirRequest,
  ifMatchVersion,
  patched,
  resourceBody,
  served,
  written,
  type FhirContext,
  type FhirRequest,
  type FhirResponse,
} from './router.ts';

/** The most entries a transaction or batch Bundle may carry; more answer 413. */
export const MAX_BUNDLE_ENTRIES = 1000;

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;
type Method = (typeof METHODS)[number];
/** Processing order of a transaction (FHIR R4 http.html#trules): deletes, creates, updates and patches, reads. */
const ORDER: Record<Method, number> = { DELETE: 0, POST: 1, PUT: 2, PATCH: 2, GET: 3, HEAD: 3 };

/** One entry's request, as a FHIR request relative to the base; `at` is the entry's index. */
interface EntryRequest {
  at: number;
  fullUrl?: string;
  request: FhirRequest;
}

/** POST of a transaction or batch Bundle to the FHIR base. */
export async function bundleResponse(req: FhirRequest, ctx: FhirContext): Promise<FhirResponse> {
  const body = req.body as Partial<Bundle> | undefined;
  if (typeof body !== 'object' || body === null || Array.isArray(body) || body.resourceType !== 'Bundle') {
    throw badRequest('POST to the FHIR base takes a Bundle of type transaction or batch', 'Bundle');
  }
  if (body.type !== 'transaction' && body.type !== 'batch') {
    throw badRequest(`POST to the FHIR base takes a Bundle of type transaction or batch, not "${String(body.type)}"`, 'Bundle.type');
  }
  const entries: unknown = body.entry ?? [];
  if (!Array.isArray(entries)) throw badRequest('Bundle.entry must be an array', 'Bundle.entry');
  if (entries.length > MAX_BUNDLE_ENTRIES) {
    throw new StoreError(413, [
      {
        severity: 'error',
        code: 'too-costly',
        diagnostics: `A ${body.type} Bundle carries at most ${MAX_BUNDLE_ENTRIES} entries, not ${entries.length}; split it`,
        expression: ['Bundle.entry'],
      },
    ]);
  }
  const responses = body.type === 'batch' ? await batch(req, ctx, entries) : await transaction(req, ctx, entries);
  const response: Bundle = { resourceType: 'Bundle', type: `${body.type}-response`, entry: responses };
  return { status: 200, body: response, headers: {} };
}

/** Every entry on its own, in order: a failure answers in its entry and does not stop the others. */
async function batch(req: FhirRequest, ctx: FhirContext, entries: unknown[]): Promise<BundleEntry[]> {
  const responses: BundleEntry[] = [];
  for (const [at, entry] of entries.entries()) {
    try {
      const { request } = entryRequest(req, entry, at);
      if (request.path === '') throw badRequest('A batch entry cannot be a transaction or batch itself', `Bundle.entry[${at}].request.url`);
      responses.push(entryOf(await handleFhirRequest(request, ctx)));
    } catch (err) {
      const { status, outcome } = outcomeForError(err);
      if (status >= 500) throw err;
      responses.push(entryOf({ status, body: outcome, headers: {} }));
    }
  }
  return responses;
}

/** A write entry of a transaction once its target is known. */
interface Planned {
  entry: EntryRequest;
  type: string;
  /** The id written or deleted; the id of the match of a conditional create that matched. */
  id: string;
  /** A conditional create that matched: nothing is written, the entry answers with this resource. */
  existing?: Resource;
  /** A POST: a create with an id the server chose. */
  creates: boolean;
}

/**
 * All the writes or none (one database transaction); every write judged by the policy and validated before
 * anything is written. Targets are resolved first, in processing order (so that every `fullUrl` has its
 * resource id), then references to the `fullUrl`s are replaced by those ids. Reads run after the writes.
 */
async function transaction(req: FhirRequest, ctx: FhirContext, entries: unknown[]): Promise<BundleEntry[]> {
  const store = new AccessStore(ctx.repo);
  const p = ctx.principal;
  const parsed = entries.map((entry, at) => entryRequest(req, entry, at));
  const ordered = [...parsed].sort((a, b) => ORDER[a.request.method as Method] - ORDER[b.request.method as Method] || a.at - b.at);
  const reads = ordered.filter((e) => e.request.method === 'GET' || e.request.method === 'HEAD');
  let current = -1;
  const responses = new Map<number, FhirResponse>();
  const writes: { plan: Planned; write: StoreWrite }[] = [];
  try {
    const fullUrls = new Map<string, string>();
    const planned: Planned[] = [];
    for (const entry of ordered.filter((e) => !reads.includes(e))) {
      current = entry.at;
      const plan = await target(store, p, entry);
      if (entry.fullUrl !== undefined) {
        if (fullUrls.has(entry.fullUrl)) throw badRequest(`The fullUrl ${entry.fullUrl} is used by more than one entry`, `Bundle.entry[${entry.at}].fullUrl`);
        fullUrls.set(entry.fullUrl, `${plan.type}/${plan.id}`);
      }
      planned.push(plan);
    }
    for (const plan of planned) {
      current = plan.entry.at;
      const { request } = plan.entry;
      const body = request.body === undefined ? undefined : resolveReferences(request.body, fullUrls, plan.entry.at);
      const ifMatch = ifMatchVersion(request.ifMatch);
      if (plan.existing) responses.set(plan.entry.at, served(req, plan.type, plan.existing));
      else if (request.method === 'DELETE') writes.push({ plan, write: { action: 'delete', resourceType: plan.type, id: plan.id, ...(ifMatch ? { ifMatch } : {}) } });
      else if (request.method === 'PATCH') {
        const { resource, ifMatch: version } = await patched(store, p, plan.type, plan.id, { ...request, body });
        writes.push({ plan, write: { action: 'update', resource, ...(version ? { ifMatch: version } : {}) } });
      } else {
        const resource = { ...resourceBody(body, plan.type), id: plan.id };
        const write: StoreWrite = plan.creates ? { action: 'create', resource } : { action: 'update', resource, ...(ifMatch ? { ifMatch } : {}) };
        writes.push({ plan, write });
      }
    }
    current = -1;
    const results = await store.transaction(p, writes.map((w) => w.write));
    results.forEach((result, i) => {
      const { plan } = writes[i] as (typeof writes)[number];
      responses.set(plan.entry.at, result ? written(req, plan.type, result) : { status: 204, headers: {} });
    });
  } catch (err) {
    if (!(err instanceof StoreError)) throw err;
    const at = err instanceof TransactionWriteError ? (writes[err.at]?.plan.entry.at ?? current) : current;
    throw failedEntry(err, at, parsed[at]);
  }
  for (const entry of reads) responses.set(entry.at, await handleFhirRequest(entry.request, ctx));
  return parsed.map((e) => entryOf(responses.get(e.at) as FhirResponse));
}

/** Where a write entry of a transaction writes: its URL's id, the match of its criteria, or a new id. */
async function target(store: AccessStore, p: FhirContext['principal'], entry: EntryRequest): Promise<Planned> {
  const { request, at } = entry;
  const [type, id, ...rest] = request.path.split('/');
  if (!type || rest.length > 0 || !isIndexedResourceType(type)) throw notFound(`/${request.path}`);
  const hasQuery = Object.keys(request.query).length > 0;
  const where = `Bundle.entry[${at}].request.url`;
  if (id !== undefined && hasQuery) throw badRequest(`${request.method} ${request.path} takes no search criteria`, where);
  const plan = (targetId: string, creates = false): Planned => ({ entry, type, id: targetId, creates });
  switch (request.method) {
    case 'POST': {
      if (id !== undefined || hasQuery) throw badRequest(`POST creates at the type (${type}), not at ${request.path}; conditions go in ifNoneExist`, where);
      const existing = request.ifNoneExist === undefined ? undefined : await conditionalCreateMatch(store, p, type, request.ifNoneExist);
      return existing ? { ...plan(existing.id as string), existing } : plan(randomUUID(), true);
    }
    case 'PUT': {
      const body = resourceBody(request.body, type, id);
      return plan(id ?? (await conditionalUpdateTarget(store, p, type, request.query, body)));
    }
    case 'DELETE':
    case 'PATCH':
      if (id !== undefined) return plan(id);
      if (!hasQuery) throw badRequest(`${request.method} needs an id or search criteria: ${type}/id or ${type}?identifier=…`, where);
      return plan(await conditionalTarget(store, p, type, request.query, `a conditional ${request.method === 'PATCH' ? 'PATCH' : 'delete'}`));
    default:
      throw badRequest(`Unsupported method ${request.method}`, `Bundle.entry[${at}].request.method`);
  }
}

/** `value` with every `reference` naming a fullUrl of the transaction replaced by `Type/id`; an unknown `urn:` reference is an error. */
function resolveReferences(value: unknown, fullUrls: Map<string, string>, at: number): unknown {
  if (Array.isArray(value)) return value.map((v) => resolveReferences(v, fullUrls, at));
  if (typeof value !== 'object' || value === null) return value;
  const resolved: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    if (key === 'reference' && typeof v === 'string') {
      const target = fullUrls.get(v);
      if (target === undefined && v.startsWith('urn:')) {
        throw badRequest(`The reference ${v} names no entry of the transaction`, `Bundle.entry[${at}].resource`);
      }
      resolved[key] = target ?? v;
    } else {
      resolved[key] = resolveReferences(v, fullUrls, at);
    }
  }
  return resolved;
}

/** The request of `entry` as a FHIR request relative to the base; 400 naming what is wrong. */
function entryRequest(req: FhirRequest, entry: unknown, at: number): EntryRequest {
  const where = `Bundle.entry[${at}]`;
  const { fullUrl, request, resource } = (typeof entry === 'object' && entry !== null ? entry : {}) as BundleEntry;
  if (typeof request !== 'object' || request === null) throw badRequest(`${where} has no request`, `${where}.request`);
  const method = String(request.method ?? '').toUpperCase();
  if (!(METHODS as readonly string[]).includes(method)) {
    throw badRequest(`${where}.request.method must be one of ${METHODS.join(', ')}, not "${String(request.method)}"`, `${where}.request.method`);
  }
  if (typeof request.url !== 'string' || request.url.trim() === '') throw badRequest(`${where} has no request.url`, `${where}.request.url`);
  let url = request.url.trim();
  if (url.startsWith(`${req.baseUrl}/`)) url = url.slice(req.baseUrl.length + 1);
  if (/^[a-z][a-z0-9+.-]*:/i.test(url)) throw badRequest(`${where}.request.url must be relative to the FHIR base, not "${url}"`, `${where}.request.url`);
  const [path = '', query] = url.replace(/^\/+/, '').split(/\?(.*)/s);
  if (fullUrl !== undefined && typeof fullUrl !== 'string') throw badRequest(`${where}.fullUrl must be a string`, `${where}.fullUrl`);
  return {
    at,
    ...(fullUrl !== undefined ? { fullUrl } : {}),
    request: {
      method,
      path,
      query: query ? criteriaOf(query) : {},
      baseUrl: req.baseUrl,
      ...(resource !== undefined ? { body: resource } : {}),
      ...(method === 'PATCH' ? { contentType: 'application/fhir+json' } : {}),
      ...(request.ifMatch !== undefined ? { ifMatch: request.ifMatch } : {}),
      ...(request.ifNoneExist !== undefined ? { ifNoneExist: request.ifNoneExist } : {}),
      ...(req.prefer !== undefined ? { prefer: req.prefer } : {}),
    },
  };
}

/** The error of a transaction's entry `at`: its status, its issues naming the entry (expressions under `Bundle.entry[at]`). */
function failedEntry(err: StoreError, at: number, entry: EntryRequest | undefined): StoreError {
  if (at < 0 || !entry) return err;
  const where = `Bundle.entry[${at}]`;
  const type = entry.request.path.split('/')[0] ?? '';
  const label = `${entry.request.method} ${entry.request.path}`;
  const issues = err.issues.map((i): OperationOutcomeIssue => {
    const expressions = (i.expression ?? []).map((e) => (type && (e === type || e.startsWith(`${type}.`)) ? `${where}.resource${e.slice(type.length)}` : e));
    return { ...i, diagnostics: `${where} (${label}): ${i.diagnostics ?? i.code}`, expression: [where, ...expressions] };
  });
  return new StoreError(err.status, issues);
}

/** A response as a Bundle entry: status line, location, etag, lastModified, and the resource or (for an OperationOutcome) the outcome. */
function entryOf(res: FhirResponse): BundleEntry {
  const response: BundleEntryResponse = { status: `${res.status} ${STATUS_CODES[res.status] ?? ''}`.trim() };
  if (res.headers.location) response.location = res.headers.location;
  if (res.headers.etag) response.etag = res.headers.etag;
  if (res.headers['last-modified']) response.lastModified = new Date(res.headers['last-modified']).toISOString();
  if (res.body?.resourceType === 'OperationOutcome') return { response: { ...response, outcome: res.body } };
  return { ...(res.body ? { resource: res.body } : {}), response };
}

import type { Bundle, BundleEntry, BundleLink } from '@medplum/fhirtypes';
import type { AccessStore } from '../auth/access-store.ts';
import type { Principal } from '../auth/principal.ts';
import { badRequest } from '../store/errors.ts';
import type { HistoryPageQuery, StoredVersion } from '../store/repository.ts';
import type { FhirRequest } from './router.ts';

const MAX_COUNT = 200;
const PARAMETERS = new Set(['_since', '_at', '_count', '_cursor', '_format']);
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;
const PARTIAL_DATE = /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$/;

/** Whose versions: every resource, one type, or one resource. */
export interface HistoryTarget {
  resourceType?: string;
  id?: string;
}

/**
 * The history Bundle of `target` (`_since`, `_at`, `_count`), one page at a time: the `next` link resumes after the
 * last version of the page (`_cursor`), so versions written meanwhile (newer, hence before it) never shift pages.
 * Versions the caller's profile hides are left out, which can make a page shorter than `_count`.
 */
export async function historyBundle(store: AccessStore, p: Principal, req: FhirRequest, target: HistoryTarget): Promise<Bundle> {
  const q = parseHistoryQuery(req.query, target);
  const page = await store.historyPage(p, q);
  const path = [target.resourceType, target.id, '_history'].filter((s) => s !== undefined).join('/');
  const pageUrl = (after: Cursor | undefined): string => {
    const u = new URL(`${req.baseUrl}/${path}`);
    for (const [k, v] of Object.entries(req.query)) if (k !== '_cursor' && typeof v === 'string') u.searchParams.set(k, v);
    u.searchParams.set('_count', String(q.count));
    if (after) u.searchParams.set('_cursor', encodeCursor(after));
    return u.toString();
  };
  const link: BundleLink[] = [{ relation: 'self', url: pageUrl(q.after) }];
  if (page.more && page.last) link.push({ relation: 'next', url: pageUrl(page.last) });
  return { resourceType: 'Bundle', type: 'history', link, entry: page.versions.map((v) => historyEntry(req.baseUrl, v)) };
}

function historyEntry(baseUrl: string, v: StoredVersion): BundleEntry {
  const created = v.versionId === '1';
  const entry: BundleEntry = {
    fullUrl: `${baseUrl}/${v.resourceType}/${v.id}`,
    request: { method: v.deleted ? 'DELETE' : created ? 'POST' : 'PUT', url: created ? v.resourceType : `${v.resourceType}/${v.id}` },
    response: { status: v.deleted ? '204' : created ? '201' : '200', etag: `W/"${v.versionId}"`, lastModified: v.lastUpdated },
  };
  if (v.resource) entry.resource = v.resource;
  return entry;
}

function parseHistoryQuery(query: FhirRequest['query'], target: HistoryTarget): HistoryPageQuery {
  const unknown = Object.keys(query).filter((k) => !PARAMETERS.has(k));
  if (unknown.length > 0) throw badRequest(`Unknown history parameters: ${unknown.join(', ')} (history takes _since, _at, _count)`);
  const single = (name: string): string | undefined => {
    const v = query[name];
    if (Array.isArray(v)) throw badRequest(`${name} may be given once`);
    return v;
  };
  const q: HistoryPageQuery = { ...target, count: MAX_COUNT };
  const since = single('_since');
  if (since !== undefined) q.since = parseInstant('_since', since);
  const at = single('_at');
  if (at !== undefined) q.at = parsePeriod(at);
  const count = single('_count');
  if (count !== undefined) {
    if (!/^\d+$/.test(count) || Number(count) < 1 || Number(count) > MAX_COUNT) throw badRequest(`_count must be an integer from 1 to ${MAX_COUNT}, not "${count}"`);
    q.count = Number(count);
  }
  const cursor = single('_cursor');
  if (cursor !== undefined) q.after = decodeCursor(cursor);
  return q;
}

function parseInstant(name: string, value: string): string {
  const time = INSTANT.test(value) ? Date.parse(value) : NaN;
  if (Number.isNaN(time)) throw badRequest(`${name} must be an instant such as 2026-01-31T08:00:00Z, not "${value}"`);
  return new Date(time).toISOString();
}

/** `_at` as the period it designates: one millisecond for an instant, the whole year, month or day (UTC) for a date. */
function parsePeriod(value: string): { start: string; end: string } {
  const m = PARTIAL_DATE.exec(value);
  if (!m) {
    const start = parseInstant('_at', value);
    return { start, end: new Date(Date.parse(start) + 1).toISOString() };
  }
  const [year, month, day] = [Number(m[1]), m[2] === undefined ? undefined : Number(m[2]), m[3] === undefined ? undefined : Number(m[3])];
  const start = new Date(Date.UTC(year, (month ?? 1) - 1, day ?? 1));
  const end = new Date(day !== undefined ? Date.UTC(year, (month ?? 1) - 1, day + 1) : month !== undefined ? Date.UTC(year, month, 1) : Date.UTC(year + 1, 0, 1));
  const valid = start.getUTCFullYear() === year && (month === undefined || start.getUTCMonth() === month - 1) && (day === undefined || start.getUTCDate() === day);
  if (!valid) throw badRequest(`_at must be a date (2026, 2026-01, 2026-01-31) or an instant, not "${value}"`);
  return { start: start.toISOString(), end: end.toISOString() };
}

type Cursor = NonNullable<HistoryPageQuery['after']>;

function encodeCursor(v: Cursor): string {
  return Buffer.from(JSON.stringify([v.lastUpdated, v.resourceType, v.id, v.versionId])).toString('base64url');
}

function decodeCursor(value: string): Cursor {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(value, 'base64url').toString('utf8'));
  } catch {
    parsed = undefined;
  }
  if (Array.isArray(parsed) && parsed.length === 4 && parsed.every((s) => typeof s === 'string')) {
    const [lastUpdated, resourceType, id, versionId] = parsed as string[];
    if (INSTANT.test(lastUpdated as string) && /^\d{1,9}$/.test(versionId as string)) return { lastUpdated, resourceType, id, versionId } as Cursor;
  }
  throw badRequest('_cursor is not one this server gave in a next link');
}

import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { OperationOutcome, Resource } from '@medplum/fhirtypes';
import { PROFILE_FILTERS } from '../auth/access-store.ts';
import { requireRead } from '../auth/policy.ts';
import { requestContext, type AccessProfile, type Principal } from '../auth/principal.ts';
import { applyAccessProfile, loadVisibilityFacts } from '../auth/visibility.ts';
import type { Database } from '../db/open.ts';
import { recordAudit, type RequestContext } from '../store/audit.ts';
import { badRequest, issue, notFound } from '../store/errors.ts';
import { matchingCondition, type SearchFilter } from '../store/search.ts';
import { isIndexedResourceType, resourceTypes } from '../store/search-parameters/registry.ts';
import { operationOutcome } from './outcome.ts';
import { parseSearch } from './search-parser.ts';

/**
 * FHIR Bulk Data `$export` (Bulk Data Access IG v2, asynchronous): a kick-off records a job, the server process
 * runs its jobs one at a time in the background and writes one ndjson file per resource type under
 * `<dir>/<job id>/`; the status and file requests read the job back. An export serves exactly what the caller's
 * searches would: the access profile's search filters, then its projection of each resource.
 */

export const NDJSON = 'application/fhir+ndjson';
const OUTPUT_FORMATS = new Set([NDJSON, 'application/ndjson', 'ndjson']);
/** Parameters of the Bulk Data IG this server does not implement (named as such rather than as unknown). */
const UNSUPPORTED = new Set(['_elements', 'patient', 'includeAssociatedData', '_until', 'organizeOutputBy', 'allowPartialManifests']);
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;
/** `_typeFilter` queries may only select; what shapes a search answer has no meaning in an export. */
const NOT_FILTERS = ['_count', '_offset', '_total', '_format', '_summary', '_elements', '_include', '_revinclude', '_sort'];

export const DEFAULT_EXPORT_TTL_HOURS = 24;
const PAGE_SIZE = 5000;
/**
 * Queries reading the contents of one page at once: reading (decompressing) the stored JSON text is the
 * database's cost of an export, and one query runs on one core.
 */
const READERS = 2;
const CONTENT_SQL = `SELECT r.content::text AS content FROM unnest($2::text[]) AS k(id)
  JOIN resource r ON r.resource_type = $1 AND r.id = k.id AND NOT r.deleted`;

/** What a kick-off asks for, validated: `typeFilters` keeps the `_typeFilter` queries as sent, by type. */
export interface ExportParameters {
  types: string[];
  since?: string;
  typeFilters: Record<string, string[]>;
}

type Query = Record<string, string | string[] | undefined>;

/** `Date.parse` rolls 2026-02-30 over to March 2nd. */
const isCalendarDay = (day: string): boolean => !Number.isNaN(Date.parse(day)) && new Date(day).toISOString().startsWith(day);

const valuesOf = (v: string | string[] | undefined): string[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
/** A `+` left unencoded in a query string arrives as a space (`application/fhir+ndjson`, `+01:00`). */
const plus = (v: string): string => v.replace(/ /g, '+');

/**
 * The kick-off of `GET [base]/$export` (no `resourceType`) or `[base]/<resourceType>/$export`: the `Prefer`
 * header must ask for `respond-async`; every parameter is checked (strict handling, as searches are).
 */
export function parseExportKickOff(resourceType: string | undefined, query: Query, prefer: string | undefined): ExportParameters {
  const preferences = (prefer ?? '').split(/[,;]/).map((s) => s.trim().toLowerCase());
  if (!preferences.includes('respond-async')) throw badRequest('$export is asynchronous: send the header "Prefer: respond-async"', 'Prefer');
  if (resourceType !== undefined && !isIndexedResourceType(resourceType)) throw notFound(`Resource type ${resourceType}`);
  const out: ExportParameters = { types: resourceType === undefined ? [...resourceTypes] : [resourceType], typeFilters: {} };
  for (const [name, raw] of Object.entries(query)) {
    const values = valuesOf(raw);
    if (name === '_outputFormat') {
      const format = plus(values.join(','));
      if (values.length !== 1 || !OUTPUT_FORMATS.has(format)) {
        throw badRequest(`_outputFormat "${format}" is not supported: expected ${[...OUTPUT_FORMATS].join(', ')}`, name);
      }
    } else if (name === '_since') {
      const since = plus(values.join(','));
      if (values.length !== 1 || !INSTANT.test(since) || !isCalendarDay(since.slice(0, 10)) || Number.isNaN(Date.parse(since))) {
        throw badRequest(`_since "${since}" must be an instant (YYYY-MM-DDThh:mm:ss[.sss] with Z or an offset)`, name);
      }
      out.since = new Date(since).toISOString();
    } else if (name === '_type') {
      const types = values.flatMap((v) => v.split(',')).map((t) => t.trim());
      for (const t of types) {
        if (!isIndexedResourceType(t)) throw badRequest(`_type: unknown resource type "${t}" (served: ${resourceTypes.join(', ')})`, name);
        if (resourceType !== undefined && t !== resourceType) throw badRequest(`_type: ${t} cannot be exported from ${resourceType}/$export`, name);
      }
      out.types = [...new Set(types)];
    } else if (name === '_typeFilter') {
      for (const v of values) {
        for (const filter of v.split(/,(?=[A-Za-z]+\?)/)) {
          if (!/^[A-Za-z]+\?/.test(filter)) throw badRequest(`_typeFilter "${filter}": expected Type?search`, name);
          const type = filter.slice(0, filter.indexOf('?'));
          (out.typeFilters[type] ??= []).push(filter.slice(type.length + 1));
        }
      }
    } else if (UNSUPPORTED.has(name)) {
      throw badRequest(`The $export parameter ${name} is not supported by this server`, name);
    } else {
      throw badRequest(`Unknown $export parameter "${name}" (expected _outputFormat, _since, _type, _typeFilter)`, name);
    }
  }
  for (const [type, queries] of Object.entries(out.typeFilters)) {
    if (!out.types.includes(type)) {
      throw badRequest(`_typeFilter: "${type}" is not among the exported types (${out.types.join(', ')}); expected Type?search`, '_typeFilter');
    }
    for (const q of queries) typeFilter(type, q);
  }
  return out;
}

/** The kick-off parameters of a `POST …/$export` Parameters body, as a query. */
export function parametersQuery(body: unknown): Query {
  const params = (body as { resourceType?: unknown; parameter?: unknown } | undefined) ?? {};
  if (params.resourceType !== 'Parameters' || !Array.isArray(params.parameter)) throw badRequest('The body of POST $export must be a Parameters resource', 'Parameters');
  const query: Record<string, string[]> = {};
  for (const [i, p] of (params.parameter as Record<string, unknown>[]).entries()) {
    const value = p.valueString ?? p.valueInstant ?? p.valueCode;
    if (typeof p.name !== 'string' || typeof value !== 'string') {
      throw badRequest('Each parameter needs a name and a valueString, valueInstant or valueCode', `Parameters.parameter[${i}]`);
    }
    (query[p.name] ??= []).push(value);
  }
  return query;
}

/** The filter of one `_typeFilter` query on `type` (400 for what a search would refuse, or for a non-filter). */
function typeFilter(type: string, raw: string): SearchFilter {
  const query: Record<string, string[]> = {};
  for (const [k, v] of new URLSearchParams(raw)) (query[k] ??= []).push(v);
  const names = Object.keys(query);
  const shaping = names.filter((n) => NOT_FILTERS.includes(n.split(':')[0] as string));
  if (names.length === 0 || shaping.length > 0) {
    throw badRequest(`_typeFilter ${type}?${raw}: expected search criteria only${shaping.length > 0 ? `, not ${shaping.join(', ')}` : ''}`, '_typeFilter');
  }
  const parsed = parseSearch(type, query);
  return { kind: 'all', filters: parsed.filters };
}

/** The filters of `type` in an export: its `_typeFilter` queries (any of them) and the caller's access profile. */
function exportFilters(params: ExportParameters, type: string, profile: AccessProfile): SearchFilter[] {
  const queries = params.typeFilters[type] ?? [];
  const requested: SearchFilter[] = queries.length === 0 ? [] : [{ kind: 'any', filters: queries.map((q) => typeFilter(type, q)) }];
  return [...requested, ...PROFILE_FILTERS[profile]];
}

/** The SQL of one type's export: resources matching its filters and `_since`, one keyset page after `$n`. */
function exportQuery(params: ExportParameters, type: string, profile: AccessProfile): { where: string; values: unknown[] } {
  const { sql, values } = matchingCondition(type, exportFilters(params, type, profile));
  if (params.since === undefined) return { where: sql, values };
  return { where: `${sql} AND r.last_updated > $${values.length + 1}::timestamptz`, values: [...values, params.since] };
}

interface JobRow {
  id: string;
  owner: string;
  context: RequestContext;
  access_profile: number;
  request: string;
  params: ExportParameters;
  status: 'queued' | 'running' | 'completed' | 'failed';
  progress: Progress | null;
  transaction_time: Date;
  output: OutputFile[] | null;
  error: OperationOutcome | null;
}

interface Progress {
  counts: Record<string, number>;
  done: Record<string, number>;
  current?: string;
}

/** A page of an export: the resources as stored, the last id (keyset) and whether more may follow. */
interface Page {
  contents: string[];
  last: string | undefined;
  full: boolean;
}

/** One file of a finished job: `type` is a resource type, or OperationOutcome for the error file. */
interface OutputFile {
  type: string;
  file: string;
  count: number;
}

/** The completion manifest of the Bulk Data IG. */
export interface ExportManifest {
  transactionTime: string;
  request: string;
  requiresAccessToken: true;
  output: { type: string; url: string; count: number }[];
  error: { type: 'OperationOutcome'; url: string; count: number }[];
}

export type ExportStatus =
  | { state: 'in-progress'; progress: string }
  | { state: 'completed'; manifest: ExportManifest }
  | { state: 'failed'; outcome: OperationOutcome };

export interface ExportServiceOptions {
  /** Where job directories are written; `${DATA_DIR}/exports` on a server. */
  dir: string;
  /** How long a job and its files are kept after it ends (and at most after its kick-off). */
  ttlHours?: number;
  pageSize?: number;
  /** Told of what failed in the background (the server logs it). */
  onError?: (err: unknown, jobId: string) => void;
}

class Cancelled extends Error {}

const ownerOf = (p: Principal): string => `${p.kind}:${p.id}`;
const JOB_ID = /^[0-9a-f-]{36}$/;
const thousands = (n: number): string => n.toLocaleString('en-US');

/**
 * The `$export` jobs of one server process. Jobs are rows of `export_job`; this process runs those it accepted,
 * one at a time, in the order of their kick-off. A job still queued or running when the process stopped is
 * marked failed by {@link recover} at the next start of the same instance (same host and export directory).
 */
export class ExportService {
  readonly dir: string;
  /** Names this instance in the jobs it runs: their files are in its directory. */
  readonly runner: string;
  private readonly ttlHours: number;
  private readonly pageSize: number;
  private readonly onError: (err: unknown, jobId: string) => void;
  private readonly queue: string[] = [];
  private active: Promise<void> | undefined;
  private closed = false;

  constructor(
    private readonly db: Database,
    options: ExportServiceOptions,
  ) {
    this.dir = path.resolve(options.dir);
    this.runner = `${os.hostname()}:${this.dir}`;
    this.ttlHours = options.ttlHours ?? DEFAULT_EXPORT_TTL_HOURS;
    this.pageSize = options.pageSize ?? PAGE_SIZE;
    this.onError = options.onError ?? (() => {});
  }

  /** Records the job and queues it; its id. */
  async kickOff(p: Principal, params: ExportParameters, request: string): Promise<string> {
    requireRead(p, '$export');
    const id = randomUUID();
    await this.db.pool.query(
      `INSERT INTO export_job (id, owner, context, access_profile, request, params, runner, status, transaction_time, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, 'queued', now(), now() + make_interval(hours => $8))`,
      [id, ownerOf(p), JSON.stringify(requestContext(p)), p.profile, request, JSON.stringify(params), this.runner, this.ttlHours],
    );
    this.queue.push(id);
    this.pump();
    return id;
  }

  async status(p: Principal, id: string, baseUrl: string): Promise<ExportStatus> {
    const job = await this.job(p, id);
    if (job.status === 'failed') return { state: 'failed', outcome: job.error ?? operationOutcome([issue('exception', 'The export failed')]) };
    if (job.status !== 'completed') return { state: 'in-progress', progress: describeProgress(job) };
    const url = (f: OutputFile): string => `${baseUrl}/$export-file/${id}/${f.file}`;
    const files = job.output ?? [];
    return {
      state: 'completed',
      manifest: {
        transactionTime: job.transaction_time.toISOString(),
        request: job.request,
        requiresAccessToken: true,
        output: files.filter((f) => f.type !== 'OperationOutcome').map((f) => ({ type: f.type, url: url(f), count: f.count })),
        error: files.filter((f) => f.type === 'OperationOutcome').map((f) => ({ type: 'OperationOutcome' as const, url: url(f), count: f.count })),
      },
    };
  }

  /** The path of a file of the caller's finished job (404 for anything else, or when it is not on this instance). */
  async file(p: Principal, id: string, name: string): Promise<string> {
    const job = await this.job(p, id);
    const known = job.status === 'completed' && (job.output ?? []).some((f) => f.file === name);
    const file = path.join(this.dir, id, name);
    if (!known || !fs.existsSync(file)) throw notFound(`Export file ${id}/${name}`);
    return file;
  }

  /** Cancels a queued or running job, or deletes a finished one, with its files. */
  async cancel(p: Principal, id: string): Promise<void> {
    if (!JOB_ID.test(id)) throw notFound(`Export job ${id}`);
    const { rowCount } = await this.db.pool.query('DELETE FROM export_job WHERE id = $1 AND owner = $2 AND expires_at > now()', [id, ownerOf(p)]);
    if (rowCount === 0) throw notFound(`Export job ${id}`);
    await this.removeFiles(id);
  }

  /** Marks failed the jobs this instance had not finished when it stopped; how many. */
  async recover(): Promise<number> {
    const outcome = operationOutcome([issue('incomplete', 'The export was interrupted by a restart of the server; start it again')]);
    const { rowCount } = await this.db.pool.query(
      `UPDATE export_job SET status = 'failed', error = $2, finished_at = now(), expires_at = now() + make_interval(hours => $3)
        WHERE runner = $1 AND status IN ('queued', 'running')`,
      [this.runner, JSON.stringify(outcome), this.ttlHours],
    );
    return rowCount ?? 0;
  }

  /** Stops taking jobs; the running one ends as failed (its files removed). */
  async close(): Promise<void> {
    this.closed = true;
    this.queue.length = 0;
    await this.active;
  }

  private async job(p: Principal, id: string): Promise<JobRow> {
    requireRead(p, `$export job ${id}`);
    if (!JOB_ID.test(id)) throw notFound(`Export job ${id}`);
    const { rows } = await this.db.pool.query<JobRow>('SELECT * FROM export_job WHERE id = $1 AND owner = $2 AND expires_at > now()', [id, ownerOf(p)]);
    const job = rows[0];
    if (!job) throw notFound(`Export job ${id}`);
    return job;
  }

  private pump(): void {
    if (this.active || this.closed) return;
    const id = this.queue.shift();
    if (id === undefined) return;
    this.active = this.run(id)
      .catch((err: unknown) => this.onError(err, id))
      .finally(() => {
        this.active = undefined;
        this.pump();
      });
  }

  private async run(id: string): Promise<void> {
    // The store stamps lastUpdated with this process's clock: so does transactionTime, for the next `_since`.
    const { rows } = await this.db.pool.query<JobRow>(
      `UPDATE export_job SET status = 'running', transaction_time = $2 WHERE id = $1 AND status = 'queued' RETURNING *`,
      [id, new Date().toISOString()],
    );
    const job = rows[0];
    if (!job) return;
    try {
      const output = await this.write(job);
      const { rowCount } = await this.db.pool.query(
        `UPDATE export_job SET status = 'completed', output = $2, progress = NULL, finished_at = now(), expires_at = now() + make_interval(hours => $3)
          WHERE id = $1 AND status = 'running'`,
        [id, JSON.stringify(output), this.ttlHours],
      );
      if (rowCount === 0) throw new Cancelled();
      await recordAudit(this.db, [
        {
          action: 'export',
          outcome: 'success',
          context: job.context,
          detail: { job: id, request: job.request, profile: job.access_profile, output: Object.fromEntries(output.map((f) => [f.type, f.count])) },
        },
      ]);
    } catch (err) {
      await this.removeFiles(id);
      if (err instanceof Cancelled && !this.closed) return;
      if (!(err instanceof Cancelled)) this.onError(err, id);
      const message = err instanceof Cancelled ? 'The export was interrupted by a stop of the server; start it again' : 'The export failed; the server log has the cause';
      await this.db.pool.query(`UPDATE export_job SET status = 'failed', error = $2, finished_at = now() WHERE id = $1 AND status = 'running'`, [
        id,
        JSON.stringify(operationOutcome([issue(err instanceof Cancelled ? 'incomplete' : 'exception', message)])),
      ]);
    }
  }

  /** Counts, then writes every type's file; a type that fails is reported in the error file instead. */
  private async write(job: JobRow): Promise<OutputFile[]> {
    const profile = job.access_profile as AccessProfile;
    const dir = path.join(this.dir, job.id);
    await fs.promises.mkdir(dir, { recursive: true });
    const progress: Progress = { counts: {}, done: {} };
    for (const type of job.params.types) {
      const { where, values } = exportQuery(job.params, type, profile);
      const { rows } = await this.db.pool.query<{ n: string }>(`SELECT count(*) AS n FROM resource r WHERE ${where}`, values);
      progress.counts[type] = Number(rows[0]?.n ?? 0);
    }
    await this.report(job.id, progress);
    const output: OutputFile[] = [];
    const errors: string[] = [];
    for (const type of job.params.types) {
      progress.current = type;
      const file = `${type}.ndjson`;
      try {
        const count = await this.writeType(job, type, profile, path.join(dir, file), progress);
        if (count > 0) output.push({ type, file, count });
        else await fs.promises.rm(path.join(dir, file), { force: true });
      } catch (err) {
        if (err instanceof Cancelled) throw err;
        this.onError(err, job.id);
        await fs.promises.rm(path.join(dir, file), { force: true });
        errors.push(JSON.stringify(operationOutcome([issue('exception', `${type} could not be exported; the server log has the cause`, type)])));
      }
    }
    if (errors.length > 0) {
      await fs.promises.writeFile(path.join(dir, 'OperationOutcome.ndjson'), `${errors.join('\n')}\n`);
      output.push({ type: 'OperationOutcome', file: 'OperationOutcome.ndjson', count: errors.length });
    }
    return output;
  }

  /**
   * Streams one type to `file` in keyset pages of `pageSize` ids: the resources as stored (`content::text`) when
   * the profile serves them whole (Profil 1), else parsed and projected as a search would serve them. The ids of
   * a page are chosen first (no wide row is sorted), their contents read by {@link READERS} queries at once, and
   * the next page is read while one is written.
   */
  private async writeType(job: JobRow, type: string, profile: AccessProfile, file: string, progress: Progress): Promise<number> {
    const { where, values } = exportQuery(job.params, type, profile);
    const idsSql = `SELECT r.id FROM resource r WHERE ${where} AND r.id > $${values.length + 1} ORDER BY r.id LIMIT ${this.pageSize}`;
    const read = async (after: string): Promise<Page> => {
      const ids = (await this.db.pool.query<{ id: string }>(idsSql, [...values, after])).rows.map((r) => r.id);
      const share = Math.ceil(ids.length / READERS);
      const parts = await Promise.all(
        Array.from({ length: ids.length === 0 ? 0 : READERS }, (_, i) =>
          this.db.pool.query<{ content: string }>(CONTENT_SQL, [type, ids.slice(i * share, (i + 1) * share)]),
        ),
      );
      return { last: ids.at(-1), full: ids.length === this.pageSize, contents: parts.flatMap((p) => p.rows.map((r) => r.content)) };
    };
    const out = fs.createWriteStream(file);
    const closed = once(out, 'close');
    let written = 0;
    let next: Promise<Page> | undefined = read('');
    try {
      while (next) {
        const page: Page = await next;
        next = page.full && page.last !== undefined ? read(page.last) : undefined;
        const lines = profile === 1 ? page.contents : await this.projected(page.contents, profile);
        if (lines.length > 0 && !out.write(`${lines.join('\n')}\n`)) await once(out, 'drain');
        written += lines.length;
        progress.done[type] = written;
        await this.report(job.id, progress);
      }
    } finally {
      await next?.catch(() => undefined);
      out.end();
      await closed;
    }
    return written;
  }

  private async projected(contents: string[], profile: AccessProfile): Promise<string[]> {
    const resources = contents.map((c) => JSON.parse(c) as Resource);
    const facts = await loadVisibilityFacts(this.db, resources);
    return resources.flatMap((r) => {
      const served = applyAccessProfile(r, profile, facts).resource;
      return served ? [JSON.stringify(served)] : [];
    });
  }

  /** Records the progress; a job deleted meanwhile (cancelled) or a closing service stops here. */
  private async report(id: string, progress: Progress): Promise<void> {
    if (this.closed) throw new Cancelled();
    const { rowCount } = await this.db.pool.query(`UPDATE export_job SET progress = $2 WHERE id = $1 AND status = 'running'`, [id, JSON.stringify(progress)]);
    if (rowCount === 0) throw new Cancelled();
  }

  private async removeFiles(id: string): Promise<void> {
    await fs.promises.rm(path.join(this.dir, id), { recursive: true, force: true });
  }
}

/** `X-Progress`: "Location: 12,000 / 40,000 (type 3 of 6)". */
function describeProgress(job: JobRow): string {
  const progress = job.progress;
  if (job.status === 'queued') return 'Queued';
  if (!progress?.current) return 'Counting resources';
  const types = job.params.types;
  const type = progress.current;
  return `${type}: ${thousands(progress.done[type] ?? 0)} / ${thousands(progress.counts[type] ?? 0)} (type ${types.indexOf(type) + 1} of ${types.length})`;
}

/** Deletes the jobs past their expiry, and their files under `dir`; how many. */
export async function purgeExpiredExports(db: Database, dir: string): Promise<number> {
  const { rows } = await db.pool.query<{ id: string }>('DELETE FROM export_job WHERE expires_at <= now() RETURNING id');
  for (const { id } of rows) await fs.promises.rm(path.join(path.resolve(dir), id), { recursive: true, force: true });
  return rows.length;
}

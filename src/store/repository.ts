import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import type { OperationOutcomeIssue, Resource } from '@medplum/fhirtypes';
import type { Database } from '../db/open.ts';
import { transaction } from '../db/transaction.ts';
import { isSensitiveUnit } from '../model/healthcare-service.ts';
import { validateRorResource } from '../model/validate.ts';
import { extractIndex } from './indexing.ts';
import { CAPACITY_COLUMNS, capacityColumns, type IndexEntries } from './index-types.ts';
import { auditContextJson, SYSTEM_CONTEXT, type RequestContext } from './audit.ts';
import { CHANGE_CHANNEL, type ChangeEvent } from './events.ts';
import { badRequest, gone, invalidResource, notFound, StoreError, versionConflict } from './errors.ts';
import { jsonEqual } from './json.ts';
import { normalizeText } from './normalize.ts';
import type { PutOutcome, ResourceSink } from './sink.ts';
import { isIndexedResourceType, type IndexedResourceType } from './search-parameters/registry.ts';


const ID_PATTERN = /^[A-Za-z0-9\-.]{1,64}$/;
/** A batch that lost a race with a concurrent write is replayed on the new versions, up to this many times. */
const MAX_BATCH_ATTEMPTS = 3;
const UNIQUE_VIOLATION = '23505';
/**
 * Current rows of the ids in $2 (type $1) by primary-key look-ups. The plain `id = ANY($2)` form let the
 * planner scan every row of the type through another index while statistics lagged behind a growing table
 * (350 ms instead of 4 ms for 500 ids among 165 k Organizations).
 */
const BY_IDS = 'unnest($2::text[]) AS k(id) JOIN resource r ON r.resource_type = $1 AND r.id = k.id';


/** One stored version of a resource (`resource` is absent for a deletion tombstone). */
export interface StoredVersion {
  resourceType: string;
  id: string;
  versionId: string;
  lastUpdated: string;
  deleted: boolean;
  resource?: Resource;
}

/** A selection of versions for {@link Repository.historyPage}; `at` bounds are instants (ISO strings). */
export interface HistoryPageQuery {
  resourceType?: string;
  id?: string;
  since?: string;
  at?: { start: string; end: string };
  /** The last version of the previous page. */
  after?: Pick<StoredVersion, 'lastUpdated' | 'resourceType' | 'id' | 'versionId'>;
  count: number;
}

export interface WriteOptions {
  /** The expected current versionId (If-Match). */
  ifMatch?: string;
  /** Who writes, recorded in the audit log with the version (default: the server itself). */
  by?: RequestContext;
  /** Runs in the write's transaction once the version is written: what it changes commits with the version, or neither does. */
  inTransaction?: (client: pg.PoolClient) => Promise<void>;
}

/** One write of {@link Repository.writeTransaction}: a new version of `resource` (with its id), or a deletion. */
export type TransactionWrite =
  | { resource: Resource; ifMatch?: string }
  | { resource?: undefined; resourceType: string; id: string; ifMatch?: string };

/** The failure of the write at index `at` of {@link Repository.writeTransaction}, which wrote nothing. */
export class TransactionWriteError extends StoreError {
  readonly at: number;
  constructor(at: number, cause: StoreError) {
    super(cause.status, cause.issues);
    this.at = at;
  }
}

export interface RepositoryOptions {
  validate?: (resource: Resource) => OperationOutcomeIssue[];
  index?: (resource: Resource) => IndexEntries;
  now?: () => Date;
}

interface CurrentRow {
  id: string;
  version_id: number;
  deleted: boolean;
  content: Resource | null;
}

/** A write ready for the database: validated, indexed, versioned. */
interface PreparedWrite {
  resourceType: string;
  id: string;
  versionId: number;
  lastUpdated: string;
  existed: boolean;
  resource: Resource | null;
  index: IndexEntries | null;
  operation: ChangeEvent['operation'];
}

/**
 * The FHIR resource store: every write is validated, versioned, indexed and announced (NOTIFY) in one
 * transaction; a refused or failed write leaves nothing behind.
 */
export class Repository implements ResourceSink {
  readonly db: Database;
  private readonly validate: (resource: Resource) => OperationOutcomeIssue[];
  private readonly index: (resource: Resource) => IndexEntries;
  private readonly now: () => Date;

  constructor(db: Database, options: RepositoryOptions = {}) {
    this.db = db;
    this.validate = options.validate ?? validateRorResource;
    this.index = options.index ?? extractIndex;
    this.now = options.now ?? (() => new Date());
  }

  async create<T extends Resource>(resource: T, options: { by?: RequestContext } = {}): Promise<T> {
    const type = checkType(resource.resourceType);
    const id = randomUUID();
    const stamped = this.prepare(type, id, { ...resource, id }, 0, 'create');
    await this.transaction(async (client) => {
      await this.writePrepared(client, [stamped], options.by);
    });
    return stamped.resource as T;
  }

  /** Update (or create with the client's id). `ifMatch` is the expected current versionId. */
  async update<T extends Resource>(resource: T, options: WriteOptions = {}): Promise<{ resource: T; created: boolean }> {
    const type = checkType(resource.resourceType);
    const id = resource.id;
    if (!id || !ID_PATTERN.test(id)) throw badRequest(`Invalid or missing resource id "${id ?? ''}"`, `${type}.id`);
    return this.transaction(async (client) => {
      const current = (await this.currentRows(client, type, [id], { lock: true, content: false })).get(id);
      checkIfMatch(options.ifMatch, current, `${type}/${id}`);
      const prepared = this.prepare(type, id, resource, current?.version_id ?? 0, current && !current.deleted ? 'update' : 'create');
      await this.writePrepared(client, [prepared], options.by);
      await options.inTransaction?.(client);
      return { resource: prepared.resource as T, created: !current || current.deleted };
    });
  }

  async delete(resourceType: string, id: string, options: WriteOptions = {}): Promise<void> {
    const type = checkType(resourceType);
    await this.transaction(async (client) => {
      const current = (await this.currentRows(client, type, [id], { lock: true, content: false })).get(id);
      if (!current) throw notFound(`${type}/${id}`);
      checkIfMatch(options.ifMatch, current, `${type}/${id}`);
      if (current.deleted) return;
      await this.writePrepared(client, [this.tombstone(type, id, current.version_id)], options.by);
    });
  }

  /**
   * Writes all of `writes` or none, in one transaction: each is checked against its current row (locked) and
   * its `ifMatch`, then validated, before anything is written. A deletion of a deleted resource changes nothing
   * (its result is null, as for every deletion); the first failure throws a {@link TransactionWriteError}.
   */
  async writeTransaction(writes: TransactionWrite[], by?: RequestContext): Promise<({ resource: Resource; created: boolean } | null)[]> {
    return this.transaction(async (client) => {
      // What each write names, checked first; its error, if any, is thrown when its turn comes below.
      const seen = new Set<string>();
      const named = writes.map((w): { type: IndexedResourceType; id: string } | StoreError => {
        try {
          const type = checkType(w.resource ? w.resource.resourceType : w.resourceType);
          const id = (w.resource ? w.resource.id : w.id) ?? '';
          if (!ID_PATTERN.test(id)) throw badRequest(`Invalid or missing resource id "${id}"`, `${type}.id`);
          if (seen.has(`${type}/${id}`)) throw badRequest(`${type}/${id} is written more than once in the transaction`);
          seen.add(`${type}/${id}`);
          return { type, id };
        } catch (err) {
          if (err instanceof StoreError) return err;
          throw err;
        }
      });
      // One locking read per type, in id order, so that two transactions over the same rows never deadlock.
      const current = new Map<string, CurrentRow>();
      const idsByType = new Map<string, string[]>();
      for (const n of named) if (!(n instanceof StoreError)) idsByType.set(n.type, [...(idsByType.get(n.type) ?? []), n.id]);
      for (const [type, ids] of idsByType) {
        for (const [id, row] of await this.currentRows(client, type, [...ids].sort(), { lock: true, content: false })) current.set(`${type}/${id}`, row);
      }
      const prepared: PreparedWrite[] = [];
      const results: ({ resource: Resource; created: boolean } | null)[] = [];
      for (const [at, w] of writes.entries()) {
        try {
          const n = named[at] as { type: IndexedResourceType; id: string } | StoreError;
          if (n instanceof StoreError) throw n;
          const { type, id } = n;
          const row = current.get(`${type}/${id}`);
          checkIfMatch(w.ifMatch, row, `${type}/${id}`);
          if (!w.resource) {
            if (!row) throw notFound(`${type}/${id}`);
            if (!row.deleted) prepared.push(this.tombstone(type, id, row.version_id));
            results.push(null);
            continue;
          }
          const live = row !== undefined && !row.deleted;
          const p = this.prepare(type, id, w.resource, row?.version_id ?? 0, live ? 'update' : 'create');
          prepared.push(p);
          results.push({ resource: p.resource as Resource, created: !live });
        } catch (err) {
          throw err instanceof StoreError ? new TransactionWriteError(at, err) : err;
        }
      }
      if (prepared.length > 0) await this.writePrepared(client, prepared, by);
      return results;
    });
  }

  async read(resourceType: string, id: string): Promise<Resource> {
    const type = checkType(resourceType);
    const { rows } = await this.db.pool.query<CurrentRow>(
      'SELECT id, version_id, deleted, content FROM resource WHERE resource_type = $1 AND id = $2',
      [type, id],
    );
    const row = rows[0];
    if (!row) throw notFound(`${type}/${id}`);
    if (row.deleted || !row.content) throw gone(`${type}/${id}`);
    return row.content;
  }

  async vread(resourceType: string, id: string, versionId: string): Promise<Resource> {
    const type = checkType(resourceType);
    const v = Number(versionId);
    if (!Number.isInteger(v) || v < 1) throw notFound(`${type}/${id}/_history/${versionId}`);
    const { rows } = await this.db.pool.query<CurrentRow>(
      `SELECT id, version_id, deleted, content FROM resource WHERE resource_type = $1 AND id = $2 AND version_id = $3
       UNION ALL
       SELECT id, version_id, deleted, content FROM resource_history WHERE resource_type = $1 AND id = $2 AND version_id = $3`,
      [type, id, v],
    );
    const row = rows[0];
    if (!row) throw notFound(`${type}/${id}/_history/${versionId}`);
    if (row.deleted || !row.content) throw gone(`${type}/${id}/_history/${versionId}`);
    return row.content;
  }

  /** Every version of one resource, newest first (tombstones included). */
  async history(resourceType: string, id: string): Promise<StoredVersion[]> {
    const type = checkType(resourceType);
    const { rows } = await this.db.pool.query<CurrentRow & { last_updated: Date }>(
      `SELECT id, version_id, last_updated, deleted, content FROM resource WHERE resource_type = $1 AND id = $2
       UNION ALL
       SELECT id, version_id, last_updated, deleted, content FROM resource_history WHERE resource_type = $1 AND id = $2
       ORDER BY version_id DESC`,
      [type, id],
    );
    if (rows.length === 0) throw notFound(`${type}/${id}`);
    return rows.map((r) => storedVersion({ ...r, resource_type: type }));
  }

  /**
   * One page of versions of a resource, a type or every type, newest first (lastUpdated, then type, id and
   * version, all descending; tombstones included). `since` keeps versions updated at or after it; `at` keeps
   * the versions current at some time of the period [start, end). The page resumes strictly after `after`.
   */
  async historyPage(q: HistoryPageQuery): Promise<StoredVersion[]> {
    const params: unknown[] = [];
    const param = (value: unknown): string => `$${params.push(value)}`;
    const where = (alias: string, nextUpdated?: string): string => {
      const conditions: string[] = [];
      if (q.resourceType !== undefined) conditions.push(`${alias}.resource_type = ${param(checkType(q.resourceType))}`);
      if (q.id !== undefined) conditions.push(`${alias}.id = ${param(q.id)}`);
      if (q.since !== undefined) conditions.push(`${alias}.last_updated >= ${param(q.since)}`);
      if (q.at !== undefined) {
        conditions.push(`${alias}.last_updated < ${param(q.at.end)}`);
        if (nextUpdated) conditions.push(`${nextUpdated} > ${param(q.at.start)}`);
      }
      if (q.after !== undefined) {
        const { lastUpdated, resourceType, id, versionId } = q.after;
        conditions.push(
          `(${alias}.last_updated, ${alias}.resource_type, ${alias}.id, ${alias}.version_id) < (${param(lastUpdated)}::timestamptz, ${param(resourceType)}, ${param(id)}, ${param(versionId)}::int)`,
        );
      }
      return conditions.length > 0 ? `WHERE ${conditions.map((c) => `(${c})`).join(' AND ')}` : '';
    };
    const nextOfEarlier =
      'COALESCE((SELECT n.last_updated FROM resource_history n WHERE n.resource_type = h.resource_type AND n.id = h.id AND n.version_id = h.version_id + 1),' +
      ' (SELECT c.last_updated FROM resource c WHERE c.resource_type = h.resource_type AND c.id = h.id))';
    const columns = (alias: string): string => `${alias}.resource_type, ${alias}.id, ${alias}.version_id, ${alias}.last_updated, ${alias}.deleted, ${alias}.content`;
    const { rows } = await this.db.pool.query<CurrentRow & { resource_type: string; last_updated: Date }>(
      `SELECT ${columns('r')} FROM resource r ${where('r')}
       UNION ALL
       SELECT ${columns('h')} FROM resource_history h ${where('h', nextOfEarlier)}
       ORDER BY last_updated DESC, resource_type DESC, id DESC, version_id DESC
       LIMIT ${param(q.count)}`,
      params,
    );
    return rows.map(storedVersion);
  }

  async readCurrent(resourceType: string, ids: string[]): Promise<Map<string, Resource>> {
    const type = checkType(resourceType);
    const { rows } = await this.db.pool.query<CurrentRow>(
      `SELECT r.id, r.version_id, r.deleted, r.content FROM ${BY_IDS} WHERE NOT r.deleted`,
      [type, ids],
    );
    return new Map(rows.filter((r) => r.content).map((r) => [r.id, r.content as Resource]));
  }

  async idsByTag(resourceType: string, system: string, code: string): Promise<string[]> {
    const type = checkType(resourceType);
    const { rows } = await this.db.pool.query<{ id: string }>(
      `SELECT id FROM sp_token WHERE resource_type = $1 AND code = '_tag' AND system = $2 AND value = $3 ORDER BY id`,
      [type, system, code],
    );
    return rows.map((r) => r.id);
  }

  /**
   * Writes many resources (ids set by the caller) in one transaction. Invalid ones are rejected without
   * stopping the others; one equal to its current version is left unchanged.
   */
  async putBatch(resources: Resource[], by?: RequestContext): Promise<PutOutcome[]> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.putBatchOnce(resources, by);
      } catch (err) {
        if (!(err instanceof StoreError && err.status === 409 && attempt < MAX_BATCH_ATTEMPTS)) throw err;
      }
    }
  }

  /**
   * Reads the current versions without locking them (most of an import is unchanged) and relies on the
   * write statement's version check: a concurrent change makes the whole batch fail with 409.
   */
  private async putBatchOnce(resources: Resource[], by: RequestContext | undefined): Promise<PutOutcome[]> {
    const outcomes: PutOutcome[] = new Array(resources.length);
    await this.transaction(async (client) => {
      let pending: { at: number; type: string; resource: Resource }[] = [];
      const seen = new Set<string>();
      const flush = async (): Promise<void> => {
        const byType = new Map<string, string[]>();
        for (const p of pending) byType.set(p.type, [...(byType.get(p.type) ?? []), p.resource.id as string]);
        const current = new Map<string, CurrentRow>();
        for (const [type, ids] of byType) {
          for (const [id, row] of await this.currentRows(client, type, ids, { lock: false, content: true })) current.set(`${type}/${id}`, row);
        }
        const writes: PreparedWrite[] = [];
        for (const p of pending) {
          const id = p.resource.id as string;
          const row = current.get(`${p.type}/${id}`);
          if (row && !row.deleted && row.content && sameContent(row.content, p.resource)) {
            outcomes[p.at] = { status: 'unchanged', id, versionId: String(row.version_id) };
            continue;
          }
          try {
            const w = this.prepare(p.type, id, p.resource, row?.version_id ?? 0, row && !row.deleted ? 'update' : 'create');
            writes.push(w);
            outcomes[p.at] = { status: w.operation === 'create' ? 'created' : 'updated', id, versionId: String(w.versionId) };
          } catch (err) {
            if (!(err instanceof StoreError)) throw err;
            outcomes[p.at] = { status: 'rejected', id, issues: err.issues };
          }
        }
        if (writes.length > 0) await this.writePrepared(client, writes, by);
        pending = [];
        seen.clear();
      };
      for (let at = 0; at < resources.length; at++) {
        const resource = resources[at] as Resource;
        const id = resource.id ?? '';
        let type: string;
        try {
          type = checkType(resource.resourceType);
          if (!ID_PATTERN.test(id)) throw badRequest(`Invalid or missing resource id "${id}"`, `${type}.id`);
        } catch (err) {
          if (!(err instanceof StoreError)) throw err;
          outcomes[at] = { status: 'rejected', id, issues: err.issues };
          continue;
        }
        const key = `${type}/${id}`;
        if (seen.has(key)) await flush();
        seen.add(key);
        pending.push({ at, type, resource });
      }
      await flush();
    });
    return outcomes;
  }

  private prepare(type: string, id: string, resource: Resource, previousVersion: number, operation: ChangeEvent['operation']): PreparedWrite {
    const versionId = previousVersion + 1;
    const lastUpdated = this.now().toISOString();
    const stamped = {
      ...resource,
      id,
      meta: { ...resource.meta, versionId: String(versionId), lastUpdated },
    } as Resource;
    const issues = this.validate(stamped);
    if (issues.some((i) => i.severity === 'error' || i.severity === 'fatal')) throw invalidResource(issues);
    return {
      resourceType: type,
      id,
      versionId,
      lastUpdated,
      existed: previousVersion > 0,
      resource: stamped,
      index: this.index(stamped),
      operation,
    };
  }

  private tombstone(type: string, id: string, currentVersion: number): PreparedWrite {
    return {
      resourceType: type,
      id,
      versionId: currentVersion + 1,
      lastUpdated: this.now().toISOString(),
      existed: true,
      resource: null,
      index: null,
      operation: 'delete',
    };
  }

  /** The current rows of `ids`, locked or not; their content is read only when asked (`content` is null otherwise). */
  private async currentRows(
    client: pg.PoolClient,
    type: string,
    ids: string[],
    read: { lock: boolean; content: boolean },
  ): Promise<Map<string, CurrentRow>> {
    const { rows } = await client.query<CurrentRow>(
      `SELECT r.id, r.version_id, r.deleted, ${read.content ? 'r.content' : 'NULL AS content'} FROM ${BY_IDS}${read.lock ? ' FOR UPDATE OF r' : ''}`,
      [type, ids],
    );
    return new Map(rows.map((r) => [r.id, r]));
  }

  private async writePrepared(client: pg.PoolClient, writes: PreparedWrite[], by: RequestContext = SYSTEM_CONTEXT): Promise<void> {
    const rows = new WriteRows();
    for (const w of writes) rows.add(w);
    const concurrentWrite = (): StoreError =>
      new StoreError(409, [{ severity: 'error', code: 'conflict', diagnostics: 'A concurrent write changed one of these resources; retry' }]);
    let written: number;
    try {
      const result = await client.query<{ written: string }>({ name: 'ror_write', text: WRITE_SQL, values: [...rows.params(), auditContextJson(by)] });
      written = Number(result.rows[0]?.written);
    } catch (err) {
      // The same earlier version moved to history twice: another transaction replaced it first.
      if ((err as { code?: string }).code === UNIQUE_VIOLATION) throw concurrentWrite();
      throw err;
    }
    if (written !== writes.length) throw concurrentWrite();
  }

  private transaction<T>(fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    return transaction(this.db, fn);
  }

}

function storedVersion(r: CurrentRow & { resource_type: string; last_updated: Date }): StoredVersion {
  return {
    resourceType: r.resource_type,
    id: r.id,
    versionId: String(r.version_id),
    lastUpdated: r.last_updated.toISOString(),
    deleted: r.deleted,
    ...(r.content ? { resource: r.content } : {}),
  };
}

function checkType(type: string | undefined): IndexedResourceType {
  if (!type || !isIndexedResourceType(type)) throw badRequest(`Unsupported resource type "${type ?? ''}"`);
  return type;
}

function checkIfMatch(ifMatch: string | undefined, current: CurrentRow | undefined, what: string): void {
  if (ifMatch === undefined) return;
  const expected = ifMatch.replace(/^W\//, '').replace(/"/g, '');
  const actual = current ? String(current.version_id) : undefined;
  if (expected !== actual) {
    throw versionConflict(`${what}: If-Match expects version ${expected} but the current version is ${actual ?? 'none'}`);
  }
}

function sameContent(stored: Resource, incoming: Resource): boolean {
  const strip = (r: Resource): unknown => {
    const { versionId: _v, lastUpdated: _l, ...meta } = r.meta ?? {};
    return { ...r, meta: Object.keys(meta).length > 0 ? meta : undefined };
  };
  return jsonEqual(strip(stored), strip(incoming));
}

/** Rows of one WRITE_SQL execution, per table, keyed by column name (sent as JSON: far cheaper than array literals). */
class WriteRows {
  readonly resource: {
    resource_type: string;
    id: string;
    version_id: number;
    last_updated: string;
    deleted: boolean;
    sensitive: boolean;
    content: Resource | null;
  }[] = [];
  readonly old: { resource_type: string; id: string }[] = [];
  readonly token: { resource_type: string; id: string; code: string; system: string | null; value: string | null }[] = [];
  readonly string: { resource_type: string; id: string; code: string; value: string; norm: string }[] = [];
  readonly date: { resource_type: string; id: string; code: string; low: string | null; high: string | null }[] = [];
  readonly number: { resource_type: string; id: string; code: string; value: number }[] = [];
  readonly quantity: { resource_type: string; id: string; code: string; value: number; system: string | null; unit: string | null }[] = [];
  readonly reference: { resource_type: string; id: string; code: string; target_type: string | null; target_id: string }[] = [];
  readonly uri: { resource_type: string; id: string; code: string; value: string }[] = [];
  readonly position: { resource_type: string; id: string; lat: number; lon: number }[] = [];
  readonly capacity: ({ resource_type: string; id: string; entry: number } & ReturnType<typeof capacityColumns>)[] = [];
  readonly events: string[] = [];

  add(w: PreparedWrite): void {
    const { resourceType: resource_type, id } = w;
    const sensitive = w.resource?.resourceType === 'HealthcareService' && isSensitiveUnit(w.resource) === true;
    this.resource.push({ resource_type, id, version_id: w.versionId, last_updated: w.lastUpdated, deleted: w.resource === null, sensitive, content: w.resource });
    if (w.existed) this.old.push({ resource_type, id });
    const event: ChangeEvent = { resourceType: resource_type, id, versionId: String(w.versionId), lastUpdated: w.lastUpdated, operation: w.operation };
    this.events.push(JSON.stringify(event));
    const ix = w.index;
    if (!ix) return;
    const row = { resource_type, id };
    for (const e of ix.token) this.token.push({ ...row, code: e.code, system: e.system, value: e.value });
    for (const e of ix.string) this.string.push({ ...row, code: e.code, value: e.value, norm: normalizeText(e.value) });
    for (const e of ix.date) this.date.push({ ...row, code: e.code, low: e.low, high: e.high });
    for (const e of ix.number) this.number.push({ ...row, code: e.code, value: e.value });
    for (const e of ix.quantity) this.quantity.push({ ...row, code: e.code, value: e.value, system: e.system, unit: e.unit });
    for (const e of ix.reference) this.reference.push({ ...row, code: e.code, target_type: e.targetType, target_id: e.targetId });
    for (const e of ix.uri) this.uri.push({ ...row, code: e.code, value: e.value });
    if (ix.position) this.position.push({ ...row, lat: ix.position.lat, lon: ix.position.lon });
    ix.capacity.forEach((e, entry) => this.capacity.push({ ...row, entry, ...capacityColumns(e) }));
  }

  params(): (string | string[])[] {
    const json = [this.token, this.string, this.date, this.number, this.quantity, this.reference, this.uri, this.position, this.capacity, this.events].map((rows) =>
      JSON.stringify(rows),
    );
    return [JSON.stringify(this.resource), this.old.map((o) => o.resource_type), this.old.map((o) => o.id), ...json];
  }
}

/** Replaced resources as arrays: the planner knows their (small) count, so it keeps index scans. */
const OLD = 'unnest($2::text[], $3::text[]) AS o(resource_type, id)';
const clearIndex = (table: string): string => `DELETE FROM ${table} s USING ${OLD} WHERE s.resource_type = o.resource_type AND s.id = o.id`;
const KEY = 'resource_type text, id text, code text';
const fill = (table: string, param: number, columns: string): string =>
  `INSERT INTO ${table} SELECT * FROM json_to_recordset($${param}::json) AS x(${columns})`;

/**
 * One statement per batch: earlier versions to history, new versions in place, index rows replaced,
 * change events queued (PostgreSQL delivers NOTIFY only on commit), one audit record per version.
 * `content json` keeps the text of each resource as JSON.stringify wrote it, unparsed.
 */
const WRITE_SQL = `
WITH hist AS (
  INSERT INTO resource_history (resource_type, id, version_id, last_updated, deleted, content)
  SELECT r.resource_type, r.id, r.version_id, r.last_updated, r.deleted, r.content
  FROM resource r JOIN ${OLD} ON r.resource_type = o.resource_type AND r.id = o.id
),
up AS (
  INSERT INTO resource (resource_type, id, version_id, last_updated, deleted, sensitive, content)
  SELECT * FROM json_to_recordset($1::json)
    AS n(resource_type text, id text, version_id int, last_updated timestamptz, deleted boolean, sensitive boolean, content json)
  ON CONFLICT (resource_type, id) DO UPDATE
    SET version_id = excluded.version_id, last_updated = excluded.last_updated, deleted = excluded.deleted, sensitive = excluded.sensitive,
      content = excluded.content
    WHERE resource.version_id = excluded.version_id - 1
  RETURNING 1
),
d1 AS (${clearIndex('sp_token')}),
d2 AS (${clearIndex('sp_string')}),
d3 AS (${clearIndex('sp_date')}),
d4 AS (${clearIndex('sp_number')}),
d5 AS (${clearIndex('sp_quantity')}),
d6 AS (${clearIndex('sp_reference')}),
d7 AS (${clearIndex('sp_uri')}),
d8 AS (${clearIndex('sp_position')}),
d9 AS (${clearIndex('sp_capacity')}),
i1 AS (${fill('sp_token', 4, `${KEY}, system text, value text`)}),
i2 AS (${fill('sp_string', 5, `${KEY}, value text, norm text`)}),
i3 AS (${fill('sp_date', 6, `${KEY}, low timestamptz, high timestamptz`)}),
i4 AS (${fill('sp_number', 7, `${KEY}, value numeric`)}),
i5 AS (${fill('sp_quantity', 8, `${KEY}, value numeric, system text, unit text`)}),
i6 AS (${fill('sp_reference', 9, `${KEY}, target_type text, target_id text`)}),
i7 AS (${fill('sp_uri', 10, `${KEY}, value text`)}),
i8 AS (${fill('sp_position', 11, 'resource_type text, id text, lat float8, lon float8')}),
i9 AS (${fill('sp_capacity', 12, CAPACITY_COLUMNS)}),
ev AS (SELECT pg_notify('${CHANGE_CHANNEL}', e) FROM json_array_elements_text($13::json) AS e),
au AS (
  INSERT INTO audit_event (at, action, outcome, actor_kind, actor_id, actor_label, client, ip, resource_type, resource_id, version_id)
  SELECT e."lastUpdated", e.operation, 'success', a.kind, a.id, a.label, a.client, a.ip, e."resourceType", e.id, e."versionId"
  FROM json_array_elements_text($13::json) AS t(event)
  CROSS JOIN json_to_record(t.event::json) AS e("resourceType" text, id text, "versionId" integer, "lastUpdated" timestamptz, operation text)
  CROSS JOIN json_to_record($14::json) AS a(kind text, id text, label text, client text, ip text)
)
SELECT (SELECT count(*) FROM up) AS written, (SELECT count(*) FROM ev) AS notified`;

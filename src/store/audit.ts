import type { Database } from '../db/open.ts';

/** Who acts: a person's account, an API client, or the server itself (imports, seeds). */
export interface Actor {
  kind: 'user' | 'client' | 'system';
  id: string;
  /** Email, client name or command: what an auditor reads. */
  label: string;
}

/** Where a write or a read comes from, recorded with it in the audit log. */
export interface RequestContext {
  actor: Actor;
  /** The API client (its id), or the channel of a person or the server: `web`, `fhir`, `cli`, `import`. */
  client?: string;
  ip?: string;
}

export const SYSTEM_CONTEXT: RequestContext = { actor: { kind: 'system', id: 'system', label: 'system' }, client: 'cli' };

export type AuditOutcome = 'success' | 'denied' | 'failure';

export interface AuditEntry {
  action: string;
  outcome: AuditOutcome;
  context: RequestContext;
  resourceType?: string;
  resourceId?: string;
  versionId?: number;
  detail?: Record<string, unknown>;
}

export interface AuditRecord {
  id: string;
  at: string;
  action: string;
  outcome: AuditOutcome;
  actor: Actor;
  client: string | null;
  ip: string | null;
  resourceType: string | null;
  resourceId: string | null;
  versionId: number | null;
  detail: Record<string, unknown> | null;
}

export interface AuditQuery {
  actorId?: string;
  resourceType?: string;
  resourceId?: string;
  action?: string;
  outcome?: AuditOutcome;
  since?: string;
  until?: string;
  /** Newest first; at most this many (default 100, at most 1000). */
  limit?: number;
  /** Return only records older than this record id (paging). */
  before?: string;
}

/** The JSON parameter of the audit CTE of the write statement and of {@link recordAudit}. */
export function auditContextJson(context: RequestContext): string {
  const { actor, client, ip } = context;
  return JSON.stringify({ kind: actor.kind, id: actor.id, label: actor.label, client: client ?? null, ip: ip ?? null });
}

export async function recordAudit(db: Database, entries: AuditEntry[]): Promise<void> {
  if (entries.length === 0) return;
  const rows = entries.map((e) => ({
    action: e.action,
    outcome: e.outcome,
    actor_kind: e.context.actor.kind,
    actor_id: e.context.actor.id,
    actor_label: e.context.actor.label,
    client: e.context.client ?? null,
    ip: e.context.ip ?? null,
    resource_type: e.resourceType ?? null,
    resource_id: e.resourceId ?? null,
    version_id: e.versionId ?? null,
    detail: e.detail ?? null,
  }));
  await db.pool.query(
    `INSERT INTO audit_event (action, outcome, actor_kind, actor_id, actor_label, client, ip, resource_type, resource_id, version_id, detail)
     SELECT * FROM json_to_recordset($1::json) AS x(action text, outcome text, actor_kind text, actor_id text, actor_label text,
       client text, ip text, resource_type text, resource_id text, version_id integer, detail jsonb)`,
    [JSON.stringify(rows)],
  );
}

interface AuditRow {
  id: string;
  at: Date;
  action: string;
  outcome: AuditOutcome;
  actor_kind: Actor['kind'];
  actor_id: string;
  actor_label: string;
  client: string | null;
  ip: string | null;
  resource_type: string | null;
  resource_id: string | null;
  version_id: number | null;
  detail: Record<string, unknown> | null;
}

export async function queryAudit(db: Database, q: AuditQuery): Promise<AuditRecord[]> {
  const where: string[] = [];
  const params: unknown[] = [];
  const add = (clause: string, value: unknown): void => {
    params.push(value);
    where.push(clause.replace('?', `$${params.length}`));
  };
  if (q.actorId !== undefined) add('actor_id = ?', q.actorId);
  if (q.resourceType !== undefined) add('resource_type = ?', q.resourceType);
  if (q.resourceId !== undefined) add('resource_id = ?', q.resourceId);
  if (q.action !== undefined) add('action = ?', q.action);
  if (q.outcome !== undefined) add('outcome = ?', q.outcome);
  if (q.since !== undefined) add('at >= ?::timestamptz', q.since);
  if (q.until !== undefined) add('at < ?::timestamptz', q.until);
  if (q.before !== undefined) add('id < ?::bigint', q.before);
  const limit = Math.min(Math.max(q.limit ?? 100, 1), 1000);
  const { rows } = await db.pool.query<AuditRow>(
    `SELECT id::text, at, action, outcome, actor_kind, actor_id, actor_label, client, ip, resource_type, resource_id, version_id, detail
     FROM audit_event ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY audit_event.id DESC LIMIT ${limit}`,
    params,
  );
  return rows.map((r) => ({
    id: r.id,
    at: r.at.toISOString(),
    action: r.action,
    outcome: r.outcome,
    actor: { kind: r.actor_kind, id: r.actor_id, label: r.actor_label },
    client: r.client,
    ip: r.ip,
    resourceType: r.resource_type,
    resourceId: r.resource_id,
    versionId: r.version_id,
    detail: r.detail,
  }));
}

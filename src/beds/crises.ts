import { randomUUID } from 'node:crypto';
import type { Principal } from '../auth/principal.ts';
import { departmentByCode, regionByCode, regionOfDepartment } from '../geo/departments.ts';
import type { Database } from '../db/open.ts';
import { VALUE_SET } from '../model/urls.ts';
import { inValueSet } from './codes.ts';
import { BedError } from './errors.ts';
import { BEDS_CHANNEL } from './events.ts';

export interface CrisisScope {
  kind: 'region' | 'department';
  code: string;
}

/** A crisis (JDV_J194: 01 PMIE 1, 02 SSE / plan blanc) declared for a region or a department. */
export interface Crisis {
  id: string;
  scope: CrisisScope;
  crisisType: string;
  label?: string;
  startsAt: string;
  endsAt?: string;
  declaredBy: { kind: string; id: string; label: string };
  endedBy?: { kind: string; id: string; label: string };
}

export interface CrisisInput {
  scope: CrisisScope;
  crisisType: string;
  label?: string;
  startsAt?: string;
  endsAt?: string;
}

interface CrisisRow {
  id: string;
  scope_kind: 'region' | 'department';
  scope_code: string;
  crisis_type: string;
  label: string | null;
  starts_at: Date;
  ends_at: Date | null;
  declared_by: Crisis['declaredBy'];
  ended_by: Crisis['endedBy'] | null;
}

function crisisOf(r: CrisisRow): Crisis {
  const c: Crisis = {
    id: r.id,
    scope: { kind: r.scope_kind, code: r.scope_code },
    crisisType: r.crisis_type,
    startsAt: r.starts_at.toISOString(),
    declaredBy: r.declared_by,
  };
  if (r.label !== null) c.label = r.label;
  if (r.ends_at !== null) c.endsAt = r.ends_at.toISOString();
  if (r.ended_by) c.endedBy = r.ended_by;
  return c;
}

/** Whether a crisis is in force at `now`. */
export const isActive = (c: Crisis, now: number): boolean => Date.parse(c.startsAt) <= now && (c.endsAt === undefined || Date.parse(c.endsAt) > now);

/** Whether a crisis covers a place of `region` / `department`. */
export const covers = (c: Crisis, region: string | undefined, department: string | undefined): boolean =>
  c.scope.kind === 'region' ? c.scope.code === region : c.scope.code === department;

const regionOfScope = (scope: CrisisScope): string => (scope.kind === 'region' ? scope.code : regionOfDepartment(scope.code));

/** National administrators declare anywhere; regional administrators in their regions. */
function requireCrisisAdmin(p: Principal, scope: CrisisScope): void {
  if (!p.scopes.includes('admin')) throw new BedError(403, 'forbidden', 'Déclarer ou lever une crise est réservé aux administrateurs nationaux et régionaux.');
  if (!p.perimeter.national && !p.perimeter.regions.includes(regionOfScope(scope))) {
    throw new BedError(403, 'forbidden', `La crise porte sur ${scope.kind === 'region' ? 'la région' : 'le département'} ${scope.code}, hors de votre périmètre.`);
  }
}

function instant(value: string | undefined, name: string): Date | undefined {
  if (value === undefined) return undefined;
  const ms = Date.parse(value);
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(value) || Number.isNaN(ms)) {
    throw new BedError(400, 'invalid-parameter', `${name} : date-heure ISO 8601 avec fuseau attendue, reçu « ${String(value)} ».`);
  }
  return new Date(ms);
}

/** Checks a declaration's content (400 with the field at fault); the scope must exist. */
export function checkCrisisInput(input: CrisisInput): void {
  const { scope } = input;
  if (scope?.kind === 'region') {
    if (typeof scope.code !== 'string' || !regionByCode(scope.code)) throw new BedError(400, 'invalid-parameter', `scope.code : région inconnue « ${String(scope.code)} ».`);
  } else if (scope?.kind === 'department') {
    if (typeof scope.code !== 'string' || !departmentByCode(scope.code)) throw new BedError(400, 'invalid-parameter', `scope.code : département inconnu « ${String(scope.code)} ».`);
  } else {
    throw new BedError(400, 'invalid-parameter', 'scope : { "kind": "region" | "department", "code": … } attendu.');
  }
  if (!inValueSet(VALUE_SET.J194, input.crisisType)) {
    throw new BedError(400, 'invalid-parameter', `crisisType : code du JDV_J194 attendu (01 PMIE 1, 02 SSE - plan blanc), reçu « ${String(input.crisisType)} ».`);
  }
  if (input.label !== undefined && (typeof input.label !== 'string' || input.label.length > 500)) throw new BedError(400, 'invalid-parameter', 'label : texte de 500 caractères au plus attendu.');
  const start = instant(input.startsAt, 'startsAt');
  const end = instant(input.endsAt, 'endsAt');
  if (end && end <= (start ?? new Date())) throw new BedError(400, 'invalid-parameter', 'endsAt doit suivre le début de la crise.');
}

/** Declared crises, kept after they end (the board's history shows them). */
export class CrisisStore {
  constructor(
    private readonly db: Database,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async declare(p: Principal, input: CrisisInput): Promise<Crisis> {
    checkCrisisInput(input);
    requireCrisisAdmin(p, input.scope);
    const id = randomUUID();
    const who = { kind: p.kind, id: p.id, label: p.label };
    const { rows } = await this.db.pool.query<CrisisRow>(
      `WITH ins AS (
         INSERT INTO bed_crisis (id, scope_kind, scope_code, crisis_type, label, starts_at, ends_at, declared_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING *)
       SELECT ins.*, pg_notify('${BEDS_CHANNEL}', json_build_object('kind', 'crisis', 'id', ins.id)::text) FROM ins`,
      [id, input.scope.kind, input.scope.code, input.crisisType, input.label ?? null, instant(input.startsAt, 'startsAt') ?? this.now(), instant(input.endsAt, 'endsAt') ?? null, JSON.stringify(who)],
    );
    return crisisOf(rows[0] as CrisisRow);
  }

  /** Ends a crisis now (or at `at`); ending one already over answers 409. */
  async end(p: Principal, id: string, at?: string): Promise<Crisis> {
    const current = await this.get(id);
    requireCrisisAdmin(p, current.scope);
    const endAt = instant(at, 'endsAt') ?? this.now();
    if (current.endsAt !== undefined && Date.parse(current.endsAt) <= this.now().getTime()) throw new BedError(409, 'conflict', 'Cette crise est déjà terminée.');
    if (endAt.getTime() <= Date.parse(current.startsAt)) throw new BedError(400, 'invalid-parameter', 'La fin doit suivre le début de la crise.');
    const { rows } = await this.db.pool.query<CrisisRow>(
      `WITH up AS (UPDATE bed_crisis SET ends_at = $2, ended_by = $3 WHERE id = $1 RETURNING *)
       SELECT up.*, pg_notify('${BEDS_CHANNEL}', json_build_object('kind', 'crisis', 'id', up.id)::text) FROM up`,
      [id, endAt, JSON.stringify({ kind: p.kind, id: p.id, label: p.label })],
    );
    return crisisOf(rows[0] as CrisisRow);
  }

  async get(id: string): Promise<Crisis> {
    const { rows } = await this.db.pool.query<CrisisRow>('SELECT * FROM bed_crisis WHERE id = $1', [id]);
    if (!rows[0]) throw new BedError(404, 'not-found', `Crise ${id} introuvable.`);
    return crisisOf(rows[0]);
  }

  /** Crises in force at some time of [since, until) (every crisis when both are absent), newest first. */
  async list(q: { since?: Date; until?: Date } = {}): Promise<Crisis[]> {
    const { rows } = await this.db.pool.query<CrisisRow>(
      `SELECT * FROM bed_crisis
       WHERE ($1::timestamptz IS NULL OR ends_at IS NULL OR ends_at > $1) AND ($2::timestamptz IS NULL OR starts_at < $2)
       ORDER BY starts_at DESC, id`,
      [q.since ?? null, q.until ?? null],
    );
    return rows.map(crisisOf);
  }
}

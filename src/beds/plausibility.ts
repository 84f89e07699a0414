import type pg from 'pg';
import type { Location, Task } from '@medplum/fhirtypes';
import type { Database } from '../db/open.ts';
import { capacityConsistency } from '../model/rules.ts';
import { buildTask, getTaskInput } from '../model/task.ts';
import { SYSTEM } from '../model/urls.ts';
import type { RequestContext } from '../store/audit.ts';
import type { Repository } from '../store/repository.ts';
import type { BedBoard } from './board.ts';
import { readableCapacities, unitFigures, type BedUnit } from './unit.ts';

/** The anomalies the watcher raises, as the Task's ruleErrorId. */
export const PLAUSIBILITY_RULES = {
  consistency: 'ROR-LITS-COHERENCE',
  stuck: 'ROR-LITS-FIGE',
  hospitalZero: 'ROR-LITS-ETABLISSEMENT-ZERO',
} as const;

export interface PlausibilitySettings {
  /** A disponible figure re-sent unchanged for this many days while its neighbours move is suspicious. */
  stuckDays: number;
  /** … provided the unit sent at least this many updates over that period. */
  stuckMinUpdates: number;
  /** A whole établissement falling to 0 available from at least this many is suspicious. */
  hospitalDropFrom: number;
}

export const DEFAULT_PLAUSIBILITY: PlausibilitySettings = { stuckDays: 3, stuckMinUpdates: 6, hospitalDropFrom: 5 };

const OPEN_TASK = new Set(['draft', 'requested', 'received', 'accepted', 'ready', 'in-progress', 'on-hold']);
const WATCHER: RequestContext = { actor: { kind: 'system', id: 'beds-plausibility', label: 'contrôle de plausibilité des lits' }, client: 'beds' };
/** One instance among those sharing a database watches: the one holding this advisory lock. */
const LEADER_LOCK = 7_342_001;
const LEADER_RETRY_MS = 60_000;
const STUCK_CHECK_EVERY_MS = 6 * 3_600_000;
const MAX_SIBLINGS = 50;
/** A fall to zero counts as sudden when every unit of the établissement fell within this time. */
const SUDDEN_MS = 6 * 3_600_000;

/** The current disponible count of a unit's entries, all natures together (as the board computes each one). */
function availableOf(entries: BedUnit['entries']): number | undefined {
  const counts = unitFigures(entries).flatMap((f) => (f.available === null ? [] : [f.available]));
  return counts.length === 0 ? undefined : counts.reduce((a, b) => a + b, 0);
}

/**
 * Plausibility checks on bed figures, run as the board changes; each finding becomes a RORTask anomaly on the
 * Location (unless one of the same rule is still open there), which its referents see with their other Tasks.
 */
export class PlausibilityWatcher {
  /** What the watcher last heard of each unit's disponible count. */
  private readonly heard = new Map<string, { available?: number; lastPositive?: number; zeroSince?: number }>();
  private readonly stuckCheckedAt = new Map<string, number>();
  /** The connection holding the leader lock; `embedded` on PGlite, whose data directory has one process already. */
  private leader: pg.PoolClient | 'embedded' | undefined;
  private retry: NodeJS.Timeout | undefined;
  private stopListening: (() => void) | undefined;
  private queue: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(
    private readonly db: Database,
    private readonly repo: Repository,
    private readonly board: BedBoard,
    private readonly settings: PlausibilitySettings = DEFAULT_PLAUSIBILITY,
    private readonly now: () => number = Date.now,
  ) {}

  /** Becomes the watching instance when no other one is (retrying every minute). */
  async start(): Promise<void> {
    for (const unit of this.board.allUnits()) {
      const available = availableOf(unit.entries);
      this.heard.set(unit.id, available === undefined ? {} : { available, ...(available > 0 ? { lastPositive: available } : {}) });
    }
    this.stopListening = this.board.listen((ids, kind) => {
      if (kind === 'unit' && this.leader) this.queue = this.queue.then(() => this.checkUnits(ids)).catch(() => undefined);
    });
    await this.tryLead();
  }

  private async tryLead(): Promise<void> {
    if (this.closed) return;
    if (this.db.kind === 'pglite') {
      this.leader = 'embedded';
      return;
    }
    const client = await this.db.pool.connect();
    const { rows } = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1) AS ok', [LEADER_LOCK]);
    if (rows[0]?.ok) {
      this.leader = client;
      return;
    }
    client.release();
    this.retry = setTimeout(() => void this.tryLead().catch(() => undefined), LEADER_RETRY_MS).unref();
  }

  get leading(): boolean {
    return this.leader !== undefined;
  }

  /** Resolves once the checks of the changes heard so far are done. */
  async settled(): Promise<void> {
    await this.board.settled();
    await this.queue;
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.retry);
    this.stopListening?.();
    await this.queue;
    if (this.leader && this.leader !== 'embedded') {
      await this.leader.query('SELECT pg_advisory_unlock($1)', [LEADER_LOCK]).catch(() => undefined);
      this.leader.release();
    }
    this.leader = undefined;
  }

  private async checkUnits(ids: string[]): Promise<void> {
    const now = this.now();
    for (const id of ids) {
      const unit = this.board.unit(id);
      if (!unit) continue;
      const available = availableOf(unit.entries);
      const before = this.heard.get(id) ?? {};
      const after = { ...before };
      if (available !== undefined) {
        after.available = available;
        if (available > 0) {
          after.lastPositive = available;
          delete after.zeroSince;
        } else if (before.available === undefined || before.available > 0) {
          after.zeroSince = now;
        }
      }
      this.heard.set(id, after);
      const inconsistent = capacityConsistency(unit.entries);
      if (inconsistent.length > 0) await this.raise(id, PLAUSIBILITY_RULES.consistency, inconsistent.map((i) => i.diagnostics).join(' ; '));
      if (after.zeroSince === now) await this.checkHospitalZero(unit, now);
      await this.checkStuck(unit, available, now);
    }
  }

  /** Every unit of the établissement is at 0 available, those that fell within the last hours having had at least `hospitalDropFrom`. */
  private async checkHospitalZero(unit: BedUnit, now: number): Promise<void> {
    const eg = unit.establishment?.id;
    if (eg === undefined) return;
    const siblings = this.board.unitsOf(eg).filter((u) => u.active);
    if (siblings.length < 2) return;
    const heard = siblings.map((u) => this.heard.get(u.id) ?? {});
    if (heard.some((h) => h.available !== undefined && h.available > 0)) return;
    const previous = heard.reduce((n, h) => n + (h.zeroSince !== undefined && now - h.zeroSince <= SUDDEN_MS ? (h.lastPositive ?? 0) : 0), 0);
    if (previous < this.settings.hospitalDropFrom) return;
    await this.raise(
      unit.id,
      PLAUSIBILITY_RULES.hospitalZero,
      `Toutes les unités de l’établissement ${unit.establishment?.name ?? eg} (${siblings.length}) sont passées à 0 lit disponible en quelques heures (${previous} auparavant) : vérifier la saisie ou la liaison avec le logiciel de gestion des lits.`,
    );
  }

  /** The disponible count re-sent unchanged for `stuckDays` days in many updates, while other units of its établissement moved. */
  private async checkStuck(unit: BedUnit, available: number | undefined, now: number): Promise<void> {
    if (available === undefined || now - (this.stuckCheckedAt.get(unit.id) ?? 0) < STUCK_CHECK_EVERY_MS) return;
    this.stuckCheckedAt.set(unit.id, now);
    const since = new Date(now - this.settings.stuckDays * 86_400_000);
    const counts = await this.availableHistory([unit.id], since);
    const own = counts.get(unit.id) ?? [];
    if (own.length < this.settings.stuckMinUpdates || new Set(own).size > 1) return;
    const { rows } = await this.db.pool.query<{ first: Date }>(
      "SELECT min(last_updated) AS first FROM resource_history WHERE resource_type = 'Location' AND id = $1",
      [unit.id],
    );
    if (!rows[0]?.first || rows[0].first > since) return;
    const eg = unit.establishment?.id;
    if (eg === undefined) return;
    const siblings = this.board
      .unitsOf(eg)
      .filter((u) => u.id !== unit.id)
      .slice(0, MAX_SIBLINGS)
      .map((u) => u.id);
    if (siblings.length === 0) return;
    const theirs = await this.availableHistory(siblings, since);
    if (![...theirs.values()].some((list) => new Set(list).size > 1)) return;
    await this.raise(
      unit.id,
      PLAUSIBILITY_RULES.stuck,
      `Le nombre de lits disponibles (${available}) n’a pas changé en ${own.length} mises à jour sur ${this.settings.stuckDays} jours alors que les autres unités de l’établissement varient : chiffre figé ?`,
    );
  }

  /** The disponible counts of the versions of `ids` written since `since` (current version included), oldest first. */
  private async availableHistory(ids: string[], since: Date): Promise<Map<string, number[]>> {
    const { rows } = await this.db.pool.query<{ id: string; content: Location | null }>(
      `SELECT id, content FROM (
         SELECT id, version_id, content FROM resource_history WHERE resource_type = 'Location' AND id = ANY($1) AND last_updated >= $2 AND NOT deleted
         UNION ALL
         SELECT id, version_id, content FROM resource WHERE resource_type = 'Location' AND id = ANY($1) AND NOT deleted
       ) v ORDER BY id, version_id`,
      [ids, since],
    );
    const out = new Map<string, number[]>();
    for (const r of rows) {
      const n = r.content ? availableOf(readableCapacities(r.content)) : undefined;
      if (n !== undefined) out.set(r.id, [...(out.get(r.id) ?? []), n]);
    }
    return out;
  }

  /** Opens an anomaly on the Location, unless one of the same rule is still open there. */
  private async raise(locationId: string, rule: string, description: string): Promise<void> {
    const { rows } = await this.db.pool.query<{ content: Task }>(
      `SELECT r.content FROM sp_reference ref JOIN resource r ON r.resource_type = 'Task' AND r.id = ref.id AND NOT r.deleted
       WHERE ref.resource_type = 'Task' AND ref.code = 'focus' AND ref.target_type = 'Location' AND ref.target_id = $1`,
      [locationId],
    );
    if (rows.some((r) => OPEN_TASK.has(r.content.status) && getTaskInput(r.content, 'ruleErrorId') === rule)) return;
    const at = new Date(this.now()).toISOString();
    await this.repo.create(
      buildTask({
        focus: `Location/${locationId}`,
        status: 'requested',
        businessStatus: { system: SYSTEM.statutMetierAnomalie, code: '01' },
        code: { system: SYSTEM.thematiqueAnomalie, code: '06' },
        reasonCode: { system: SYSTEM.actionAnomalie, code: 'COR' },
        description,
        systemRequester: 'ROR-LITS',
        ruleErrorId: rule,
        pathElementError: "Location.extension.where(url = 'https://interop.esante.gouv.fr/ig/fhir/ror/StructureDefinition/ror-location-supported-capacity')",
        authoredOn: at,
        lastModified: at,
      }),
      { by: WATCHER },
    );
  }
}

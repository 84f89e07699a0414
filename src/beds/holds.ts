import { randomUUID } from 'node:crypto';
import type { Location } from '@medplum/fhirtypes';
import type { Principal } from '../auth/principal.ts';
import { requestContext } from '../auth/principal.ts';
import type { Database } from '../db/open.ts';
import { transaction } from '../db/transaction.ts';
import { CAPACITY_STATUS, CAPACITY_TEMPORALITY, getCapacities, setCapacities, type CapacityEntry } from '../model/capacity.ts';
import { VALUE_SET } from '../model/urls.ts';
import { StoreError } from '../store/errors.ts';
import type { Repository } from '../store/repository.ts';
import { inValueSet } from './codes.ts';
import { BedError } from './errors.ts';
import { BEDS_CHANNEL } from './events.ts';
import type { Freshness } from './freshness.ts';
import { isCrisisEntry, readableCapacities, unitFigures } from './unit.ts';

export type HoldState = 'held' | 'confirmed' | 'released' | 'expired';

/** One bed of a unit set aside by a regulator while a transfer is organised. */
export interface Hold {
  id: string;
  locationId: string;
  /** natureCapacite (JDV_J187) */
  capacityType: string;
  /** genreCapaciteDispo (JDV_J190), when a bed of one genre is held */
  gender?: string;
  state: HoldState;
  heldBy: { kind: string; id: string; label: string };
  note?: string;
  createdAt: string;
  expiresAt: string;
  endedAt?: string;
  endedBy?: { kind: string; id: string; label: string };
}

export interface HoldRequest {
  minutes?: number;
  capacityType?: string;
  gender?: string;
  note?: string;
}

export interface HoldSettings {
  defaultMinutes: number;
  maxMinutes: number;
  /** Holds one principal may have running at once. */
  maxActivePerHolder: number;
}

export const DEFAULT_HOLD_SETTINGS: HoldSettings = { defaultMinutes: 30, maxMinutes: 120, maxActivePerHolder: 5 };

export interface HoldRow {
  id: string;
  location_id: string;
  capacity_type: string;
  gender: string | null;
  state: 'held' | 'confirmed' | 'released';
  held_by: Hold['heldBy'];
  note: string | null;
  created_at: Date;
  expires_at: Date;
  ended_at: Date | null;
  ended_by: Hold['endedBy'] | null;
}

export function holdOf(r: HoldRow, now: number): Hold {
  const h: Hold = {
    id: r.id,
    locationId: r.location_id,
    capacityType: r.capacity_type,
    state: r.state === 'held' && r.expires_at.getTime() <= now ? 'expired' : r.state,
    heldBy: r.held_by,
    createdAt: r.created_at.toISOString(),
    expiresAt: r.expires_at.toISOString(),
  };
  if (r.gender !== null) h.gender = r.gender;
  if (r.note !== null) h.note = r.note;
  if (r.ended_at !== null) h.endedAt = r.ended_at.toISOString();
  if (r.ended_by) h.endedBy = r.ended_by;
  return h;
}

/** Whether a running hold takes a bed counted by a figure of `gender` (undefined: the unit's headline figure). */
const takesFrom = (h: Pick<Hold, 'gender'>, gender: string | undefined): boolean => gender === undefined || h.gender === undefined || h.gender === gender;

/** Beds still free for a new hold: the fresh or stale available figure less the running holds on it. */
export function freeBeds(entries: readonly CapacityEntry[], holds: readonly Pick<Hold, 'capacityType' | 'gender'>[], capacityType: string, gender: string | undefined): number | null {
  const figures = unitFigures(entries).find((f) => f.nature === capacityType);
  const available = gender === undefined ? figures?.available : figures?.availableByGender[gender] ?? (Object.keys(figures?.availableByGender ?? {}).length === 0 ? figures?.available : 0);
  if (available === null || available === undefined) return null;
  return available - holds.filter((h) => h.capacityType === capacityType && takesFrom(h, gender)).length;
}

const notify = (locationId: string): string => `pg_notify('${BEDS_CHANNEL}', json_build_object('kind', 'hold', 'locationId', ${locationId})::text)`;

/**
 * Bed holds. Placing one locks the unit's current row, so two regulators never hold the last bed together; a
 * hold runs until it expires, is released, or is confirmed — which writes the unit's new counts (one bed less
 * available, one more occupied) in the same transaction as the hold's end.
 */
export class HoldStore {
  constructor(
    private readonly db: Database,
    private readonly repo: Repository,
    private readonly freshness: (location: Location) => Freshness,
    private readonly settings: HoldSettings = DEFAULT_HOLD_SETTINGS,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Checks a request (400 naming the field) and fills its defaults. */
  private checked(req: HoldRequest): { minutes: number; capacityType: string; gender?: string; note?: string } {
    const minutes = req.minutes ?? this.settings.defaultMinutes;
    if (!Number.isInteger(minutes) || minutes < 1 || minutes > this.settings.maxMinutes) {
      throw new BedError(400, 'invalid-parameter', `minutes : entier de 1 à ${this.settings.maxMinutes} attendu, reçu « ${String(req.minutes)} ».`);
    }
    const capacityType = req.capacityType ?? '01';
    if (!inValueSet(VALUE_SET.J187, capacityType)) throw new BedError(400, 'invalid-parameter', `capacityType : code du JDV_J187 attendu (01 lit, 02 place), reçu « ${String(capacityType)} ».`);
    if (req.gender !== undefined && !inValueSet(VALUE_SET.J190, req.gender)) throw new BedError(400, 'invalid-parameter', `gender : code du JDV_J190 attendu, reçu « ${String(req.gender)} ».`);
    if (req.note !== undefined && (typeof req.note !== 'string' || req.note.length > 500)) throw new BedError(400, 'invalid-parameter', 'note : texte de 500 caractères au plus attendu.');
    return { minutes, capacityType, ...(req.gender !== undefined ? { gender: req.gender } : {}), ...(req.note !== undefined ? { note: req.note } : {}) };
  }

  async place(p: Principal, locationId: string, request: HoldRequest): Promise<Hold> {
    const req = this.checked(request);
    return transaction(this.db, async (client) => {
      const { rows: locs } = await client.query<{ content: Location }>(
        "SELECT content FROM resource WHERE resource_type = 'Location' AND id = $1 AND NOT deleted FOR UPDATE",
        [locationId],
      );
      const location = locs[0]?.content;
      if (!location) throw new BedError(404, 'not-found', `Unité ${locationId} introuvable.`);
      const now = this.now();
      if (this.freshness(location) === 'unknown') throw new BedError(409, 'unknown-availability', 'La disponibilité de cette unité n’est pas connue (chiffre trop ancien ou absent) : appelez l’unité.');
      const { rows: running } = await client.query<{ capacity_type: string; gender: string | null }>(
        "SELECT capacity_type, gender FROM bed_hold WHERE location_id = $1 AND state = 'held' AND expires_at > $2",
        [locationId, now],
      );
      const free = freeBeds(readableCapacities(location), running.map((r) => ({ capacityType: r.capacity_type, ...(r.gender !== null ? { gender: r.gender } : {}) })), req.capacityType, req.gender);
      if (free === null) throw new BedError(409, 'no-figure', 'Cette unité ne publie pas de disponibilité pour cette nature de capacité.');
      if (free < 1) throw new BedError(409, 'no-bed', 'Aucun lit disponible à réserver dans cette unité (lits restants déjà réservés ou aucun lit disponible).');
      const { rows: mine } = await client.query<{ n: string }>(
        "SELECT count(*) AS n FROM bed_hold WHERE held_by->>'kind' = $1 AND held_by->>'id' = $2 AND state = 'held' AND expires_at > $3",
        [p.kind, p.id, now],
      );
      if (Number(mine[0]?.n) >= this.settings.maxActivePerHolder) {
        throw new BedError(409, 'too-many-holds', `Vous avez déjà ${this.settings.maxActivePerHolder} réservations en cours : confirmez-en ou libérez-en une.`);
      }
      const { rows } = await client.query<HoldRow>(
        `WITH ins AS (
           INSERT INTO bed_hold (id, location_id, capacity_type, gender, state, held_by, note, created_at, expires_at)
           VALUES ($1, $2, $3, $4, 'held', $5, $6, $7, $8) RETURNING *)
         SELECT ins.*, ${notify('ins.location_id')} FROM ins`,
        [randomUUID(), locationId, req.capacityType, req.gender ?? null, JSON.stringify({ kind: p.kind, id: p.id, label: p.label }), req.note ?? null, now, new Date(now.getTime() + req.minutes * 60_000)],
      );
      return holdOf(rows[0] as HoldRow, now.getTime());
    });
  }

  async get(id: string): Promise<Hold> {
    const { rows } = await this.db.pool.query<HoldRow>('SELECT * FROM bed_hold WHERE id = $1', [id]);
    if (!rows[0]) throw new BedError(404, 'not-found', `Réservation ${id} introuvable.`);
    return holdOf(rows[0], this.now().getTime());
  }

  /** Running holds (of one unit, or of every unit). */
  async running(locationIds?: readonly string[]): Promise<Hold[]> {
    const now = this.now();
    const { rows } = await this.db.pool.query<HoldRow>(
      `SELECT * FROM bed_hold WHERE state = 'held' AND expires_at > $1 AND ($2::text[] IS NULL OR location_id = ANY($2)) ORDER BY created_at, id`,
      [now, locationIds ? [...locationIds] : null],
    );
    return rows.map((r) => holdOf(r, now.getTime()));
  }

  /** The holds a principal placed, newest first. */
  async of(p: Principal, limit = 50): Promise<Hold[]> {
    const { rows } = await this.db.pool.query<HoldRow>(
      "SELECT * FROM bed_hold WHERE held_by->>'kind' = $1 AND held_by->>'id' = $2 ORDER BY created_at DESC, id LIMIT $3",
      [p.kind, p.id, limit],
    );
    return rows.map((r) => holdOf(r, this.now().getTime()));
  }

  /** A running hold the caller may end: its own (administrators may end any). */
  private async endable(p: Principal, id: string): Promise<Hold> {
    const hold = await this.get(id);
    if (!(hold.heldBy.kind === p.kind && hold.heldBy.id === p.id) && !p.scopes.includes('admin')) {
      throw new BedError(403, 'forbidden', 'Seul l’auteur de la réservation (ou un administrateur) peut la confirmer ou la libérer.');
    }
    if (hold.state !== 'held') throw new BedError(409, 'hold-ended', `Cette réservation n’est plus en cours (${STATE_LABEL[hold.state]}).`);
    return hold;
  }

  async release(p: Principal, id: string): Promise<Hold> {
    await this.endable(p, id);
    const now = this.now();
    const { rows } = await this.db.pool.query<HoldRow>(
      `WITH up AS (UPDATE bed_hold SET state = 'released', ended_at = $2, ended_by = $3 WHERE id = $1 AND state = 'held' AND expires_at > $2 RETURNING *)
       SELECT up.*, ${notify('up.location_id')} FROM up`,
      [id, now, JSON.stringify({ kind: p.kind, id: p.id, label: p.label })],
    );
    if (!rows[0]) throw new BedError(409, 'hold-ended', 'Cette réservation vient de se terminer.');
    return holdOf(rows[0], now.getTime());
  }

  /**
   * The patient is coming: the unit's available count loses the bed (and its occupied count gains it) in a new
   * version of the Location, written in the transaction that ends the hold. The hold itself is the authority for
   * this one change; the version is recorded as written by the confirming principal.
   */
  async confirm(p: Principal, id: string): Promise<Hold> {
    const hold = await this.endable(p, id);
    const now = this.now();
    for (let attempt = 1; ; attempt++) {
      const location = (await this.repo.readCurrent('Location', [hold.locationId])).get(hold.locationId) as Location | undefined;
      if (!location) throw new BedError(404, 'not-found', `Unité ${hold.locationId} introuvable.`);
      const next = structuredClone(location);
      setCapacities(next, takeOneBed(getCapacities(location), hold, now.toISOString()));
      let confirmed: HoldRow | undefined;
      try {
        await this.repo.update(next, {
          ifMatch: location.meta?.versionId as string,
          by: requestContext(p),
          inTransaction: async (client) => {
            const { rows } = await client.query<HoldRow>(
              `WITH up AS (UPDATE bed_hold SET state = 'confirmed', ended_at = $2, ended_by = $3 WHERE id = $1 AND state = 'held' AND expires_at > $2 RETURNING *)
               SELECT up.*, ${notify('up.location_id')} FROM up`,
              [id, now, JSON.stringify({ kind: p.kind, id: p.id, label: p.label })],
            );
            confirmed = rows[0];
            if (!confirmed) throw new BedError(409, 'hold-ended', 'Cette réservation vient de se terminer.');
          },
        });
      } catch (err) {
        if (err instanceof StoreError && err.status === 412 && attempt < 3) continue;
        throw err;
      }
      return holdOf(confirmed as HoldRow, now.getTime());
    }
  }


}

const STATE_LABEL: Record<HoldState, string> = { held: 'en cours', confirmed: 'confirmée', released: 'libérée', expired: 'expirée' };

/** The unit's entries once the held bed is taken: current disponible −1 (its genre too), occupé +1 where published. */
export function takeOneBed(entries: CapacityEntry[], hold: Pick<Hold, 'capacityType' | 'gender'>, at: string): CapacityEntry[] {
  const current = (e: CapacityEntry, status: string): boolean =>
    e.capacityType === hold.capacityType && e.capacityStatus === status && e.temporality === CAPACITY_TEMPORALITY.courant && !isCrisisEntry(e);
  const touched = (e: CapacityEntry, nb: number): CapacityEntry => ({ ...e, nbCapacity: Math.max(0, nb), updateDate: at });
  return entries.map((e) => {
    if (current(e, CAPACITY_STATUS.disponible) && (e.gender === undefined || e.gender === '03' || e.gender === hold.gender)) return touched(e, e.nbCapacity - 1);
    if (current(e, CAPACITY_STATUS.occupe) && (e.gender === undefined || e.gender === '03' || e.gender === hold.gender)) return touched(e, e.nbCapacity + 1);
    return e;
  });
}

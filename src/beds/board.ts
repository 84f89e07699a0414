import type { HealthcareService, Location } from '@medplum/fhirtypes';
import { isInside, type Anchors } from '../auth/perimeter.ts';
import type { Principal } from '../auth/principal.ts';
import { capacityFilter } from '../auth/visibility.ts';
import type { Database } from '../db/open.ts';
import { departmentByCode } from '../geo/departments.ts';
import { haversineKm, type GeoPoint } from '../geo/distance.ts';
import type { CapacityEntry } from '../model/capacity.ts';
import { parseTypedReference } from '../store/indexing.ts';
import { subscribeChanges, type ChangeEvent } from '../store/events.ts';
import { covers, isActive, type Crisis, type CrisisStore } from './crises.ts';
import { BEDS_CHANNEL, type BedEvent } from './events.ts';
import { freshnessOf, refreshIntervalMs, type Freshness, type FreshnessPolicy } from './freshness.ts';
import { boardStateAt } from './history.ts';
import { freeBeds, type Hold, type HoldStore } from './holds.ts';
import { bedUnitOf, isCrisisEntry, unitFigures, type BedUnit, type UnitFigures, type UnitService } from './unit.ts';

/** Which units a board view shows; every field narrows (lists: any of). */
export interface BoardFilter {
  region?: string;
  department?: string;
  activities?: readonly string[];
  unitTypes?: readonly string[];
  units?: readonly string[];
}

export interface ServedFigures extends UnitFigures {
  freshness: Freshness;
  /** Minutes since the disponible figure was updated; null without one. */
  ageMinutes: number | null;
  /** Beds held by regulators right now. */
  held: number;
  /** What may be offered now: disponible less the holds, null when the figure is unknown (too old or absent). */
  availableNow: number | null;
}

/** A unit as one principal is served it. */
export interface ServedUnit extends Omit<BedUnit, 'services' | 'entries'> {
  services: Omit<UnitService, 'sensitive'>[];
  figures: ServedFigures[];
  /** The worst freshness of its figures. */
  freshness: Freshness;
  refreshHours: number;
  inCrisis: boolean;
  /** Crisis figures (crisis type or temporary assignment) the unit publishes. */
  crisisEntries: CapacityEntry[];
  /** During a crisis: the supplementary-bed figures asked of the unit that it has not published (JDV_J192 codes). */
  crisisFieldsMissing: string[];
  holds: Pick<Hold, 'id' | 'capacityType' | 'gender' | 'expiresAt'>[];
}

export interface Totals {
  units: number;
  fresh: number;
  stale: number;
  unknown: number;
  installed: number;
  /** Disponible of the units whose figure is known (fresh or stale). */
  available: number;
  availableNow: number;
  occupied: number;
  reserved: number;
  closed: number;
  held: number;
  supplementary: { total: number; byType: Record<string, number> };
}

export interface BoardView {
  at: string;
  crises: Crisis[];
  /** Totals per nature (JDV_J187: 01 lits, 02 places). */
  totals: Record<string, Totals>;
  units: ServedUnit[];
}

const FRESHNESS_RANK: Record<Freshness, number> = { fresh: 0, stale: 1, unknown: 2 };
/** Supplementary-bed figures a crisis asks of every unit concerned (JDV_J192 02 mobilisable sans RH, 03 avec RH). */
const CRISIS_FIELDS = ['02', '03'];
const LOAD_PAGE = 2000;
const FLUSH_DELAY_MS = 5;
const FRENCH = new Intl.Collator('fr');
const byId = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
const RETRY_DELAY_MS = 1000;

interface ServeContext {
  now: number;
  holds: ReadonlyMap<string, readonly Hold[]>;
  crises: readonly Crisis[];
}

interface OrgRow {
  name?: string;
  partOf?: string;
}

const emptyTotals = (): Totals => ({
  units: 0,
  fresh: 0,
  stale: 0,
  unknown: 0,
  installed: 0,
  available: 0,
  availableNow: 0,
  occupied: 0,
  reserved: 0,
  closed: 0,
  held: 0,
  supplementary: { total: 0, byType: {} },
});

/**
 * The bed board: every lieu with capacity entries, kept in memory from PostgreSQL and patched from the change
 * events of every instance (Location, HealthcareService and Organization versions, holds, crises), so that a
 * view costs no database work. Listeners hear the id of every unit that changed, after the board has it.
 */
export class BedBoard {
  private readonly units = new Map<string, BedUnit>();
  private readonly byEstablishment = new Map<string, Set<string>>();
  /** When this instance last applied a change to a unit (ms), for resuming streams; removed units too. */
  private readonly changedAt = new Map<string, number>();
  private readonly removed = new Set<string>();
  private readonly orgs = new Map<string, OrgRow>();
  private readonly holdsByUnit = new Map<string, Hold[]>();
  private crises: Crisis[] = [];
  private readonly listeners = new Set<(unitIds: string[], kind: 'unit' | 'crisis') => void>();
  private readonly pending = { Location: new Set<string>(), HealthcareService: new Set<string>(), Organization: new Set<string>(), holds: new Set<string>(), crises: false };
  private flushTimer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();
  private expiryTimer: NodeJS.Timeout | undefined;
  private crisisTimer: NodeJS.Timeout | undefined;
  private unsubscribe: (() => Promise<void>)[] = [];
  private holds!: HoldStore;

  private constructor(
    private readonly db: Database,
    private readonly crisisStore: CrisisStore,
    readonly policy: FreshnessPolicy,
    private readonly now: () => number,
    private readonly onError: (err: unknown) => void,
  ) {}

  /** Loads the board and follows the change events; `holds` gives the running holds. */
  static async open(
    db: Database,
    options: { crises: CrisisStore; holds: (board: BedBoard) => HoldStore; policy: FreshnessPolicy; now?: () => number; onError?: (err: unknown) => void },
  ): Promise<BedBoard> {
    const board = new BedBoard(db, options.crises, options.policy, options.now ?? Date.now, options.onError ?? ((err) => console.error('bed board: applying changes failed, retrying', err)));
    board.holds = options.holds(board);
    board.unsubscribe.push(await subscribeChanges(db, (e) => board.onChange(e)));
    board.unsubscribe.push(await db.listen(BEDS_CHANNEL, (payload) => board.onBedEvent(JSON.parse(payload) as BedEvent)));
    // Changes heard while loading are applied once the load is done, so that no page read earlier overwrites them.
    board.ready = board.loadAll().then(() => {
      board.loaded = true;
    });
    board.flushing = board.ready.catch(() => undefined);
    return board;
  }

  /** Resolves once every unit is loaded (rejects when the load fails). */
  ready!: Promise<void>;
  /** Whether {@link ready} has resolved. */
  loaded = false;
  /** Units loaded so far, and of how many (known once the load has counted them). */
  readonly progress = { units: 0, of: 0 };

  get holdStore(): HoldStore {
    return this.holds;
  }

  async close(): Promise<void> {
    clearTimeout(this.flushTimer);
    clearTimeout(this.expiryTimer);
    clearTimeout(this.crisisTimer);
    for (const u of this.unsubscribe) await u();
    await this.flushing;
  }

  /** Hears the ids of changed units ('unit'), or that the crises changed ('crisis'). */
  listen(cb: (unitIds: string[], kind: 'unit' | 'crisis') => void): () => void {
    this.listeners.add(cb);
    return () => this.listeners.delete(cb);
  }

  /** Resolves once every change event received so far is applied. */
  async settled(): Promise<void> {
    if (this.flushTimer) this.flushNow();
    await this.flushing;
  }

  /**
   * Re-reads units and their holds now, without waiting for the change events (which follow): whoever just
   * changed them reads their change back at once.
   */
  async refresh(what: { locations?: readonly string[]; holds?: readonly string[] }): Promise<void> {
    for (const id of what.locations ?? []) this.pending.Location.add(id);
    for (const id of what.holds ?? []) this.pending.holds.add(id);
    this.flushNow();
    await this.flushing;
  }

  /**
   * A Location version this server has just written (`location` as stored), applied without reading it back when
   * its unit is on the board (its offers as the board has them); otherwise read back as {@link refresh} does.
   */
  async written(location: Location): Promise<void> {
    const id = location.id as string;
    const known = this.units.get(id);
    if (!known || !this.loaded) return this.refresh({ locations: [id] });
    if (Number(location.meta?.versionId) <= Number(known.versionId)) return;
    const unit = bedUnitOf(location, [], this.establishmentName(location));
    this.put(id, unit && { ...unit, services: known.services });
    if (!unit) this.removed.add(id);
    this.changedAt.set(id, this.now());
    this.emit([id], 'unit');
  }

  private flushNow(): void {
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    this.flushing = this.flushing.then(() => this.flush());
  }

  get size(): number {
    return this.units.size;
  }

  private async loadAll(): Promise<void> {
    const { rows: orgs } = await this.db.pool.query<{ id: string; name: string | null; part_of: string | null }>(
      "SELECT id, content->>'name' AS name, content->'partOf'->>'reference' AS part_of FROM resource WHERE resource_type = 'Organization' AND NOT deleted",
    );
    for (const o of orgs) this.orgs.set(o.id, orgRow(o));
    const { rows: ids } = await this.db.pool.query<{ id: string }>("SELECT DISTINCT id FROM sp_capacity WHERE resource_type = 'Location' ORDER BY id");
    this.progress.of = ids.length;
    // Two pages in flight: the database reads one while this process parses the other.
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < ids.length) {
        const page = ids.slice(next, (next += LOAD_PAGE)).map((r) => r.id);
        await this.reloadLocations(page, false);
        this.progress.units = this.units.size;
      }
    };
    await Promise.all([worker(), worker()]);
    await this.reloadCrises(false);
    await this.reloadHolds(undefined, false);
  }

  private onChange(e: ChangeEvent): void {
    // A version this board already has (read back by whoever wrote it) needs no second read.
    if (e.resourceType === 'Location' && this.units.get(e.id)?.versionId === e.versionId) return;
    if (e.resourceType === 'Location' || e.resourceType === 'HealthcareService' || e.resourceType === 'Organization') {
      this.pending[e.resourceType].add(e.id);
      this.schedule();
    }
  }

  private onBedEvent(e: BedEvent): void {
    if (e.kind === 'hold') this.pending.holds.add(e.locationId);
    else this.pending.crises = true;
    this.schedule();
  }

  private schedule(delayMs = FLUSH_DELAY_MS): void {
    if (this.flushTimer) return;
    this.flushTimer = setTimeout(() => {
      this.flushTimer = undefined;
      this.flushing = this.flushing.then(() => this.flush());
    }, delayMs);
  }

  /** Applies the pending changes; when the database fails, they stay pending and are tried again a second later. */
  private async flush(): Promise<void> {
    const take = <T>(set: Set<T>): T[] => {
      const out = [...set];
      set.clear();
      return out;
    };
    const orgIds = take(this.pending.Organization);
    const serviceIds = take(this.pending.HealthcareService);
    const locationIds = take(this.pending.Location);
    const holdIds = take(this.pending.holds);
    const crises = this.pending.crises;
    this.pending.crises = false;
    try {
      await this.apply(orgIds, serviceIds, new Set(locationIds), holdIds, crises);
    } catch (err) {
      for (const id of orgIds) this.pending.Organization.add(id);
      for (const id of serviceIds) this.pending.HealthcareService.add(id);
      for (const id of locationIds) this.pending.Location.add(id);
      for (const id of holdIds) this.pending.holds.add(id);
      this.pending.crises ||= crises;
      this.onError(err);
      this.schedule(RETRY_DELAY_MS);
    }
  }

  private async apply(orgIds: string[], serviceIds: string[], locationIds: Set<string>, holdIds: string[], crises: boolean): Promise<void> {
    const touched = new Set<string>();
    if (orgIds.length > 0) {
      const { rows } = await this.db.pool.query<{ id: string; name: string | null; part_of: string | null; deleted: boolean }>(
        "SELECT id, deleted, content->>'name' AS name, content->'partOf'->>'reference' AS part_of FROM resource WHERE resource_type = 'Organization' AND id = ANY($1)",
        [orgIds],
      );
      for (const o of rows) {
        if (o.deleted) this.orgs.delete(o.id);
        else this.orgs.set(o.id, orgRow(o));
      }
      for (const u of this.units.values()) if (u.establishment && orgIds.includes(u.establishment.id)) locationIds.add(u.id);
    }
    if (serviceIds.length > 0) {
      const { rows } = await this.db.pool.query<{ target_id: string }>(
        "SELECT target_id FROM sp_reference WHERE resource_type = 'HealthcareService' AND code = 'location' AND target_type = 'Location' AND id = ANY($1)",
        [serviceIds],
      );
      for (const r of rows) locationIds.add(r.target_id);
      for (const u of this.units.values()) if (u.services.some((s) => serviceIds.includes(s.id))) locationIds.add(u.id);
    }
    if (locationIds.size > 0) for (const id of await this.reloadLocations([...locationIds], true)) touched.add(id);
    if (holdIds.length > 0) for (const id of await this.reloadHolds(holdIds, true)) touched.add(id);
    if (crises) await this.reloadCrises(true);
    if (touched.size > 0) this.emit([...touched], 'unit');
  }

  private emit(ids: string[], kind: 'unit' | 'crisis'): void {
    for (const cb of this.listeners) cb(ids, kind);
  }

  /** Re-reads Locations and their offers; returns the ids whose board row changed (added, updated, removed). */
  private async reloadLocations(ids: string[], track: boolean): Promise<string[]> {
    const { rows: locs } = await this.db.pool.query<{ id: string; content: Location }>(
      "SELECT id, content FROM unnest($1::text[]) AS k(id) JOIN resource r USING (id) WHERE r.resource_type = 'Location' AND NOT r.deleted",
      [ids],
    );
    const { rows: services } = await this.db.pool.query<{ target_id: string; content: HealthcareService }>(
      `SELECT ref.target_id, r.content FROM sp_reference ref JOIN resource r ON r.resource_type = 'HealthcareService' AND r.id = ref.id AND NOT r.deleted
       WHERE ref.resource_type = 'HealthcareService' AND ref.code = 'location' AND ref.target_type = 'Location' AND ref.target_id = ANY($1)
       ORDER BY r.id`,
      [ids],
    );
    const servicesOf = new Map<string, HealthcareService[]>();
    for (const s of services) servicesOf.set(s.target_id, [...(servicesOf.get(s.target_id) ?? []), s.content]);
    const seen = new Set<string>();
    const changed: string[] = [];
    const now = this.now();
    for (const { id, content } of locs) {
      const unit = bedUnitOf(content, servicesOf.get(id) ?? [], this.establishmentName(content));
      if (!unit) continue;
      seen.add(id);
      const before = this.units.get(id);
      if (before && JSON.stringify(before) === JSON.stringify(unit)) continue;
      this.put(id, unit);
      this.removed.delete(id);
      this.changedAt.set(id, now);
      changed.push(id);
    }
    for (const id of ids) {
      if (seen.has(id) || !this.units.has(id)) continue;
      this.put(id, undefined);
      this.removed.add(id);
      this.changedAt.set(id, now);
      changed.push(id);
    }
    return track ? changed : [];
  }

  private async reloadHolds(locationIds: string[] | undefined, track: boolean): Promise<string[]> {
    const running = await this.holds.running(locationIds);
    const key = (hs: readonly Hold[] | undefined): string => (hs ?? []).map((h) => h.id).join(',');
    const before = new Map((locationIds ?? []).map((id) => [id, key(this.holdsByUnit.get(id))]));
    if (locationIds) for (const id of locationIds) this.holdsByUnit.delete(id);
    else this.holdsByUnit.clear();
    for (const h of running) this.holdsByUnit.set(h.locationId, [...(this.holdsByUnit.get(h.locationId) ?? []), h]);
    this.scheduleExpiry();
    if (!track || !locationIds) return [];
    const now = this.now();
    const changed = locationIds.filter((id) => before.get(id) !== key(this.holdsByUnit.get(id)));
    for (const id of changed) this.changedAt.set(id, now);
    return changed.filter((id) => this.units.has(id));
  }

  /** At the next hold expiry, drops the expired holds and tells listeners of their units. */
  private scheduleExpiry(): void {
    clearTimeout(this.expiryTimer);
    let next = Infinity;
    for (const hs of this.holdsByUnit.values()) for (const h of hs) next = Math.min(next, Date.parse(h.expiresAt));
    if (next === Infinity) return;
    this.expiryTimer = setTimeout(() => {
      const now = this.now();
      const expired: string[] = [];
      for (const [id, hs] of this.holdsByUnit) {
        const left = hs.filter((h) => Date.parse(h.expiresAt) > now);
        if (left.length === hs.length) continue;
        expired.push(id);
        if (left.length > 0) this.holdsByUnit.set(id, left);
        else this.holdsByUnit.delete(id);
        this.changedAt.set(id, now);
      }
      this.scheduleExpiry();
      if (expired.length > 0) this.emit(expired, 'unit');
    }, Math.max(0, Math.min(next - this.now() + 5, 2 ** 31 - 1))).unref();
  }

  private async reloadCrises(track: boolean): Promise<void> {
    this.crises = await this.crisisStore.list({ since: new Date(this.now()) });
    this.scheduleCrisisBoundary();
    if (track) this.emit([], 'crisis');
  }

  /** When a crisis starts or ends at a time set in advance, listeners hear of it then. */
  private scheduleCrisisBoundary(): void {
    clearTimeout(this.crisisTimer);
    const now = this.now();
    const next = Math.min(...this.crises.flatMap((c) => [Date.parse(c.startsAt), c.endsAt === undefined ? Infinity : Date.parse(c.endsAt)]).filter((t) => t > now));
    if (next === Infinity) return;
    this.crisisTimer = setTimeout(() => {
      this.crises = this.crises.filter((c) => c.endsAt === undefined || Date.parse(c.endsAt) > this.now());
      this.scheduleCrisisBoundary();
      this.emit([], 'crisis');
    }, Math.min(next - now + 5, 2 ** 31 - 1)).unref();
  }

  /** Crises in force now (or starting later), optionally those covering a place. */
  activeCrises(at = this.now()): Crisis[] {
    return this.crises.filter((c) => isActive(c, at) || Date.parse(c.startsAt) > at);
  }

  /** What serving a unit depends on besides the unit: the time, the running holds, the crises. */
  private live(): ServeContext {
    return { now: this.now(), holds: this.holdsByUnit, crises: this.crises };
  }

  /** The freshness of a stored Location's disponible figures, as holds need it. */
  freshnessOfLocation(location: Location): Freshness {
    return this.unitOfLocation(location, undefined)?.freshness ?? 'unknown';
  }

  /** A stored Location as its board row would serve it to `p` now (e.g. just after writing it). */
  serveLocation(p: Principal, location: Location): ServedUnit | undefined {
    return this.unitOfLocation(location, p);
  }

  private unitOfLocation(location: Location, p: Principal | undefined): ServedUnit | undefined {
    const unit = bedUnitOf(location, [], this.establishmentName(location));
    if (!unit) return undefined;
    const full = { ...unit, services: this.units.get(unit.id)?.services ?? [] };
    return p === undefined || this.visible(p, full) ? this.serveUnit(full, p, this.live()) : undefined;
  }

  /** The unit as `p` is served it; undefined when its profile hides it (sensitive unit) or it is not on the board. */
  serve(p: Principal, id: string): ServedUnit | undefined {
    const unit = this.units.get(id);
    return unit && this.visible(p, unit) ? this.serveUnit(unit, p, this.live()) : undefined;
  }

  private visible(p: Principal, unit: BedUnit): boolean {
    return p.profile === 1 || !unit.services.some((s) => s.sensitive);
  }

  private serveUnit(unit: BedUnit, p: Principal | undefined, ctx: ServeContext): ServedUnit {
    const { now } = ctx;
    const champs = unit.services.flatMap((s) => (s.champ ? [s.champ] : []));
    const keep = p ? capacityFilter(p.profile, champs) : undefined;
    const entries = keep ? unit.entries.filter((e) => keep(e)) : unit.entries;
    const inCrisis = ctx.crises.some((c) => isActive(c, now) && covers(c, unit.region, unit.department));
    const interval = refreshIntervalMs(this.policy, unit.services.flatMap((s) => (s.activity ? [s.activity] : [])), inCrisis);
    const holds = (ctx.holds.get(unit.id) ?? []).filter((h) => Date.parse(h.expiresAt) > now && Date.parse(h.createdAt) <= now);
    const figures = unitFigures(entries).map((f): ServedFigures => {
      const freshness = unit.active ? freshnessOf(f.updatedAt, now, interval) : 'fresh';
      const held = holds.filter((h) => h.capacityType === f.nature).length;
      const known = freshness !== 'unknown' && f.available !== null;
      return {
        ...f,
        freshness,
        ageMinutes: f.updatedAt === undefined ? null : Math.max(0, Math.floor((now - Date.parse(f.updatedAt)) / 60_000)),
        held,
        // RG_EXP_047: a closed lieu has nothing available, whatever its last figure said.
        availableNow: !unit.active ? 0 : known ? Math.max(0, (f.available as number) - held) : null,
      };
    });
    const crisisEntries = entries.filter(isCrisisEntry);
    const published = new Set(entries.filter((e) => e.capacityStatus === '06').map((e) => e.additionalBedType));
    const served: ServedUnit = {
      id: unit.id,
      versionId: unit.versionId,
      lastUpdated: unit.lastUpdated,
      name: unit.name,
      active: unit.active,
      services: unit.services.map(({ sensitive: _s, ...s }) => s),
      figures,
      freshness: figures.reduce<Freshness>((worst, f) => (FRESHNESS_RANK[f.freshness] > FRESHNESS_RANK[worst] ? f.freshness : worst), figures.length > 0 ? 'fresh' : 'unknown'),
      refreshHours: interval / 3_600_000,
      inCrisis,
      crisisEntries,
      crisisFieldsMissing: inCrisis && unit.active ? CRISIS_FIELDS.filter((t) => !published.has(t)) : [],
      holds: holds.map((h) => ({ id: h.id, capacityType: h.capacityType, ...(h.gender !== undefined ? { gender: h.gender } : {}), expiresAt: h.expiresAt })),
    };
    if (unit.region !== undefined) served.region = unit.region;
    if (unit.department !== undefined) served.department = unit.department;
    if (unit.commune !== undefined) served.commune = unit.commune;
    if (unit.position !== undefined) served.position = unit.position;
    if (unit.establishment !== undefined) served.establishment = unit.establishment;
    return served;
  }

  matches(unit: Pick<BedUnit, 'id' | 'region' | 'department' | 'services'>, f: BoardFilter): boolean {
    return (
      (f.region === undefined || unit.region === f.region) &&
      (f.department === undefined || unit.department === f.department) &&
      (f.units === undefined || f.units.includes(unit.id)) &&
      (f.activities === undefined || unit.services.some((s) => s.activity !== undefined && f.activities?.includes(s.activity))) &&
      (f.unitTypes === undefined || unit.services.some((s) => s.unitType !== undefined && f.unitTypes?.includes(s.unitType)))
    );
  }

  /** The units `p` sees that match `f`, by establishment then name, with their totals. */
  view(p: Principal, f: BoardFilter): BoardView {
    return this.viewOf(p, f, this.units.values(), this.live());
  }

  /**
   * What the board showed at `at`: each unit's Location version current then, its holds and crises then. The
   * units are those on the board now (or that left it), with their offers as they are now.
   */
  async viewAt(p: Principal, f: BoardFilter, at: Date): Promise<BoardView> {
    const ids = [...this.units.values()].filter((u) => this.matches(u, f)).map((u) => u.id);
    const { locations, holds } = await boardStateAt(this.db, [...ids, ...this.removed], at);
    const units: BedUnit[] = [];
    for (const location of locations) {
      const unit = bedUnitOf(location, [], this.establishmentName(location));
      if (!unit) continue;
      const known = this.units.get(unit.id);
      const withServices = { ...unit, services: known?.services ?? [] };
      if (this.matches(withServices, f)) units.push(withServices);
    }
    const crises = await this.crisisStore.list({ since: at, until: new Date(at.getTime() + 1) });
    return this.viewOf(p, f, units, { now: at.getTime(), holds, crises });
  }

  private viewOf(p: Principal, f: BoardFilter, source: Iterable<BedUnit>, ctx: ServeContext): BoardView {
    const units: ServedUnit[] = [];
    for (const unit of source) if (this.matches(unit, f) && this.visible(p, unit)) units.push(this.serveUnit(unit, p, ctx));
    units.sort((a, b) => FRENCH.compare(a.establishment?.name ?? '', b.establishment?.name ?? '') || FRENCH.compare(a.name, b.name) || byId(a.id, b.id));
    const crises = ctx.crises.filter((c) => (isActive(c, ctx.now) || Date.parse(c.startsAt) > ctx.now) && crisisConcerns(c, f));
    return { at: new Date(ctx.now).toISOString(), crises, totals: totalsOf(units), units };
  }

  private establishmentName(location: Location): string | undefined {
    const ref = location.managingOrganization?.reference;
    const eg = ref === undefined ? undefined : parseTypedReference(ref);
    return eg?.type === 'Organization' ? this.orgs.get(eg.id)?.name : undefined;
  }

  /** The units with an available bed now nearest to `point`, within `radiusKm`, that fit the patient. */
  nearest(
    p: Principal,
    q: { point: GeoPoint; radiusKm: number; activities?: readonly string[]; unitTypes?: readonly string[]; ageYears?: number; gender?: string; capacityType?: string; limit: number },
  ): { unit: ServedUnit; distanceKm: number }[] {
    const found: { unit: BedUnit; distanceKm: number }[] = [];
    for (const unit of this.units.values()) {
      if (!unit.position || !unit.active || !this.visible(p, unit) || !this.matches(unit, q)) continue;
      if (q.ageYears !== undefined && !unit.services.some((s) => (s.ageLow ?? 0) <= (q.ageYears as number) && (q.ageYears as number) <= (s.ageHigh ?? Infinity))) continue;
      const distanceKm = haversineKm(q.point, unit.position);
      if (distanceKm <= q.radiusKm) found.push({ unit, distanceKm });
    }
    found.sort((a, b) => a.distanceKm - b.distanceKm || byId(a.unit.id, b.unit.id));
    const out: { unit: ServedUnit; distanceKm: number }[] = [];
    for (const { unit, distanceKm } of found) {
      const served = this.serveUnit(unit, p, this.live());
      const f = served.figures.find((x) => x.nature === (q.capacityType ?? '01'));
      if (!f || f.availableNow === null || f.availableNow < 1) continue;
      if (q.gender !== undefined && Object.keys(f.availableByGender).length > 0) {
        const free = freeBeds(unit.entries, served.holds, f.nature, q.gender);
        if (free === null || free < 1) continue;
      }
      out.push({ unit: served, distanceKm: Math.round(distanceKm * 10) / 10 });
      if (out.length >= q.limit) break;
    }
    return out;
  }

  /** Units whose availability figures are stale or unknown, among those inside `p`'s perimeter, oldest first. */
  overdue(p: Principal): ServedUnit[] {
    const out: ServedUnit[] = [];
    for (const unit of this.units.values()) {
      if (!unit.active || !this.visible(p, unit) || !isInside(p.perimeter, this.anchors(unit))) continue;
      const served = this.serveUnit(unit, p, this.live());
      // A unit publishing installed capacities only (no availability) is never overdue.
      if (served.freshness !== 'fresh' && served.figures.some((f) => f.updatedAt !== undefined)) out.push(served);
    }
    return out.sort((a, b) => Math.max(...b.figures.map((f) => f.ageMinutes ?? Infinity)) - Math.max(...a.figures.map((f) => f.ageMinutes ?? Infinity)) || byId(a.id, b.id));
  }

  /** What a unit hangs from, for perimeters: its region, its EG and what is above it, its offers and itself. */
  anchors(unit: BedUnit): Anchors {
    const organizations: string[] = [];
    let at = unit.establishment?.id;
    for (let depth = 0; at !== undefined && depth < 10 && !organizations.includes(at); depth++) {
      organizations.push(at);
      at = this.orgs.get(at)?.partOf;
    }
    return { self: `Location/${unit.id}`, regions: unit.region ? [unit.region] : [], organizations, services: unit.services.map((s) => s.id), locations: [unit.id] };
  }

  unit(id: string): BedUnit | undefined {
    return this.units.get(id);
  }

  allUnits(): BedUnit[] {
    return [...this.units.values()];
  }

  /** The units of one établissement (EG). */
  unitsOf(establishmentId: string): BedUnit[] {
    return [...(this.byEstablishment.get(establishmentId) ?? [])].flatMap((id) => this.units.get(id) ?? []);
  }

  /** Sets or removes (unit undefined) the board row of `id`, keeping the index by établissement. */
  private put(id: string, unit: BedUnit | undefined): void {
    const eg = this.units.get(id)?.establishment?.id;
    if (eg !== undefined) this.byEstablishment.get(eg)?.delete(id);
    if (unit === undefined) {
      this.units.delete(id);
      return;
    }
    this.units.set(id, unit);
    const next = unit.establishment?.id;
    if (next === undefined) return;
    let ids = this.byEstablishment.get(next);
    if (!ids) this.byEstablishment.set(next, (ids = new Set()));
    ids.add(id);
  }

  /** Units changed (or removed) on this instance at or after `since` (ms). */
  changedSince(since: number): { changed: string[]; removed: string[] } {
    const changed: string[] = [];
    const removed: string[] = [];
    for (const [id, t] of this.changedAt) {
      if (t < since) continue;
      if (this.units.has(id)) changed.push(id);
      else if (this.removed.has(id)) removed.push(id);
    }
    return { changed, removed };
  }
}

/** Whether a crisis concerns the area of a filter: every crisis without one; else one of its region or departments. */
export function crisisConcerns(c: Crisis, f: BoardFilter): boolean {
  if (f.region === undefined && f.department === undefined) return true;
  const regionOf = (department: string): string | undefined => departmentByCode(department)?.region;
  const region = f.region ?? (f.department === undefined ? undefined : regionOf(f.department));
  if (c.scope.kind === 'region') return c.scope.code === region;
  return f.department !== undefined ? c.scope.code === f.department : regionOf(c.scope.code) === region;
}

function orgRow(o: { name: string | null; part_of: string | null }): OrgRow {
  const row: OrgRow = {};
  if (o.name !== null) row.name = o.name;
  const parent = o.part_of === null ? undefined : parseTypedReference(o.part_of);
  if (parent?.type === 'Organization') row.partOf = parent.id;
  return row;
}

export function totalsOf(units: readonly ServedUnit[]): Record<string, Totals> {
  const totals: Record<string, Totals> = {};
  for (const u of units) {
    for (const f of u.figures) {
      const t = (totals[f.nature] ??= emptyTotals());
      t.units++;
      t[f.freshness]++;
      t.installed += f.installed ?? 0;
      t.occupied += f.occupied ?? 0;
      t.reserved += f.reserved ?? 0;
      t.closed += f.closed ?? 0;
      t.held += f.held;
      if (f.freshness !== 'unknown') t.available += f.available ?? 0;
      t.availableNow += f.availableNow ?? 0;
      t.supplementary.total += f.supplementary.total;
      for (const [k, n] of Object.entries(f.supplementary.byType)) t.supplementary.byType[k] = (t.supplementary.byType[k] ?? 0) + n;
    }
  }
  return totals;
}

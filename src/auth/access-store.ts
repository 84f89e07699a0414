import type { HealthcareService, Resource, Task } from '@medplum/fhirtypes';
import { resolveIncludes, type IncludeParameter, type IncludeResult } from '../fhir/include.ts';
import { recordAudit, type AuditEntry } from '../store/audit.ts';
import { notFound, StoreError } from '../store/errors.ts';
import { jsonEqual } from '../store/json.ts';
import { Repository, TransactionWriteError, type HistoryPageQuery, type StoredVersion, type TransactionWrite } from '../store/repository.ts';
import { searchResources, type SearchFilter, type SearchQuery, type SearchResult } from '../store/search.ts';
import { anchoringFields, anchorsOf, focusOf, referenceTarget, type Anchors } from './perimeter.ts';
import { canRead, decideWrite, forbidden, requireRead, type AnchoredVersion, type WriteAttempt } from './policy.ts';
import { requestContext, type AccessProfile, type Principal } from './principal.ts';
import { applyAccessProfile, loadVisibilityFacts, ROLE_CHAMPS, type ServedResource } from './visibility.ts';

/** A write as its author is answered. */
export interface WriteResult {
  /** The stored version as the caller's access profile serves it; null when the profile does not serve it. */
  resource: Resource | null;
  id: string;
  versionId: string;
  lastUpdated: string;
  created: boolean;
}

function result(stored: Resource, served: Resource | null, created: boolean): WriteResult {
  return { resource: served, id: stored.id ?? '', versionId: stored.meta?.versionId ?? '', lastUpdated: stored.meta?.lastUpdated ?? '', created };
}

/** One write of {@link AccessStore.transaction}; a create carries the id the server chose for it. */
export type StoreWrite =
  | { action: 'create'; resource: Resource }
  | { action: 'update'; resource: Resource; ifMatch?: string }
  | { action: 'delete'; resourceType: string; id: string; ifMatch?: string };

/**
 * What {@link applyAccessProfile} leaves out entirely, as search filters, so that a search `total` counts only
 * what is served: sensitive units (and their Locations and roles) outside Profil 1; the PractitionerRoles of
 * Profils 3 and 0 outside the champs they see (ROLE_CHAMPS).
 */
const rolesOfChamps = (profile: AccessProfile): SearchFilter[] => {
  const champs = ROLE_CHAMPS[profile];
  return champs ? [{ kind: 'rolesOfChamps', champs }] : [];
};
export const PROFILE_FILTERS: Record<AccessProfile, SearchFilter[]> = {
  1: [],
  2: [{ kind: 'notSensitive' }],
  3: [{ kind: 'notSensitive' }, ...rolesOfChamps(3)],
  0: [{ kind: 'notSensitive' }, ...rolesOfChamps(0)],
};

/**
 * The Repository as one principal may use it: writes pass the write policy first (a refusal writes nothing
 * but its audit record) and are recorded with who made them; everything served is filtered by the access
 * profile, and every served très-restreint field is audited.
 */
export class AccessStore {
  constructor(private readonly repo: Repository) {}

  async read(p: Principal, type: string, id: string): Promise<Resource> {
    requireRead(p, `${type}/${id}`);
    const [served] = await this.serve(p, [await this.repo.read(type, id)]);
    if (!served) throw notFound(`${type}/${id}`);
    return served;
  }

  async vread(p: Principal, type: string, id: string, versionId: string): Promise<Resource> {
    requireRead(p, `${type}/${id}`);
    const [served] = await this.serve(p, [await this.repo.vread(type, id, versionId)]);
    if (!served) throw notFound(`${type}/${id}/_history/${versionId}`);
    return served;
  }

  /** The versions the profile serves (tombstones included); 404 when it serves none of them. */
  async history(p: Principal, type: string, id: string): Promise<StoredVersion[]> {
    requireRead(p, `${type}/${id}`);
    const versions = await this.repo.history(type, id);
    const served = await this.serveVersions(p, versions);
    if (versions.some((v) => v.resource !== undefined) && served.every((v) => v.resource === undefined)) throw notFound(`${type}/${id}`);
    return served;
  }

  /**
   * One page of {@link Repository.historyPage} as the profile serves it: `last` is the last version read (served or
   * not) to resume from, `more` whether versions follow. For one resource, 404 as {@link history} when the
   * page serves no content and the profile serves none of its versions.
   */
  async historyPage(p: Principal, q: HistoryPageQuery): Promise<{ versions: StoredVersion[]; last?: StoredVersion; more: boolean }> {
    requireRead(p, q.resourceType === undefined ? 'history' : q.id === undefined ? q.resourceType : `${q.resourceType}/${q.id}`);
    const read = await this.repo.historyPage({ ...q, count: q.count + 1 });
    const page = read.slice(0, q.count);
    const versions = await this.serveVersions(p, page);
    if (q.resourceType !== undefined && q.id !== undefined && versions.every((v) => v.resource === undefined)) await this.history(p, q.resourceType, q.id);
    const last = page.at(-1);
    return { versions, ...(last ? { last } : {}), more: read.length > q.count };
  }

  /** `versions` as the profile serves them: hidden ones left out, tombstones kept. */
  private async serveVersions(p: Principal, versions: StoredVersion[]): Promise<StoredVersion[]> {
    const withContent = versions.filter((v) => v.resource !== undefined);
    const served = await this.serve(p, withContent.map((v) => v.resource as Resource));
    const servedOf = new Map(withContent.map((v, i) => [v, served[i] ?? null]));
    return versions.flatMap((v) => {
      if (v.resource === undefined) return [v];
      const resource = servedOf.get(v);
      return resource ? [{ ...v, resource }] : [];
    });
  }

  async search(p: Principal, q: SearchQuery): Promise<SearchResult> {
    requireRead(p, q.resourceType);
    const result = await searchResources(this.repo.db, { ...q, filters: [...q.filters, ...PROFILE_FILTERS[p.profile]] });
    const served = await this.serve(p, result.resources);
    return { ...result, resources: served.filter((r): r is Resource => r !== null) };
  }

  /** What `includes` reach from a page of served matches, as the profile serves it (see {@link resolveIncludes}). */
  async include(p: Principal, searchedType: string, matches: Resource[], includes: IncludeParameter[]): Promise<IncludeResult> {
    requireRead(p, searchedType);
    if (includes.length === 0) return { resources: [], warnings: [] };
    return resolveIncludes(this.repo.db, searchedType, matches, includes, (resources) => this.serve(p, resources));
  }

  /** POST: the server chooses the id (one in the body is ignored, for the policy too). */
  async create(p: Principal, resource: Resource): Promise<WriteResult> {
    const { id: _ignored, ...proposed } = resource;
    const { write } = await this.judge(p, { action: 'create', resource: proposed as Resource }, this.repo);
    const stored = await this.repo.create(write.resource as Resource, { by: requestContext(p) });
    return this.answer(p, stored, true);
  }

  /**
   * PUT: update, or create with the caller's id. What the caller's profile hid from the current version is kept
   * (see {@link restoreHidden}). Without `ifMatch`, the version the policy judged is the one replaced.
   */
  async update(p: Principal, resource: Resource, ifMatch?: string): Promise<WriteResult> {
    const { write, before } = await this.judge(p, { action: 'update', resource, ...(ifMatch !== undefined ? { ifMatch } : {}) }, this.repo);
    const { resource: stored, created } = await this.judged(ifMatch, before, () =>
      this.repo.update(write.resource as Resource, { ...(write.ifMatch !== undefined ? { ifMatch: write.ifMatch } : {}), by: requestContext(p) }),
    );
    return this.answer(p, stored, created);
  }

  async delete(p: Principal, type: string, id: string, ifMatch?: string): Promise<void> {
    const { write, before } = await this.judge(p, { action: 'delete', resourceType: type, id, ...(ifMatch !== undefined ? { ifMatch } : {}) }, this.repo);
    await this.judged(ifMatch, before, () => this.repo.delete(type, id, { ...(write.ifMatch !== undefined ? { ifMatch: write.ifMatch } : {}), by: requestContext(p) }));
  }

  /**
   * Several writes, all or none: each is judged by the policy as a single write would be, the resources it hangs
   * from read as the transaction proposes them (see {@link PendingWrites}), then all are written in one database
   * transaction. A failure throws a {@link TransactionWriteError} naming the write; results are null for deletions.
   */
  async transaction(p: Principal, writes: StoreWrite[]): Promise<(WriteResult | null)[]> {
    const pending = new PendingWrites(this.repo, writes);
    const judged: { write: TransactionWrite; before?: Resource }[] = [];
    for (const [at, w] of writes.entries()) {
      try {
        judged.push(await this.judge(p, w, pending));
      } catch (err) {
        throw err instanceof StoreError ? new TransactionWriteError(at, err) : err;
      }
    }
    let stored: Awaited<ReturnType<Repository['writeTransaction']>>;
    try {
      stored = await this.repo.writeTransaction(judged.map((j) => j.write), requestContext(p));
    } catch (err) {
      if (!(err instanceof TransactionWriteError)) throw err;
      const w = writes[err.at];
      const conflict = this.conflictOf(err, w && w.action !== 'create' ? w.ifMatch : undefined, judged[err.at]?.before);
      throw conflict === err ? err : new TransactionWriteError(err.at, conflict as StoreError);
    }
    const written = stored.filter((x): x is NonNullable<typeof x> => x !== null);
    const served = await this.serve(p, written.map((x) => x.resource));
    const servedOf = new Map(written.map((x, i) => [x, served[i] ?? null]));
    return stored.map((x) => (x ? result(x.resource, servedOf.get(x) ?? null, x.created) : null));
  }

  /**
   * What the policy needs of one write (the current version it replaces, what the caller's profile hid from it,
   * anchors read from `repo`), its decision (throws 403 when refused), and the write to make: without `ifMatch`,
   * against the judged version.
   */
  private async judge(p: Principal, w: StoreWrite, repo: Repository): Promise<{ write: TransactionWrite; before?: Resource }> {
    if (w.action === 'create') {
      await this.authorize(p, { action: 'create', resourceType: w.resource.resourceType }, undefined, w.resource, repo);
      return { write: { resource: w.resource } };
    }
    const [type, id] = w.action === 'update' ? [w.resource.resourceType, w.resource.id ?? ''] : [w.resourceType, w.id];
    const before = (await this.repo.readCurrent(type, [id])).get(id);
    const ifMatch = w.ifMatch ?? before?.meta?.versionId;
    const found = { ...(before ? { before } : {}) };
    if (w.action === 'delete') {
      await this.authorize(p, { action: 'delete', resourceType: type, id }, before, undefined, repo);
      return { write: { resourceType: type, id, ...(ifMatch !== undefined ? { ifMatch } : {}) }, ...found };
    }
    let next = w.resource;
    let unmergeable: string[] = [];
    if (before) {
      const [view] = await this.servedView(p, [before]);
      ({ resource: next, unmergeable } = restoreHidden(before, view?.resource ?? null, w.resource));
    }
    await this.authorize(p, { action: before ? 'update' : 'create', resourceType: type, id, unmergeable }, before, next, repo);
    return { write: { resource: next, ...(ifMatch !== undefined ? { ifMatch } : {}) }, ...found };
  }

  /** Gathers what the policy needs, applies it, and records a refusal before throwing its 403. */
  private async authorize(
    p: Principal,
    attempt: Pick<WriteAttempt, 'action' | 'resourceType' | 'id' | 'unmergeable'>,
    before: Resource | undefined,
    after: Resource | undefined,
    repo: Repository,
  ): Promise<void> {
    const anchored = async (r: Resource | undefined): Promise<AnchoredVersion | undefined> => r && { resource: r, anchors: await anchorsOf(repo, r) };
    const full: WriteAttempt = { ...attempt };
    const sameAnchors = before !== undefined && after !== undefined && anchoringFields(before) === anchoringFields(after);
    const [b, a] = sameAnchors
      ? await anchored(before).then((v) => [v, v && { resource: after, anchors: v.anchors }])
      : await Promise.all([anchored(before), anchored(after)]);
    if (b) full.before = b;
    if (a) full.after = a;
    if (after?.resourceType === 'HealthcareService') full.listedLocations = await this.listedLocations(after as HealthcareService, repo);
    if (after?.resourceType === 'Task' && attempt.action === 'create') full.focusReadable = await this.focusReadable(p, after as Task, repo);
    const decision = decideWrite(p, full);
    if (decision.allowed) return;
    const what = attempt.id ? `${attempt.resourceType}/${attempt.id}` : attempt.resourceType;
    await recordAudit(this.repo.db, [
      {
        action: attempt.action,
        outcome: 'denied',
        context: requestContext(p),
        resourceType: attempt.resourceType,
        ...(attempt.id ? { resourceId: attempt.id } : {}),
        detail: { reason: decision.reason },
      },
    ]);
    throw forbidden(p, attempt.action, what, decision.reason);
  }

  private async listedLocations(offer: HealthcareService, repo: Repository): Promise<Anchors[]> {
    const ids = (offer.location ?? []).flatMap((ref) => {
      const target = referenceTarget(ref);
      return target?.type === 'Location' ? [target.id] : [];
    });
    if (ids.length === 0) return [];
    const stored = await repo.readCurrent('Location', ids);
    return Promise.all([...stored.values()].map((l) => anchorsOf(repo, l)));
  }

  private async focusReadable(p: Principal, task: Task, repo: Repository): Promise<boolean> {
    const focus = await focusOf(repo, task);
    if (!focus) return false;
    const [view] = await this.servedView(p, [focus]);
    return (view?.resource ?? null) !== null;
  }

  /** A version conflict on the version the policy judged, when the caller sent no If-Match, is a concurrent write (409). */
  private async judged<T>(ifMatch: string | undefined, before: Resource | undefined, write: () => Promise<T>): Promise<T> {
    try {
      return await write();
    } catch (err) {
      throw this.conflictOf(err, ifMatch, before);
    }
  }

  private conflictOf(err: unknown, ifMatch: string | undefined, before: Resource | undefined): unknown {
    if (ifMatch !== undefined || before === undefined || !(err instanceof StoreError) || err.status !== 412) return err;
    return new StoreError(409, [
      { severity: 'error', code: 'conflict', diagnostics: `${before.resourceType}/${before.id ?? ''} a été modifiée pendant la requête ; réessayez` },
    ]);
  }

  private async answer(p: Principal, stored: Resource, created: boolean): Promise<WriteResult> {
    const [served] = await this.serve(p, [stored]);
    return result(stored, served ?? null, created);
  }

  /** `resources` as the principal's profile serves them (null: not served), without auditing. */
  private async servedView(p: Principal, resources: Resource[]): Promise<ServedResource[]> {
    if (resources.length === 0) return [];
    if (!canRead(p)) return resources.map(() => ({ resource: null, restrictedFieldsServed: false }));
    const facts = await loadVisibilityFacts(this.repo.db, resources);
    return resources.map((r) => applyAccessProfile(r, p.profile, facts));
  }

  /** `resources` as the principal's profile serves them (null: not served), auditing très-restreint fields in one insert. */
  private async serve(p: Principal, resources: Resource[]): Promise<(Resource | null)[]> {
    const served = await this.servedView(p, resources);
    const audit: AuditEntry[] = [];
    served.forEach((out, i) => {
      const r = resources[i] as Resource;
      if (!out.resource || !out.restrictedFieldsServed) return;
      audit.push({
        action: 'read-restricted',
        outcome: 'success',
        context: requestContext(p),
        resourceType: r.resourceType,
        ...(r.id !== undefined ? { resourceId: r.id } : {}),
        ...(r.meta?.versionId !== undefined ? { versionId: Number(r.meta.versionId) } : {}),
      });
    });
    await recordAudit(this.repo.db, audit);
    return served.map((out) => out.resource);
  }
}

/**
 * The repository as a transaction's writes (as sent) would leave it, for the policy's reads of current versions
 * (anchors, listed Locations, a Task's focus); searches still see only what is stored.
 */
class PendingWrites extends Repository {
  private readonly pending = new Map<string, Resource | null>();

  constructor(
    private readonly stored: Repository,
    writes: StoreWrite[],
  ) {
    super(stored.db);
    for (const w of writes) {
      if (w.action === 'delete') this.pending.set(`${w.resourceType}/${w.id}`, null);
      else this.pending.set(`${w.resource.resourceType}/${w.resource.id ?? ''}`, w.resource);
    }
  }

  override async readCurrent(resourceType: string, ids: string[]): Promise<Map<string, Resource>> {
    const key = (id: string): string => `${resourceType}/${id}`;
    const found = await this.stored.readCurrent(resourceType, ids.filter((id) => !this.pending.has(key(id))));
    for (const id of ids) {
      const resource = this.pending.get(key(id));
      if (resource) found.set(id, resource);
    }
    return found;
  }
}

/**
 * `after` with what the caller's access profile hid from `before` put back, since the caller could neither see
 * nor send it: an element sent back as it was served keeps its stored value; an array the profile only thinned
 * (whole items left out) gets the hidden items appended to what was sent (unless sent already). The other elements the profile altered
 * and the caller changed cannot be merged and are returned (`*`: the profile hides the whole resource).
 */
export function restoreHidden(before: Resource, served: Resource | null, after: Resource): { resource: Resource; unmergeable: string[] } {
  if (served === null) return { resource: after, unmergeable: ['*'] };
  if (served === before) return { resource: after, unmergeable: [] };
  const stored = before as unknown as Record<string, unknown>;
  const shown = served as unknown as Record<string, unknown>;
  const sent = after as unknown as Record<string, unknown>;
  const merged: Record<string, unknown> = { ...sent };
  const unmergeable: string[] = [];
  for (const key of Object.keys(stored)) {
    const full = stored[key];
    const visible = shown[key];
    if (jsonEqual(full, visible)) continue;
    if (jsonEqual(sent[key], visible)) {
      merged[key] = full;
      continue;
    }
    const visibleItems = visible === undefined ? [] : visible;
    const sentItems = sent[key] === undefined ? [] : sent[key];
    const thinned = Array.isArray(full) && Array.isArray(visibleItems) && visibleItems.every((v) => full.some((f) => jsonEqual(f, v)));
    if (thinned && Array.isArray(sentItems)) {
      const absent = (items: unknown[]) => (f: unknown): boolean => !items.some((i) => jsonEqual(f, i));
      merged[key] = [...sentItems, ...full.filter(absent(visibleItems)).filter(absent(sentItems))];
    } else {
      unmergeable.push(key);
    }
  }
  return { resource: merged as unknown as Resource, unmergeable };
}

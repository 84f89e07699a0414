import type { Location } from '@medplum/fhirtypes';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AccessStore, type WriteResult } from '../auth/access-store.ts';
import type { Principal } from '../auth/principal.ts';
import type { BoardFilter, BoardView } from '../beds/board.ts';
import { BedError } from '../beds/errors.ts';
import { unitTimeSeries } from '../beds/history.ts';
import type { Beds } from '../beds/index.ts';
import { applyUnitUpdate, parseUnitUpdate } from '../beds/update.ts';
import { inValueSet } from '../beds/codes.ts';
import { communesByPostalCode, currentCommune } from '../geo/communes.ts';
import { assertGeoPoint, type GeoPoint } from '../geo/distance.ts';
import { capacityConsistency } from '../model/rules.ts';
import { VALUE_SET } from '../model/urls.ts';
import { StoreError } from '../store/errors.ts';
import { TransactionWriteError } from '../store/repository.ts';
import type { Repository } from '../store/repository.ts';
import { readableCapacities } from '../beds/unit.ts';
import { principalOf } from './authentication.ts';
import { registerBedStream } from './beds-stream.ts';
import { HttpError } from './errors.ts';

type Query = Record<string, string | string[] | undefined>;

const invalid = (name: string, expected: string, value: unknown): HttpError =>
  new HttpError(400, 'invalid-parameter', `Paramètre ${name} invalide « ${String(value)} » : ${expected}.`);

/** Refuses parameters outside `allowed`, and repeated ones. */
function checkQuery(query: Query, allowed: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(query)) {
    if (!allowed.includes(name)) throw new HttpError(400, 'unknown-parameter', `Paramètre inconnu « ${name} » (attendus : ${allowed.join(', ')}).`);
    if (typeof value !== 'string') throw new HttpError(400, 'invalid-parameter', `Le paramètre ${name} ne doit figurer qu'une fois.`);
    out[name] = value;
  }
  return out;
}

const CODE_LIST = /^[0-9A-Za-z]{1,10}(,[0-9A-Za-z]{1,10}){0,49}$/;
const ID_LIST = /^[A-Za-z0-9\-.]{1,64}(,[A-Za-z0-9\-.]{1,64}){0,499}$/;
export const FILTER_PARAMETERS = ['region', 'department', 'activity', 'unitType', 'unit'] as const;

/** `region`, `department`, `activity` and `unitType` (comma lists of codes), `unit` (comma list of Location ids). */
export function boardFilterOf(q: Record<string, string>): BoardFilter {
  const f: BoardFilter = {};
  if (q.region !== undefined) {
    if (!/^\d{2}$/.test(q.region)) throw invalid('region', 'code région à deux chiffres (JDV_J237) attendu', q.region);
    f.region = q.region;
  }
  if (q.department !== undefined) {
    if (!/^(\d{2}|2[AB]|97\d)$/.test(q.department)) throw invalid('department', 'code département attendu (44, 2A, 974…)', q.department);
    f.department = q.department;
  }
  if (q.activity !== undefined) {
    if (!CODE_LIST.test(q.activity)) throw invalid('activity', 'codes d’activité opérationnelle (TRE_R211) séparés par des virgules attendus', q.activity);
    f.activities = q.activity.split(',');
  }
  if (q.unitType !== undefined) {
    if (!CODE_LIST.test(q.unitType)) throw invalid('unitType', 'codes de type d’offre (TRE_R244) séparés par des virgules attendus', q.unitType);
    f.unitTypes = q.unitType.split(',');
  }
  if (q.unit !== undefined) {
    if (!ID_LIST.test(q.unit)) throw invalid('unit', 'identifiants de lieux séparés par des virgules attendus', q.unit);
    f.units = q.unit.split(',');
  }
  return f;
}

function instantParam(name: string, value: string): Date {
  const ms = Date.parse(value);
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2})$/.test(value) || Number.isNaN(ms)) {
    throw invalid(name, 'date-heure ISO 8601 avec fuseau attendue (2026-11-22T03:10:00Z)', value);
  }
  return new Date(ms);
}

function numberParam(name: string, value: string, min: number, max: number, integer = false): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < min || n > max || (integer && !Number.isInteger(n))) {
    throw invalid(name, `${integer ? 'entier' : 'nombre'} de ${min} à ${max} attendu`, value);
  }
  return n;
}

/** `near`: an INSEE commune code, a postal code, or `lat,lon`. */
export function pointOf(value: string): GeoPoint {
  const latLon = /^(-?\d+(\.\d+)?),(-?\d+(\.\d+)?)$/.exec(value);
  if (latLon) {
    const point = { lat: Number(latLon[1]), lon: Number(latLon[3]) };
    try {
      assertGeoPoint(point, 'near');
    } catch {
      throw invalid('near', 'latitude de -90 à 90 et longitude de -180 à 180 attendues', value);
    }
    return point;
  }
  if (/^\d{5}$/.test(value) || /^2[AB]\d{3}$/.test(value)) {
    const commune = (() => {
      try {
        return currentCommune(value);
      } catch {
        return undefined;
      }
    })();
    const found = commune?.position ? commune : communesByPostalCode(value).find((c) => c.position);
    if (found?.position) return { lat: found.position.lat, lon: found.position.lon };
    throw invalid('near', 'commune (code INSEE) ou code postal connu attendu', value);
  }
  throw invalid('near', 'code INSEE, code postal ou « lat,lon » attendu', value);
}

/** An error of the store or of the beds module as the JSON error of `/api`; undefined for any other error. */
function httpErrorOf(err: unknown): HttpError | undefined {
  if (err instanceof BedError) return new HttpError(err.status, err.code, err.message);
  if (!(err instanceof StoreError)) return undefined;
  const code = err.status === 412 ? 'version-conflict' : err.status === 422 ? 'invalid-resource' : err.status === 403 ? 'forbidden' : err.status === 404 ? 'not-found' : err.status === 409 ? 'conflict' : 'bad-request';
  return new HttpError(err.status, code, err.issues.map((i) => (i.expression?.length ? `${i.diagnostics} (${i.expression.join(', ')})` : i.diagnostics)).join(' ; '));
}

/** A Location as the store wrote it: as sent, with the version it was given. */
const storedAs = (sent: Location, w: WriteResult): Location => ({ ...sent, meta: { ...sent.meta, versionId: w.versionId, lastUpdated: w.lastUpdated } });

const etagOf = (versionId: string): string => `W/"${versionId}"`;
/** Units of a board page: the totals cover every unit that matches. */
const DEFAULT_PAGE_SIZE = 500;
const MAX_PAGE_SIZE = 2000;
/** Units one `POST /api/beds/updates` may set (one establishment's units, at a time). */
const MAX_BATCH = 500;

/**
 * The beds API (`/api/beds…`): the board and its totals, one unit, its time series, setting a unit's counts,
 * the nearest available beds, the units overdue for an update, holds, crises, and the live stream.
 */
export function registerBedRoutes(app: FastifyInstance, options: { beds: Beds; repo: Repository }): void {
  const { beds, repo } = options;
  const { board } = beds;
  const store = new AccessStore(repo);
  const guard = async <T>(fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (err) {
      throw httpErrorOf(err) ?? err;
    }
  };
  const visibleUnit = (p: Principal, id: string) => {
    const unit = board.serve(p, id);
    if (!unit) throw new HttpError(404, 'not-found', `Unité ${id} introuvable (ou sans capacité publiée).`);
    return unit;
  };

  app.addHook('onRequest', async (req, reply) => {
    if (board.loaded || !(req.url === '/api/beds' || req.url.startsWith('/api/beds/') || req.url.startsWith('/api/beds?'))) return;
    const { units, of } = board.progress;
    reply.header('retry-after', '5');
    throw new HttpError(503, 'loading', `Le tableau des lits se charge (${units} unités sur ${of}) : réessayez dans quelques secondes.`);
  });

  app.get('/api/beds', async (req) => {
    const q = checkQuery(req.query as Query, [...FILTER_PARAMETERS, 'at', 'page', 'page_size']);
    const p = principalOf(req);
    const filter = boardFilterOf(q);
    const page = q.page === undefined ? 1 : numberParam('page', q.page, 1, 100_000, true);
    const size = q.page_size === undefined ? DEFAULT_PAGE_SIZE : numberParam('page_size', q.page_size, 1, MAX_PAGE_SIZE, true);
    const paged = (view: BoardView): BoardView & { total: number; page: number; page_size: number; next?: string } => {
      const start = (page - 1) * size;
      const more = view.units.length > start + size;
      const next = new URLSearchParams(q);
      next.set('page', String(page + 1));
      return { ...view, total: view.units.length, page, page_size: size, units: view.units.slice(start, start + size), ...(more ? { next: `/api/beds?${next.toString()}` } : {}) };
    };
    if (q.at !== undefined) {
      const at = instantParam('at', q.at);
      if (at.getTime() > Date.now()) throw invalid('at', 'instant passé attendu', q.at);
      return paged(await guard(() => board.viewAt(p, filter, at)));
    }
    await board.settled();
    return { ...paged(board.view(p, filter)), eventId: String(Date.now()) };
  });

  app.get('/api/beds/units/:id', async (req, reply) => {
    checkQuery(req.query as Query, []);
    const unit = visibleUnit(principalOf(req), (req.params as { id: string }).id);
    return reply.header('etag', etagOf(unit.versionId)).send(unit);
  });

  app.put('/api/beds/units/:id', async (req, reply) => {
    checkQuery(req.query as Query, []);
    const p = principalOf(req);
    const { id } = req.params as { id: string };
    const ifMatch = req.headers['if-match'];
    if (ifMatch !== undefined && !/^(W\/)?"\d+"$/.test(ifMatch)) throw invalid('If-Match', 'ETag de la forme W/"3" attendu', ifMatch);
    const update = await guard(async () => parseUnitUpdate(req.body));
    const at = new Date().toISOString();
    // Without If-Match the counts apply to the current version, re-read if another write slips in between.
    const write = async (attempt: number): Promise<{ written: WriteResult; next: Location }> => {
      // A unit on the board is read as stored (what the caller's profile hides is kept by the store's update).
      const current = board.unit(id) ? (visibleUnit(p, id), (await repo.readCurrent('Location', [id])).get(id)) : await store.read(p, 'Location', id);
      if (!current) throw new HttpError(404, 'not-found', `Unité ${id} introuvable.`);
      const next = applyUnitUpdate(current as Location, update, at);
      try {
        return { written: await store.update(p, next, ifMatch ?? current.meta?.versionId), next };
      } catch (err) {
        if (ifMatch === undefined && err instanceof StoreError && err.status === 412 && attempt < 3) return write(attempt + 1);
        throw err;
      }
    };
    const { written, next } = await guard(() => write(1));
    await board.written(storedAs(next, written));
    const stored = written.resource as Location | null;
    const unit = stored ? board.serveLocation(p, stored) : undefined;
    const warnings = capacityConsistency(readableCapacities(next)).map((i) => i.diagnostics);
    return reply.header('etag', etagOf(written.versionId)).send({ unit: unit ?? null, versionId: written.versionId, warnings });
  });

  app.post('/api/beds/updates', async (req) => {
    checkQuery(req.query as Query, []);
    const p = principalOf(req);
    const { units: list, ...rest } = (req.body ?? {}) as { units?: unknown };
    if (Object.keys(rest).length > 0 || !Array.isArray(list) || list.length === 0 || list.length > MAX_BATCH) {
      throw new HttpError(400, 'invalid-body', `Corps JSON attendu : { "units": [{ "id": "…", "counts": [{ "status": "02", "count": 3 }], "source": "02", "ifMatch": "W/\\"3\\"" }, …] }, de 1 à ${MAX_BATCH} unités.`);
    }
    const at = new Date().toISOString();
    const seen = new Set<string>();
    const items = list.map((item: unknown, i) => {
      const where = (message: string): HttpError => new HttpError(400, 'invalid-body', `units[${i}] : ${message}`);
      if (typeof item !== 'object' || item === null) throw where('objet attendu.');
      const { id, ifMatch, ...update } = item as { id?: unknown; ifMatch?: unknown };
      if (typeof id !== 'string' || !/^[A-Za-z0-9\-.]{1,64}$/.test(id)) throw where('identifiant de lieu (id) attendu.');
      if (seen.has(id)) throw where(`${id} figure deux fois.`);
      seen.add(id);
      if (ifMatch !== undefined && (typeof ifMatch !== 'string' || !/^(W\/)?"?\d+"?$/.test(ifMatch))) throw where('ifMatch : version attendue (W/"3" ou 3).');
      try {
        return { id, ifMatch: ifMatch as string | undefined, update: parseUnitUpdate(update) };
      } catch (err) {
        throw err instanceof BedError ? where(err.message) : err;
      }
    });
    const ids = items.map((u) => u.id);
    // Units on the board are read as stored (their visibility checked on the board); others as the profile serves them.
    const onBoard = ids.filter((id) => board.unit(id) && board.serve(p, id));
    const offBoard = ids.filter((id) => !board.unit(id));
    const raw = await repo.readCurrent('Location', onBoard);
    const { resources } = offBoard.length === 0 ? { resources: [] } : await guard(() => store.search(p, { resourceType: 'Location', filters: [{ kind: 'id', values: offBoard }], count: offBoard.length, offset: 0, total: false }));
    const current = new Map<string, Location>([...(raw as Map<string, Location>), ...resources.map((r): [string, Location] => [r.id as string, r as Location])]);
    const writes = items.map((u, i) => {
      const location = current.get(u.id);
      if (!location) throw new HttpError(404, 'not-found', `units[${i}] : lieu ${u.id} introuvable.`);
      try {
        return { action: 'update' as const, resource: applyUnitUpdate(location, u.update, at), ifMatch: u.ifMatch ?? (location.meta?.versionId as string) };
      } catch (err) {
        throw err instanceof BedError ? new HttpError(err.status, err.code, `units[${i}] : ${err.message}`) : err;
      }
    });
    let written: (WriteResult | null)[];
    try {
      written = await store.transaction(p, writes);
    } catch (err) {
      const h = httpErrorOf(err);
      if (!h) throw err;
      throw err instanceof TransactionWriteError ? new HttpError(h.statusCode, h.code, `units[${err.at}] (${ids[err.at]}) : ${h.message}`) : h;
    }
    await Promise.all(written.map((w, i) => (w && raw.has(ids[i] as string) ? board.written(storedAs(writes[i]?.resource as Location, w)) : undefined)));
    if (offBoard.length > 0) await board.refresh({ locations: offBoard });
    return {
      units: written.map((w, i) => ({
        id: ids[i],
        versionId: w?.versionId,
        warnings: capacityConsistency(readableCapacities(writes[i]?.resource as Location)).map((x) => x.diagnostics),
      })),
    };
  });

  app.get('/api/beds/units/:id/history', async (req) => {
    const q = checkQuery(req.query as Query, ['since', 'until', 'limit']);
    const p = principalOf(req);
    const { id } = req.params as { id: string };
    visibleUnit(p, id);
    const until = q.until === undefined ? new Date() : instantParam('until', q.until);
    const since = q.since === undefined ? new Date(until.getTime() - 7 * 86_400_000) : instantParam('since', q.since);
    if (since >= until) throw invalid('since', 'instant antérieur à until attendu', q.since);
    const limit = q.limit === undefined ? 500 : numberParam('limit', q.limit, 1, 5000, true);
    return { id, since: since.toISOString(), until: until.toISOString(), ...(await unitTimeSeries(repo.db, id, since, until, limit)) };
  });

  app.get('/api/beds/nearest', async (req) => {
    const q = checkQuery(req.query as Query, ['near', 'radius_km', 'activity', 'unitType', 'age', 'gender', 'nature', 'limit']);
    if (q.near === undefined) throw new HttpError(400, 'missing-parameter', 'Paramètre near obligatoire : code INSEE, code postal ou « lat,lon ».');
    const filter = boardFilterOf({ ...(q.activity !== undefined ? { activity: q.activity } : {}), ...(q.unitType !== undefined ? { unitType: q.unitType } : {}) });
    if (q.gender !== undefined && !inValueSet(VALUE_SET.J190, q.gender)) throw invalid('gender', 'code du JDV_J190 attendu (01 femme, 02 homme…)', q.gender);
    if (q.nature !== undefined && !inValueSet(VALUE_SET.J187, q.nature)) throw invalid('nature', 'code du JDV_J187 attendu (01 lit, 02 place)', q.nature);
    await board.settled();
    const results = board.nearest(principalOf(req), {
      point: pointOf(q.near),
      radiusKm: q.radius_km === undefined ? 50 : numberParam('radius_km', q.radius_km, 0.1, 1000),
      ...filter,
      ...(q.age !== undefined ? { ageYears: numberParam('age', q.age, 0, 130) } : {}),
      ...(q.gender !== undefined ? { gender: q.gender } : {}),
      ...(q.nature !== undefined ? { capacityType: q.nature } : {}),
      limit: q.limit === undefined ? 10 : numberParam('limit', q.limit, 1, 200, true),
    });
    return { results: results.map((r) => ({ distance_km: r.distanceKm, unit: r.unit })) };
  });

  app.get('/api/beds/overdue', async (req) => {
    checkQuery(req.query as Query, []);
    const p = principalOf(req);
    if (!p.scopes.includes('write-capacities') && !p.scopes.includes('admin')) {
      throw new HttpError(403, 'forbidden', 'La liste des chiffres en retard est destinée aux référents, opérateurs de capacités et administrateurs.');
    }
    await board.settled();
    return { units: board.overdue(p) };
  });

  app.post('/api/beds/units/:id/holds', async (req, reply) => {
    checkQuery(req.query as Query, []);
    const p = principalOf(req);
    const { id } = req.params as { id: string };
    visibleUnit(p, id);
    const body = (req.body ?? {}) as Record<string, unknown>;
    if (typeof body !== 'object' || Array.isArray(body)) throw new HttpError(400, 'invalid-body', 'Corps JSON attendu : { "minutes": 30, "capacityType": "01", "gender": "02", "note": "…" }.');
    const extra = Object.keys(body).find((k) => !['minutes', 'capacityType', 'gender', 'note'].includes(k));
    if (extra !== undefined) throw new HttpError(400, 'invalid-body', `Champ inconnu « ${extra} » (attendus : minutes, capacityType, gender, note).`);
    const hold = await guard(() => beds.holds.place(p, id, body as never));
    await board.refresh({ holds: [id] });
    return reply.code(201).send(hold);
  });

  app.get('/api/beds/holds', async (req) => {
    checkQuery(req.query as Query, []);
    return { holds: await beds.holds.of(principalOf(req)) };
  });

  for (const action of ['confirm', 'release'] as const) {
    app.post(`/api/beds/holds/:id/${action}`, async (req) => {
      checkQuery(req.query as Query, []);
      const { id } = req.params as { id: string };
      const hold = await guard(() => beds.holds[action](principalOf(req), id));
      await board.refresh({ holds: [hold.locationId], ...(action === 'confirm' ? { locations: [hold.locationId] } : {}) });
      return hold;
    });
  }

  app.get('/api/beds/crises', async (req) => {
    const q = checkQuery(req.query as Query, ['since', 'until']);
    return {
      crises: await beds.crises.list({
        ...(q.since !== undefined ? { since: instantParam('since', q.since) } : {}),
        ...(q.until !== undefined ? { until: instantParam('until', q.until) } : {}),
      }),
    };
  });

  app.post('/api/beds/crises', async (req, reply) => {
    checkQuery(req.query as Query, []);
    const crisis = await guard(() => beds.crises.declare(principalOf(req), (req.body ?? {}) as never));
    return reply.code(201).send(crisis);
  });

  app.post('/api/beds/crises/:id/end', async (req) => {
    checkQuery(req.query as Query, []);
    const body = (req.body ?? {}) as { endsAt?: string };
    return guard(() => beds.crises.end(principalOf(req), (req.params as { id: string }).id, body.endsAt));
  });

  registerBedStream(app, { board, filterOf: (req: FastifyRequest) => boardFilterOf(checkQuery(req.query as Query, [...FILTER_PARAMETERS, 'lastEventId'])) });
}

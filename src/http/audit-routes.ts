import type { FastifyInstance } from 'fastify';
import { requestContext } from '../auth/principal.ts';
import type { Database } from '../db/open.ts';
import { queryAudit, type AuditOutcome, type AuditQuery } from '../store/audit.ts';
import { principalOf, type DenialRecorder } from './authentication.ts';
import { HttpError } from './errors.ts';

const OUTCOMES: readonly AuditOutcome[] = ['success', 'denied', 'failure'];
const MAX_LIMIT = 1000;
const DEFAULT_LIMIT = 100;
/** A date, or a date-time with its offset: a time without one would depend on the server's zone. */
const INSTANT = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2}))?$/;

const invalid = (name: string, expected: string, value: string): HttpError =>
  new HttpError(400, 'invalid-parameter', `Paramètre ${name} invalide « ${value} » : ${expected}.`);

/** A real calendar day: `Date.parse` rolls 2026-02-30 over to March 2nd. */
function isCalendarDate(yyyyMmDd: string): boolean {
  const [y, m, d] = yyyyMmDd.split('-').map(Number) as [number, number, number];
  const day = new Date(Date.UTC(y, m - 1, d));
  return day.getUTCMonth() === m - 1 && day.getUTCDate() === d;
}

function instant(name: string, value: string): string {
  const ms = Date.parse(value);
  if (!INSTANT.test(value) || Number.isNaN(ms) || !isCalendarDate(value.slice(0, 10))) {
    throw invalid(name, 'date (AAAA-MM-JJ) ou date-heure ISO 8601 avec fuseau attendue', value);
  }
  return new Date(ms).toISOString();
}

function pattern(name: string, re: RegExp, expected: string): (value: string) => string {
  return (value) => {
    if (!re.test(value)) throw invalid(name, expected, value);
    return value;
  };
}

/** Query parameter → how to read it into an {@link AuditQuery}. */
const PARAMETERS: Readonly<Record<string, (value: string, q: AuditQuery) => void>> = {
  actor: (v, q) => (q.actorId = pattern('actor', /^.{1,200}$/, 'identifiant de compte ou de client attendu')(v)),
  resourceType: (v, q) => (q.resourceType = pattern('resourceType', /^[A-Z][A-Za-z]{1,63}$/, 'type de ressource FHIR attendu')(v)),
  resourceId: (v, q) => (q.resourceId = pattern('resourceId', /^[A-Za-z0-9\-.]{1,64}$/, 'identifiant de ressource FHIR attendu')(v)),
  action: (v, q) => (q.action = pattern('action', /^[a-z][a-z0-9._-]{0,63}$/, "nom d'action attendu (create, update, login…)")(v)),
  outcome: (v, q) => {
    if (!(OUTCOMES as readonly string[]).includes(v)) throw invalid('outcome', OUTCOMES.join(', '), v);
    q.outcome = v as AuditOutcome;
  },
  since: (v, q) => (q.since = instant('since', v)),
  until: (v, q) => (q.until = instant('until', v)),
  limit: (v, q) => {
    const n = Number(v);
    if (!/^\d+$/.test(v) || n < 1 || n > MAX_LIMIT) throw invalid('limit', `entier de 1 à ${MAX_LIMIT} attendu`, v);
    q.limit = n;
  },
  before: (v, q) => (q.before = pattern('before', /^\d{1,18}$/, "identifiant d'événement attendu")(v)),
};

export function parseAuditQuery(query: Record<string, string | string[] | undefined>): AuditQuery {
  const q: AuditQuery = {};
  for (const [name, value] of Object.entries(query)) {
    const read = Object.hasOwn(PARAMETERS, name) ? PARAMETERS[name] : undefined;
    if (!read) throw new HttpError(400, 'unknown-parameter', `Paramètre inconnu « ${name} » (attendus : ${Object.keys(PARAMETERS).join(', ')}).`);
    if (typeof value !== 'string') throw new HttpError(400, 'invalid-parameter', `Le paramètre ${name} ne doit figurer qu'une fois.`);
    read(value, q);
  }
  return q;
}

/**
 * `GET /api/audit`: the audit log, newest first, for national administrators (scope `admin` and a national
 * perimeter; a regional administrator's view would need each event's region and is not offered yet).
 * `next` pages on with `before`.
 */
export function registerAuditRoutes(app: FastifyInstance, options: { db: Database; recordDenial: DenialRecorder }): void {
  app.get('/api/audit', async (req) => {
    const principal = principalOf(req);
    if (!principal.scopes.includes('admin') || !principal.perimeter.national) {
      await options.recordDenial(req, 'read-audit', 'not-national-admin', requestContext(principal));
      throw new HttpError(403, 'forbidden', "Le journal d'audit est réservé aux administrateurs nationaux.");
    }
    const q = parseAuditQuery(req.query as Record<string, string | string[] | undefined>);
    const events = await queryAudit(options.db, q);
    const last = events.at(-1);
    if (!last || events.length < (q.limit ?? DEFAULT_LIMIT)) return { events };
    const next = new URLSearchParams(req.query as Record<string, string>);
    next.set('before', last.id);
    return { events, next: `/api/audit?${next.toString()}` };
  });
}

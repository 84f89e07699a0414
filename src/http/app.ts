import fastifyCookie from '@fastify/cookie';
import fastifyCors from '@fastify/cors';
import fastifyHelmet from '@fastify/helmet';
import fastifyRateLimit from '@fastify/rate-limit';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Authenticator } from '../auth/authenticator.ts';
import { AuthError } from '../auth/errors.ts';
import { OidcLogin, type OidcConfig } from '../auth/oidc.ts';
import { openBeds, type Beds } from '../beds/index.ts';
import type { Database } from '../db/open.ts';
import { capabilityStatement } from '../fhir/capability.ts';
import { handleFhirRequest } from '../fhir/router.ts';
import type { Repository } from '../store/repository.ts';
import { registerAuditRoutes } from './audit-routes.ts';
import { registerAuthRoutes } from './auth-routes.ts';
import { registerBedRoutes } from './beds-routes.ts';
import { registerExportRoutes } from './export-routes.ts';
import { AuditFloodGuard, denialRecorder, principalOf, registerAuthentication } from './authentication.ts';
import { FHIR_JSON, HttpError, sendError } from './errors.ts';
import { registerOAuthRoutes } from './oauth-routes.ts';
import { registerOidcRoutes } from './oidc-routes.ts';
import { loginPage } from './pages.ts';
import { DEFAULT_HTTP_SETTINGS, type HttpSettings } from './settings.ts';

export interface AppOptions extends Partial<HttpSettings> {
  repo: Repository;
  db: Database;
  auth: Authenticator;
  /** The identity provider of the "Se connecter avec …" button; none when absent. */
  oidc?: OidcConfig | undefined;
  logger?: boolean | { level: string };
  /** Denied authentications audited per IP address and minute (the rest are only logged). */
  deniedAuditsPerMinute?: number;
  /** Where `$export` files are written (`EXPORT_DIR`). */
  exportDir?: string | undefined;
  /** The beds module; opened with its defaults (and closed with the app) when absent. */
  beds?: Beds;
}

const FHIR_BODY_LIMIT = 5 * 1024 * 1024;
const NO_STORE_PREFIXES = ['/fhir', '/api', '/auth', '/oauth'];

function baseUrl(req: FastifyRequest): string {
  return `${req.protocol}://${req.host}/fhir`;
}

function parseForm(body: string): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of new URLSearchParams(body)) {
    const seen = out[k];
    out[k] = seen === undefined ? v : Array.isArray(seen) ? [...seen, v] : [seen, v];
  }
  return out;
}

function errorCode(status: number): string {
  return ({ 400: 'bad-request', 404: 'not-found', 413: 'payload-too-large', 415: 'unsupported-media-type', 429: 'rate-limited' } as Record<number, string>)[status] ?? (status >= 500 ? 'internal' : 'bad-request');
}

export async function buildApp(opts: AppOptions): Promise<FastifyInstance> {
  const settings: HttpSettings = {
    rateLimitPerMinute: opts.rateLimitPerMinute ?? DEFAULT_HTTP_SETTINGS.rateLimitPerMinute,
    corsOrigins: opts.corsOrigins ?? DEFAULT_HTTP_SETTINGS.corsOrigins,
    trustProxy: opts.trustProxy ?? DEFAULT_HTTP_SETTINGS.trustProxy,
  };
  const { repo, db, auth } = opts;
  const beds = opts.beds ?? (await openBeds(db, repo));
  const app = Fastify({ logger: opts.logger ?? false, bodyLimit: FHIR_BODY_LIMIT, trustProxy: settings.trustProxy });

  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => done(null, parseForm(body as string)));
  app.addContentTypeParser(['application/fhir+json', 'application/json-patch+json'], { parseAs: 'string' }, app.getDefaultJsonParser('error', 'error'));

  await app.register(fastifyCookie, { secret: auth.keys.cookieSecret });
  await app.register(fastifyHelmet, {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: { defaultSrc: ["'self'"], baseUri: ["'self'"], formAction: ["'self'"], frameAncestors: ["'none'"], objectSrc: ["'none'"] },
    },
    referrerPolicy: { policy: 'no-referrer' },
  });
  if (settings.corsOrigins.length > 0) {
    await app.register(fastifyCors, {
      origin: settings.corsOrigins,
      credentials: true,
      exposedHeaders: ['etag', 'location', 'last-modified', 'retry-after', 'content-location', 'x-progress'],
      maxAge: 600,
    });
  }
  await app.register(fastifyRateLimit, {
    max: settings.rateLimitPerMinute,
    timeWindow: 60_000,
    keyGenerator: (req) => (req.principal ? `${req.principal.kind}:${req.principal.id}` : `ip:${req.ip}`),
    errorResponseBuilder: (_req, ctx) => new HttpError(429, 'rate-limited', `Trop de requêtes : réessayez dans ${Math.ceil(ctx.ttl / 1000)} s.`),
  });

  const recordDenial = denialRecorder(db, new AuditFloodGuard(opts.deniedAuditsPerMinute ?? 30));
  registerAuthentication(app, { auth, recordDenial, signInPage: loginPage({ oidcLabel: opts.oidc?.label }) });

  app.addHook('onSend', async (req, reply) => {
    if (NO_STORE_PREFIXES.some((p) => req.url === p || req.url.startsWith(`${p}/`) || req.url.startsWith(`${p}?`))) {
      reply.header('cache-control', 'no-store');
    }
  });

  if (!opts.beds) app.addHook('onClose', async () => beds.close());

  app.get('/healthz', { config: { public: true, rateLimit: false } }, async () => ({ status: 'ok', beds: beds.board.loaded ? 'ready' : 'loading' }));

  app.get('/fhir/metadata', { config: { public: true } }, async (req, reply) => reply.type(FHIR_JSON).send(capabilityStatement(baseUrl(req))));

  const fhirHandler = async (req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> => {
    const { 'if-match': ifMatch, 'content-type': contentType, prefer, 'if-none-exist': ifNoneExist } = req.headers;
    const res = await handleFhirRequest(
      {
        method: req.method,
        path: (req.params as { '*'?: string })['*'] ?? '',
        query: req.query as Record<string, string | string[]>,
        baseUrl: baseUrl(req),
        ...(req.body !== undefined ? { body: req.body } : {}),
        ...(ifMatch !== undefined ? { ifMatch } : {}),
        ...(contentType !== undefined ? { contentType } : {}),
        ...(typeof prefer === 'string' ? { prefer } : {}),
        ...(typeof ifNoneExist === 'string' ? { ifNoneExist } : {}),
      },
      { repo, principal: principalOf(req) },
    );
    reply.code(res.status).headers(res.headers);
    if (res.body === undefined) return reply.send();
    return reply.type(FHIR_JSON).send(res.body);
  };
  app.route({ method: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'], url: '/fhir', handler: fhirHandler });
  app.route({ method: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'], url: '/fhir/*', handler: fhirHandler });

  registerAuthRoutes(app, { auth, db, oidcLabel: opts.oidc?.label });
  registerOidcRoutes(app, { auth, db, oidc: opts.oidc ? new OidcLogin(opts.oidc) : undefined });
  registerOAuthRoutes(app, { auth, db, recordDenial });
  registerAuditRoutes(app, { db, recordDenial });
  registerExportRoutes(app, { db, dir: opts.exportDir });
  registerBedRoutes(app, { beds, repo });

  app.setNotFoundHandler(async (req, reply) => sendError(req, reply, 404, 'not-found', `${req.method} ${req.url} not found`));

  app.setErrorHandler(async (err: Error & { statusCode?: number }, req: FastifyRequest, reply: FastifyReply) => {
    const known = err instanceof HttpError || err instanceof AuthError;
    const raw = err instanceof AuthError ? err.status : err.statusCode;
    const status = raw !== undefined && raw >= 400 && (raw < 500 || (known && raw === 503)) ? raw : 500;
    if (status === 500) req.log.error({ err }, 'request failed');
    if (err instanceof AuthError && err.retryAfterSeconds !== undefined) reply.header('retry-after', String(err.retryAfterSeconds));
    const message = status === 500 ? 'Internal server error' : err.message;
    if (req.url.startsWith('/oauth')) {
      const error = status === 500 ? 'server_error' : status === 429 ? 'temporarily_unavailable' : 'invalid_request';
      return reply.code(status).send({ error, error_description: message });
    }
    return sendError(req, reply, status, known ? (err as HttpError | AuthError).code : errorCode(status), message);
  });

  return app;
}

import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Authenticator } from '../auth/authenticator.ts';
import { AuthError } from '../auth/errors.ts';
import { requestContext, type Principal } from '../auth/principal.ts';
import type { Database } from '../db/open.ts';
import { recordAudit, type RequestContext } from '../store/audit.ts';
import { isApiPath, sendError } from './errors.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** The authenticated caller; set on every non-public route. */
    principal?: Principal;
    /** The (unsigned) session cookie value of a cookie-authenticated request. */
    sessionToken?: string;
  }
  interface FastifyContextConfig {
    /** Served without credentials. */
    public?: boolean;
  }
}

export const SESSION_COOKIE = 'ror_session';
export const CSRF_HEADER = 'x-csrf-token';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function setSessionCookie(req: FastifyRequest, reply: FastifyReply, token: string): void {
  reply.setCookie(SESSION_COOKIE, token, { signed: true, httpOnly: true, sameSite: 'lax', secure: req.protocol === 'https', path: '/' });
}

export function clearSessionCookie(req: FastifyRequest, reply: FastifyReply): void {
  reply.clearCookie(SESSION_COOKIE, { httpOnly: true, sameSite: 'lax', secure: req.protocol === 'https', path: '/' });
}

/** The principal of a request that went through authentication (every non-public route). */
export function principalOf(req: FastifyRequest): Principal {
  if (!req.principal) throw new Error(`No principal on ${req.method} ${req.url}: is the route public?`);
  return req.principal;
}

/**
 * Bounds the audit rows a failing client can cause: at most `maxPerMinute` denied authentications per IP
 * address and minute are recorded, the rest only counted in the log.
 */
export class AuditFloodGuard {
  private readonly maxPerMinute: number;
  private windowStart = 0;
  private readonly counts = new Map<string, number>();

  constructor(maxPerMinute: number) {
    this.maxPerMinute = maxPerMinute;
  }

  allow(ip: string, nowMs: number): boolean {
    if (nowMs - this.windowStart >= 60_000) {
      this.windowStart = nowMs;
      this.counts.clear();
    }
    const count = (this.counts.get(ip) ?? 0) + 1;
    this.counts.set(ip, count);
    return count <= this.maxPerMinute;
  }
}

export interface DenialRecorder {
  /** Audits a refused request (action `authenticate` or `csrf`, outcome `denied`), within the flood guard. */
  (req: FastifyRequest, action: string, reason: string, context?: RequestContext): Promise<void>;
}

export function denialRecorder(db: Database, guard: AuditFloodGuard): DenialRecorder {
  return async (req, action, reason, context) => {
    if (!guard.allow(req.ip, Date.now())) {
      req.log.warn({ action, reason }, 'denied request not audited: too many from this address');
      return;
    }
    const anonymous: RequestContext = {
      actor: { kind: req.headers.authorization ? 'client' : 'user', id: 'anonymous', label: 'anonymous' },
      client: req.headers.authorization ? 'api' : 'web',
      ip: req.ip,
    };
    await recordAudit(db, [
      { action, outcome: 'denied', context: context ?? anonymous, detail: { reason, method: req.method, path: req.url.split('?')[0] } },
    ]);
  };
}

function bearerToken(req: FastifyRequest): string | undefined {
  const match = /^Bearer[ ]+([^ ]+)[ ]*$/i.exec(req.headers.authorization ?? '');
  return match?.[1];
}

function sameToken(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * Authenticates every request to a route not marked `config.public`: session cookie (signed) or bearer
 * token, plus the `Ror-*` headers. Without valid credentials: 401 (with the sign-in form for a page request). A cookie-authenticated request that changes something must carry the session's CSRF token
 * in `X-CSRF-Token` (403 otherwise); bearer-authenticated requests are exempt.
 */
export function registerAuthentication(
  app: FastifyInstance,
  options: { auth: Authenticator; recordDenial: DenialRecorder; signInPage: string },
): void {
  const { auth, recordDenial, signInPage } = options;

  const unauthorized = (req: FastifyRequest, reply: FastifyReply, code: string, message: string, bearerRejected: boolean): FastifyReply => {
    if (isApiPath(req.url)) reply.header('www-authenticate', `Bearer realm="ror"${bearerRejected ? ', error="invalid_token"' : ''}`);
    return sendError(req, reply, 401, code, message);
  };

  app.addHook('onRequest', async (req, reply) => {
    if (req.routeOptions.config.public === true || req.method === 'OPTIONS') return;
    const bearer = bearerToken(req);
    const cookie = req.cookies[SESSION_COOKIE];
    let sessionToken: string | undefined;
    if (cookie !== undefined && !bearer) {
      const unsigned = req.unsignCookie(cookie);
      if (!unsigned.valid || !unsigned.value) {
        await recordDenial(req, 'authenticate', 'tampered-cookie');
        clearSessionCookie(req, reply);
        return unauthorized(req, reply, 'invalid-session', 'Session invalide : veuillez vous reconnecter.', false);
      }
      sessionToken = unsigned.value;
    }
    if (!bearer && !sessionToken) {
      const page = req.method === 'GET' && !isApiPath(req.url) && !req.url.startsWith('/auth') && !req.url.startsWith('/oauth');
      if (page) return reply.code(401).type('text/html; charset=utf-8').send(signInPage);
      return unauthorized(req, reply, 'no-credentials', 'Authentification requise.', false);
    }
    let principal: Principal;
    try {
      principal = await auth.authenticate({ bearerToken: bearer, sessionToken, headers: req.headers, ip: req.ip });
    } catch (err) {
      if (!(err instanceof AuthError)) throw err;
      if (err.status === 401 || err.status === 403) await recordDenial(req, 'authenticate', err.code);
      if (err.status === 401) {
        if (sessionToken) clearSessionCookie(req, reply);
        return unauthorized(req, reply, err.code, err.message, bearer !== undefined);
      }
      if (err.retryAfterSeconds !== undefined) reply.header('retry-after', String(err.retryAfterSeconds));
      return sendError(req, reply, err.status, err.code, err.message);
    }
    if (principal.session && !SAFE_METHODS.has(req.method)) {
      const sent = req.headers[CSRF_HEADER];
      if (typeof sent !== 'string' || !sameToken(sent, principal.session.csrfToken)) {
        await recordDenial(req, 'csrf', sent === undefined ? 'missing-csrf-token' : 'wrong-csrf-token', requestContext(principal));
        return sendError(req, reply, 403, 'csrf', 'Jeton anti-CSRF absent ou invalide (en-tête X-CSRF-Token).');
      }
    }
    req.principal = principal;
    if (sessionToken) req.sessionToken = sessionToken;
  });
}

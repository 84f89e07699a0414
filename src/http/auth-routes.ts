import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Account } from '../auth/accounts.ts';
import type { Authenticator } from '../auth/authenticator.ts';
import { AuthError } from '../auth/errors.ts';
import { PROFILE_OF_CODE, ROLE_SCOPES, requestContext, type Principal } from '../auth/principal.ts';
import type { Database } from '../db/open.ts';
import { recordAudit } from '../store/audit.ts';
import { clearSessionCookie, principalOf, setSessionCookie } from './authentication.ts';
import { HttpError } from './errors.ts';
import { homePage, loginPage } from './pages.ts';

/** Bodies of the `/auth` and `/oauth` endpoints are small forms. */
export const SMALL_BODY_LIMIT = 16 * 1024;

const FORM = 'application/x-www-form-urlencoded';

/** The fields `names` of a JSON or form body, each a string (a missing one is undefined). */
export function stringFields<K extends string>(body: unknown, names: readonly K[]): Partial<Record<K, string>> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return {};
  const out: Partial<Record<K, string>> = {};
  for (const name of names) {
    const value = (body as Record<string, unknown>)[name];
    if (typeof value === 'string') out[name] = value;
  }
  return out;
}

/** What a person's account looks like to its holder, at login. */
function accountView(a: Account) {
  return { id: a.id, email: a.email, role: a.role, scopes: ROLE_SCOPES[a.role], perimeter: a.perimeter, profile: PROFILE_OF_CODE[a.profileCode], profileCode: a.profileCode };
}

/** The caller as this request sees it (the profile may be a more restrictive one asked for in the headers). */
function principalView(p: Principal) {
  const common = { id: p.id, scopes: p.scopes, perimeter: p.perimeter, profile: p.profile, profileCode: p.profileCode };
  if (p.kind === 'user') return { account: { ...common, email: p.label, role: p.role }, ...(p.session ? { csrfToken: p.session.csrfToken } : {}) };
  return { client: { ...common, name: p.label } };
}

function sessionOf(req: FastifyRequest): { principal: Principal; token: string; idHash: string } {
  const principal = principalOf(req);
  if (!principal.session || !req.sessionToken) {
    throw new HttpError(400, 'not-a-session', 'Cette opération concerne une session de connexion (cookie), pas un jeton d’API.');
  }
  return { principal, token: req.sessionToken, idHash: principal.session.idHash };
}

/**
 * `/connexion` (the sign-in page), `/auth/login` (JSON or form), `/auth/logout`, `/auth/me`, `/auth/password`,
 * and the home page.
 */
export function registerAuthRoutes(app: FastifyInstance, options: { auth: Authenticator; db: Database; oidcLabel: string | undefined }): void {
  const { auth, db, oidcLabel } = options;

  app.get('/', async (req, reply) => reply.type('text/html; charset=utf-8').send(homePage(principalOf(req).label)));

  app.get('/connexion', { config: { public: true } }, async (_req, reply) => reply.type('text/html; charset=utf-8').send(loginPage({ oidcLabel })));

  app.post('/auth/login', { config: { public: true }, bodyLimit: SMALL_BODY_LIMIT }, async (req: FastifyRequest, reply: FastifyReply) => {
    const isForm = (req.headers['content-type'] ?? '').startsWith(FORM);
    const { email, password } = stringFields(req.body, ['email', 'password'] as const);
    try {
      if (!email || !password) throw new AuthError(400, 'invalid-request', 'Adresse électronique et mot de passe requis.');
      const session = await auth.login({ email, password, ip: req.ip, userAgent: req.headers['user-agent'] });
      setSessionCookie(req, reply, session.token);
      if (isForm) return reply.redirect('/', 303);
      return { account: accountView(session.account), csrfToken: session.csrfToken };
    } catch (err) {
      if (!(err instanceof AuthError) || !isForm) throw err;
      if (err.retryAfterSeconds !== undefined) reply.header('retry-after', String(err.retryAfterSeconds));
      return reply.code(err.status).type('text/html; charset=utf-8').send(loginPage({ oidcLabel, error: err.message, email }));
    }
  });

  app.post('/auth/logout', { bodyLimit: SMALL_BODY_LIMIT }, async (req, reply) => {
    const { token } = sessionOf(req);
    await auth.logout(token, req.ip);
    clearSessionCookie(req, reply);
    return reply.code(204).send();
  });

  app.get('/auth/me', async (req) => principalView(principalOf(req)));

  app.post('/auth/password', { bodyLimit: SMALL_BODY_LIMIT }, async (req, reply) => {
    const { principal, idHash } = sessionOf(req);
    const { current, next } = stringFields(req.body, ['current', 'next'] as const);
    if (current === undefined || next === undefined) {
      throw new HttpError(400, 'invalid-request', 'Le mot de passe actuel (current) et le nouveau (next) sont requis.');
    }
    const context = requestContext(principal);
    try {
      await auth.accounts.changePassword(principal.id, current, next);
    } catch (err) {
      if (err instanceof AuthError && err.status === 403) {
        await recordAudit(db, [{ action: 'password-change', outcome: 'denied', context, detail: { reason: err.code } }]);
      }
      throw err;
    }
    await auth.sessions.revokeAll(principal.id, idHash);
    await recordAudit(db, [{ action: 'password-change', outcome: 'success', context }]);
    return reply.code(204).send();
  });
}

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Account } from '../auth/accounts.ts';
import type { Authenticator } from '../auth/authenticator.ts';
import { OidcUnavailableError, type OidcIdentity, type OidcLogin, type PendingLogin } from '../auth/oidc.ts';
import type { Database } from '../db/open.ts';
import { recordAudit, type RequestContext } from '../store/audit.ts';
import { setSessionCookie } from './authentication.ts';
import { sendError } from './errors.ts';
import { messagePage } from './pages.ts';

const PENDING_COOKIE = 'ror_oidc';
const PENDING_PATH = '/auth/oidc';
const PENDING_SECONDS = 600;

function page(reply: FastifyReply, status: number, title: string, message: string): FastifyReply {
  return reply.code(status).type('text/html; charset=utf-8').send(messagePage(title, message));
}

function readPending(req: FastifyRequest): PendingLogin | undefined {
  const raw = req.cookies[PENDING_COOKIE];
  if (raw === undefined) return undefined;
  const unsigned = req.unsignCookie(raw);
  if (!unsigned.valid || !unsigned.value) return undefined;
  try {
    const value: unknown = JSON.parse(Buffer.from(unsigned.value, 'base64url').toString('utf8'));
    const { state, nonce, codeVerifier } = value as Record<string, unknown>;
    return typeof state === 'string' && typeof nonce === 'string' && typeof codeVerifier === 'string' ? { state, nonce, codeVerifier } : undefined;
  } catch {
    return undefined;
  }
}

type Match = { account: Account; linked: boolean } | { refusal: string };

/**
 * The account of an IdP user: the one linked to (issuer, subject), else the enabled, not yet linked account
 * whose email the IdP has verified (which gets linked).
 */
async function matchAccount(auth: Authenticator, identity: OidcIdentity): Promise<Match> {
  const linked = await auth.accounts.findByOidc(identity.issuer, identity.subject);
  if (linked) return linked.disabled ? { refusal: 'account-disabled' } : { account: linked, linked: false };
  if (!identity.email) return { refusal: 'no-email' };
  if (!identity.emailVerified) return { refusal: 'unverified-email' };
  const byEmail = await auth.accounts.findByEmail(identity.email);
  if (!byEmail) return { refusal: 'unknown-account' };
  if (byEmail.disabled) return { refusal: 'account-disabled' };
  if (byEmail.oidc) return { refusal: 'linked-to-another-identity' };
  return { account: await auth.accounts.linkOidc(byEmail.id, identity.issuer, identity.subject), linked: true };
}

const REFUSALS: Readonly<Record<string, string>> = {
  'account-disabled': 'Ce compte est désactivé. Adressez-vous à votre administrateur du ROR.',
  'linked-to-another-identity': 'Le compte de cette adresse est déjà rattaché à une autre identité. Adressez-vous à votre administrateur du ROR.',
};
const NO_ACCOUNT = "Aucun compte du ROR ne correspond à cette identité. Demandez l'ouverture d'un compte à votre administrateur du ROR.";

/**
 * `GET /auth/oidc/login` → the IdP (PKCE, state and nonce kept in a short-lived signed cookie);
 * `GET /auth/oidc/callback` → a session for the matching account, then `/`. Both answer 404 when no IdP is
 * configured.
 */
export function registerOidcRoutes(app: FastifyInstance, options: { auth: Authenticator; db: Database; oidc: OidcLogin | undefined }): void {
  const { auth, db, oidc } = options;
  const unavailable = (reply: FastifyReply): FastifyReply =>
    page(reply, 502, 'Connexion impossible', "Le fournisseur d'identité ne répond pas. Réessayez plus tard ou connectez-vous avec votre mot de passe.");

  app.get('/auth/oidc/login', { config: { public: true } }, async (req, reply) => {
    if (!oidc) return sendError(req, reply, 404, 'not-found', 'Connexion OIDC non configurée.');
    let start: Awaited<ReturnType<OidcLogin['start']>>;
    try {
      start = await oidc.start();
    } catch (err) {
      if (!(err instanceof OidcUnavailableError)) throw err;
      req.log.error({ err }, 'OIDC provider unavailable');
      return unavailable(reply);
    }
    reply.setCookie(PENDING_COOKIE, Buffer.from(JSON.stringify(start.pending)).toString('base64url'), {
      signed: true,
      httpOnly: true,
      sameSite: 'lax',
      secure: req.protocol === 'https',
      path: PENDING_PATH,
      maxAge: PENDING_SECONDS,
    });
    return reply.redirect(start.url, 302);
  });

  app.get('/auth/oidc/callback', { config: { public: true } }, async (req, reply) => {
    if (!oidc) return sendError(req, reply, 404, 'not-found', 'Connexion OIDC non configurée.');
    const pending = readPending(req);
    reply.clearCookie(PENDING_COOKIE, { path: PENDING_PATH });
    const audit = (outcome: 'success' | 'denied', context: RequestContext, detail: Record<string, unknown>): Promise<void> =>
      recordAudit(db, [{ action: 'login', outcome, context, detail: { method: 'oidc', issuer: oidc.config.issuer, ...detail } }]);
    const anonymous: RequestContext = { actor: { kind: 'user', id: 'anonymous', label: 'anonymous' }, client: 'web', ip: req.ip };
    if (!pending) {
      await audit('denied', anonymous, { reason: 'no-pending-login' });
      return page(reply, 400, 'Connexion expirée', 'Cette tentative de connexion a expiré ou a déjà servi. Recommencez depuis la page de connexion.');
    }
    const callback = new URL(oidc.config.redirectUri);
    callback.search = new URL(req.url, 'http://callback').search;
    let identity: OidcIdentity;
    try {
      identity = await oidc.finish(callback, pending);
    } catch (err) {
      if (err instanceof OidcUnavailableError) return unavailable(reply);
      req.log.warn({ err }, 'OIDC callback refused');
      await audit('denied', anonymous, { reason: 'invalid-callback' });
      return page(reply, 400, 'Connexion refusée', "La réponse du fournisseur d'identité n'a pas pu être vérifiée. Recommencez depuis la page de connexion.");
    }
    const match = await matchAccount(auth, identity);
    if ('refusal' in match) {
      const label = identity.email ?? identity.subject;
      await audit('denied', { ...anonymous, actor: { kind: 'user', id: 'anonymous', label } }, { reason: match.refusal, subject: identity.subject });
      return page(reply, 403, 'Accès refusé', REFUSALS[match.refusal] ?? NO_ACCOUNT);
    }
    const { account } = match;
    const session = await auth.sessions.create(account.id, { ip: req.ip, userAgent: req.headers['user-agent'] });
    await audit('success', { actor: { kind: 'user', id: account.id, label: account.email }, client: 'web', ip: req.ip }, { subject: identity.subject, linked: match.linked });
    setSessionCookie(req, reply, session.token);
    return reply.redirect('/', 302);
  });
}

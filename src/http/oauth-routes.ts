import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Authenticator } from '../auth/authenticator.ts';
import { AuthError } from '../auth/errors.ts';
import type { Database } from '../db/open.ts';
import { recordAudit } from '../store/audit.ts';
import type { DenialRecorder } from './authentication.ts';
import { SMALL_BODY_LIMIT } from './auth-routes.ts';

/** Token requests per minute per IP address: a client needs one per token lifetime. */
export const TOKEN_REQUESTS_PER_MINUTE = 30;

/** RFC 6749 §5.2 error response (always `Cache-Control: no-store`, set for every `/oauth` answer). */
export function oauthError(reply: FastifyReply, status: number, error: string, description: string): FastifyReply {
  if (error === 'invalid_client') reply.header('www-authenticate', 'Basic realm="ror"');
  return reply.code(status).send({ error, error_description: description });
}

/** RFC 6749 §2.3.1: `Basic base64(urlencode(id):urlencode(secret))`. Null when malformed. */
function basicCredentials(header: string): { id: string; secret: string } | null {
  const match = /^Basic[ ]+([A-Za-z0-9+/]+=*)[ ]*$/i.exec(header);
  if (!match?.[1]) return null;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return null;
  try {
    return { id: decodeURIComponent(decoded.slice(0, colon).replace(/\+/g, ' ')), secret: decodeURIComponent(decoded.slice(colon + 1).replace(/\+/g, ' ')) };
  } catch {
    return null;
  }
}

/** scope-token per RFC 6749 §3.3. */
const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/;
const PARAMETERS = new Set(['grant_type', 'scope', 'client_id', 'client_secret']);

/**
 * `POST /oauth/token`: the client credentials grant (RFC 6749 §4.4), client authentication by HTTP Basic or
 * `client_id`/`client_secret` in the body, form or JSON. Limited to {@link TOKEN_REQUESTS_PER_MINUTE} per IP.
 */
export function registerOAuthRoutes(app: FastifyInstance, options: { auth: Authenticator; db: Database; recordDenial: DenialRecorder }): void {
  const { auth, db, recordDenial } = options;
  app.post(
    '/oauth/token',
    {
      config: { public: true, rateLimit: { max: TOKEN_REQUESTS_PER_MINUTE, timeWindow: 60_000, keyGenerator: (req: FastifyRequest) => `token:${req.ip}` } },
      bodyLimit: SMALL_BODY_LIMIT,
    },
    async (req, reply) => {
      const body = req.body;
      if (typeof body !== 'object' || body === null || Array.isArray(body)) {
        return oauthError(reply, 400, 'invalid_request', 'The request body must be a form (application/x-www-form-urlencoded) or a JSON object.');
      }
      const params: Record<string, string> = {};
      for (const [name, value] of Object.entries(body as Record<string, unknown>)) {
        if (!PARAMETERS.has(name)) continue;
        if (typeof value !== 'string') return oauthError(reply, 400, 'invalid_request', `Parameter ${name} must be a single string.`);
        params[name] = value;
      }
      if (!params.grant_type) return oauthError(reply, 400, 'invalid_request', 'grant_type is required.');
      if (params.grant_type !== 'client_credentials') {
        return oauthError(reply, 400, 'unsupported_grant_type', 'Only the client_credentials grant is supported.');
      }
      const scopes = params.scope === undefined ? undefined : params.scope.split(' ').filter((s) => s !== '');
      if (scopes?.some((s) => !SCOPE_TOKEN.test(s))) return oauthError(reply, 400, 'invalid_scope', 'Malformed scope.');

      const authorization = req.headers.authorization;
      let credentials: { id: string; secret: string } | null;
      if (authorization !== undefined) {
        if (params.client_secret !== undefined) {
          return oauthError(reply, 400, 'invalid_request', 'Use one client authentication method: HTTP Basic or client_secret, not both.');
        }
        credentials = basicCredentials(authorization);
        if (credentials && params.client_id !== undefined && params.client_id !== credentials.id) {
          return oauthError(reply, 400, 'invalid_request', 'client_id differs from the authenticated client.');
        }
      } else {
        credentials = params.client_id && params.client_secret ? { id: params.client_id, secret: params.client_secret } : null;
      }
      if (!credentials) return oauthError(reply, 401, 'invalid_client', 'Client authentication is required (HTTP Basic or client_id and client_secret).');

      const client = await auth.clients.verify(credentials.id, credentials.secret);
      if (!client) {
        await recordDenial(req, 'token', 'invalid-client');
        return oauthError(reply, 401, 'invalid_client', 'Unknown client, wrong secret or disabled client.');
      }
      const context = { actor: { kind: 'client' as const, id: client.id, label: client.name }, client: client.id, ip: req.ip };
      try {
        const token = await auth.tokens.issue(client, scopes);
        await recordAudit(db, [{ action: 'token', outcome: 'success', context, detail: { scope: token.scope } }]);
        return token;
      } catch (err) {
        if (!(err instanceof AuthError) || err.code !== 'invalid_scope') throw err;
        await recordAudit(db, [{ action: 'token', outcome: 'denied', context, detail: { reason: 'invalid-scope', scope: params.scope } }]);
        return oauthError(reply, 400, 'invalid_scope', err.message);
      }
    },
  );
}

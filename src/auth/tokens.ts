import { randomUUID } from 'node:crypto';
import { errors, jwtVerify, SignJWT } from 'jose';
import type { ApiClient, ClientScope } from './clients.ts';
import { AuthError } from './errors.ts';

export const TOKEN_ISSUER = 'urn:ror';
export const TOKEN_AUDIENCE = 'urn:ror:api';
const TOKEN_TYPE = 'at+jwt';

export interface TokenOptions {
  /** HS256 key (`ServerKeys.jwtKey`). */
  key: Uint8Array;
  ttlSeconds?: number;
  issuer?: string;
  audience?: string;
  now?: () => Date;
}

/** The OAuth2 token response (RFC 6749 §5.1). */
export interface TokenResponse {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  scope: string;
}

/** Short-lived signed access tokens for API clients (client credentials grant). */
export class TokenService {
  private readonly key: Uint8Array;
  private readonly ttlSeconds: number;
  private readonly issuer: string;
  private readonly audience: string;
  private readonly now: () => Date;

  constructor(options: TokenOptions) {
    this.key = options.key;
    this.ttlSeconds = options.ttlSeconds ?? 900;
    this.issuer = options.issuer ?? TOKEN_ISSUER;
    this.audience = options.audience ?? TOKEN_AUDIENCE;
    this.now = options.now ?? (() => new Date());
  }

  /**
   * A token for `client` with `requestedScopes` (default: all its scopes). Asking for a scope the client was not
   * granted throws `AuthError(400, 'invalid_scope')`.
   */
  async issue(client: ApiClient, requestedScopes?: string[]): Promise<TokenResponse> {
    const granted: readonly string[] = client.scopes;
    const scopes = requestedScopes === undefined || requestedScopes.length === 0 ? client.scopes : [...new Set(requestedScopes)];
    const refused = scopes.filter((s) => !granted.includes(s));
    if (refused.length > 0) {
      throw new AuthError(400, 'invalid_scope', `Portée non accordée à ce client : ${refused.join(', ')} (accordées : ${client.scopes.join(', ')}).`);
    }
    const iat = Math.floor(this.now().getTime() / 1000);
    const scope = scopes.join(' ');
    const accessToken = await new SignJWT({ scope })
      .setProtectedHeader({ alg: 'HS256', typ: TOKEN_TYPE })
      .setSubject(client.id)
      .setIssuer(this.issuer)
      .setAudience(this.audience)
      .setIssuedAt(iat)
      .setExpirationTime(iat + this.ttlSeconds)
      .setJti(randomUUID())
      .sign(this.key);
    return { access_token: accessToken, token_type: 'Bearer', expires_in: this.ttlSeconds, scope };
  }

  /** The client and scopes of a valid token; throws `AuthError(401)` (`expired-token` or `invalid-token`). */
  async verify(token: string): Promise<{ clientId: string; scopes: ClientScope[] }> {
    try {
      const { payload } = await jwtVerify(token, this.key, {
        algorithms: ['HS256'],
        issuer: this.issuer,
        audience: this.audience,
        typ: TOKEN_TYPE,
        currentDate: this.now(),
        requiredClaims: ['sub', 'exp', 'scope'],
      });
      if (typeof payload.sub !== 'string' || typeof payload.scope !== 'string') throw new errors.JWTInvalid('malformed claims');
      return { clientId: payload.sub, scopes: payload.scope.split(' ').filter(Boolean) as ClientScope[] };
    } catch (err) {
      if (err instanceof errors.JWTExpired) throw new AuthError(401, 'expired-token', "Le jeton d'accès a expiré.");
      if (err instanceof errors.JOSEError) throw new AuthError(401, 'invalid-token', "Jeton d'accès invalide.");
      throw err;
    }
  }
}

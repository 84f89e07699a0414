import type { Database } from '../db/open.ts';
import { recordAudit, type RequestContext } from '../store/audit.ts';
import { AccountStore, normalizeEmail, type Account } from './accounts.ts';
import { ClientStore, type ApiClient } from './clients.ts';
import type { ServerKeys } from './keys.ts';
import { AuthError } from './errors.ts';
import { PROFILE_CODE_SYSTEM, PROFILE_OF_CODE, ROLE_SCOPES, type AccessProfile, type Coding, type Principal } from './principal.ts';
import { SessionStore } from './sessions.ts';
import { LoginThrottle } from './throttle.ts';
import { TokenService } from './tokens.ts';


export interface AuthenticatorOptions {
  keys: ServerKeys;
  sessionIdleMinutes: number;
  sessionAbsoluteHours: number;
  tokenTtlSeconds?: number;
  now?: () => Date;
}

export type RequestHeaders = Record<string, string | string[] | undefined>;

export interface Credentials {
  /** The session cookie's value (already unsigned). */
  sessionToken?: string | undefined;
  /** The `Authorization: Bearer` token. When both are present, the bearer token is the one used. */
  bearerToken?: string | undefined;
  /** The request headers, names in lower case (as Node gives them): the `Ror-*` headers are read from them. */
  headers: RequestHeaders;
  ip?: string | undefined;
}

export interface LoginResult {
  token: string;
  csrfToken: string;
  expiresAt: Date;
  account: Account;
}

export const ROLE_METIER_HEADERS = { code: 'ror-role-metier-code', system: 'ror-role-metier-system' } as const;
export const PROFILE_HEADERS = { code: 'ror-profil-utilisateur-code', system: 'ror-profil-utilisateur-system' } as const;

/** From least to most restrictive: an account may always ask for a profile further down this list than its own. */
const RESTRICTIVENESS: readonly AccessProfile[] = [1, 2, 3, 0];

interface LiveClient {
  client: ApiClient;
  /** The token's scopes that the client still holds. */
  scopes: ApiClient['scopes'];
}

const GENERIC_LOGIN_FAILURE = 'Adresse électronique ou mot de passe incorrect.';

/** Who is calling: a person by session cookie, or an API client by bearer token; and with which access profile. */
export class Authenticator {
  readonly keys: ServerKeys;
  readonly accounts: AccountStore;
  readonly sessions: SessionStore;
  readonly throttle: LoginThrottle;
  readonly clients: ClientStore;
  readonly tokens: TokenService;
  private readonly db: Database;

  constructor(db: Database, options: AuthenticatorOptions) {
    this.db = db;
    this.keys = options.keys;
    const clock = options.now ? { now: options.now } : {};
    this.accounts = new AccountStore(db);
    this.sessions = new SessionStore(db, { idleMinutes: options.sessionIdleMinutes, absoluteHours: options.sessionAbsoluteHours, ...clock });
    this.throttle = new LoginThrottle(db, clock);
    this.clients = new ClientStore(db);
    const ttl = options.tokenTtlSeconds !== undefined ? { ttlSeconds: options.tokenTtlSeconds } : {};
    this.tokens = new TokenService({ key: options.keys.jwtKey, ...ttl, ...clock });
  }

  /**
   * The principal of one request. `AuthError` 401 without valid credentials, 400 for malformed `Ror-*` headers,
   * 403 when the requested access profile is not granted.
   */
  async authenticate(credentials: Credentials): Promise<Principal> {
    const { bearerToken, sessionToken, headers, ip } = credentials;
    if (bearerToken) return this.clientPrincipal(await this.liveClient(bearerToken), headers, ip);
    if (sessionToken) {
      const session = await this.sessions.lookup(sessionToken);
      if (!session) throw new AuthError(401, 'invalid-session', 'Session expirée ou invalide : veuillez vous reconnecter.');
      const { account } = session;
      return {
        kind: 'user',
        id: account.id,
        label: account.email,
        role: account.role,
        scopes: [...ROLE_SCOPES[account.role]],
        perimeter: account.perimeter,
        ...accountProfile(account, headers),
        ...roleMetier(headers),
        session: { idHash: session.idHash, csrfToken: session.csrfToken },
        client: 'web',
        ...(ip !== undefined ? { ip } : {}),
      };
    }
    throw new AuthError(401, 'no-credentials', 'Authentification requise.');
  }

  /** The token's client, read again on every request so that disabling a client takes effect at once. */
  private async liveClient(bearerToken: string): Promise<LiveClient> {
    const { clientId, scopes } = await this.tokens.verify(bearerToken);
    const client = await this.clients.get(clientId);
    if (!client || client.disabled) throw new AuthError(401, 'client-disabled', "Ce client de l'API est désactivé ou inconnu.");
    return { client, scopes: scopes.filter((s) => client.scopes.includes(s)) };
  }

  private clientPrincipal({ client, scopes }: LiveClient, headers: RequestHeaders, ip: string | undefined): Principal {
    const { code } = requestedProfile(headers);
    if (code !== undefined && !client.profileCodes.includes(code)) {
      const granted = client.profileCodes.join(', ');
      throw new AuthError(403, 'profile-not-granted', `Le profil ${code} n'est pas accordé à ce client (profils accordés : ${granted}).`);
    }
    const profileCode = code ?? (client.profileCodes[0] as string);
    return {
      kind: 'client',
      id: client.id,
      label: client.name,
      scopes,
      perimeter: client.perimeter,
      profile: PROFILE_OF_CODE[profileCode] as AccessProfile,
      profileCode,
      ...roleMetier(headers),
      client: client.id,
      ...(ip !== undefined ? { ip } : {}),
    };
  }

  /**
   * Checks a password login, throttled per account and per IP, and opens a session. Every attempt is audited
   * (action `login`). Wrong email and wrong password give the same 401; a throttled attempt gives 429.
   */
  async login(input: { email: string; password: string; ip: string; userAgent?: string | undefined }): Promise<LoginResult> {
    const email = normalizeEmail(input.email).slice(0, 254);
    const attempt = { email, ip: input.ip };
    const audit = (outcome: 'success' | 'denied', accountId: string | undefined, detail: Record<string, unknown>): Promise<void> => {
      const context: RequestContext = { actor: { kind: 'user', id: accountId ?? 'anonymous', label: email }, client: 'web', ip: input.ip };
      return recordAudit(this.db, [{ action: 'login', outcome, context, detail }]);
    };
    const verdict = await this.throttle.check(attempt);
    if (!verdict.allowed) {
      await audit('denied', (await this.accounts.findByEmail(email))?.id, { reason: 'throttled' });
      const minutes = Math.ceil(verdict.retryAfterSeconds / 60);
      throw new AuthError(429, 'too-many-attempts', `Trop de tentatives de connexion : réessayez dans ${minutes} min.`, verdict.retryAfterSeconds);
    }
    const account = await this.accounts.verifyLogin(email, input.password);
    if (!account) {
      await this.throttle.fail(attempt);
      const known = await this.accounts.findByEmail(email);
      await audit('denied', known?.id, { reason: !known ? 'unknown-email' : known.disabled ? 'account-disabled' : 'wrong-password' });
      throw new AuthError(401, 'invalid-credentials', GENERIC_LOGIN_FAILURE);
    }
    await this.throttle.succeed(attempt);
    const session = await this.sessions.create(account.id, { ip: input.ip, userAgent: input.userAgent });
    await audit('success', account.id, { method: 'password' });
    return { ...session, account };
  }

  /** Ends the session of `token` (audited as `logout` when it was live). */
  /** Deletes dead sessions and run-out login counters; the server calls it periodically. */
  async purgeExpired(): Promise<{ sessions: number; throttles: number }> {
    return { sessions: await this.sessions.purge(), throttles: await this.throttle.purge() };
  }

  async logout(token: string, ip?: string): Promise<void> {
    const session = await this.sessions.lookup(token);
    await this.sessions.revoke(token);
    if (session) {
      const { id, email } = session.account;
      const context: RequestContext = { actor: { kind: 'user', id, label: email }, client: 'web', ...(ip !== undefined ? { ip } : {}) };
      await recordAudit(this.db, [{ action: 'logout', outcome: 'success', context }]);
    }
  }
}

function header(headers: RequestHeaders, name: string): string | undefined {
  const raw = headers[name];
  if (Array.isArray(raw)) {
    if (raw.length > 1) throw new AuthError(400, 'invalid-header', `L'en-tête ${name} ne doit figurer qu'une fois.`);
    return raw[0]?.trim() || undefined;
  }
  return raw?.trim() || undefined;
}

/** `Ror-Profil-Utilisateur-Code` (a JDV_J68 code) and its system, which must be the J68 OID when sent. */
function requestedProfile(headers: RequestHeaders): { code?: string } {
  const code = header(headers, PROFILE_HEADERS.code);
  const system = header(headers, PROFILE_HEADERS.system);
  if (system !== undefined && system !== PROFILE_CODE_SYSTEM) {
    throw new AuthError(
      400,
      'invalid-profile-system',
      `L'en-tête Ror-Profil-Utilisateur-System doit valoir ${PROFILE_CODE_SYSTEM}, reçu "${system}".`,
    );
  }
  if (code === undefined) {
    if (system !== undefined) {
      throw new AuthError(400, 'invalid-header', 'Ror-Profil-Utilisateur-System est envoyé sans Ror-Profil-Utilisateur-Code.');
    }
    return {};
  }
  if (!Object.hasOwn(PROFILE_OF_CODE, code)) {
    const known = Object.keys(PROFILE_OF_CODE).join(', ');
    throw new AuthError(400, 'unknown-profile', `Profil utilisateur inconnu "${code}" (attendu : ${known}).`);
  }
  return { code };
}

/** The account's own profile, or the more restrictive one it asks for. */
function accountProfile(account: Account, headers: RequestHeaders): { profile: AccessProfile; profileCode: string } {
  const own = PROFILE_OF_CODE[account.profileCode] as AccessProfile;
  const { code } = requestedProfile(headers);
  if (code === undefined) return { profile: own, profileCode: account.profileCode };
  const asked = PROFILE_OF_CODE[code] as AccessProfile;
  if (RESTRICTIVENESS.indexOf(asked) < RESTRICTIVENESS.indexOf(own)) {
    const message = `Le profil ${code} donne accès à plus de données que celui de ce compte (${account.profileCode}).`;
    throw new AuthError(403, 'profile-not-granted', message);
  }
  return { profile: asked, profileCode: code };
}

/** `Ror-Role-Metier-Code` and `-System`: both or neither. */
function roleMetier(headers: RequestHeaders): { roleMetier?: Coding } {
  const code = header(headers, ROLE_METIER_HEADERS.code);
  const system = header(headers, ROLE_METIER_HEADERS.system);
  if ((code === undefined) !== (system === undefined)) {
    throw new AuthError(400, 'invalid-header', 'Les en-têtes Ror-Role-Metier-Code et Ror-Role-Metier-System vont ensemble.');
  }
  return code !== undefined && system !== undefined ? { roleMetier: { system, code } } : {};
}

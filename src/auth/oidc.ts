import * as client from 'openid-client';

/** An OpenID Connect identity provider the login page offers (Pro Santé Connect, a regional IdP…). */
export interface OidcConfig {
  issuer: string;
  clientId: string;
  /** Absent for a public client (PKCE only). */
  clientSecret: string | undefined;
  redirectUri: string;
  scopes: string;
  /** The name on the login button. */
  label: string;
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

function parseUrl(name: string, value: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error(`${name} must be an absolute URL, got "${value}"`);
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname))) {
    throw new Error(`${name} must be an https URL (plain http only on the loopback interface), got "${value}"`);
  }
  return url;
}

/** `OIDC_*` → configuration; undefined when `OIDC_ISSUER` is not set (no OIDC login offered). */
export function oidcConfigFromEnv(env: NodeJS.ProcessEnv = process.env): OidcConfig | undefined {
  const issuer = env.OIDC_ISSUER;
  if (!issuer) return undefined;
  const missing = ['OIDC_CLIENT_ID', 'OIDC_REDIRECT_URI'].filter((name) => !env[name]);
  if (missing.length > 0) throw new Error(`OIDC_ISSUER is set but ${missing.join(' and ')} ${missing.length > 1 ? 'are' : 'is'} not`);
  const issuerUrl = parseUrl('OIDC_ISSUER', issuer);
  parseUrl('OIDC_REDIRECT_URI', env.OIDC_REDIRECT_URI as string);
  return {
    issuer,
    clientId: env.OIDC_CLIENT_ID as string,
    clientSecret: env.OIDC_CLIENT_SECRET || undefined,
    redirectUri: env.OIDC_REDIRECT_URI as string,
    scopes: env.OIDC_SCOPES || 'openid email profile',
    label: env.OIDC_LABEL || issuerUrl.host,
  };
}

/** What the login keeps between the redirection to the IdP and its callback (in a short-lived signed cookie). */
export interface PendingLogin {
  state: string;
  nonce: string;
  codeVerifier: string;
}

/** The person the IdP vouches for. */
export interface OidcIdentity {
  issuer: string;
  subject: string;
  email?: string;
  emailVerified: boolean;
  name?: string;
}

/** The IdP could not be reached or its metadata is unusable. */
export class OidcUnavailableError extends Error {}

/** Authorization code flow with PKCE (S256), state and nonce. */
export class OidcLogin {
  readonly config: OidcConfig;
  private configuration: Promise<client.Configuration> | undefined;

  constructor(config: OidcConfig) {
    this.config = config;
  }

  /** Discovers the IdP's metadata on first use (the server starts even when the IdP is down) and keeps it. */
  private discover(): Promise<client.Configuration> {
    if (!this.configuration) {
      const { issuer, clientId, clientSecret } = this.config;
      const issuerUrl = new URL(issuer);
      const auth = clientSecret ? client.ClientSecretBasic(clientSecret) : client.None();
      this.configuration = client
        .discovery(issuerUrl, clientId, undefined, auth, issuerUrl.protocol === 'http:' ? { execute: [client.allowInsecureRequests] } : {})
        .catch((err: unknown) => {
          this.configuration = undefined;
          throw new OidcUnavailableError(`OIDC discovery of ${issuer} failed: ${err instanceof Error ? err.message : String(err)}`);
        });
    }
    return this.configuration;
  }

  /** The IdP's authorization URL to redirect the browser to, and what the callback will need. */
  async start(): Promise<{ url: string; pending: PendingLogin }> {
    const configuration = await this.discover();
    const pending: PendingLogin = { state: client.randomState(), nonce: client.randomNonce(), codeVerifier: client.randomPKCECodeVerifier() };
    const url = client.buildAuthorizationUrl(configuration, {
      redirect_uri: this.config.redirectUri,
      scope: this.config.scopes,
      state: pending.state,
      nonce: pending.nonce,
      code_challenge: await client.calculatePKCECodeChallenge(pending.codeVerifier),
      code_challenge_method: 'S256',
    });
    return { url: url.href, pending };
  }

  /**
   * Checks the callback (state, issuer), redeems the code (PKCE verifier) and checks the ID token (signature,
   * audience, nonce); email and name come from the ID token or, when it carries none, from the userinfo endpoint.
   * Throws on anything wrong, including an error answered by the IdP.
   */
  async finish(callbackUrl: URL, pending: PendingLogin): Promise<OidcIdentity> {
    const configuration = await this.discover();
    const tokens = await client.authorizationCodeGrant(configuration, callbackUrl, {
      pkceCodeVerifier: pending.codeVerifier,
      expectedState: pending.state,
      expectedNonce: pending.nonce,
      idTokenExpected: true,
    });
    const idToken = tokens.claims();
    if (!idToken) throw new Error('The IdP returned no ID token');
    let claims: Record<string, unknown> = idToken;
    if (idToken.email === undefined && configuration.serverMetadata().userinfo_endpoint) {
      claims = { ...(await client.fetchUserInfo(configuration, tokens.access_token, idToken.sub)), ...idToken };
    }
    return {
      issuer: idToken.iss,
      subject: idToken.sub,
      ...(typeof claims.email === 'string' ? { email: claims.email } : {}),
      emailVerified: claims.email_verified === true,
      ...(typeof claims.name === 'string' ? { name: claims.name } : {}),
    };
  }
}

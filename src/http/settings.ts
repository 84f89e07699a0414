/** The HTTP layer's settings that come from the environment. */
export interface HttpSettings {
  /** Requests per minute per API client, account or (unauthenticated) IP address. */
  rateLimitPerMinute: number;
  /** Origins allowed to call the API from a browser (CORS, with credentials); none by default. */
  corsOrigins: string[];
  /**
   * Whether to believe `X-Forwarded-For` / `X-Forwarded-Proto` (behind a reverse proxy): `true`, or the
   * proxies' addresses or subnets, comma-separated (Fastify's `trustProxy`).
   */
  trustProxy: boolean | string;
}

export const DEFAULT_HTTP_SETTINGS: HttpSettings = { rateLimitPerMinute: 1200, corsOrigins: [], trustProxy: false };

function parseOrigin(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error(`CORS_ORIGINS must list origins such as https://portail.example.fr, got "${raw}"`);
  }
  if (url.origin !== raw.replace(/\/$/, '')) throw new Error(`CORS_ORIGINS must list origins (scheme://host[:port]), got "${raw}"`);
  return url.origin;
}

/** `RATE_LIMIT_PER_MINUTE`, `CORS_ORIGINS` (comma-separated), `TRUST_PROXY`. */
export function httpSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): HttpSettings {
  const rate = env.RATE_LIMIT_PER_MINUTE;
  const rateLimitPerMinute = rate === undefined || rate === '' ? DEFAULT_HTTP_SETTINGS.rateLimitPerMinute : Number(rate);
  if (!Number.isInteger(rateLimitPerMinute) || rateLimitPerMinute < 1) {
    throw new Error(`RATE_LIMIT_PER_MINUTE must be a positive integer, got "${rate}"`);
  }
  const corsOrigins = (env.CORS_ORIGINS ?? '')
    .split(',')
    .map((o) => o.trim())
    .filter((o) => o !== '')
    .map(parseOrigin);
  const proxy = env.TRUST_PROXY?.trim() ?? '';
  const trustProxy = proxy === '' || proxy === 'false' ? false : proxy === 'true' ? true : proxy;
  return { rateLimitPerMinute, corsOrigins, trustProxy };
}

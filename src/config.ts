import path from 'node:path';
import { oidcConfigFromEnv, type OidcConfig } from './auth/oidc.ts';
import { freshnessPolicyFromEnv, type FreshnessPolicy } from './beds/freshness.ts';
import { httpSettingsFromEnv, type HttpSettings } from './http/settings.ts';

export interface Config {
  port: number;
  host: string;
  databaseUrl: string | undefined;
  dataDir: string;
  /** `$export` files (`EXPORT_DIR`, default `${dataDir}/exports`). */
  exportDir: string;
  logLevel: string;
  /** Derives the server's signing keys; when absent they are generated once and kept in the database. */
  authSecret: string | undefined;
  sessionIdleMinutes: number;
  sessionAbsoluteHours: number;
  /** Lifetime of API access tokens. */
  tokenTtlSeconds: number;
  /** `RATE_LIMIT_PER_MINUTE`, `CORS_ORIGINS`, `TRUST_PROXY`. */
  http: HttpSettings;
  /** `OIDC_*`: the identity provider for single sign-on, when configured. */
  oidc: OidcConfig | undefined;
  /** `BED_REFRESH_HOURS`, `BED_REFRESH_HOURS_BY_ACTIVITY`, `BED_CRISIS_REFRESH_HOURS`: how old a bed figure may be. */
  beds: FreshnessPolicy;
}

function integerFromEnv(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number, what: string): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw new Error(`${name} must be ${what}, got "${raw}"`);
  return n;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const dataDir = path.resolve(env.DATA_DIR || '.data');
  return {
    port: integerFromEnv(env, 'PORT', 3000, 0, 65535, 'a port number'),
    host: env.HOST ?? '0.0.0.0',
    databaseUrl: env.DATABASE_URL || undefined,
    dataDir,
    exportDir: path.resolve(env.EXPORT_DIR || path.join(dataDir, 'exports')),
    logLevel: env.LOG_LEVEL ?? 'info',
    authSecret: env.AUTH_SECRET || undefined,
    sessionIdleMinutes: integerFromEnv(env, 'SESSION_IDLE_MINUTES', 120, 1, 7 * 24 * 60, 'a number of minutes (1 to 10080)'),
    sessionAbsoluteHours: integerFromEnv(env, 'SESSION_ABSOLUTE_HOURS', 12, 1, 30 * 24, 'a number of hours (1 to 720)'),
    tokenTtlSeconds: integerFromEnv(env, 'TOKEN_TTL_SECONDS', 900, 60, 86_400, 'a number of seconds (60 to 86400)'),
    http: httpSettingsFromEnv(env),
    oidc: oidcConfigFromEnv(env),
    beds: freshnessPolicyFromEnv(env),
  };
}

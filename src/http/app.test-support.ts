import type { FastifyInstance } from 'fastify';
import { Authenticator, type AuthenticatorOptions } from '../auth/authenticator.ts';
import { loadServerKeys } from '../auth/keys.ts';
import { EMPTY_PERIMETER, type Perimeter, type Role } from '../auth/principal.ts';
import type { Database } from '../db/open.ts';
import { openTestDatabase } from '../db/testing.ts';
import { Repository } from '../store/repository.ts';
import { buildApp, type AppOptions } from './app.ts';

export const NATIONAL: Perimeter = { ...EMPTY_PERIMETER, national: true };
export const TEST_PASSWORD = 'correct horse battery staple';

export interface TestApp {
  app: FastifyInstance;
  db: Database;
  repo: Repository;
  auth: Authenticator;
  close(): Promise<void>;
}

/** A migrated scratch database, an authenticator with fixed keys, and the app over them. */
export async function openTestApp(
  options: { app?: Partial<Omit<AppOptions, 'repo' | 'db' | 'auth'>>; auth?: Partial<AuthenticatorOptions>; seed?: (repo: Repository) => Promise<void> } = {},
): Promise<TestApp> {
  const db = await openTestDatabase();
  const repo = new Repository(db);
  await options.seed?.(repo);
  const auth = new Authenticator(db, {
    keys: await loadServerKeys(db, 'a test secret of at least thirty-two characters'),
    sessionIdleMinutes: 60,
    sessionAbsoluteHours: 8,
    ...options.auth,
  });
  const app = await buildApp({ repo, db, auth, ...options.app });
  return {
    app,
    db,
    repo,
    auth,
    async close() {
      await app.close();
      await db.close();
    },
  };
}

export async function createAccount(t: TestApp, email: string, role: Role, perimeter: Perimeter = NATIONAL): Promise<void> {
  await t.auth.accounts.create({ email, role, perimeter, password: TEST_PASSWORD });
}

/** Logs in through `/auth/login`; the `cookie` header to send and the session's CSRF token. */
export async function login(app: FastifyInstance, email: string, password = TEST_PASSWORD): Promise<{ cookie: string; csrfToken: string }> {
  const res = await app.inject({ method: 'POST', url: '/auth/login', payload: { email, password } });
  if (res.statusCode !== 200) throw new Error(`login of ${email} answered ${res.statusCode}: ${res.body}`);
  const session = res.cookies.find((c) => c.name === 'ror_session');
  if (!session) throw new Error('no session cookie');
  return { cookie: `ror_session=${session.value}`, csrfToken: (res.json() as { csrfToken: string }).csrfToken };
}

/** A new API client and a bearer token for it, issued directly (the token endpoint has its own tests). */
export async function clientToken(t: TestApp, scopes: string[], profileCodes: string[] = ['CU18'], perimeter: Perimeter = EMPTY_PERIMETER): Promise<{ clientId: string; secret: string; token: string }> {
  const { client_id, client_secret } = await t.auth.clients.create({ name: `client ${scopes.join('+')}`, scopes, perimeter, profileCodes });
  const client = await t.auth.clients.get(client_id);
  if (!client) throw new Error('client vanished');
  const { access_token } = await t.auth.tokens.issue(client);
  return { clientId: client_id, secret: client_secret, token: access_token };
}

import assert from 'node:assert/strict';
import type { OperationOutcome, Resource } from '@medplum/fhirtypes';
import { Client, RESPONSE_KEY } from 'fhir-kit-client';
import { clientToken, createAccount, login, NATIONAL, openTestApp, type TestApp } from '../http/app.test-support.ts';
import { validateR4Full } from '../model/index.ts';
import type { Repository } from '../store/repository.ts';

/** The ROR headers a national-ROR client sends with every read (Profil 1, an automaton). */
export const ROR_HEADERS: Readonly<Record<string, string>> = {
  'Ror-Profil-Utilisateur-Code': 'CU22',
  'Ror-Profil-Utilisateur-System': '1.2.250.1.213.1.6.1.66',
  'Ror-Role-Metier-Code': 'AUTOMATE',
  'Ror-Role-Metier-System': '1.2.250.1.213.1.1.4.6',
};

export interface FhirServer {
  t: TestApp;
  /** `http://127.0.0.1:<port>/fhir` */
  baseUrl: string;
  close(): Promise<void>;
}

/** The app over a scratch database (filled by `seed`), listening on a free loopback port. */
export async function startFhirServer(seed?: (repo: Repository) => Promise<void>): Promise<FhirServer> {
  const t = await openTestApp({ seed });
  const address = await t.app.listen({ port: 0, host: '127.0.0.1' });
  return { t, baseUrl: `${address}/fhir`, close: () => t.close() };
}

/** Asserts that a response body is a valid FHIR R4 resource (Medplum's complete validator). */
export function assertValidR4(body: unknown, what: string): void {
  assert.ok(typeof body === 'object' && body !== null && 'resourceType' in body, `${what}: the body is not a FHIR resource: ${JSON.stringify(body).slice(0, 200)}`);
  const issues = validateR4Full(body as Resource);
  assert.deepEqual(
    issues.map((i) => `${i.expression?.join(',') ?? ''}: ${i.diagnostics ?? ''}`),
    [],
    `${what}: the ${(body as Resource).resourceType} served is not valid R4`,
  );
}

interface ClientError {
  response?: { status: number; data: unknown };
}

/**
 * A fhir-kit-client whose every answer is checked against R4: resolved bodies (when there is one — a 204 has
 * none) and the OperationOutcome of every error status.
 */
export function fhirClient(baseUrl: string, headers: Record<string, string> = {}): Client {
  const client = new Client({ baseUrl, customHeaders: { ...ROR_HEADERS, ...headers } });
  return new Proxy(client, {
    get(target, prop, receiver) {
      const value: unknown = Reflect.get(target, prop, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        const out: unknown = value.apply(target, args);
        if (!(out instanceof Promise)) return out;
        return out.then(
          (body: unknown) => {
            if (typeof body === 'object' && body !== null && Object.keys(body).length > 0) assertValidR4(body, `${String(prop)} answer`);
            return body;
          },
          (err: unknown) => {
            const res = (err as ClientError).response;
            if (res) {
              assert.equal((res.data as Resource | undefined)?.resourceType, 'OperationOutcome', `HTTP ${res.status} without an OperationOutcome: ${JSON.stringify(res.data).slice(0, 200)}`);
              assertValidR4(res.data, `HTTP ${res.status} answer`);
            }
            throw err;
          },
        );
      };
    },
  });
}

/** The HTTP response a fhir-kit-client answer came with (status, headers). */
export function responseOf(body: unknown): Response {
  const res = (body as Record<typeof RESPONSE_KEY, Response | undefined>)[RESPONSE_KEY];
  assert.ok(res, 'no HTTP response attached to the answer');
  return res;
}

/** Awaits a request that must fail; its status and OperationOutcome (already checked valid by {@link fhirClient}). */
export async function failure(request: Promise<unknown>): Promise<{ status: number; outcome: OperationOutcome }> {
  try {
    await request;
  } catch (err) {
    const res = (err as ClientError).response;
    if (!res) throw err;
    return { status: res.status, outcome: res.data as OperationOutcome };
  }
  assert.fail('the request succeeded');
}

/** A bearer token of an API client with the given scopes and perimeter, granted Profil 1 (CU22). */
export async function bearer(t: TestApp, scopes: string[], perimeter = NATIONAL): Promise<Record<string, string>> {
  const { token } = await clientToken(t, scopes, ['CU22'], perimeter);
  return { Authorization: `Bearer ${token}` };
}

/** The session cookie and CSRF header of a new national administrator. */
export async function nationalAdmin(t: TestApp, email = 'admin.national@ror.test'): Promise<Record<string, string>> {
  await createAccount(t, email, 'national-admin', NATIONAL);
  const { cookie, csrfToken } = await login(t.app, email);
  return { cookie, 'x-csrf-token': csrfToken };
}

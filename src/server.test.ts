import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Bundle, CapabilityStatement } from '@medplum/fhirtypes';
import { loadConfig } from './config.ts';
import { startServer } from './server.ts';

test('the server starts on a free port, answers over HTTP, authenticates people and clients, and shuts down cleanly', async () => {
  const server = await startServer(
    { ...loadConfig({}), port: 0, host: '127.0.0.1', databaseUrl: process.env.DATABASE_URL, dataDir: 'memory://', logLevel: 'silent' },
    { seedDemoIfEmpty: false },
  );
  try {
    assert.deepEqual(server.demoCredentials, []);
    const health = await fetch(`${server.url}/healthz`);
    assert.equal(health.status, 200);
    const metadata = (await (await fetch(`${server.url}/fhir/metadata`)).json()) as CapabilityStatement;
    assert.equal(metadata.fhirVersion, '4.0.1');
    assert.equal((await fetch(`${server.url}/fhir/Organization`)).status, 401);

    const email = `server-test-${Date.now()}@ror.test`;
    const { password } = await server.auth.accounts.create({ email, role: 'reader', perimeter: { national: false, regions: [], organizations: [], services: [], locations: [] } });
    const login = await fetch(`${server.url}/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password }) });
    assert.equal(login.status, 200);
    const cookie = login.headers.get('set-cookie')?.split(';')[0] ?? '';
    const search = await fetch(`${server.url}/fhir/Organization?_count=1`, { headers: { cookie } });
    assert.equal(search.status, 200);
    assert.equal(((await search.json()) as Bundle).resourceType, 'Bundle');

    const { client_id, client_secret } = await server.auth.clients.create({ name: 'Server test', scopes: ['read'], perimeter: { national: false, regions: [], organizations: [], services: [], locations: [] } });
    const token = await fetch(`${server.url}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id, client_secret }).toString(),
    });
    assert.equal(token.status, 200);
    const { access_token } = (await token.json()) as { access_token: string };
    assert.equal((await fetch(`${server.url}/fhir/Organization?_count=1`, { headers: { authorization: `Bearer ${access_token}` } })).status, 200);

    const unsupported = await fetch(`${server.url}/fhir/metadata`, { method: 'DELETE', headers: { authorization: `Bearer ${access_token}` } });
    assert.equal(unsupported.status, 405);
  } finally {
    await server.close();
  }
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CapabilityStatement } from '@medplum/fhirtypes';
import { startServer } from './server.ts';

test('the server starts on a free port, answers over HTTP and shuts down cleanly', async () => {
  const server = await startServer(
    { port: 0, host: '127.0.0.1', databaseUrl: process.env.DATABASE_URL, dataDir: 'memory://', logLevel: 'silent' },
    { seedDemoIfEmpty: false },
  );
  try {
    const health = await fetch(`${server.url}/healthz`);
    assert.equal(health.status, 200);
    const metadata = (await (await fetch(`${server.url}/fhir/metadata`)).json()) as CapabilityStatement;
    assert.equal(metadata.fhirVersion, '4.0.1');
    const unsupported = await fetch(`${server.url}/fhir/Organization`, { method: 'DELETE' });
    assert.equal(unsupported.status, 405);
  } finally {
    await server.close();
  }
});

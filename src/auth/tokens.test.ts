import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { SignJWT } from 'jose';
import type { ApiClient } from './clients.ts';
import { AuthError } from './errors.ts';
import { EMPTY_PERIMETER } from './principal.ts';
import { TOKEN_AUDIENCE, TOKEN_ISSUER, TokenService } from './tokens.ts';

const key = new Uint8Array(randomBytes(32));
let clock = new Date('2026-03-02T08:00:00Z');
const tokens = new TokenService({ key, ttlSeconds: 900, now: () => clock });
const client: ApiClient = {
  id: 'client-1',
  name: 'Gestion des lits',
  scopes: ['read', 'write-capacities'],
  perimeter: EMPTY_PERIMETER,
  profileCodes: ['CU18'],
  disabled: false,
  createdAt: '2026-01-01T00:00:00.000Z',
};
const authError = (status: number, code: string) => (err: unknown) => err instanceof AuthError && err.status === status && err.code === code;

test('a token carries the client and its scopes, all by default, a subset on request', async () => {
  const all = await tokens.issue(client);
  assert.equal(all.token_type, 'Bearer');
  assert.equal(all.expires_in, 900);
  assert.equal(all.scope, 'read write-capacities');
  assert.deepEqual(await tokens.verify(all.access_token), { clientId: 'client-1', scopes: ['read', 'write-capacities'] });
  const read = await tokens.issue(client, ['read']);
  assert.deepEqual(await tokens.verify(read.access_token), { clientId: 'client-1', scopes: ['read'] });
});

test('asking for a scope the client was not granted is invalid_scope', async () => {
  await assert.rejects(tokens.issue(client, ['read', 'write-offer']), authError(400, 'invalid_scope'));
});

test('a token expires after its lifetime', async () => {
  const { access_token } = await tokens.issue(client);
  clock = new Date(clock.getTime() + 899_000);
  assert.ok(await tokens.verify(access_token));
  clock = new Date(clock.getTime() + 1_000);
  await assert.rejects(tokens.verify(access_token), authError(401, 'expired-token'));
});

test('a token signed with another key, altered, or for another issuer or audience is refused', async () => {
  const other = new TokenService({ key: new Uint8Array(randomBytes(32)), now: () => clock });
  await assert.rejects(tokens.verify((await other.issue(client)).access_token), authError(401, 'invalid-token'));

  const [header, , signature] = (await tokens.issue(client, ['read'])).access_token.split('.');
  const forgedPayload = Buffer.from(JSON.stringify({ sub: 'client-1', scope: 'read write-offer', iss: TOKEN_ISSUER, aud: TOKEN_AUDIENCE, exp: 9e9 })).toString('base64url');
  await assert.rejects(tokens.verify(`${header}.${forgedPayload}.${signature}`), authError(401, 'invalid-token'));

  const elsewhere = new TokenService({ key, issuer: 'urn:other', now: () => clock });
  await assert.rejects(tokens.verify((await elsewhere.issue(client)).access_token), authError(401, 'invalid-token'));
  const otherAudience = new TokenService({ key, audience: 'urn:other:api', now: () => clock });
  await assert.rejects(tokens.verify((await otherAudience.issue(client)).access_token), authError(401, 'invalid-token'));

  const unsigned = `${Buffer.from('{"alg":"none","typ":"at+jwt"}').toString('base64url')}.${forgedPayload}.`;
  await assert.rejects(tokens.verify(unsigned), authError(401, 'invalid-token'));
  const idToken = await new SignJWT({ scope: 'read' }).setProtectedHeader({ alg: 'HS256' }).setSubject('client-1').setIssuer(TOKEN_ISSUER)
    .setAudience(TOKEN_AUDIENCE).setExpirationTime(Math.floor(clock.getTime() / 1000) + 60).sign(key);
  await assert.rejects(tokens.verify(idToken), authError(401, 'invalid-token'), 'a JWT that is not an access token (typ)');
  await assert.rejects(tokens.verify('garbage'), authError(401, 'invalid-token'));
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AuthError } from './errors.ts';
import { checkPasswordPolicy, generatePassword, hashSecret, randomToken, verifyCredential } from './passwords.ts';

test('an argon2id hash verifies its password and nothing else', async () => {
  const hash = await hashSecret('correct horse battery staple');
  assert.match(hash, /^\$argon2id\$/);
  assert.equal(await verifyCredential(hash, 'correct horse battery staple'), true);
  assert.equal(await verifyCredential(hash, 'correct horse battery stapl'), false);
  assert.notEqual(await hashSecret('correct horse battery staple'), hash, 'salted');
});

test('without a hash, with a malformed hash or an overlong secret, verification fails', async () => {
  assert.equal(await verifyCredential(undefined, 'whatever'), false);
  assert.equal(await verifyCredential(null, 'whatever'), false);
  assert.equal(await verifyCredential('not-a-hash', 'whatever'), false);
  const long = 'x'.repeat(300);
  assert.equal(await verifyCredential(await hashSecret(long), long), false);
});

test('generated passwords are 20 readable characters and differ', () => {
  const a = generatePassword();
  assert.equal(a.length, 20);
  assert.match(a, /^[a-km-zA-HJ-NP-Z2-9]{20}$/);
  assert.notEqual(generatePassword(), a);
  assert.doesNotThrow(() => checkPasswordPolicy(a));
  assert.match(randomToken(), /^[A-Za-z0-9_-]{43}$/);
});

test('the password policy refuses short or monotonous passwords with a French message', () => {
  assert.throws(
    () => checkPasswordPolicy('court123'),
    (err: unknown) => err instanceof AuthError && err.status === 400 && err.code === 'weak-password' && /au moins 12 caractères/.test(err.message),
  );
  assert.throws(() => checkPasswordPolicy('aaaaaaaaaaaaaaaa'), /4 caractères différents/);
  assert.throws(() => checkPasswordPolicy('a1b2'.repeat(70)), /ne doit pas dépasser/);
  assert.doesNotThrow(() => checkPasswordPolicy('douze-caract'));
});

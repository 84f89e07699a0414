import { randomBytes, randomInt } from 'node:crypto';
import { hash, verify } from '@node-rs/argon2';
import { AuthError } from './errors.ts';

export const MIN_PASSWORD_LENGTH = 12;
/** Bounds the hashing work an attacker can ask for. */
export const MAX_PASSWORD_LENGTH = 256;

/** argon2id with the library's defaults (m=19 MiB, t=2, p=1: about 100 ms here). */
export function hashSecret(secret: string): Promise<string> {
  return hash(secret);
}

/** False for a wrong secret and for a malformed hash. */
async function verifySecret(secretHash: string, secret: string): Promise<boolean> {
  try {
    return await verify(secretHash, secret);
  } catch {
    return false;
  }
}

let dummyHash: Promise<string> | undefined;

/**
 * Whether `secret` matches `secretHash`. Without a hash to check (unknown user, disabled account…) or with an
 * overlong secret it still spends one verification, so that timing does not tell these cases apart.
 */
export async function verifyCredential(secretHash: string | null | undefined, secret: string): Promise<boolean> {
  const candidate = secret.slice(0, MAX_PASSWORD_LENGTH);
  if (!secretHash || candidate !== secret) {
    dummyHash ??= hashSecret(randomToken());
    await verifySecret(await dummyHash, candidate);
    return false;
  }
  return verifySecret(secretHash, secret);
}

/** No 0/O, 1/l/I: passwords are read from a terminal and typed by hand. */
const READABLE = 'abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789';

/** 20 characters of a 57-letter alphabet: about 117 bits. */
export function generatePassword(length = 20): string {
  let out = '';
  for (let i = 0; i < length; i++) out += READABLE[randomInt(READABLE.length)];
  return out;
}

/** 32 random bytes, base64url: session ids, CSRF tokens, client secrets. */
export function randomToken(): string {
  return randomBytes(32).toString('base64url');
}

/** Throws `AuthError(400, 'weak-password')` when a chosen password does not meet the policy. */
export function checkPasswordPolicy(password: string): void {
  if (password.length < MIN_PASSWORD_LENGTH) {
    throw new AuthError(400, 'weak-password', `Le mot de passe doit comporter au moins ${MIN_PASSWORD_LENGTH} caractères.`);
  }
  if (password.length > MAX_PASSWORD_LENGTH) {
    throw new AuthError(400, 'weak-password', `Le mot de passe ne doit pas dépasser ${MAX_PASSWORD_LENGTH} caractères.`);
  }
  if (new Set(password).size < 4) {
    throw new AuthError(400, 'weak-password', 'Le mot de passe doit contenir au moins 4 caractères différents.');
  }
}

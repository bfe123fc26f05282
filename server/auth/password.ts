import { hash, verify } from '@node-rs/argon2';
import { z } from 'zod';

/** argon2id with the library's defaults (19 MiB, 2 passes): OWASP's recommended floor. */
export function hashPassword(password: string): Promise<string> {
  return hash(password);
}

// Verified when the username is unknown, so that a wrong username takes as long as a
// wrong password and timing tells nothing about which accounts exist.
let dummyHash: Promise<string> | undefined;

export async function verifyPassword(passwordHash: string | undefined, password: string): Promise<boolean> {
  if (passwordHash === undefined) {
    dummyHash ??= hash('not-a-real-password');
    await verify(await dummyHash, password).catch(() => false);
    return false;
  }
  return verify(passwordHash, password).catch(() => false);
}

export const PASSWORD_MIN_LENGTH = 10;

/** A new password: never stored, so any characters will do; the length bounds the hashing work. */
export const password = z
  .string()
  .min(PASSWORD_MIN_LENGTH, `must have at least ${PASSWORD_MIN_LENGTH} characters`)
  .max(200);

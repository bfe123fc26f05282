import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import { secondsLeftInWindow, windowStart } from '../abuse/rate-limit.ts';
import type { Db } from '../db/database.ts';
import { AppError } from '../errors.ts';

const WINDOW_SECONDS = 15 * 60;

export interface SignInLimit {
  /** Wrong passwords for one account per 15 minutes. */
  failuresPerAccount: number;
  /** Sign-in attempts from one network per 15 minutes, right or wrong. */
  attemptsPerSource: number;
}

function accountBucket(username: string): Buffer {
  return createHash('sha256').update(`login-account:${username}`).digest().subarray(0, 16);
}

/**
 * Refuses a sign-in, before any password is checked, once the account has had too many
 * wrong passwords or the network too many attempts in the current window. Counters live
 * in the database, so the limit holds across server processes.
 */
export async function assertMaySignIn(
  db: Db,
  username: string,
  sourceBucket: Buffer,
  now: Date,
  limit: SignInLimit,
): Promise<void> {
  const start = windowStart(now, WINDOW_SECONDS);
  const rows = await db
    .selectFrom('rate_limit_counter')
    .select(['bucket', 'hits'])
    .where('window_start', '=', start)
    .where('bucket', 'in', [accountBucket(username), loginSourceBucket(sourceBucket)])
    .execute();
  const hits = (bucket: Buffer) => rows.find((row) => row.bucket.equals(bucket))?.hits ?? 0;
  if (
    hits(accountBucket(username)) >= limit.failuresPerAccount ||
    hits(loginSourceBucket(sourceBucket)) >= limit.attemptsPerSource
  ) {
    throw new AppError(429, 'too_many_sign_in_attempts', 'Too many sign-in attempts; try again later', undefined, {
      'Retry-After': String(secondsLeftInWindow(now, WINDOW_SECONDS)),
    });
  }
}

/** Counts an attempt from the network, and a failure against the account when it failed. */
export async function countSignInAttempt(
  db: Db,
  username: string,
  sourceBucket: Buffer,
  failed: boolean,
  now: Date,
): Promise<void> {
  const start = windowStart(now, WINDOW_SECONDS);
  const buckets = [loginSourceBucket(sourceBucket), ...(failed ? [accountBucket(username)] : [])];
  await db
    .insertInto('rate_limit_counter')
    .values(buckets.map((bucket) => ({ bucket, window_start: start, hits: 1 })))
    .onConflict((oc) =>
      oc.columns(['bucket', 'window_start']).doUpdateSet({ hits: sql<number>`rate_limit_counter.hits + 1` }),
    )
    .execute();
}

function loginSourceBucket(sourceBucket: Buffer): Buffer {
  return createHash('sha256').update('login-source:').update(sourceBucket).digest().subarray(0, 16);
}

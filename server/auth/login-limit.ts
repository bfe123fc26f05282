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
 * Counts a sign-in attempt, before any password is checked, against the network and
 * against the account, and refuses it once either is past its allowance in the current
 * window. Counting first, in one statement, means concurrent attempts cannot all pass a
 * check made before any of them was counted. Counters live in the database, so the limit
 * holds across server processes. The account's count is given back by `forgiveSignIn`
 * when the password was right: the account allowance counts wrong passwords only.
 */
export async function countSignInAttempt(
  db: Db,
  username: string,
  sourceBucket: Buffer,
  now: Date,
  limit: SignInLimit,
): Promise<void> {
  const start = windowStart(now, WINDOW_SECONDS);
  const account = accountBucket(username);
  const source = loginSourceBucket(sourceBucket);
  const rows = await db
    .insertInto('rate_limit_counter')
    .values([account, source].map((bucket) => ({ bucket, window_start: start, hits: 1 })))
    .onConflict((oc) =>
      oc.columns(['bucket', 'window_start']).doUpdateSet({ hits: sql<number>`rate_limit_counter.hits + 1` }),
    )
    .returning(['bucket', 'hits'])
    .execute();
  const hits = (bucket: Buffer) => rows.find((row) => row.bucket.equals(bucket))?.hits ?? 0;
  if (hits(account) > limit.failuresPerAccount || hits(source) > limit.attemptsPerSource) {
    throw new AppError('too_many_sign_in_attempts', {
      headers: { 'Retry-After': String(secondsLeftInWindow(now, WINDOW_SECONDS)) },
    });
  }
}

/** A right password gives back the attempt counted against the account. */
export async function forgiveSignIn(db: Db, username: string, now: Date): Promise<void> {
  await db
    .updateTable('rate_limit_counter')
    .set({ hits: sql<number>`greatest(hits - 1, 0)` })
    .where('bucket', '=', accountBucket(username))
    .where('window_start', '=', windowStart(now, WINDOW_SECONDS))
    .execute();
}

function loginSourceBucket(sourceBucket: Buffer): Buffer {
  return createHash('sha256').update('login-source:').update(sourceBucket).digest().subarray(0, 16);
}

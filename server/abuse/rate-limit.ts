import { createHmac, randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import type { Db, Trx } from '../db/database.ts';
import { AppError } from '../errors.ts';
import { addDays, vietnamDate } from '../time/vietnam-time.ts';

export interface RateLimitPolicy {
  perSource: number;
  windowSeconds: number;
}

const secretsByDay = new WeakMap<Db, Map<string, Buffer>>();

/**
 * A keyed hash of the client's address under the day's secret. The secret lives in the
 * database so every server process derives the same bucket, and it is deleted after two
 * days, after which no hash can be tied to an address again.
 */
export async function sourceBucket(db: Db, address: string, now: Date): Promise<Buffer> {
  const day = vietnamDate(now);
  let secrets = secretsByDay.get(db);
  if (!secrets) secretsByDay.set(db, (secrets = new Map()));
  let secret = secrets.get(day);
  if (!secret) {
    await db
      .insertInto('abuse_secret')
      .values({ day, secret: randomBytes(32) })
      .onConflict((oc) => oc.column('day').doNothing())
      .execute();
    const row = await db.selectFrom('abuse_secret').select('secret').where('day', '=', day).executeTakeFirstOrThrow();
    secret = row.secret;
    secrets.clear();
    secrets.set(day, secret);
  }
  return createHmac('sha256', secret).update(address).digest().subarray(0, 16);
}

/**
 * Counts one accepted rating against the source's fixed window, inside the rating's own
 * transaction: a refused or failed rating rolls its count back, so only accepted ratings
 * use up the allowance. Throws 429 with Retry-After once the window is full.
 */
export async function consumeRateLimit(trx: Trx, bucket: Buffer, now: Date, policy: RateLimitPolicy): Promise<void> {
  const windowMs = policy.windowSeconds * 1000;
  const windowStart = new Date(Math.floor(now.getTime() / windowMs) * windowMs);
  const { hits } = await trx
    .insertInto('rate_limit_counter')
    .values({ bucket, window_start: windowStart, hits: 1 })
    .onConflict((oc) =>
      oc.columns(['bucket', 'window_start']).doUpdateSet({ hits: sql<number>`rate_limit_counter.hits + 1` }),
    )
    .returning('hits')
    .executeTakeFirstOrThrow();
  if (hits > policy.perSource) {
    const retryAfter = Math.max(1, Math.ceil((windowStart.getTime() + windowMs - now.getTime()) / 1000));
    throw new AppError(
      429,
      'rate_limited',
      'Too many ratings from this network; please try again later',
      undefined,
      { 'Retry-After': String(retryAfter) },
    );
  }
}

/** Deletes day secrets older than yesterday and counters of finished windows. */
export async function pruneAbuseState(db: Db, now: Date): Promise<void> {
  await db.deleteFrom('abuse_secret').where('day', '<', addDays(vietnamDate(now), -1)).execute();
  await db.deleteFrom('rate_limit_counter').where('window_start', '<', new Date(now.getTime() - 86_400_000)).execute();
}

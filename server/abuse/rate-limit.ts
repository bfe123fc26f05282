import { createHmac, randomBytes } from 'node:crypto';
import type { Db } from '../db/database.ts';
import { addDays, vietnamDate, vietnamMidnight } from '../time/vietnam-time.ts';

export interface RateLimitPolicy {
  /** Ratings accepted per window from one network. */
  perSource: number;
  /** Ratings accepted per window from one paired kiosk tablet. */
  perKiosk: number;
  windowSeconds: number;
}

interface DaySecret {
  /** The Vietnam day the secret is for, as instants, to tell it without formatting dates. */
  startsAt: number;
  endsAt: number;
  secret: Buffer;
  /** Buckets already derived today, so that a busy source costs one lookup, not an HMAC. */
  buckets: Map<string, Buffer>;
}

const daySecrets = new WeakMap<Db, DaySecret>();
const MAX_REMEMBERED_BUCKETS = 100_000;

/**
 * A keyed hash of the client's address under the day's secret. The secret lives in the
 * database so every server process derives the same bucket, and it is deleted after two
 * days, after which no hash can be tied to an address again.
 */
export async function sourceBucket(db: Db, address: string, now: Date): Promise<Buffer> {
  let current = daySecrets.get(db);
  if (!current || now.getTime() < current.startsAt || now.getTime() >= current.endsAt) {
    const day = vietnamDate(now);
    await db
      .insertInto('abuse_secret')
      .values({ day, secret: randomBytes(32) })
      .onConflict((oc) => oc.column('day').doNothing())
      .execute();
    const row = await db.selectFrom('abuse_secret').select('secret').where('day', '=', day).executeTakeFirstOrThrow();
    current = {
      startsAt: vietnamMidnight(day).getTime(),
      endsAt: vietnamMidnight(addDays(day, 1)).getTime(),
      secret: row.secret,
      buckets: new Map(),
    };
    daySecrets.set(db, current);
  }
  let bucket = current.buckets.get(address);
  if (!bucket) {
    bucket = createHmac('sha256', current.secret).update(address).digest().subarray(0, 16);
    if (current.buckets.size >= MAX_REMEMBERED_BUCKETS) current.buckets.clear();
    current.buckets.set(address, bucket);
  }
  return bucket;
}

/** The start of the fixed window containing `now`. */
export function windowStart(now: Date, windowSeconds: number): Date {
  const windowMs = windowSeconds * 1000;
  return new Date(Math.floor(now.getTime() / windowMs) * windowMs);
}

/** Seconds until the window containing `now` ends, for Retry-After. */
export function secondsLeftInWindow(now: Date, windowSeconds: number): number {
  return Math.max(
    1,
    Math.ceil((windowStart(now, windowSeconds).getTime() + windowSeconds * 1000 - now.getTime()) / 1000),
  );
}

/** Deletes day secrets older than yesterday and counters of finished windows. */
export async function pruneAbuseState(db: Db, now: Date): Promise<void> {
  await db
    .deleteFrom('abuse_secret')
    .where('day', '<', addDays(vietnamDate(now), -1))
    .execute();
  await db
    .deleteFrom('rate_limit_counter')
    .where('window_start', '<', new Date(now.getTime() - 86_400_000))
    .execute();
}

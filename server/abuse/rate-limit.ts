import { createHmac, randomBytes } from 'node:crypto';
import type { Db } from '../db/database.ts';
import { addDays, vietnamDate } from '../time/vietnam-time.ts';

export interface RateLimitPolicy {
  /** Ratings accepted per window from one network. */
  perSource: number;
  /** Ratings accepted per window from one paired kiosk tablet. */
  perKiosk: number;
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

import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import { clientAddress } from '../abuse/client-address.ts';
import { secondsLeftInWindow, sourceBucket, windowStart } from '../abuse/rate-limit.ts';
import type { Db } from '../db/database.ts';
import { DOSSIER_TOKEN_PATTERN, hashDossierToken } from '../dossiers/dossier.repository.ts';
import { AppError } from '../errors.ts';
import { typedFollowUpCode } from '../fields.ts';
import { vietnamDate } from '../time/vietnam-time.ts';
import type { Context } from 'hono';
import type { AppEnv } from '../app-env.ts';
import { publicFollowUp, type FollowUpStatus } from './follow-up.repository.ts';

/**
 * Looks up what a citizen may read with a code: a follow-up code, or the receipt code of the
 * rating. Guessing is held back by counting the codes that open nothing: past
 * `MISSES_PER_WINDOW` of them from one network in a window, that network's lookups are
 * refused until the window ends. Hits are not counted, so the many phones behind one mobile
 * operator's address are not refused for reading their own answers. With 2⁶⁰ codes, a
 * network gets about 3,000 guesses a day, one chance in 10¹⁴ per code.
 */
export const MISSES_PER_WINDOW = 20;
const WINDOW_SECONDS = 600;

export interface PublicFollowUp {
  unit: string;
  /** The Vietnam day the rating was made. */
  ratedOn: string;
  status: FollowUpStatus;
  /** The last working day the unit gave itself to answer. */
  dueOn: string | null;
  reply: string | null;
  /** The Vietnam day the reply was written. */
  repliedOn: string | null;
}

function missBucket(source: Buffer): Buffer {
  return createHash('sha256').update('follow-up-miss:').update(source).digest().subarray(0, 16);
}

/**
 * The follow-up a typed code opens, or null; throws `too_many_lookups` for a network past its
 * misses. Each lookup is counted before it is made, in one statement, and forgiven when it
 * opens something: lookups sent at once cannot slip past the limit between a check and a count.
 */
export async function lookUpFollowUp(c: Context<AppEnv>, typed: string): Promise<PublicFollowUp | null> {
  const { db, config } = c.var;
  const now = new Date();
  const bucket = missBucket(await sourceBucket(db, clientAddress(c, config.trustProxy), now));
  const start = windowStart(now, WINDOW_SECONDS);
  const { hits } = await db
    .insertInto('rate_limit_counter')
    .values({ bucket, window_start: start, hits: 1 })
    .onConflict((oc) =>
      oc.columns(['bucket', 'window_start']).doUpdateSet({ hits: sql<number>`rate_limit_counter.hits + 1` }),
    )
    .returning('hits')
    .executeTakeFirstOrThrow();
  if (hits > MISSES_PER_WINDOW) {
    throw new AppError('too_many_lookups', {
      headers: { 'Retry-After': String(secondsLeftInWindow(now, WINDOW_SECONDS)) },
    });
  }
  const found = await findByCode(db, typed.trim());
  if (found) {
    await db
      .updateTable('rate_limit_counter')
      .set({ hits: sql<number>`hits - 1` })
      .where('bucket', '=', bucket)
      .where('window_start', '=', start)
      .execute();
  }
  return found;
}

async function findByCode(db: Db, typed: string): Promise<PublicFollowUp | null> {
  let row: Awaited<ReturnType<typeof publicFollowUp>>;
  if (DOSSIER_TOKEN_PATTERN.test(typed)) {
    row = await publicFollowUp(db, { tokenHash: hashDossierToken(typed) });
  } else {
    const code = typedFollowUpCode.safeParse(typed);
    if (!code.success) return null;
    row = await publicFollowUp(db, { followUpCode: code.data });
  }
  if (!row) return null;
  return {
    unit: row.unit_name,
    ratedOn: vietnamDate(row.rated_at),
    status: row.status,
    dueOn: row.due_on,
    reply: row.public_reply,
    repliedOn: row.replied_at ? vietnamDate(row.replied_at) : null,
  };
}

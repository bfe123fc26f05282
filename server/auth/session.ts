import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Db } from '../db/database.ts';
import type { Official } from '../officials/official.table.ts';

/** A session ends after this long without use. */
export const SESSION_IDLE_MS = 12 * 3_600_000;
/** Expiry slides forward at most this often, so that most requests write nothing. */
const REFRESH_EVERY_MS = 3_600_000;

export const SESSION_COOKIE = 'sipas_session';

export interface ValidSession {
  id: string;
  expiresAt: Date;
  /** True when this request moved the expiry forward: the cookie must be sent again. */
  refreshed: boolean;
  official: Official;
}

function hashSecret(secret: string): Buffer {
  return createHash('sha256').update(secret).digest();
}

/**
 * Opens a session for an official. The token, `<id>.<secret>`, goes to the browser
 * only; the database keeps the id and a hash of the secret.
 */
export async function createSession(
  db: Db,
  officialId: number,
  now = new Date(),
): Promise<{ token: string; expiresAt: Date }> {
  const id = randomBytes(18).toString('base64url');
  const secret = randomBytes(24).toString('base64url');
  const expiresAt = new Date(now.getTime() + SESSION_IDLE_MS);
  await db
    .insertInto('official_session')
    .values({
      id,
      secret_hash: hashSecret(secret),
      official_id: officialId,
      created_at: now,
      expires_at: expiresAt,
      refreshed_at: now,
    })
    .execute();
  return { token: `${id}.${secret}`, expiresAt };
}

/** The session and official of a token, or undefined when it is malformed, unknown, expired or revoked. */
export async function validateSessionToken(db: Db, token: string, now = new Date()): Promise<ValidSession | undefined> {
  const [id, secret, extra] = token.split('.');
  if (!id || !secret || extra !== undefined || id.length > 64 || secret.length > 64) return undefined;
  const row = await db
    .selectFrom('official_session')
    .innerJoin('official', 'official.id', 'official_session.official_id')
    .selectAll('official')
    .select(['official_session.secret_hash', 'official_session.expires_at', 'official_session.refreshed_at'])
    .where('official_session.id', '=', id)
    .executeTakeFirst();
  if (!row) return undefined;
  const { secret_hash, expires_at, refreshed_at, ...official } = row;
  // Constant-time: the comparison takes as long whatever the secret's first bytes.
  if (!timingSafeEqual(hashSecret(secret), secret_hash)) return undefined;
  if (expires_at <= now || !official.active) {
    await invalidateSession(db, id);
    return undefined;
  }
  if (now.getTime() - refreshed_at.getTime() < REFRESH_EVERY_MS) {
    return { id, expiresAt: expires_at, refreshed: false, official };
  }
  const expiresAt = new Date(now.getTime() + SESSION_IDLE_MS);
  await db
    .updateTable('official_session')
    .set({ expires_at: expiresAt, refreshed_at: now })
    .where('id', '=', id)
    .execute();
  return { id, expiresAt, refreshed: true, official };
}

export async function invalidateSession(db: Db, id: string): Promise<void> {
  await db.deleteFrom('official_session').where('id', '=', id).execute();
}

export async function invalidateOfficialSessions(db: Db, officialId: number): Promise<void> {
  await db.deleteFrom('official_session').where('official_id', '=', officialId).execute();
}

export async function pruneExpiredSessions(db: Db, now = new Date()): Promise<void> {
  await db.deleteFrom('official_session').where('expires_at', '<=', now).execute();
}

import { createHash, randomBytes } from 'node:crypto';
import type { Db, Trx } from '../db/database.ts';
import type { DossierToken } from './dossier.table.ts';

/** 120 random bits: unguessable, and still a short URL (`/r/` + 20 characters). */
const TOKEN_BYTES = 15;
export const DOSSIER_TOKEN_PATTERN = /^[A-Za-z0-9_-]{20}$/;

export function hashDossierToken(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}

/**
 * Issues a one-time code for one dossier at a desk and domain. The code is returned once;
 * only its hash is stored, so the table cannot be used to forge ratings.
 */
export async function issueDossierToken(
  db: Db | Trx,
  input: { deskId: number; domainId: number; validDays: number; now?: Date },
): Promise<{ token: string; record: DossierToken }> {
  const token = randomBytes(TOKEN_BYTES).toString('base64url');
  const issuedAt = input.now ?? new Date();
  const record = await db
    .insertInto('dossier_token')
    .values({
      token_hash: hashDossierToken(token),
      desk_id: input.deskId,
      domain_id: input.domainId,
      issued_at: issuedAt,
      expires_at: new Date(issuedAt.getTime() + input.validDays * 86_400_000),
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return { token, record };
}

/** Looks a code up by its hash: an index lookup that reveals nothing about near misses. */
export function findDossierToken(db: Db | Trx, token: string): Promise<DossierToken | undefined> {
  return db
    .selectFrom('dossier_token')
    .selectAll()
    .where('token_hash', '=', hashDossierToken(token))
    .executeTakeFirst();
}

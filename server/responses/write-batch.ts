import type { RateLimitPolicy } from '../abuse/rate-limit.ts';
import { secondsLeftInWindow } from '../abuse/rate-limit.ts';
import { followUpOf } from '../comments/comment-intake.ts';
import type { Db } from '../db/database.ts';
import { hashDossierToken } from '../dossiers/dossier.repository.ts';
import { AppError } from '../errors.ts';
import { hashKioskKey } from '../kiosks/kiosk-device.repository.ts';
import { findQuestionnaire } from '../questionnaires/questionnaire.repository.ts';
import {
  checkRating,
  keyReusedError,
  requestHash,
  tokenUsedError,
  type AcceptedRating,
  type Allowance,
  type Submission,
} from './rating-rules.ts';
import {
  countAttempts,
  findByKeys,
  findDesks,
  findDevices,
  findTokens,
  insertRatings,
  releaseTokens,
  type RatingRow,
} from './rating-statements.ts';

export type { Submission } from './rating-rules.ts';

export type Outcome = { ok: true; id: number; replayed: boolean } | { ok: false; error: AppError };

export interface WriteOptions {
  rateLimit: RateLimitPolicy;
}

/** A batch whose ratings have been checked against the desks, codes and tablets they name. */
export interface CheckedBatch {
  submissions: Submission[];
  hashes: Buffer[];
  /** Ratings that met every rule, by their place in the batch. */
  accepted: Map<number, AcceptedRating>;
  /** Ratings refused by a rule, with the allowance their attempt counts against. */
  refused: Map<number, { error: AppError; allowance: Allowance }>;
  /** Ratings with the key of an earlier one in the batch, by the place of that one. */
  sameKeyAsEarlier: Map<number, number>;
}

/**
 * Writes a batch of ratings so that concurrent ratings share one durable commit, in two
 * round trips: one reads what the batch names (checkBatch), one statement writes every
 * rating that passed its checks (commitBatch). Every submission gets its own outcome:
 * recorded, replayed (same idempotency key), or a 4xx error that writes nothing for it.
 * The caller acknowledges a rating only after this resolves, i.e. after the commit.
 */
export async function writeBatch(db: Db, submissions: Submission[], options: WriteOptions): Promise<Outcome[]> {
  return commitBatch(db, await checkBatch(db, submissions, options), options);
}

/** Checks each rating of the batch; it may run while an earlier batch commits. */
export async function checkBatch(db: Db, submissions: Submission[], options: WriteOptions): Promise<CheckedBatch> {
  // The same key twice in one batch: the first is written, the others answer as its replay.
  const firstWithKey = new Map<string, number>();
  const sameKeyAsEarlier = new Map<number, number>();
  submissions.forEach((submission, index) => {
    const first = firstWithKey.get(submission.body.idempotencyKey);
    if (first === undefined) firstWithKey.set(submission.body.idempotencyKey, index);
    else sameKeyAsEarlier.set(index, first);
  });
  const firsts = [...firstWithKey.values()];
  const bodies = firsts.map((index) => submissions[index]!.body);
  const tokenHashes = bodies.flatMap((body) => (body.dossierToken ? [hashDossierToken(body.dossierToken)] : []));
  const keyHashes = firsts.flatMap((index) => {
    const key = submissions[index]!.kioskKey;
    return key ? [hashKioskKey(key)] : [];
  });
  const questionnaireIds = [...new Set(bodies.map((body) => body.questionnaireId))];
  // Questionnaire versions never change and come from memory after the first read.
  const [tokens, desks, devices, questionnaires] = await Promise.all([
    findTokens(db, tokenHashes),
    findDesks(
      db,
      bodies.flatMap((body) => (body.deskCode ? [body.deskCode] : [])),
      tokenHashes,
    ),
    findDevices(db, keyHashes),
    Promise.all(questionnaireIds.map(async (id) => [id, await findQuestionnaire(db, id)] as const)),
  ]);
  const tokenByHash = new Map(tokens.map((token) => [token.token_hash.toString('hex'), token]));
  const deskByCode = new Map(desks.map((desk) => [desk.code, desk]));
  const deskById = new Map(desks.map((desk) => [desk.id, desk]));
  const deviceByHash = new Map(devices.map((device) => [device.key_hash.toString('hex'), device]));
  const questionnaireById = new Map(questionnaires);

  const accepted = new Map<number, AcceptedRating>();
  const refused = new Map<number, { error: AppError; allowance: Allowance }>();
  for (const index of firsts) {
    const submission = submissions[index]!;
    const { body, kioskKey } = submission;
    const token = body.dossierToken ? tokenByHash.get(hashDossierToken(body.dossierToken).toString('hex')) : undefined;
    const result = checkRating(
      submission,
      {
        token,
        desk: token ? deskById.get(token.desk_id) : body.deskCode ? deskByCode.get(body.deskCode) : undefined,
        device: kioskKey ? deviceByHash.get(hashKioskKey(kioskKey).toString('hex')) : undefined,
        questionnaire: questionnaireById.get(body.questionnaireId),
      },
      options.rateLimit,
    );
    if (result.ok) accepted.set(index, result.rating);
    else refused.set(index, { error: result.error, allowance: result.allowance });
  }
  return {
    submissions,
    hashes: submissions.map((submission) => requestHash(submission.body)),
    accepted,
    refused,
    sameKeyAsEarlier,
  };
}

/** Only part of a checked batch: a batch that failed is written again in parts. */
export function partOfBatch(batch: CheckedBatch, indexes: number[]): CheckedBatch {
  const keep = new Set(indexes);
  const pick = <T>(map: Map<number, T>) => new Map([...map].filter(([index]) => keep.has(index)));
  return {
    ...batch,
    accepted: pick(batch.accepted),
    refused: pick(batch.refused),
    sameKeyAsEarlier: new Map(
      [...batch.sameKeyAsEarlier].filter(([index, first]) => keep.has(index) && keep.has(first)),
    ),
  };
}

/** The places of the batch's ratings that a commit writes or answers. */
export function placesOf(batch: CheckedBatch): number[] {
  return [...batch.accepted.keys(), ...batch.refused.keys(), ...batch.sameKeyAsEarlier.keys()].sort((a, b) => a - b);
}

/** Writes the checked ratings in one statement and settles every outcome, by place in the batch. */
export async function commitBatch(db: Db, batch: CheckedBatch, options: WriteOptions): Promise<Outcome[]> {
  const { submissions, hashes, sameKeyAsEarlier } = batch;
  const policy = options.rateLimit;
  const outcomes = new Map<number, Outcome>();
  // Ratings to settle after the commit by what another transaction stored: their receipt
  // code or key was taken, which is a replay if it was this very rating.
  const settleLater: number[] = [];
  for (const [index, { error }] of batch.refused) {
    outcomes.set(index, { ok: false, error });
    // A used code may have been used by this very rating, retried from another process.
    if (error.code === 'dossier_token_used') settleLater.push(index);
  }

  // Two ratings of one batch with the same receipt code: only the first may claim it.
  const tokenClaimedBy = new Set<number>();
  const rows: RatingRow[] = [];
  for (const [index, rating] of batch.accepted) {
    if (rating.token) {
      if (tokenClaimedBy.has(rating.token.id)) {
        settleLater.push(index);
        continue;
      }
      tokenClaimedBy.add(rating.token.id);
    }
    rows.push({
      ord: index,
      submission: submissions[index]!,
      hash: hashes[index]!,
      allowance: rating.allowance,
      deskId: rating.desk.id,
      unitId: rating.desk.unit_id,
      domainId: rating.domainId,
      questionnaireId: rating.questionnaire.questionnaire.id,
      tokenId: rating.token?.id ?? null,
      ratedAt: rating.ratedAt,
      answers: rating.answers,
      reasonIds: rating.reasonIds,
      ...followUpOf(submissions[index]!, rating),
    });
  }

  const now = rows[0]?.submission.receivedAt ?? new Date();
  const results = await insertRatings(db, rows, now, policy.windowSeconds);
  const overLimit = await countAttempts(
    db,
    [...batch.refused.values()].map((refusal) => refusal.allowance),
    now,
    policy.windowSeconds,
  );

  const retryAfter = String(secondsLeftInWindow(now, policy.windowSeconds));
  const rateLimited = (): Outcome => ({
    ok: false,
    error: new AppError('rate_limited', { headers: { 'Retry-After': retryAfter } }),
  });
  // Past its allowance, a sender is told so, whatever else was wrong with the attempt.
  for (const [index, { allowance }] of batch.refused) {
    if (overLimit.has(allowance.bucket.toString('hex'))) outcomes.set(index, rateLimited());
  }
  const releasedTokens: number[] = [];
  for (const result of results) {
    if (result.inserted_id !== null) {
      outcomes.set(result.ord, { ok: true, id: result.inserted_id, replayed: false });
    } else if (result.earlier_id !== null) {
      outcomes.set(
        result.ord,
        replayOutcome({ id: result.earlier_id, request_hash: result.earlier_hash! }, hashes[result.ord]!),
      );
    } else if (result.rate_limited) {
      outcomes.set(result.ord, rateLimited());
    } else {
      // The receipt code, or the key, was taken meanwhile by another transaction.
      settleLater.push(result.ord);
      const token = batch.accepted.get(result.ord)?.token;
      if (token && !result.token_taken) releasedTokens.push(token.id);
    }
  }
  // A code claimed for a rating whose key another transaction stored first goes back.
  await releaseTokens(db, releasedTokens);

  if (settleLater.length > 0) {
    const existing = await findByKeys(
      db,
      settleLater.map((index) => submissions[index]!.body.idempotencyKey),
    );
    for (const index of settleLater) {
      const found = existing.get(submissions[index]!.body.idempotencyKey);
      if (found) outcomes.set(index, replayOutcome(found, hashes[index]!));
      else if (!outcomes.has(index)) outcomes.set(index, { ok: false, error: tokenUsedError() });
    }
  }

  for (const [index, first] of sameKeyAsEarlier) {
    const firstOutcome = outcomes.get(first);
    if (!firstOutcome) continue;
    if (!hashes[index]!.equals(hashes[first]!)) outcomes.set(index, { ok: false, error: keyReusedError() });
    else outcomes.set(index, firstOutcome.ok ? { ok: true, id: firstOutcome.id, replayed: true } : firstOutcome);
  }
  return submissions.map(
    (_, index) =>
      outcomes.get(index) ?? { ok: false, error: new AppError('internal_error', { message: 'Not written' }) },
  );
}

function replayOutcome(found: { id: number; request_hash: Buffer }, hash: Buffer): Outcome {
  return found.request_hash.equals(hash)
    ? { ok: true, id: found.id, replayed: true }
    : { ok: false, error: keyReusedError() };
}

import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import type { Db, Trx } from '../db/database.ts';
import { hashDossierToken } from '../dossiers/dossier.repository.ts';
import type { DossierToken } from '../dossiers/dossier.table.ts';
import { AppError, type FieldProblem } from '../errors.ts';
import { findQuestionnaire, type QuestionnaireDefinition } from '../questionnaires/questionnaire.repository.ts';
import { LOW_RATING_MAX } from '../questionnaires/scale.ts';
import { secondsLeftInWindow, windowStart, type RateLimitPolicy } from '../abuse/rate-limit.ts';
import { hashKioskKey } from '../kiosks/kiosk-device.repository.ts';
import type { KioskDevice } from '../kiosks/kiosk-device.table.ts';
import { vietnamDate } from '../time/vietnam-time.ts';
import type { SubmissionBody } from './submission.schema.ts';

/** A validated request body with what the server adds to it before writing. */
export interface Submission {
  body: SubmissionBody;
  /** Abuse-control bucket of the source (keyed hash, never the address). */
  bucket: Buffer;
  receivedAt: Date;
  /** Key of the paired tablet, required with channel `kiosk`. */
  kioskKey?: string;
}

export type Outcome = { ok: true; id: number; replayed: boolean } | { ok: false; error: AppError };

export interface WriteOptions {
  rateLimit: RateLimitPolicy;
}

/** Ratings made offline by a kiosk are accepted with their own time for this long. */
const MAX_CLIENT_AGE_MS = 90 * 86_400_000;
/** A device clock slightly ahead of the server's is trusted up to this much. */
const MAX_CLIENT_AHEAD_MS = 5 * 60_000;

/**
 * The fingerprint of a request, to tell a retry (same key, same body) from a client that
 * reuses a key for another rating.
 */
export function requestHash(body: SubmissionBody): Buffer {
  return createHash('sha256').update(canonicalJson(body)).digest();
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, item]) => item !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** The time a rating counts in: the device's time when plausible, else the time it arrived. */
export function ratedAt(clientTime: string | undefined, receivedAt: Date): Date {
  if (clientTime === undefined) return receivedAt;
  const client = new Date(clientTime);
  const age = receivedAt.getTime() - client.getTime();
  if (age < -MAX_CLIENT_AHEAD_MS || age > MAX_CLIENT_AGE_MS) return receivedAt;
  return age < 0 ? receivedAt : client;
}

interface DeskRow {
  id: number;
  code: string;
  unit_id: number;
  active: boolean;
  unit_valid_until: string | null;
  domains: { id: number; code: string }[];
}

interface PreparedRating {
  index: number;
  /** Rate-limit bucket and allowance: the source's network, or the paired tablet. */
  bucket: Buffer;
  limit: number;
  kioskDeviceId: number | undefined;
  desk: DeskRow;
  domainId: number;
  questionnaire: QuestionnaireDefinition;
  token: DossierToken | undefined;
  answers: { question_id: number; score: number }[];
  reasonIds: number[];
}

/**
 * Writes a batch of ratings in one transaction, so that concurrent ratings share one
 * durable commit. Every submission gets its own outcome: recorded, replayed (same
 * idempotency key), or a 4xx error that writes nothing for it. The caller acknowledges a
 * rating only after this resolves, i.e. after the commit.
 */
export async function writeBatch(db: Db, submissions: Submission[], options: WriteOptions): Promise<Outcome[]> {
  const outcomes: (Outcome | undefined)[] = new Array(submissions.length);
  const hashes = submissions.map((submission) => requestHash(submission.body));
  const keyConflicts: number[] = [];

  // The same key twice in one batch: the first is written, the others answer as its replay.
  const firstWithKey = new Map<string, number>();
  const sameKeyAsEarlier = new Map<number, number>();
  submissions.forEach((submission, index) => {
    const first = firstWithKey.get(submission.body.idempotencyKey);
    if (first === undefined) firstWithKey.set(submission.body.idempotencyKey, index);
    else sameKeyAsEarlier.set(index, first);
  });

  await db.transaction().execute(async (trx) => {
    const candidates = [...firstWithKey.values()];
    const existing = await findByKeys(
      trx,
      candidates.map((index) => submissions[index]!.body.idempotencyKey),
    );
    const fresh: number[] = [];
    for (const index of candidates) {
      const found = existing.get(submissions[index]!.body.idempotencyKey);
      if (found) outcomes[index] = replayOutcome(found, hashes[index]!);
      else fresh.push(index);
    }

    const prepared = await prepareRatings(db, trx, submissions, fresh, outcomes, keyConflicts, options.rateLimit);
    const allowed = await applyRateLimit(trx, submissions, prepared, outcomes, options.rateLimit);
    const claimed = await claimTokens(trx, submissions, allowed, outcomes, keyConflicts);
    await insertRatings(trx, submissions, hashes, claimed, outcomes, keyConflicts);
  });

  // Ratings whose key was taken, or whose receipt code was used, by a transaction that
  // committed meanwhile: if that was this very rating (a concurrent retry), it is a replay.
  if (keyConflicts.length > 0) {
    const existing = await findByKeys(
      db,
      keyConflicts.map((index) => submissions[index]!.body.idempotencyKey),
    );
    for (const index of keyConflicts) {
      const found = existing.get(submissions[index]!.body.idempotencyKey);
      if (found) outcomes[index] = replayOutcome(found, hashes[index]!);
      else outcomes[index] ??= { ok: false, error: tokenUsedError() };
    }
  }

  for (const [index, first] of sameKeyAsEarlier) {
    const firstOutcome = outcomes[first]!;
    if (!hashes[index]!.equals(hashes[first]!)) outcomes[index] = { ok: false, error: keyReusedError() };
    else outcomes[index] = firstOutcome.ok ? { ok: true, id: firstOutcome.id, replayed: true } : firstOutcome;
  }
  return outcomes.map((outcome) => outcome ?? { ok: false, error: new AppError(500, 'internal_error', 'Not written') });
}

async function findByKeys(db: Db | Trx, keys: string[]): Promise<Map<string, { id: number; request_hash: Buffer }>> {
  if (keys.length === 0) return new Map();
  const rows = await db
    .selectFrom('response')
    .select(['id', 'idempotency_key', 'request_hash'])
    .where('idempotency_key', 'in', keys)
    .execute();
  return new Map(rows.map((row) => [row.idempotency_key, row]));
}

function replayOutcome(found: { id: number; request_hash: Buffer }, hash: Buffer): Outcome {
  return found.request_hash.equals(hash)
    ? { ok: true, id: found.id, replayed: true }
    : { ok: false, error: keyReusedError() };
}

function keyReusedError(): AppError {
  return new AppError(422, 'idempotency_key_reused', 'This idempotency key was already used for a different rating', [
    { path: 'idempotencyKey', code: 'idempotency_key_reused', message: 'was already used for a different rating' },
  ]);
}

function tokenUsedError(): AppError {
  return new AppError(409, 'dossier_token_used', 'This receipt code has already been used to rate');
}

/** Looks up desks, receipt codes and questionnaires for the whole batch, then checks each rating. */
async function prepareRatings(
  db: Db,
  trx: Trx,
  submissions: Submission[],
  indexes: number[],
  outcomes: (Outcome | undefined)[],
  keyConflicts: number[],
  policy: RateLimitPolicy,
): Promise<PreparedRating[]> {
  if (indexes.length === 0) return [];
  const bodies = indexes.map((index) => submissions[index]!.body);
  const tokenHashes = bodies.flatMap((body) => (body.dossierToken ? [hashDossierToken(body.dossierToken)] : []));
  const tokens =
    tokenHashes.length === 0
      ? []
      : await trx.selectFrom('dossier_token').selectAll().where('token_hash', 'in', tokenHashes).execute();
  const tokenByHash = new Map(tokens.map((token) => [token.token_hash.toString('hex'), token]));

  const deskCodes = bodies.flatMap((body) => (body.deskCode ? [body.deskCode] : []));
  const deskIds = tokens.map((token) => token.desk_id);
  const desks = await findDesks(trx, deskCodes, deskIds);
  const deskByCode = new Map(desks.map((desk) => [desk.code, desk]));
  const deskById = new Map(desks.map((desk) => [desk.id, desk]));

  const kioskHashes = indexes.flatMap((index) => {
    const key = submissions[index]!.kioskKey;
    return key ? [hashKioskKey(key)] : [];
  });
  const devices =
    kioskHashes.length === 0
      ? []
      : await trx.selectFrom('kiosk_device').selectAll().where('key_hash', 'in', kioskHashes).execute();
  const deviceByHash = new Map(devices.map((device) => [device.key_hash.toString('hex'), device]));

  const questionnaireIds = [...new Set(bodies.map((body) => body.questionnaireId))];
  const questionnaires = new Map(
    await Promise.all(questionnaireIds.map(async (id) => [id, await findQuestionnaire(db, id)] as const)),
  );

  const prepared: PreparedRating[] = [];
  for (const index of indexes) {
    const submission = submissions[index]!;
    const result = checkRating(submission, {
      token: submission.body.dossierToken
        ? tokenByHash.get(hashDossierToken(submission.body.dossierToken).toString('hex'))
        : undefined,
      deskByCode,
      deskById,
      device: submission.kioskKey ? deviceByHash.get(hashKioskKey(submission.kioskKey).toString('hex')) : undefined,
      questionnaire: questionnaires.get(submission.body.questionnaireId),
      policy,
    });
    if (result instanceof AppError) {
      outcomes[index] = { ok: false, error: result };
      // A used code may have been used by this very rating, retried from another process.
      if (result.code === 'dossier_token_used') keyConflicts.push(index);
    } else {
      prepared.push({ ...result, index });
    }
  }
  return prepared;
}

async function findDesks(trx: Trx, codes: string[], ids: number[]): Promise<DeskRow[]> {
  if (codes.length === 0 && ids.length === 0) return [];
  return trx
    .selectFrom('desk')
    .innerJoin('unit', 'unit.id', 'desk.unit_id')
    .select(['desk.id', 'desk.code', 'desk.unit_id', 'desk.active', 'unit.valid_until as unit_valid_until'])
    .select(
      sql<{ id: number; code: string }[]>`coalesce((
        select json_agg(json_build_object('id', domain.id, 'code', domain.code))
        from desk_domain join domain on domain.id = desk_domain.domain_id
        where desk_domain.desk_id = desk.id and domain.active
      ), '[]')`.as('domains'),
    )
    .where((eb) =>
      eb.or([
        ...(codes.length > 0 ? [eb('desk.code', 'in', codes)] : []),
        ...(ids.length > 0 ? [eb('desk.id', 'in', ids)] : []),
      ]),
    )
    .execute();
}

function checkRating(
  submission: Submission,
  found: {
    token: DossierToken | undefined;
    deskByCode: Map<string, DeskRow>;
    deskById: Map<number, DeskRow>;
    device: KioskDevice | undefined;
    questionnaire: QuestionnaireDefinition | undefined;
    policy: RateLimitPolicy;
  },
): Omit<PreparedRating, 'index'> | AppError {
  const { body, receivedAt } = submission;
  let desk: DeskRow | undefined;
  let domainId: number | undefined;
  const problems: FieldProblem[] = [];

  if (body.dossierToken !== undefined) {
    const token = found.token;
    if (!token) return new AppError(404, 'dossier_token_not_found', 'This receipt code is not known');
    if (token.used_at) return tokenUsedError();
    if (token.expires_at <= receivedAt) {
      return new AppError(409, 'dossier_token_expired', 'This receipt code has expired');
    }
    desk = found.deskById.get(token.desk_id);
    domainId = token.domain_id;
    const tokenDomain = desk?.domains.find((domain) => domain.id === token.domain_id);
    if (body.domain !== undefined && body.domain !== tokenDomain?.code) {
      problems.push({
        path: 'domain',
        code: 'domain_mismatch',
        message: 'differs from the domain of the receipt code',
      });
    }
  } else {
    desk = found.deskByCode.get(body.deskCode!);
    if (!desk) return new AppError(404, 'desk_not_found', 'No desk has this code');
    const domain = desk.domains.find((candidate) => candidate.code === body.domain);
    if (!domain) {
      problems.push({ path: 'domain', code: 'domain_not_served', message: 'is not a domain this desk serves' });
    }
    domainId = domain?.id;
  }
  if (!desk || !desk.active || (desk.unit_valid_until !== null && desk.unit_valid_until <= vietnamDate(receivedAt))) {
    return new AppError(409, 'desk_inactive', 'This desk no longer takes ratings');
  }
  let rateLimit = {
    bucket: submission.bucket,
    limit: found.policy.perSource,
    kioskDeviceId: undefined as number | undefined,
  };
  if (body.channel === 'kiosk') {
    if (!submission.kioskKey) {
      return new AppError(401, 'kiosk_key_required', 'Kiosk ratings need the key of a tablet paired with the desk');
    }
    const device = found.device;
    if (!device || device.revoked_at !== null || device.desk_id !== desk.id) {
      return new AppError(
        403,
        'kiosk_not_paired',
        'This tablet is not paired with this desk, or its pairing was revoked',
      );
    }
    // A paired tablet sends days of queued ratings at once: it has an allowance of its own.
    rateLimit = {
      bucket: createHash('sha256').update(`kiosk:${device.id}`).digest().subarray(0, 16),
      limit: found.policy.perKiosk,
      kioskDeviceId: device.id,
    };
  }

  const questionnaire = found.questionnaire;
  if (!questionnaire) {
    problems.push({
      path: 'questionnaireId',
      code: 'unknown_questionnaire',
      message: 'is not a known questionnaire version',
    });
    return invalidRating(problems);
  }

  const questionByCode = new Map(questionnaire.questions.map((question) => [question.code, question]));
  const answers: { question_id: number; score: number }[] = [];
  for (const [code, score] of Object.entries(body.answers)) {
    const question = questionByCode.get(code);
    if (!question) {
      problems.push({
        path: `answers.${code}`,
        code: 'unknown_question',
        message: 'is not a question of this questionnaire',
      });
    } else if (score !== null) {
      answers.push({ question_id: question.id, score });
    }
  }
  const overallScore = body.answers[questionnaire.overall.code];
  if (overallScore === undefined || overallScore === null) {
    problems.push({
      path: `answers.${questionnaire.overall.code}`,
      code: 'overall_required',
      message: 'the overall question must be answered',
    });
  }

  const reasonByCode = new Map(questionnaire.reasons.map((reason) => [reason.code, reason]));
  const reasonIds: number[] = [];
  (body.reasons ?? []).forEach((code, position) => {
    const reason = reasonByCode.get(code);
    if (!reason)
      problems.push({
        path: `reasons.${position}`,
        code: 'unknown_reason',
        message: 'is not a reason of this questionnaire',
      });
    else reasonIds.push(reason.id);
  });
  if ((body.reasons?.length ?? 0) > 0 && typeof overallScore === 'number' && overallScore > LOW_RATING_MAX) {
    problems.push({
      path: 'reasons',
      code: 'reasons_not_allowed',
      message: `reasons are given only with an overall rating of ${LOW_RATING_MAX} or lower`,
    });
  }

  if (problems.length > 0 || domainId === undefined) return invalidRating(problems);
  return { ...rateLimit, desk, domainId, questionnaire, token: found.token, answers, reasonIds };
}

function invalidRating(problems: FieldProblem[]): AppError {
  return new AppError(422, 'invalid_rating', 'The rating does not fit the desk or questionnaire', problems);
}

/**
 * Counts the batch's accepted ratings per source in one statement per source; ratings
 * past the allowance get 429 and are taken back off the counter.
 */
async function applyRateLimit(
  trx: Trx,
  submissions: Submission[],
  prepared: PreparedRating[],
  outcomes: (Outcome | undefined)[],
  policy: RateLimitPolicy,
): Promise<PreparedRating[]> {
  if (prepared.length === 0) return [];
  const now = submissions[prepared[0]!.index]!.receivedAt;
  const start = windowStart(now, policy.windowSeconds);
  const retryAfter = String(secondsLeftInWindow(now, policy.windowSeconds));

  const byBucket = new Map<string, PreparedRating[]>();
  for (const rating of prepared) {
    const key = rating.bucket.toString('hex');
    byBucket.set(key, [...(byBucket.get(key) ?? []), rating]);
  }
  const allowed: PreparedRating[] = [];
  // A fixed order of row locks across concurrent batches rules out deadlocks.
  for (const key of [...byBucket.keys()].sort()) {
    const ratings = byBucket.get(key)!;
    const bucket = Buffer.from(key, 'hex');
    const { hits } = await trx
      .insertInto('rate_limit_counter')
      .values({ bucket, window_start: start, hits: ratings.length })
      .onConflict((oc) =>
        oc
          .columns(['bucket', 'window_start'])
          .doUpdateSet({ hits: sql<number>`rate_limit_counter.hits + ${ratings.length}` }),
      )
      .returning('hits')
      .executeTakeFirstOrThrow();
    const room = Math.max(0, ratings[0]!.limit - (hits - ratings.length));
    allowed.push(...ratings.slice(0, room));
    const refused = ratings.slice(room);
    if (refused.length > 0) {
      await trx
        .updateTable('rate_limit_counter')
        .set({ hits: sql<number>`hits - ${refused.length}` })
        .where('bucket', '=', bucket)
        .where('window_start', '=', start)
        .execute();
      for (const rating of refused) {
        outcomes[rating.index] = {
          ok: false,
          error: new AppError(
            429,
            'rate_limited',
            'Too many ratings from this network; please try again later',
            undefined,
            {
              'Retry-After': retryAfter,
            },
          ),
        };
      }
    }
  }
  return allowed.sort((a, b) => a.index - b.index);
}

/** Marks the batch's receipt codes used; a code another transaction used first is refused. */
async function claimTokens(
  trx: Trx,
  submissions: Submission[],
  prepared: PreparedRating[],
  outcomes: (Outcome | undefined)[],
  keyConflicts: number[],
): Promise<PreparedRating[]> {
  const withToken = prepared.filter((rating) => rating.token);
  if (withToken.length === 0) return prepared;
  const now = submissions[withToken[0]!.index]!.receivedAt;
  // Two ratings of one batch with the same code: only the first may claim it.
  const firstByToken = new Map<number, PreparedRating>();
  for (const rating of withToken) if (!firstByToken.has(rating.token!.id)) firstByToken.set(rating.token!.id, rating);
  const claimed = await trx
    .updateTable('dossier_token')
    .set({ used_at: now })
    .where(
      'id',
      'in',
      [...firstByToken.keys()].sort((a, b) => a - b),
    )
    .where('used_at', 'is', null)
    .where('expires_at', '>', now)
    .returning('id')
    .execute();
  const claimedIds = new Set(claimed.map((row) => row.id));
  return prepared.filter((rating) => {
    if (!rating.token) return true;
    if (claimedIds.has(rating.token.id) && firstByToken.get(rating.token.id) === rating) return true;
    keyConflicts.push(rating.index);
    return false;
  });
}

async function insertRatings(
  trx: Trx,
  submissions: Submission[],
  hashes: Buffer[],
  prepared: PreparedRating[],
  outcomes: (Outcome | undefined)[],
  keyConflicts: number[],
): Promise<void> {
  if (prepared.length === 0) return;
  // Sorted by key so that concurrent batches wait on unique-index entries in one order.
  const ordered = [...prepared].sort((a, b) =>
    submissions[a.index]!.body.idempotencyKey < submissions[b.index]!.body.idempotencyKey ? -1 : 1,
  );
  const inserted = await trx
    .insertInto('response')
    .values(
      ordered.map((rating) => {
        const { body, receivedAt } = submissions[rating.index]!;
        return {
          idempotency_key: body.idempotencyKey,
          request_hash: hashes[rating.index]!,
          desk_id: rating.desk.id,
          unit_id: rating.desk.unit_id,
          domain_id: rating.domainId,
          questionnaire_id: rating.questionnaire.questionnaire.id,
          channel: body.channel,
          language: body.language,
          dossier_token_id: rating.token?.id ?? null,
          client_time: body.clientTime ? new Date(body.clientTime) : null,
          rated_at: ratedAt(body.clientTime, receivedAt),
          received_at: receivedAt,
        };
      }),
    )
    .onConflict((oc) => oc.column('idempotency_key').doNothing())
    .returning(['id', 'idempotency_key'])
    .execute();
  const idByKey = new Map(inserted.map((row) => [row.idempotency_key, row.id]));

  const written: { rating: PreparedRating; id: number }[] = [];
  const releasedTokens: number[] = [];
  for (const rating of ordered) {
    const id = idByKey.get(submissions[rating.index]!.body.idempotencyKey);
    if (id === undefined) {
      // Another transaction committed this key meanwhile; its receipt code goes back.
      keyConflicts.push(rating.index);
      if (rating.token) releasedTokens.push(rating.token.id);
    } else {
      written.push({ rating, id });
    }
  }
  if (releasedTokens.length > 0) {
    await trx.updateTable('dossier_token').set({ used_at: null }).where('id', 'in', releasedTokens).execute();
  }
  if (written.length === 0) return;

  const answers = written.flatMap(({ rating, id }) => rating.answers.map((answer) => ({ response_id: id, ...answer })));
  if (answers.length > 0) await trx.insertInto('response_answer').values(answers).execute();
  const reasons = written.flatMap(({ rating, id }) =>
    rating.reasonIds.map((reason_id) => ({ response_id: id, reason_id })),
  );
  if (reasons.length > 0) await trx.insertInto('response_reason').values(reasons).execute();
  const comments = written.flatMap(({ rating, id }) => {
    const body = submissions[rating.index]!.body.comment;
    return body ? [{ response_id: id, body }] : [];
  });
  if (comments.length > 0) await trx.insertInto('comment').values(comments).execute();
  await trx
    .insertInto('rollup_pending')
    .values(written.map(({ id }) => ({ response_id: id })))
    .execute();
  const devices = [...new Set(written.flatMap(({ rating }) => (rating.kioskDeviceId ? [rating.kioskDeviceId] : [])))];
  if (devices.length > 0) {
    await trx
      .updateTable('kiosk_device')
      .set({ last_rating_at: sql`now()` })
      .where('id', 'in', devices.sort())
      .execute();
  }

  for (const { rating, id } of written) outcomes[rating.index] = { ok: true, id, replayed: false };
}

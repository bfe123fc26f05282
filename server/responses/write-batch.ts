import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import { PREPARED } from '../db/connect.ts';
import type { Db } from '../db/database.ts';
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

/** A batch whose ratings have been checked against the desks, codes and tablets they name. */
export interface CheckedBatch {
  submissions: Submission[];
  hashes: Buffer[];
  outcomes: (Outcome | undefined)[];
  ratings: PreparedRating[];
  /** Ratings to settle after the commit by what another transaction stored. */
  keyConflicts: number[];
  /** Ratings with the key of an earlier one in the batch, by the index of that one. */
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
  const outcomes: (Outcome | undefined)[] = new Array(submissions.length);
  const keyConflicts: number[] = [];
  // The same key twice in one batch: the first is written, the others answer as its replay.
  const firstWithKey = new Map<string, number>();
  const sameKeyAsEarlier = new Map<number, number>();
  submissions.forEach((submission, index) => {
    const first = firstWithKey.get(submission.body.idempotencyKey);
    if (first === undefined) firstWithKey.set(submission.body.idempotencyKey, index);
    else sameKeyAsEarlier.set(index, first);
  });
  const ratings = await prepareRatings(
    db,
    submissions,
    [...firstWithKey.values()],
    outcomes,
    keyConflicts,
    options.rateLimit,
  );
  return {
    submissions,
    hashes: submissions.map((submission) => requestHash(submission.body)),
    outcomes,
    ratings,
    keyConflicts,
    sameKeyAsEarlier,
  };
}

/** Writes the checked ratings in one statement and settles every outcome. */
export async function commitBatch(db: Db, batch: CheckedBatch, options: WriteOptions): Promise<Outcome[]> {
  const { submissions, hashes, sameKeyAsEarlier } = batch;
  const outcomes = [...batch.outcomes];
  const keyConflicts = [...batch.keyConflicts];
  await insertRatings(db, submissions, hashes, batch.ratings, outcomes, keyConflicts, options.rateLimit);

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

async function findByKeys(db: Db, keys: string[]): Promise<Map<string, { id: number; request_hash: Buffer }>> {
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

/**
 * Looks up the desks, receipt codes and tablets the batch names, at once, then checks
 * each rating. Questionnaire versions never change and come from memory.
 */
async function prepareRatings(
  db: Db,
  submissions: Submission[],
  indexes: number[],
  outcomes: (Outcome | undefined)[],
  keyConflicts: number[],
  policy: RateLimitPolicy,
): Promise<PreparedRating[]> {
  if (indexes.length === 0) return [];
  const bodies = indexes.map((index) => submissions[index]!.body);
  const tokenHashes = bodies.flatMap((body) => (body.dossierToken ? [hashDossierToken(body.dossierToken)] : []));
  const kioskHashes = indexes.flatMap((index) => {
    const key = submissions[index]!.kioskKey;
    return key ? [hashKioskKey(key)] : [];
  });
  const questionnaireIds = [...new Set(bodies.map((body) => body.questionnaireId))];
  const [tokens, desks, devices, questionnaireList] = await Promise.all([
    tokenHashes.length === 0
      ? []
      : db.selectFrom('dossier_token').selectAll().where('token_hash', 'in', tokenHashes).execute(),
    findDesks(
      db,
      bodies.flatMap((body) => (body.deskCode ? [body.deskCode] : [])),
      tokenHashes,
    ),
    kioskHashes.length === 0
      ? []
      : db.selectFrom('kiosk_device').selectAll().where('key_hash', 'in', kioskHashes).execute(),
    Promise.all(questionnaireIds.map(async (id) => [id, await findQuestionnaire(db, id)] as const)),
  ]);
  const tokenByHash = new Map(tokens.map((token) => [token.token_hash.toString('hex'), token]));
  const deskByCode = new Map(desks.map((desk) => [desk.code, desk]));
  const deskById = new Map(desks.map((desk) => [desk.id, desk]));
  const deviceByHash = new Map(devices.map((device) => [device.key_hash.toString('hex'), device]));
  const questionnaires = new Map(questionnaireList);

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

/** Desks by code, and the desks of the given receipt codes. */
async function findDesks(db: Db, codes: string[], tokenHashes: Buffer[]): Promise<DeskRow[]> {
  if (codes.length === 0 && tokenHashes.length === 0) return [];
  const { rows } = await sql<DeskRow>`${sql.raw(PREPARED)}
    select desk.id, desk.code, desk.unit_id, desk.active, unit.valid_until as unit_valid_until,
      coalesce((
        select json_agg(json_build_object('id', domain.id, 'code', domain.code))
        from desk_domain join domain on domain.id = desk_domain.domain_id
        where desk_domain.desk_id = desk.id and domain.active
      ), '[]') as domains
    from desk join unit on unit.id = desk.unit_id
    where desk.id in (
      select id from desk where code = any(${codes}::text[])
      union
      select desk_id from dossier_token where token_hash = any(${tokenHashes}::bytea[])
    )
  `.execute(db);
  return rows;
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

  const answers: { question_id: number; score: number }[] = [];
  for (const [code, score] of Object.entries(body.answers)) {
    const question = questionnaire.questionByCode.get(code);
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

  const reasonIds: number[] = [];
  (body.reasons ?? []).forEach((code, position) => {
    const reason = questionnaire.reasonByCode.get(code);
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

interface WriteResult {
  ord: number;
  inserted_id: number | null;
  earlier_id: number | null;
  earlier_hash: Buffer | null;
  rate_limited: boolean;
  token_taken: boolean;
}

/**
 * Writes the checked ratings in one statement, which is its own transaction: ratings
 * whose key is already stored are replays; the others are counted against their source's
 * allowance (attempts past it count too, so a flood stays refused until the window ends);
 * those within it claim their receipt code and are inserted with their answers, reasons
 * and comment, and queued for the rollups.
 */
async function insertRatings(
  db: Db,
  submissions: Submission[],
  hashes: Buffer[],
  prepared: PreparedRating[],
  outcomes: (Outcome | undefined)[],
  keyConflicts: number[],
  policy: RateLimitPolicy,
): Promise<void> {
  if (prepared.length === 0) return;
  // Two ratings of one batch with the same receipt code: only the first may claim it.
  const tokenClaimedBy = new Map<number, PreparedRating>();
  const ratings = prepared.filter((rating) => {
    if (!rating.token) return true;
    if (!tokenClaimedBy.has(rating.token.id)) {
      tokenClaimedBy.set(rating.token.id, rating);
      return true;
    }
    keyConflicts.push(rating.index);
    return false;
  });
  const column = <T>(value: (rating: PreparedRating, submission: Submission) => T) =>
    ratings.map((rating) => value(rating, submissions[rating.index]!));
  const each = <T>(items: (rating: PreparedRating, submission: Submission) => T[]) =>
    ratings.flatMap((rating) => items(rating, submissions[rating.index]!).map((item) => [rating.index, item] as const));
  const answers = each((rating) => rating.answers);
  const reasons = each((rating) => rating.reasonIds);
  const comments = each((_, { body }) => (body.comment ? [body.comment] : []));
  const now = submissions[ratings[0]!.index]!.receivedAt;

  const { rows } = await sql<WriteResult>`${sql.raw(PREPARED)}
    with input as (
      select * from unnest(
        ${column((rating) => rating.index)}::int[],
        ${column((_, { body }) => body.idempotencyKey)}::text[],
        ${column((rating) => hashes[rating.index]!)}::bytea[],
        ${column((rating) => rating.desk.id)}::int[],
        ${column((rating) => rating.desk.unit_id)}::int[],
        ${column((rating) => rating.domainId)}::smallint[],
        ${column((rating) => rating.questionnaire.questionnaire.id)}::text[],
        ${column((_, { body }) => body.channel)}::text[],
        ${column((_, { body }) => body.language)}::text[],
        ${column((rating) => rating.token?.id ?? null)}::bigint[],
        ${column((_, { body }) => body.clientTime ?? null)}::timestamptz[],
        ${column((_, { body, receivedAt }) => ratedAt(body.clientTime, receivedAt))}::timestamptz[],
        ${column((_, { receivedAt }) => receivedAt)}::timestamptz[],
        ${column((rating) => rating.bucket)}::bytea[],
        ${column((rating) => rating.limit)}::int[],
        ${column((rating) => rating.kioskDeviceId ?? null)}::int[]
      ) as i (ord, idempotency_key, request_hash, desk_id, unit_id, domain_id, questionnaire_id, channel, language,
              dossier_token_id, client_time, rated_at, received_at, bucket, allowance, kiosk_device_id)
    ),
    earlier as (
      select i.ord, r.id, r.request_hash from input i join response r on r.idempotency_key = i.idempotency_key
    ),
    fresh as (
      select i.*,
        row_number() over (partition by i.bucket order by i.ord) as place,
        count(*) over (partition by i.bucket) as from_bucket
      from input i where i.ord not in (select ord from earlier)
    ),
    counted as (
      insert into rate_limit_counter as counter (bucket, window_start, hits)
      select bucket, ${windowStart(now, policy.windowSeconds)}, count(*) from fresh group by bucket
      -- A fixed order of row locks across concurrent writers rules out deadlocks.
      order by bucket
      on conflict (bucket, window_start) do update set hits = counter.hits + excluded.hits
      returning bucket, hits
    ),
    allowed as (
      select f.* from fresh f join counted c on c.bucket = f.bucket
      where f.place <= f.allowance - (c.hits - f.from_bucket)
    ),
    claimed as (
      update dossier_token t set used_at = ${now}
      from allowed a
      where t.id = a.dossier_token_id and t.used_at is null and t.expires_at > ${now}
      returning t.id
    ),
    inserted as (
      insert into response (idempotency_key, request_hash, desk_id, unit_id, domain_id, questionnaire_id, channel,
                            language, dossier_token_id, client_time, rated_at, received_at)
      select idempotency_key, request_hash, desk_id, unit_id, domain_id, questionnaire_id, channel,
        language, dossier_token_id, client_time, rated_at, received_at
      from allowed
      where dossier_token_id is null or dossier_token_id in (select id from claimed)
      -- Sorted by key so that concurrent writers wait on unique-index entries in one order.
      order by idempotency_key
      on conflict (idempotency_key) do nothing
      returning id, idempotency_key
    ),
    written as (
      select i.ord, n.id, i.kiosk_device_id from inserted n join input i on i.idempotency_key = n.idempotency_key
    ),
    answers as (
      insert into response_answer (response_id, question_id, score)
      select w.id, a.question_id, a.score
      from unnest(${answers.map(([index]) => index)}::int[], ${answers.map(([, answer]) => answer.question_id)}::int[],
                  ${answers.map(([, answer]) => answer.score)}::smallint[]) as a (ord, question_id, score)
      join written w on w.ord = a.ord
    ),
    reasons as (
      insert into response_reason (response_id, reason_id)
      select w.id, r.reason_id
      from unnest(${reasons.map(([index]) => index)}::int[], ${reasons.map(([, reason]) => reason)}::int[]) as r (ord, reason_id)
      join written w on w.ord = r.ord
    ),
    comments as (
      insert into comment (response_id, body)
      select w.id, c.body
      from unnest(${comments.map(([index]) => index)}::int[], ${comments.map(([, body]) => body)}::text[]) as c (ord, body)
      join written w on w.ord = c.ord
    ),
    pending as (
      insert into rollup_pending (response_id) select id from written
    ),
    devices as (
      update kiosk_device set last_rating_at = now()
      where id in (select kiosk_device_id from written where kiosk_device_id is not null)
    )
    select i.ord,
      w.id as inserted_id,
      e.id as earlier_id,
      e.request_hash as earlier_hash,
      e.ord is null and a.ord is null as rate_limited,
      a.dossier_token_id is not null and a.dossier_token_id not in (select id from claimed) as token_taken
    from input i
    left join earlier e on e.ord = i.ord
    left join allowed a on a.ord = i.ord
    left join written w on w.ord = i.ord
  `.execute(db);

  const retryAfter = String(secondsLeftInWindow(now, policy.windowSeconds));
  const ratingByIndex = new Map(ratings.map((rating) => [rating.index, rating]));
  const releasedTokens: number[] = [];
  for (const row of rows) {
    if (row.inserted_id !== null) {
      outcomes[row.ord] = { ok: true, id: row.inserted_id, replayed: false };
    } else if (row.earlier_id !== null) {
      outcomes[row.ord] = replayOutcome({ id: row.earlier_id, request_hash: row.earlier_hash! }, hashes[row.ord]!);
    } else if (row.rate_limited) {
      outcomes[row.ord] = {
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
    } else {
      // The receipt code, or the key, was taken meanwhile by another transaction.
      keyConflicts.push(row.ord);
      const token = ratingByIndex.get(row.ord)?.token;
      if (token && !row.token_taken) releasedTokens.push(token.id);
    }
  }
  // A code claimed for a rating whose key another transaction stored first goes back.
  if (releasedTokens.length > 0) {
    await db
      .updateTable('dossier_token')
      .set({ used_at: null })
      .where('id', 'in', releasedTokens)
      .where(({ not, exists, selectFrom, ref }) =>
        not(
          exists(
            selectFrom('response').select('id').whereRef('response.dossier_token_id', '=', ref('dossier_token.id')),
          ),
        ),
      )
      .execute();
  }
}

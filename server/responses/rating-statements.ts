import { sql } from 'kysely';
import { windowStart } from '../abuse/rate-limit.ts';
import { preparedStatement } from '../db/connect.ts';
import type { Db } from '../db/database.ts';
import type { DossierToken } from '../dossiers/dossier.table.ts';
import type { KioskDevice } from '../kiosks/kiosk-device.table.ts';
import type { Allowance, RatingDesk, Submission } from './rating-rules.ts';

/**
 * The SQL of the rating path: one read of everything a batch names, and one statement that
 * writes a whole batch. Each runs as a prepared statement, parsed once per connection.
 */

/** Desks by code, and the desks of the given receipt codes. */
export async function findDesks(db: Db, codes: string[], tokenHashes: Buffer[]): Promise<RatingDesk[]> {
  if (codes.length === 0 && tokenHashes.length === 0) return [];
  const { rows } = await preparedStatement(sql<RatingDesk>`
    select desk.id, desk.code, desk.unit_id, desk.active, desk.inactive_since,
      unit.valid_until as unit_valid_until, follow_up_days_of(unit.id) as follow_up_days,
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
  `).execute(db);
  return rows;
}

export function findTokens(db: Db, tokenHashes: Buffer[]): Promise<DossierToken[]> | DossierToken[] {
  if (tokenHashes.length === 0) return [];
  return db.selectFrom('dossier_token').selectAll().where('token_hash', 'in', tokenHashes).execute();
}

export function findDevices(db: Db, keyHashes: Buffer[]): Promise<KioskDevice[]> | KioskDevice[] {
  if (keyHashes.length === 0) return [];
  return db.selectFrom('kiosk_device').selectAll().where('key_hash', 'in', keyHashes).execute();
}

/** The ratings already stored under these idempotency keys. */
export async function findByKeys(db: Db, keys: string[]): Promise<Map<string, { id: number; request_hash: Buffer }>> {
  if (keys.length === 0) return new Map();
  const rows = await db
    .selectFrom('response')
    .select(['id', 'idempotency_key', 'request_hash'])
    .where('idempotency_key', 'in', keys)
    .execute();
  return new Map(rows.map((row) => [row.idempotency_key, row]));
}

/** One rating as the write statement takes it. */
export interface RatingRow {
  /** Its place in the batch, which the statement's result refers to. */
  ord: number;
  submission: Submission;
  hash: Buffer;
  allowance: Allowance;
  deskId: number;
  unitId: number;
  domainId: number;
  questionnaireId: string;
  tokenId: number | null;
  ratedAt: Date;
  answers: { question_id: number; score: number }[];
  reasonIds: number[];
  /** The comment as stored: masked, tagged, with the citizen's code. */
  comment: { body: string; elements: string[]; followUpCode: string | null } | null;
  /** A comment or a low rating is followed up by this day; other ratings have no follow-up. */
  dueOn: string | null;
}

export interface WriteResult {
  ord: number;
  inserted_id: number | null;
  earlier_id: number | null;
  earlier_hash: Buffer | null;
  rate_limited: boolean;
  token_taken: boolean;
}

/**
 * Writes ratings in one statement, which is its own transaction: ratings whose key is
 * already stored are replays; the others are counted against their source's allowance
 * (attempts past it count too, so a flood stays refused until the window ends); those
 * within it claim their receipt code and are inserted with their answers, reasons and
 * comment, and queued for the rollups.
 */
export async function insertRatings(
  db: Db,
  ratings: RatingRow[],
  now: Date,
  windowSeconds: number,
): Promise<WriteResult[]> {
  if (ratings.length === 0) return [];
  const column = <T>(value: (rating: RatingRow) => T) => ratings.map(value);
  const each = <T>(items: (rating: RatingRow) => T[]) =>
    ratings.flatMap((rating) => items(rating).map((item) => [rating.ord, item] as const));
  const answers = each((rating) => rating.answers);
  const reasons = each((rating) => rating.reasonIds);
  const comments = each(({ comment }) => (comment ? [comment] : []));
  const followUps = each(({ dueOn }) => (dueOn ? [dueOn] : []));

  const { rows } = await preparedStatement(sql<WriteResult>`
    with input as (
      select * from unnest(
        ${column((rating) => rating.ord)}::int[],
        ${column((rating) => rating.submission.body.idempotencyKey)}::text[],
        ${column((rating) => rating.hash)}::bytea[],
        ${column((rating) => rating.deskId)}::int[],
        ${column((rating) => rating.unitId)}::int[],
        ${column((rating) => rating.domainId)}::smallint[],
        ${column((rating) => rating.questionnaireId)}::text[],
        ${column((rating) => rating.submission.body.channel)}::text[],
        ${column((rating) => rating.submission.body.language)}::text[],
        ${column((rating) => rating.tokenId)}::bigint[],
        ${column((rating) => rating.submission.body.clientTime ?? null)}::timestamptz[],
        ${column((rating) => rating.ratedAt)}::timestamptz[],
        ${column((rating) => rating.submission.receivedAt)}::timestamptz[],
        ${column((rating) => rating.allowance.bucket)}::bytea[],
        ${column((rating) => rating.allowance.limit)}::int[],
        ${column((rating) => rating.allowance.kioskDeviceId)}::int[]
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
      select bucket, ${windowStart(now, windowSeconds)}, count(*) from fresh group by bucket
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
      from unnest(${answers.map(([ord]) => ord)}::int[], ${answers.map(([, answer]) => answer.question_id)}::int[],
                  ${answers.map(([, answer]) => answer.score)}::smallint[]) as a (ord, question_id, score)
      join written w on w.ord = a.ord
    ),
    reasons as (
      insert into response_reason (response_id, reason_id)
      select w.id, r.reason_id
      from unnest(${reasons.map(([ord]) => ord)}::int[], ${reasons.map(([, reason]) => reason)}::int[]) as r (ord, reason_id)
      join written w on w.ord = r.ord
    ),
    comments as (
      insert into comment (response_id, body, elements, follow_up_code)
      select w.id, c.body, string_to_array(c.elements, ','),
        -- A code already given to another comment is not given twice (the client chose it).
        case when not exists (select 1 from comment o where o.follow_up_code = c.code) then c.code end
      from unnest(${comments.map(([ord]) => ord)}::int[], ${comments.map(([, comment]) => comment.body)}::text[],
                  ${comments.map(([, comment]) => comment.elements.join(','))}::text[],
                  ${comments.map(([, comment]) => comment.followUpCode)}::text[]) as c (ord, body, elements, code)
      join written w on w.ord = c.ord
    ),
    follow_ups as (
      insert into follow_up (response_id, status, due_on)
      select w.id, 'received', f.due_on
      from unnest(${followUps.map(([ord]) => ord)}::int[], ${followUps.map(([, dueOn]) => dueOn)}::date[]) as f (ord, due_on)
      join written w on w.ord = f.ord
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
  `).execute(db);
  return rows;
}

/**
 * Counts attempts that were refused before being written (an unknown desk, a closed one,
 * a rating the database would not take) against their sender's allowance, like any other
 * attempt, so that repeating a refused request costs the sender as much as an accepted one.
 * Resolves with the buckets (hex) now past their allowance.
 */
export async function countAttempts(
  db: Db,
  allowances: Allowance[],
  now: Date,
  windowSeconds: number,
): Promise<Set<string>> {
  if (allowances.length === 0) return new Set();
  const hits = new Map<string, { bucket: Buffer; hits: number }>();
  for (const { bucket } of allowances) {
    const entry = hits.get(bucket.toString('hex')) ?? { bucket, hits: 0 };
    entry.hits++;
    hits.set(bucket.toString('hex'), entry);
  }
  const sorted = [...hits.values()].sort((a, b) => Buffer.compare(a.bucket, b.bucket));
  const { rows } = await preparedStatement(sql<{ bucket: Buffer; hits: number }>`
    insert into rate_limit_counter as counter (bucket, window_start, hits)
    select bucket, ${windowStart(now, windowSeconds)}, hits
    from unnest(${sorted.map((entry) => entry.bucket)}::bytea[], ${sorted.map((entry) => entry.hits)}::int[])
      as i (bucket, hits)
    -- The same order of row locks as the write statement's.
    order by bucket
    on conflict (bucket, window_start) do update set hits = counter.hits + excluded.hits
    returning bucket, hits
  `).execute(db);
  const limits = new Map(allowances.map((allowance) => [allowance.bucket.toString('hex'), allowance.limit]));
  return new Set(
    rows
      .filter((row) => row.hits > (limits.get(row.bucket.toString('hex')) ?? Infinity))
      .map((row) => row.bucket.toString('hex')),
  );
}

/** Gives back receipt codes claimed for ratings that another transaction had stored first. */
export async function releaseTokens(db: Db, tokenIds: number[]): Promise<void> {
  if (tokenIds.length === 0) return;
  await db
    .updateTable('dossier_token')
    .set({ used_at: null })
    .where('id', 'in', tokenIds)
    .where(({ not, exists, selectFrom, ref }) =>
      not(
        exists(selectFrom('response').select('id').whereRef('response.dossier_token_id', '=', ref('dossier_token.id'))),
      ),
    )
    .execute();
}

import { sql, type RawBuilder } from 'kysely';
import { preparedStatement } from '../db/connect.ts';
import type { Db, Trx } from '../db/database.ts';
import { addDays, vietnamMidnight } from '../time/vietnam-time.ts';
import { ALL_ELEMENTS } from './rollup.table.ts';

/**
 * Days of `rollup_overall_day` kept: the alerts' windows reach back at most 31 days (this
 * month, the last 30 days), and a few more let a late kiosk rating land in a kept day.
 */
export const DAY_ROLLUP_KEPT_DAYS = 40;
/** Days of `rollup_overall_hour` kept: a spike's window is at most 168 hours. */
export const HOUR_ROLLUP_KEPT_DAYS = 8;

/** The hour an instant falls in (whole hours are alike in UTC and Vietnam time). */
const HOUR_OF = (at: RawBuilder<unknown>) => sql`date_bin('1 hour', ${at}, timestamptz '2000-01-01 00:00:00+00')`;

/**
 * Adds overall answers into a day or hour rollup: `rows` (a from clause with `unit_id`,
 * `desk_id`, `domain_id`, `score` and whatever `bucket` reads) counted per desk, domain
 * and bucket.
 */
function addOverallCounts(
  table: 'rollup_overall_day' | 'rollup_overall_hour',
  bucket: RawBuilder<unknown>,
  rows: RawBuilder<unknown>,
): RawBuilder<unknown> {
  const into = sql.table(table);
  const column = sql.ref(table === 'rollup_overall_day' ? 'day' : 'hour');
  const added = (n: string) => sql`${sql.ref(n)} = ${into}.${sql.ref(n)} + excluded.${sql.ref(n)}`;
  return sql`
    insert into ${into} (unit_id, desk_id, ${column}, domain_id, n1, n2, n3, n4, n5)
    select unit_id, desk_id, ${bucket}, domain_id,
      count(*) filter (where score = 1), count(*) filter (where score = 2), count(*) filter (where score = 3),
      count(*) filter (where score = 4), count(*) filter (where score = 5)
    ${rows}
    group by 1, 2, 3, 4
    on conflict (unit_id, desk_id, ${column}, domain_id) do update set
      ${sql.join(['n1', 'n2', 'n3', 'n4', 'n5'].map(added))}
  `;
}

const OVERALL_ANSWERED = sql`from answered where question_id in (select id from question where role = 'overall')`;

/** Advisory lock that serialises folding and closure changes across all server processes. */
const ROLLUP_LOCK = 0x5a1a5_01;

/** Waits for the rollup lock until the end of the transaction (used by unit merges). */
export async function lockRollups(trx: Trx): Promise<void> {
  await sql`select pg_advisory_xact_lock(${ROLLUP_LOCK})`.execute(trx);
}

/**
 * Folds up to `limit` pending ratings into the month rollups, in one statement: the
 * pending rows are deleted and their counts added in the same snapshot, so a reader
 * that adds the pending tail to the rollups never counts a rating twice or misses one.
 * Returns the number folded; 0 when another process is folding right now.
 */
export async function foldPending(db: Db, limit = 5000): Promise<number> {
  return db.transaction().execute(async (trx) => {
    const locked = await sql<{ locked: boolean }>`select pg_try_advisory_xact_lock(${ROLLUP_LOCK}) as locked`.execute(
      trx,
    );
    if (!locked.rows[0]?.locked) return 0;
    const result = await preparedStatement(sql<{ folded: number }>`
      with batch as (
        delete from rollup_pending
        where response_id in (select response_id from rollup_pending order by response_id limit ${limit})
        returning response_id
      ),
      rated as (
        select r.id, r.unit_id, r.desk_id, r.domain_id, r.channel, vn_month(r.rated_at) as month,
          vn_date(r.rated_at) as day, ${HOUR_OF(sql`r.rated_at`)} as hour
        from batch join response r on r.id = batch.response_id
      ),
      -- Answers are looked up rating by rating (a lateral subquery that \`offset 0\` keeps
      -- from being flattened into a join): as a join, the planner, guessing the batch's
      -- size, ends up scanning every answer ever given once the table is large.
      answered as (
        select rated.*, a.question_id, a.score
        from rated cross join lateral (
          select question_id, score from response_answer where response_id = rated.id offset 0
        ) a
      ),
      desk_rollup as (
        insert into rollup_desk_month (unit_id, month, desk_id, domain_id, channel, question_id, n1, n2, n3, n4, n5)
        select unit_id, month, desk_id, domain_id, channel, question_id,
          count(*) filter (where score = 1), count(*) filter (where score = 2), count(*) filter (where score = 3),
          count(*) filter (where score = 4), count(*) filter (where score = 5)
        from answered
        group by unit_id, month, desk_id, domain_id, channel, question_id
        on conflict (unit_id, month, desk_id, domain_id, channel, question_id) do update set
          n1 = rollup_desk_month.n1 + excluded.n1, n2 = rollup_desk_month.n2 + excluded.n2,
          n3 = rollup_desk_month.n3 + excluded.n3, n4 = rollup_desk_month.n4 + excluded.n4,
          n5 = rollup_desk_month.n5 + excluded.n5
      ),
      overall_day_rollup as (${addOverallCounts('rollup_overall_day', sql`day`, OVERALL_ANSWERED)}),
      overall_hour_rollup as (${addOverallCounts('rollup_overall_hour', sql`hour`, OVERALL_ANSWERED)}),
      unit_rollup as (
        insert into rollup_unit_month (unit_id, month, domain_id, question_id, n1, n2, n3, n4, n5)
        select c.ancestor_id, month, domain_id, question_id,
          count(*) filter (where score = 1), count(*) filter (where score = 2), count(*) filter (where score = 3),
          count(*) filter (where score = 4), count(*) filter (where score = 5)
        from answered join unit_closure c on c.unit_id = answered.unit_id
        group by c.ancestor_id, month, domain_id, question_id
        on conflict (unit_id, month, domain_id, question_id) do update set
          n1 = rollup_unit_month.n1 + excluded.n1, n2 = rollup_unit_month.n2 + excluded.n2,
          n3 = rollup_unit_month.n3 + excluded.n3, n4 = rollup_unit_month.n4 + excluded.n4,
          n5 = rollup_unit_month.n5 + excluded.n5
      ),
      -- One row per folded ballot and pool (each element its ballot answered, and 'all'):
      -- the ballot's valid answers m and satisfied answers a to the pooled criteria.
      ballot as (
        select answered.id, answered.unit_id, answered.month, answered.domain_id, pool.code as pool,
          count(*) as valid, count(*) filter (where answered.score >= 4) as satisfied,
          count(*) filter (where answered.score = 1) as n1, count(*) filter (where answered.score = 2) as n2,
          count(*) filter (where answered.score = 3) as n3, count(*) filter (where answered.score = 4) as n4,
          count(*) filter (where answered.score = 5) as n5
        from answered
        join question q on q.id = answered.question_id and q.role = 'criterion'
        cross join lateral (values (q.element_code), (${ALL_ELEMENTS}::text)) as pool (code)
        group by answered.id, answered.unit_id, answered.month, answered.domain_id, pool.code
      ),
      ballot_rollup as (
        insert into rollup_ballot_month (unit_id, month, domain_id, pool, ballots, n1, n2, n3, n4, n5,
          satisfied_sq, satisfied_answered, answered_sq)
        select c.ancestor_id, month, domain_id, pool, count(*), sum(n1), sum(n2), sum(n3), sum(n4), sum(n5),
          sum(satisfied * satisfied), sum(satisfied * valid), sum(valid * valid)
        from ballot join unit_closure c on c.unit_id = ballot.unit_id
        group by c.ancestor_id, month, domain_id, pool
        on conflict (unit_id, month, domain_id, pool) do update set
          ${BALLOT_SUMS_ADDED}
      ),
      reason_rollup as (
        insert into rollup_reason_month (unit_id, month, domain_id, reason_id, n)
        select c.ancestor_id, rated.month, rated.domain_id, rr.reason_id, count(*)
        from rated
        cross join lateral (select reason_id from response_reason where response_id = rated.id offset 0) rr
        join unit_closure c on c.unit_id = rated.unit_id
        group by c.ancestor_id, rated.month, rated.domain_id, rr.reason_id
        on conflict (unit_id, month, domain_id, reason_id) do update set n = rollup_reason_month.n + excluded.n
      )
      select count(*)::integer as folded from batch
    `).execute(trx);
    return result.rows[0]?.folded ?? 0;
  });
}

/** Drops the day and hour rollups older than they are kept, before `today` (a Vietnam day). */
export async function pruneRecentRollups(db: Db, today: string): Promise<void> {
  await db.deleteFrom('rollup_overall_day').where('day', '<', addDays(today, -DAY_ROLLUP_KEPT_DAYS)).execute();
  await db
    .deleteFrom('rollup_overall_hour')
    .where('hour', '<', vietnamMidnight(addDays(today, -HOUR_ROLLUP_KEPT_DAYS)))
    .execute();
}

/** Folds until nothing is pending (or another process holds the lock). */
export async function foldAll(db: Db, limit = 5000): Promise<number> {
  let total = 0;
  for (;;) {
    const folded = await foldPending(db, limit);
    total += folded;
    if (folded < limit) return total;
  }
}

/**
 * Recomputes every rollup from the raw ratings, in one transaction: after a bulk load or
 * a restore, where folding rating by rating would only be slower. Readers see the old
 * rollups until it commits.
 */
export async function rebuildRollups(db: Db): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await lockRollups(trx);
    // Grouping millions of rows wants more memory than a request does.
    await sql`set local work_mem = '256MB'`.execute(trx);
    await sql`
      truncate rollup_desk_month, rollup_unit_month, rollup_reason_month, rollup_ballot_month, rollup_overall_day,
        rollup_overall_hour, rollup_pending;
      insert into rollup_desk_month (unit_id, month, desk_id, domain_id, channel, question_id, n1, n2, n3, n4, n5)
      select r.unit_id, vn_month(r.rated_at), r.desk_id, r.domain_id, r.channel, a.question_id,
        count(*) filter (where a.score = 1), count(*) filter (where a.score = 2), count(*) filter (where a.score = 3),
        count(*) filter (where a.score = 4), count(*) filter (where a.score = 5)
      from response r join response_answer a on a.response_id = r.id
      group by 1, 2, 3, 4, 5, 6;
      insert into rollup_unit_month (unit_id, month, domain_id, question_id, n1, n2, n3, n4, n5)
      select c.ancestor_id, d.month, d.domain_id, d.question_id, sum(d.n1), sum(d.n2), sum(d.n3), sum(d.n4), sum(d.n5)
      from rollup_desk_month d join unit_closure c on c.unit_id = d.unit_id
      group by 1, 2, 3, 4;
      insert into rollup_reason_month (unit_id, month, domain_id, reason_id, n)
      select c.ancestor_id, vn_month(r.rated_at), r.domain_id, rr.reason_id, count(*)
      from response r join response_reason rr on rr.response_id = r.id join unit_closure c on c.unit_id = r.unit_id
      group by 1, 2, 3, 4;
    `.execute(trx);
    await sql`
      create temporary table recent_overall on commit drop as
      select r.unit_id, r.desk_id, r.domain_id, r.rated_at, a.score
      from response r
      join response_answer a on a.response_id = r.id
      join question q on q.id = a.question_id and q.role = 'overall'
      where r.rated_at >= vn_midnight(vn_date(now()) - ${DAY_ROLLUP_KEPT_DAYS}::integer)
    `.execute(trx);
    await addOverallCounts('rollup_overall_day', sql`vn_date(rated_at)`, sql`from recent_overall`).execute(trx);
    await addOverallCounts(
      'rollup_overall_hour',
      HOUR_OF(sql`rated_at`),
      sql`from recent_overall where rated_at >= now() - make_interval(days => ${HOUR_ROLLUP_KEPT_DAYS}::integer)`,
    ).execute(trx);
    await sql`
      insert into rollup_ballot_month (unit_id, month, domain_id, pool, ballots, n1, n2, n3, n4, n5,
        satisfied_sq, satisfied_answered, answered_sq)
      select c.ancestor_id, own.month, own.domain_id, own.pool, sum(own.ballots), sum(own.n1), sum(own.n2),
        sum(own.n3), sum(own.n4), sum(own.n5), sum(own.satisfied_sq), sum(own.satisfied_answered), sum(own.answered_sq)
      from (${ownBallotSums(sql`true`)}) own
      join unit_closure c on c.unit_id = own.unit_id
      group by 1, 2, 3, 4
    `.execute(trx);
  });
}

/**
 * The ballot sums of the ratings of each unit itself (not of the units counting towards
 * it), per month, domain and pool, for the ratings that `where` (over \`r\`) keeps.
 */
function ownBallotSums(where: RawBuilder<unknown>): RawBuilder<unknown> {
  return sql`
    select ballot.unit_id, ballot.month, ballot.domain_id, ballot.pool, count(*) as ballots,
      sum(ballot.n1) as n1, sum(ballot.n2) as n2, sum(ballot.n3) as n3, sum(ballot.n4) as n4, sum(ballot.n5) as n5,
      sum(ballot.satisfied * ballot.satisfied) as satisfied_sq,
      sum(ballot.satisfied * ballot.valid) as satisfied_answered, sum(ballot.valid * ballot.valid) as answered_sq
    from (
      select r.id, r.unit_id, vn_month(r.rated_at) as month, r.domain_id, pool.code as pool,
        count(*) as valid, count(*) filter (where a.score >= 4) as satisfied,
        count(*) filter (where a.score = 1) as n1, count(*) filter (where a.score = 2) as n2,
        count(*) filter (where a.score = 3) as n3, count(*) filter (where a.score = 4) as n4,
        count(*) filter (where a.score = 5) as n5
      from response r
      join response_answer a on a.response_id = r.id
      join question q on q.id = a.question_id and q.role = 'criterion'
      cross join lateral (values (q.element_code), (${ALL_ELEMENTS}::text)) as pool (code)
      where ${where}
      group by r.id, r.unit_id, vn_month(r.rated_at), r.domain_id, pool.code
    ) ballot
    group by ballot.unit_id, ballot.month, ballot.domain_id, ballot.pool
  `;
}

const BALLOT_SUMS_ADDED = sql`
  ballots = rollup_ballot_month.ballots + excluded.ballots,
  n1 = rollup_ballot_month.n1 + excluded.n1, n2 = rollup_ballot_month.n2 + excluded.n2,
  n3 = rollup_ballot_month.n3 + excluded.n3, n4 = rollup_ballot_month.n4 + excluded.n4,
  n5 = rollup_ballot_month.n5 + excluded.n5,
  satisfied_sq = rollup_ballot_month.satisfied_sq + excluded.satisfied_sq,
  satisfied_answered = rollup_ballot_month.satisfied_answered + excluded.satisfied_answered,
  answered_sq = rollup_ballot_month.answered_sq + excluded.answered_sq`;

/**
 * After a merge, adds the already-folded ballots of each unit of `pairs` to the unit it now
 * also counts towards; ratings still pending are folded later with the new closure. The
 * ballot sums are not kept per desk, so they are recounted from the unit's ratings.
 */
export async function addMergedBallotHistory(
  trx: Trx,
  pairs: readonly { unit_id: number; ancestor_id: number }[],
): Promise<void> {
  if (pairs.length === 0) return;
  const values = sql.join(pairs.map((pair) => sql`(${pair.unit_id}::integer, ${pair.ancestor_id}::integer)`));
  const units = [...new Set(pairs.map((pair) => pair.unit_id))];
  await sql`
    insert into rollup_ballot_month (unit_id, month, domain_id, pool, ballots, n1, n2, n3, n4, n5,
      satisfied_sq, satisfied_answered, answered_sq)
    select pair.ancestor_id, own.month, own.domain_id, own.pool, sum(own.ballots), sum(own.n1), sum(own.n2),
      sum(own.n3), sum(own.n4), sum(own.n5), sum(own.satisfied_sq), sum(own.satisfied_answered), sum(own.answered_sq)
    from (values ${values}) as pair (unit_id, ancestor_id)
    join (${ownBallotSums(
      sql`r.unit_id = any(${units}::integer[]) and not exists (select 1 from rollup_pending p where p.response_id = r.id)`,
    )}) own on own.unit_id = pair.unit_id
    group by 1, 2, 3, 4
    on conflict (unit_id, month, domain_id, pool) do update set ${BALLOT_SUMS_ADDED}
  `.execute(trx);
}

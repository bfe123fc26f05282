import { sql, type RawBuilder } from 'kysely';
import type { Db } from '../db/database.ts';
import { addMonths, monthOf, vietnamMidnight } from '../time/vietnam-time.ts';
import { ALL_ELEMENTS, type BallotSums, type ScoreCounts } from './rollup.table.ts';

export type Dimension = 'unit' | 'month' | 'domain' | 'question' | 'desk' | 'channel';

export interface CountQuery {
  /** Units whose subtrees (with merged predecessors) are counted; grouped by `unit`. */
  unitIds: number[];
  /** First Vietnam calendar day counted, `YYYY-MM-DD`. */
  from: string;
  /** First Vietnam calendar day not counted. */
  to: string;
  groupBy: Dimension[];
  questionRole?: 'overall' | 'criterion';
  domainIds?: number[];
  deskIds?: number[];
  channels?: string[];
}

export type CountRow = ScoreCounts & {
  unit?: number;
  month?: string;
  domain?: number;
  question?: number;
  desk?: number;
  channel?: string;
};

/**
 * Answer counts per level of the scale for any slice: whole months come from the month
 * rollups; ratings not yet folded, and the days of a range that cut through a month,
 * come from raw rows (a short tail, by index). Every committed rating is counted once.
 *
 * @example scoreCounts(db, { unitIds: [provinceId], from: '2026-01-01', to: '2027-01-01', groupBy: ['domain'], questionRole: 'overall' })
 */
export async function scoreCounts(db: Db, query: CountQuery): Promise<CountRow[]> {
  if (query.unitIds.length === 0 || query.from >= query.to) return [];
  return (await scoreCountsQuery(query).execute(db)).rows;
}

/** The statement behind `scoreCounts`, for running it elsewhere or explaining its plan. */
export function scoreCountsQuery(query: CountQuery): RawBuilder<CountRow> {
  const { fullFrom, fullTo } = wholeMonths(query.from, query.to);
  // Desk and channel are kept only in the desk rollup; everything else is a unit lookup.
  const needsDesk =
    query.groupBy.includes('desk') || query.groupBy.includes('channel') || !!query.deskIds || !!query.channels;

  const parts: RawBuilder<unknown>[] = [];
  if (fullFrom < fullTo) {
    parts.push(needsDesk ? deskRollupPart(query, fullFrom, fullTo) : unitRollupPart(query, fullFrom, fullTo));
    parts.push(rawPart(query, vietnamMidnight(fullFrom), vietnamMidnight(fullTo), true));
    if (query.from < fullFrom)
      parts.push(rawPart(query, vietnamMidnight(query.from), vietnamMidnight(fullFrom), false));
    if (fullTo < query.to) parts.push(rawPart(query, vietnamMidnight(fullTo), vietnamMidnight(query.to), false));
  } else {
    parts.push(rawPart(query, vietnamMidnight(query.from), vietnamMidnight(query.to), false));
  }

  const dimensions = query.groupBy.map((dimension) => sql.ref(`slice.${dimension}`));
  const select = query.groupBy.map((dimension) => sql`slice.${sql.ref(dimension)} as ${sql.ref(dimension)}`);
  return sql<CountRow>`
    select ${sql.join([
      ...select,
      // coalesce: without a grouping, an empty slice is one row of zeros, not of nulls.
      sql`coalesce(sum(n1), 0)::integer as n1, coalesce(sum(n2), 0)::integer as n2, coalesce(sum(n3), 0)::integer as n3,
        coalesce(sum(n4), 0)::integer as n4, coalesce(sum(n5), 0)::integer as n5`,
    ])}
    from (${sql.join(parts, sql` union all `)}) as slice
    ${dimensions.length > 0 ? sql`group by ${sql.join(dimensions)} order by ${sql.join(dimensions)}` : sql``}
  `;
}

/** The whole months inside [from, to): [fullFrom, fullTo), empty when fullFrom >= fullTo. */
export function wholeMonths(from: string, to: string): { fullFrom: string; fullTo: string } {
  const fullFrom = from.endsWith('-01') ? from : addMonths(monthOf(from), 1);
  const fullTo = monthOf(to);
  return { fullFrom, fullTo };
}

function dimensionColumns(query: CountQuery, columns: Record<Dimension, RawBuilder<unknown>>): RawBuilder<unknown> {
  const all: Dimension[] = ['unit', 'month', 'domain', 'question', 'desk', 'channel'];
  return sql.join(all.map((dimension) => sql`${columns[dimension]} as ${sql.ref(dimension)}`));
}

function filters(query: CountQuery, columns: { domain: string; desk: string; channel: string; role: string }) {
  const conditions: RawBuilder<unknown>[] = [];
  if (query.domainIds) conditions.push(sql`${sql.ref(columns.domain)} = any(${query.domainIds}::smallint[])`);
  if (query.deskIds) conditions.push(sql`${sql.ref(columns.desk)} = any(${query.deskIds}::integer[])`);
  if (query.channels) conditions.push(sql`${sql.ref(columns.channel)} = any(${query.channels}::text[])`);
  if (query.questionRole) conditions.push(sql`${sql.ref(columns.role)} = ${query.questionRole}`);
  return conditions.length > 0 ? sql`and ${sql.join(conditions, sql` and `)}` : sql``;
}

function unitRollupPart(query: CountQuery, fullFrom: string, fullTo: string): RawBuilder<unknown> {
  return sql`
    select ${dimensionColumns(query, {
      unit: sql`r.unit_id`,
      month: sql`r.month`,
      domain: sql`r.domain_id`,
      question: sql`r.question_id`,
      desk: sql`null::integer`,
      channel: sql`null::text`,
    })}, r.n1, r.n2, r.n3, r.n4, r.n5
    from rollup_unit_month r
    join question q on q.id = r.question_id
    where r.unit_id = any(${query.unitIds}::integer[]) and r.month >= ${fullFrom}::date and r.month < ${fullTo}::date
    ${filters(query, { domain: 'r.domain_id', desk: 'r.desk_id', channel: 'r.channel', role: 'q.role' })}
  `;
}

function deskRollupPart(query: CountQuery, fullFrom: string, fullTo: string): RawBuilder<unknown> {
  return sql`
    select ${dimensionColumns(query, {
      unit: sql`c.ancestor_id`,
      month: sql`r.month`,
      domain: sql`r.domain_id`,
      question: sql`r.question_id`,
      desk: sql`r.desk_id`,
      channel: sql`r.channel`,
    })}, r.n1, r.n2, r.n3, r.n4, r.n5
    from unit_closure c
    join rollup_desk_month r on r.unit_id = c.unit_id and r.month >= ${fullFrom}::date and r.month < ${fullTo}::date
    join question q on q.id = r.question_id
    where c.ancestor_id = any(${query.unitIds}::integer[])
    ${filters(query, { domain: 'r.domain_id', desk: 'r.desk_id', channel: 'r.channel', role: 'q.role' })}
  `;
}

/**
 * Raw ratings in [start, end) as `r`, with the units they count towards as `c`: all of
 * them, or only those not yet folded. The unfolded tail is read from `rollup_pending`
 * outwards, one index lookup per pending rating, so its cost follows the tail's length
 * (small: the folder keeps it so), never the history's.
 */
function rawRatings(start: Date, end: Date, pendingOnly: boolean): RawBuilder<unknown> {
  return pendingOnly
    ? sql`rollup_pending p
      cross join lateral (
        select * from response where response.id = p.response_id and response.rated_at >= ${start} and response.rated_at < ${end}
        offset 0
      ) r
      join unit_closure c on c.unit_id = r.unit_id`
    : sql`unit_closure c
      join response r on r.unit_id = c.unit_id and r.rated_at >= ${start} and r.rated_at < ${end}`;
}

function rawPart(query: CountQuery, start: Date, end: Date, pendingOnly: boolean): RawBuilder<unknown> {
  return sql`
    select ${dimensionColumns(query, {
      unit: sql`c.ancestor_id`,
      month: sql`vn_month(r.rated_at)`,
      domain: sql`r.domain_id`,
      question: sql`a.question_id`,
      desk: sql`r.desk_id`,
      channel: sql`r.channel`,
    })},
      (a.score = 1)::integer as n1, (a.score = 2)::integer as n2, (a.score = 3)::integer as n3,
      (a.score = 4)::integer as n4, (a.score = 5)::integer as n5
    from ${rawRatings(start, end, pendingOnly)}
    join response_answer a on a.response_id = r.id
    join question q on q.id = a.question_id
    where c.ancestor_id = any(${query.unitIds}::integer[])
    ${filters(query, { domain: 'r.domain_id', desk: 'r.desk_id', channel: 'r.channel', role: 'q.role' })}
  `;
}

export interface ReasonCountQuery {
  unitIds: number[];
  from: string;
  to: string;
  domainIds?: number[];
}

/** How often each reason was chosen after a low rating, read like `scoreCounts`. */
export async function reasonCounts(db: Db, query: ReasonCountQuery): Promise<{ reason: number; n: number }[]> {
  if (query.unitIds.length === 0 || query.from >= query.to) return [];
  const { fullFrom, fullTo } = wholeMonths(query.from, query.to);
  const domainFilter = (column: string) =>
    query.domainIds ? sql`and ${sql.ref(column)} = any(${query.domainIds}::smallint[])` : sql``;
  const raw = (start: Date, end: Date, pendingOnly: boolean) => sql`
    select rr.reason_id as reason, 1 as n
    from ${rawRatings(start, end, pendingOnly)}
    join response_reason rr on rr.response_id = r.id
    where c.ancestor_id = any(${query.unitIds}::integer[]) ${domainFilter('r.domain_id')}
  `;
  const parts: RawBuilder<unknown>[] = [];
  if (fullFrom < fullTo) {
    parts.push(sql`
      select r.reason_id as reason, r.n from rollup_reason_month r
      where r.unit_id = any(${query.unitIds}::integer[]) and r.month >= ${fullFrom}::date and r.month < ${fullTo}::date
      ${domainFilter('r.domain_id')}
    `);
    parts.push(raw(vietnamMidnight(fullFrom), vietnamMidnight(fullTo), true));
    if (query.from < fullFrom) parts.push(raw(vietnamMidnight(query.from), vietnamMidnight(fullFrom), false));
    if (fullTo < query.to) parts.push(raw(vietnamMidnight(fullTo), vietnamMidnight(query.to), false));
  } else {
    parts.push(raw(vietnamMidnight(query.from), vietnamMidnight(query.to), false));
  }
  const result = await sql<{ reason: number; n: number }>`
    select reason, sum(n)::integer as n from (${sql.join(parts, sql` union all `)}) as slice
    group by reason order by n desc, reason
  `.execute(db);
  return result.rows;
}

export type BallotDimension = 'unit' | 'month' | 'domain' | 'pool';

export interface BallotQuery {
  /** Units whose subtrees (with merged predecessors) are counted; grouped by `unit`. */
  unitIds: number[];
  /** First Vietnam calendar day counted, `YYYY-MM-DD`. */
  from: string;
  /** First Vietnam calendar day not counted. */
  to: string;
  groupBy: BallotDimension[];
  /** Element codes, or `all` for every criterion of the five elements. */
  pools?: string[];
  domainIds?: number[];
}

export type BallotRow = BallotSums & { unit?: number; month?: string; domain?: number; pool?: string };

/**
 * Ballot sums (see `BallotSums`) for indices that pool several criteria of a ballot, read
 * like `scoreCounts`: whole months from `rollup_ballot_month`, the unfolded tail and the
 * days of a range that cut through a month from raw rows, each ballot counted once.
 *
 * @example ballotSums(db, { unitIds: [communeId], from: '2026-04-01', to: '2026-07-01', groupBy: ['pool'] })
 */
export async function ballotSums(db: Db, query: BallotQuery): Promise<BallotRow[]> {
  if (query.unitIds.length === 0 || query.from >= query.to) return [];
  return (await ballotSumsQuery(query).execute(db)).rows;
}

/** The statement behind `ballotSums`. */
export function ballotSumsQuery(query: BallotQuery): RawBuilder<BallotRow> {
  const { fullFrom, fullTo } = wholeMonths(query.from, query.to);
  const parts: RawBuilder<unknown>[] = [];
  if (fullFrom < fullTo) {
    parts.push(ballotRollupPart(query, fullFrom, fullTo));
    parts.push(rawBallotPart(query, vietnamMidnight(fullFrom), vietnamMidnight(fullTo), true));
    if (query.from < fullFrom)
      parts.push(rawBallotPart(query, vietnamMidnight(query.from), vietnamMidnight(fullFrom), false));
    if (fullTo < query.to) parts.push(rawBallotPart(query, vietnamMidnight(fullTo), vietnamMidnight(query.to), false));
  } else {
    parts.push(rawBallotPart(query, vietnamMidnight(query.from), vietnamMidnight(query.to), false));
  }
  const dimensions = query.groupBy.map((dimension) => sql.ref(`slice.${dimension}`));
  const select = query.groupBy.map((dimension) => sql`slice.${sql.ref(dimension)} as ${sql.ref(dimension)}`);
  return sql<BallotRow>`
    select ${sql.join([
      ...select,
      sql`coalesce(sum(ballots), 0)::integer as ballots,
        coalesce(sum(n1), 0)::integer as n1, coalesce(sum(n2), 0)::integer as n2, coalesce(sum(n3), 0)::integer as n3,
        coalesce(sum(n4), 0)::integer as n4, coalesce(sum(n5), 0)::integer as n5,
        coalesce(sum(satisfied_sq), 0)::bigint as "satisfiedSquared",
        coalesce(sum(satisfied_answered), 0)::bigint as "satisfiedTimesAnswered",
        coalesce(sum(answered_sq), 0)::bigint as "answeredSquared"`,
    ])}
    from (${sql.join(parts, sql` union all `)}) as slice
    ${dimensions.length > 0 ? sql`group by ${sql.join(dimensions)} order by ${sql.join(dimensions)}` : sql``}
  `;
}

function ballotFilters(query: BallotQuery, columns: { domain: string; pool: string }) {
  const conditions: RawBuilder<unknown>[] = [];
  if (query.domainIds) conditions.push(sql`${sql.ref(columns.domain)} = any(${query.domainIds}::smallint[])`);
  if (query.pools) conditions.push(sql`${sql.ref(columns.pool)} = any(${query.pools}::text[])`);
  return conditions.length > 0 ? sql`and ${sql.join(conditions, sql` and `)}` : sql``;
}

function ballotRollupPart(query: BallotQuery, fullFrom: string, fullTo: string): RawBuilder<unknown> {
  return sql`
    select r.unit_id as unit, r.month, r.domain_id as domain, r.pool, r.ballots, r.n1, r.n2, r.n3, r.n4, r.n5,
      r.satisfied_sq, r.satisfied_answered, r.answered_sq
    from rollup_ballot_month r
    where r.unit_id = any(${query.unitIds}::integer[]) and r.month >= ${fullFrom}::date and r.month < ${fullTo}::date
    ${ballotFilters(query, { domain: 'r.domain_id', pool: 'r.pool' })}
  `;
}

/** Raw ballots in [start, end): one row per rating, unit it counts towards, and pool. */
function rawBallotPart(query: BallotQuery, start: Date, end: Date, pendingOnly: boolean): RawBuilder<unknown> {
  const satisfied = sql`count(*) filter (where a.score >= 4)`;
  return sql`
    select c.ancestor_id as unit, vn_month(r.rated_at) as month, r.domain_id as domain, pool.code as pool,
      1 as ballots,
      count(*) filter (where a.score = 1) as n1, count(*) filter (where a.score = 2) as n2,
      count(*) filter (where a.score = 3) as n3, count(*) filter (where a.score = 4) as n4,
      count(*) filter (where a.score = 5) as n5,
      ${satisfied} * ${satisfied} as satisfied_sq, ${satisfied} * count(*) as satisfied_answered,
      count(*) * count(*) as answered_sq
    from ${rawRatings(start, end, pendingOnly)}
    join response_answer a on a.response_id = r.id
    join question q on q.id = a.question_id and q.role = 'criterion'
    cross join lateral (values (q.element_code), (${ALL_ELEMENTS}::text)) as pool (code)
    where c.ancestor_id = any(${query.unitIds}::integer[])
    ${ballotFilters(query, { domain: 'r.domain_id', pool: 'pool.code' })}
    group by r.id, c.ancestor_id, vn_month(r.rated_at), r.domain_id, pool.code
  `;
}

/** Counts of answers at each level of the 1–5 scale. */
export interface ScoreCounts {
  n1: number;
  n2: number;
  n3: number;
  n4: number;
  n5: number;
}

export interface RollupPendingTable {
  response_id: number;
}

export interface RollupDeskMonthTable extends ScoreCounts {
  unit_id: number;
  /** First day of the month in Vietnam time, `YYYY-MM-DD`. */
  month: string;
  desk_id: number;
  domain_id: number;
  channel: string;
  question_id: number;
}

/**
 * Overall-question counts per desk, domain and Vietnam day, kept for the last
 * `DAY_ROLLUP_KEPT_DAYS` days (fold.ts): what alerts judge this month and the last 30 days by.
 */
export interface RollupOverallDayTable extends ScoreCounts {
  unit_id: number;
  desk_id: number;
  /** A Vietnam calendar day, `YYYY-MM-DD`. */
  day: string;
  domain_id: number;
}

/**
 * Overall-question counts per desk, domain and hour, kept for the last
 * `HOUR_ROLLUP_KEPT_DAYS` days (fold.ts): what a spike's window of hours is judged by.
 */
export interface RollupOverallHourTable extends ScoreCounts {
  unit_id: number;
  desk_id: number;
  /** The instant the hour starts. */
  hour: Date;
  domain_id: number;
}

export interface RollupUnitMonthTable extends ScoreCounts {
  /** The unit the ratings count towards (itself, an ancestor or a merge successor). */
  unit_id: number;
  month: string;
  domain_id: number;
  question_id: number;
}

export interface RollupReasonMonthTable {
  unit_id: number;
  month: string;
  domain_id: number;
  reason_id: number;
  n: number;
}

/**
 * Sums over ballots for an index that pools several questions of one ballot: with mᵢ the
 * valid answers of ballot i to the pooled questions and aᵢ the satisfied ones, the
 * ballots (those with mᵢ ≥ 1), the answers per level (Σmᵢ, Σaᵢ = n4 + n5), Σaᵢ², Σaᵢmᵢ
 * and Σmᵢ². All additive, so months, units and domains add up like the counts do.
 */
export interface BallotSums extends ScoreCounts {
  ballots: number;
  satisfiedSquared: number;
  satisfiedTimesAnswered: number;
  answeredSquared: number;
}

/** Element codes pool that element's criteria; `all` pools every criterion of the five elements. */
export const ALL_ELEMENTS = 'all';

export interface RollupBallotMonthTable extends ScoreCounts {
  /** The unit the ballots count towards (itself, an ancestor or a merge successor). */
  unit_id: number;
  month: string;
  domain_id: number;
  /** An element code, or `all`. */
  pool: string;
  ballots: number;
  satisfied_sq: number;
  satisfied_answered: number;
  answered_sq: number;
}

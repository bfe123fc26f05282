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

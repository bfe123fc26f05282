import type { Generated, Insertable, Selectable } from 'kysely';

/** `tthc`: handling of administrative procedures; `agency_service`: service of the agencies; `domain`: one domain. */
export type TargetMetric = 'tthc' | 'agency_service' | 'domain';
export type TargetComparison = 'gte' | 'gt';

export interface TargetTable {
  id: Generated<number>;
  unit_id: number;
  year: number;
  metric: TargetMetric;
  domain_id: number | null;
  comparison: Generated<TargetComparison>;
  /** Percent, e.g. 90 for "đạt tối thiểu 90%". */
  threshold: number;
  plan_number: string | null;
  plan_date: string | null;
  plan_sentence: string | null;
  created_at: Generated<Date>;
}

export type Target = Selectable<TargetTable>;
export type NewTarget = Insertable<TargetTable>;

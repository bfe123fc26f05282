import type { Generated, Insertable, Selectable } from 'kysely';

export type UnitKind = 'country' | 'province' | 'district' | 'commune' | 'ward' | 'special_zone' | 'agency';

export interface UnitTable {
  id: Generated<number>;
  code: string;
  name: string;
  kind: UnitKind;
  parent_id: number | null;
  /** First day the unit exists (Vietnam dates, `YYYY-MM-DD`). */
  valid_from: string | null;
  /** First day the unit no longer exists: validity is [valid_from, valid_until). */
  valid_until: string | null;
  merged_into_id: number | null;
  created_at: Generated<Date>;
  /** Whether the unit's manager publishes its figures (scorecard/). */
  public_scorecard: Generated<boolean>;
  /** The fewest ratings behind any figure the unit publishes. */
  scorecard_min_ratings: Generated<number>;
}

export interface UnitClosureTable {
  unit_id: number;
  ancestor_id: number;
}

export type Unit = Selectable<UnitTable>;
export type NewUnit = Insertable<UnitTable>;

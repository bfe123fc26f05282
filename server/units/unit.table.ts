import type { Generated, Insertable, Selectable } from 'kysely';

export type UnitKind = 'country' | 'province' | 'district' | 'commune' | 'ward' | 'special_zone' | 'agency';

/**
 * What kind of agency a unit of kind `agency` is, for ranking among peers: a hospital or
 * health centre, a school, or (null) any other agency; always null for territorial units.
 */
export type AgencySector = 'health' | 'education';

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
  /** The unit's hotline, shown to citizens after they rate. */
  hotline: Generated<string | null>;
  /** The unit's official channel for complaints (a web address), shown after a rating. */
  complaint_url: Generated<string | null>;
  agency_sector: AgencySector | null;
  created_at: Generated<Date>;
  /** Whether the unit's manager publishes its figures (scorecard/). */
  public_scorecard: Generated<boolean>;
  /** The fewest ratings behind any figure the unit publishes. */
  scorecard_min_ratings: Generated<number>;
  /** Working days to follow up a comment or low rating; null takes the nearest ancestor's (5 at the top). */
  follow_up_days: Generated<number | null>;
}

export interface UnitClosureTable {
  unit_id: number;
  ancestor_id: number;
}

export type Unit = Selectable<UnitTable>;
export type NewUnit = Insertable<UnitTable>;

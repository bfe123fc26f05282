import type { Generated, Insertable, Selectable } from 'kysely';
import type { ScoreCounts } from '../rollups/rollup.table.ts';

export interface ScorecardReleaseTable {
  /** `YYYY-Qn`. */
  quarter: string;
  released_at: Generated<Date>;
}

/**
 * A figure a quarterly release computed for a unit (with its sub-units) and period: the
 * overall question's answers per level, for all domains (`domain_id` null) or one.
 */
export interface ScorecardFigureTable extends ScoreCounts {
  unit_id: number;
  /** `2026-07`, `2026-Q3`, `2026-H1`, `2026-9M` or `2026`. */
  period: string;
  domain_id: number | null;
  published: boolean;
  /** The same slice of the unit's own part: ratings that no opted-in unit below it holds. */
  part_ratings: number;
  /** Whether the unit's own part shows the slice (`disclosure.ts`). */
  part_shown: boolean;
  /** Ratings of the figure also held by an opted-in unit outside its branch, after a merge. */
  shared_ratings: Generated<number>;
  /** The fewest ratings a published figure needed when this one was decided. */
  min_ratings: number;
  /** On a quarter's or cumulative's total: its ratings with a comment (text never published). */
  comments: number | null;
  /** Of them, answered by the day of the release. */
  comments_answered: number | null;
  /** Median days from those ratings to their answers. */
  answer_days_median: number | null;
  released_at: Generated<Date>;
}

export type ScorecardFigure = Selectable<ScorecardFigureTable>;
export type NewScorecardFigure = Insertable<ScorecardFigureTable>;

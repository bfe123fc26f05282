/**
 * The five-level scale of the SIPAS method, stored as 1–5. Reports in three bands count
 * 4 and 5 as satisfied and 1–3 as not satisfied.
 */
export const SCALE = [
  { score: 1, vi: 'Rất không hài lòng', en: 'Very dissatisfied' },
  { score: 2, vi: 'Không hài lòng', en: 'Dissatisfied' },
  { score: 3, vi: 'Bình thường', en: 'Neutral' },
  { score: 4, vi: 'Hài lòng', en: 'Satisfied' },
  { score: 5, vi: 'Rất hài lòng', en: 'Very satisfied' },
] as const;

/** Reasons are offered, and accepted, only after an overall rating at or below this level. */
export const LOW_RATING_MAX = 3;

export const COMMENT_MAX_LENGTH = 1000;

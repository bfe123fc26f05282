import { inBothLanguages } from '../../web/i18n/shared.ts';

/**
 * The five-level scale of the SIPAS method, stored as 1–5. Reports in three bands count
 * 4 and 5 as satisfied and 1–3 as not satisfied. Its words are the shared catalogue's
 * (`scale.1` … `scale.5`), as the survey, the kiosk and the officials' app show them.
 */
export const SCALE = ([1, 2, 3, 4, 5] as const).map((score) => ({
  score,
  ...inBothLanguages(`scale.${score}`),
}));

/** Reasons are offered, and accepted, only after an overall rating at or below this level. */
export const LOW_RATING_MAX = 3;

export const COMMENT_MAX_LENGTH = 1000;

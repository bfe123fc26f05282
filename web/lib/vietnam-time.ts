/**
 * Vietnam's time zone in the browser, the mirror of `server/time/vietnam-time.ts`: a
 * computer set to another zone (or a wrong one) must still see the year, month and day
 * the reports count in. Vietnam has kept UTC+7 without daylight saving since 1975.
 */
export const VIETNAM_OFFSET_MS = 7 * 3_600_000;

/** The Vietnam calendar day of an instant, `YYYY-MM-DD`. */
export function vietnamDate(at: Date = new Date()): string {
  return new Date(at.getTime() + VIETNAM_OFFSET_MS).toISOString().slice(0, 10);
}

/** The Vietnam calendar month of an instant, `YYYY-MM`. */
export function vietnamMonth(at: Date = new Date()): string {
  return vietnamDate(at).slice(0, 7);
}

/** The Vietnam calendar year of an instant. */
export function vietnamYear(at: Date = new Date()): number {
  return Number(vietnamDate(at).slice(0, 4));
}

/** The Vietnam wall-clock time of an instant, `HH:MM`. */
export function vietnamClock(at: Date): string {
  return new Date(at.getTime() + VIETNAM_OFFSET_MS).toISOString().slice(11, 16);
}

/**
 * The one place that knows Vietnam's time zone. Vietnam has kept UTC+7 without daylight
 * saving since 1975, matching the `vn_date`/`vn_month` SQL functions of the schema.
 */
export const VIETNAM_OFFSET_MS = 7 * 3_600_000;

/** The Vietnam calendar day of an instant, `YYYY-MM-DD`. */
export function vietnamDate(at: Date): string {
  return new Date(at.getTime() + VIETNAM_OFFSET_MS).toISOString().slice(0, 10);
}

/** The first day of the Vietnam calendar month of an instant, `YYYY-MM-01`. */
export function vietnamMonth(at: Date): string {
  return `${vietnamDate(at).slice(0, 7)}-01`;
}

/** The instant a Vietnam calendar day begins. */
export function vietnamMidnight(day: string): Date {
  return new Date(Date.parse(`${day}T00:00:00Z`) - VIETNAM_OFFSET_MS);
}

/** Adds whole days to a calendar day. */
export function addDays(day: string, days: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

/** Adds whole months to the first day of a month. */
export function addMonths(month: string, months: number): string {
  const [year, monthIndex] = [Number(month.slice(0, 4)), Number(month.slice(5, 7)) - 1 + months];
  return new Date(Date.UTC(year, monthIndex, 1)).toISOString().slice(0, 10);
}

/** The first day of the month containing a calendar day. */
export function monthOf(day: string): string {
  return `${day.slice(0, 7)}-01`;
}

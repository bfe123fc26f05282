import { z } from 'zod';
import { FIRST_YEAR, isCalendarDate, LAST_YEAR } from '../fields.ts';
import { addDays, addMonths } from '../time/vietnam-time.ts';

/**
 * Report periods, in Vietnam calendar days. Written as in the API: `2026-03` (month),
 * `2026-Q2` (quarter), `2026-H1` (first 6 months), `2026-9M` (first 9 months), `2026`
 * (year), or `2026-01-15..2026-06-14` (any range, both days included).
 */
export interface Period {
  key: string;
  kind: 'month' | 'quarter' | 'half' | 'nine_months' | 'year' | 'range';
  /** First day counted. */
  from: string;
  /** First day not counted. */
  to: string;
  /**
   * The year whose targets apply: the last day's. A range across the turn of a year is
   * compared with targets year by year (`yearParts`), never with one year's alone.
   */
  year: number;
}

const MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/;
const QUARTER = /^(\d{4})-Q([1-4])$/;
const HALF = /^(\d{4})-H1$/;
const NINE = /^(\d{4})-9M$/;
const YEAR = /^(\d{4})$/;
const RANGE = /^(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})$/;

export function parsePeriod(key: string): Period | undefined {
  let match: RegExpExecArray | null;
  if ((match = MONTH.exec(key))) {
    const from = `${match[1]}-${match[2]}-01`;
    return { key, kind: 'month', from, to: addMonths(from, 1), year: Number(match[1]) };
  }
  if ((match = QUARTER.exec(key))) {
    const from = addMonths(`${match[1]}-01-01`, (Number(match[2]) - 1) * 3);
    return { key, kind: 'quarter', from, to: addMonths(from, 3), year: Number(match[1]) };
  }
  if ((match = HALF.exec(key)))
    return { key, kind: 'half', from: `${match[1]}-01-01`, to: `${match[1]}-07-01`, year: Number(match[1]) };
  if ((match = NINE.exec(key)))
    return { key, kind: 'nine_months', from: `${match[1]}-01-01`, to: `${match[1]}-10-01`, year: Number(match[1]) };
  if ((match = YEAR.exec(key)))
    return {
      key,
      kind: 'year',
      from: `${match[1]}-01-01`,
      to: `${Number(match[1]) + 1}-01-01`,
      year: Number(match[1]),
    };
  if ((match = RANGE.exec(key))) {
    const [from, last] = [match[1]!, match[2]!];
    if (!isCalendarDate(from, 1, 9999) || !isCalendarDate(last, 1, 9999) || last < from) return undefined;
    return { key, kind: 'range', from, to: addDays(last, 1), year: Number(last.slice(0, 4)) };
  }
  return undefined;
}

/** Whether every day of the period lies in the years the platform reports on. */
function withinReportingYears(period: Period): boolean {
  return Number(period.from.slice(0, 4)) >= FIRST_YEAR && Number(addDays(period.to, -1).slice(0, 4)) <= LAST_YEAR;
}

export const periodSchema = z
  .string()
  .max(40)
  .transform((key, ctx) => {
    const period = parsePeriod(key);
    if (!period || !withinReportingYears(period)) {
      ctx.addIssue({
        code: 'custom',
        message: `must be a period of ${FIRST_YEAR}–${LAST_YEAR} such as 2026, 2026-Q2, 2026-H1, 2026-9M, 2026-03 or 2026-01-15..2026-06-14`,
      });
      return z.NEVER;
    }
    return period;
  })
  .describe(
    '2026 (year), 2026-Q2, 2026-H1 (first 6 months), 2026-9M (first 9 months), 2026-03 (month) or a range 2026-01-15..2026-06-14',
  );

/** The calendar months a period touches, `YYYY-MM-01`, for monthly trends. */
export function monthsOf(period: Period): string[] {
  const months: string[] = [];
  for (let month = `${period.from.slice(0, 7)}-01`; month < period.to; month = addMonths(month, 1)) months.push(month);
  return months;
}

/**
 * The period cut at the turns of the year: the period itself when it lies within one year
 * (every kind but a range does), else one range per year it touches, each holding that
 * year as the year whose targets apply.
 *
 * @example yearParts(parsePeriod('2025-11-01..2026-02-28')!) // 2025-11-01..2025-12-31, 2026-01-01..2026-02-28
 */
export function yearParts(period: Period): Period[] {
  const first = Number(period.from.slice(0, 4));
  const last = Number(addDays(period.to, -1).slice(0, 4));
  if (first === last) return [period];
  const parts: Period[] = [];
  for (let year = first; year <= last; year++) {
    const from = year === first ? period.from : `${year}-01-01`;
    const to = year === last ? period.to : `${year + 1}-01-01`;
    parts.push(parsePeriod(`${from}..${addDays(to, -1)}`)!);
  }
  return parts;
}

/** The same day a year earlier; 29 February becomes the 28th. */
export function yearBefore(day: string): string {
  const shifted = `${String(Number(day.slice(0, 4)) - 1).padStart(4, '0')}${day.slice(4)}`;
  return isCalendarDate(shifted, 1, 9999) ? shifted : shifted.replace(/-29$/, '-28');
}

function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

/**
 * The periods a report compares with (DESIGN §4): the previous period of the same kind —
 * the month or quarter before; for the first 6 or 9 months and the year, the same span of
 * the year before, since the span before a year's first half is not a first half — and
 * the same period a year earlier (cùng kỳ). For a range, the range of the same number of
 * days just before it, and the same days a year earlier. Null when it would fall before
 * the years the platform reports on.
 *
 * @example comparisonPeriods(parsePeriod('2026-Q1')!) // previous 2025-Q4, lastYear 2025-Q1
 */
export function comparisonPeriods(period: Period): { previous: Period | null; lastYear: Period | null } {
  const year = Number(period.from.slice(0, 4));
  const keep = (key: string) => {
    const found = parsePeriod(key);
    return found && withinReportingYears(found) ? found : null;
  };
  const month = period.from.slice(5, 7);
  switch (period.kind) {
    case 'month':
      return { previous: keep(addMonths(period.from, -1).slice(0, 7)), lastYear: keep(`${year - 1}-${month}`) };
    case 'quarter': {
      const previous = addMonths(period.from, -3);
      const quarter = (day: string) => Math.floor((Number(day.slice(5, 7)) - 1) / 3) + 1;
      return {
        previous: keep(`${previous.slice(0, 4)}-Q${quarter(previous)}`),
        lastYear: keep(`${year - 1}-Q${quarter(period.from)}`),
      };
    }
    case 'half':
    case 'nine_months':
    case 'year': {
      const sameSpan = keep(period.key.replace(/^\d{4}/, String(year - 1)));
      return { previous: sameSpan, lastYear: sameSpan };
    }
    case 'range': {
      const last = addDays(period.to, -1);
      const length = daysBetween(period.from, period.to);
      return {
        previous: keep(`${addDays(period.from, -length)}..${addDays(period.from, -1)}`),
        lastYear: keep(`${yearBefore(period.from)}..${yearBefore(last)}`),
      };
    }
  }
}

const ROMAN = ['I', 'II', 'III', 'IV'];

/** How a period is named in a report title or a file name. */
export function periodLabel(period: Period, language: 'vi' | 'en'): string {
  const year = period.from.slice(0, 4);
  const dayMonthYear = (day: string) => `${day.slice(8, 10)}/${day.slice(5, 7)}/${day.slice(0, 4)}`;
  switch (period.kind) {
    case 'month':
      return language === 'vi' ? `Tháng ${Number(period.from.slice(5, 7))}/${year}` : `${period.from.slice(0, 7)}`;
    case 'quarter': {
      const quarter = Math.floor((Number(period.from.slice(5, 7)) - 1) / 3);
      return language === 'vi' ? `Quý ${ROMAN[quarter]}/${year}` : `Q${quarter + 1} ${year}`;
    }
    case 'half':
      return language === 'vi' ? `6 tháng đầu năm ${year}` : `First half of ${year}`;
    case 'nine_months':
      return language === 'vi' ? `9 tháng đầu năm ${year}` : `First nine months of ${year}`;
    case 'year':
      return language === 'vi' ? `Năm ${year}` : `${year}`;
    case 'range': {
      const last = addDays(period.to, -1);
      return language === 'vi'
        ? `Từ ${dayMonthYear(period.from)} đến ${dayMonthYear(last)}`
        : `${period.from} to ${last}`;
    }
  }
}

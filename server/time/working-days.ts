import { addDays } from './vietnam-time.ts';

/**
 * Working days of Vietnamese public offices, for follow-up deadlines: Monday to Friday,
 * without the public holidays of the Labour Code 2019 (art. 112), which civil servants share:
 * New Year (1/1), Tết (5 days: the last day of the lunar year and the first four of the new
 * one), the Hùng Kings' day (10/3 lunar), Reunification day (30/4), Labour day (1/5) and
 * National day (2/9 and a day beside it). A holiday on a Saturday or Sunday is made up on the
 * next working day, as the Code provides.
 *
 * Not modelled: the swaps of working days the Government announces each year to join a
 * holiday to a weekend (a Saturday worked to rest a Monday); a deadline near such a swap
 * may be one day off. Outside 2019–2035 the lunar holidays are unknown and left out.
 */

/** The first day of the lunar year (Tết) and the 10th of the 3rd lunar month, in Vietnam's calendar (UTC+7). */
const LUNAR_HOLIDAYS: Record<number, { tet: string; hungKings: string }> = {
  2019: { tet: '2019-02-05', hungKings: '2019-04-14' },
  2020: { tet: '2020-01-25', hungKings: '2020-04-02' },
  2021: { tet: '2021-02-12', hungKings: '2021-04-21' },
  2022: { tet: '2022-02-01', hungKings: '2022-04-10' },
  2023: { tet: '2023-01-22', hungKings: '2023-04-29' },
  2024: { tet: '2024-02-10', hungKings: '2024-04-18' },
  2025: { tet: '2025-01-29', hungKings: '2025-04-07' },
  2026: { tet: '2026-02-17', hungKings: '2026-04-26' },
  2027: { tet: '2027-02-06', hungKings: '2027-04-16' },
  2028: { tet: '2028-01-26', hungKings: '2028-04-04' },
  2029: { tet: '2029-02-13', hungKings: '2029-04-23' },
  // Vietnam's calendar, a day ahead of China's this year (UTC+7 against UTC+8).
  2030: { tet: '2030-02-02', hungKings: '2030-04-12' },
  2031: { tet: '2031-01-23', hungKings: '2031-04-01' },
  2032: { tet: '2032-02-11', hungKings: '2032-04-19' },
  2033: { tet: '2033-01-31', hungKings: '2033-04-09' },
  2034: { tet: '2034-02-19', hungKings: '2034-04-28' },
  2035: { tet: '2035-02-08', hungKings: '2035-04-17' },
};

function weekday(day: string): number {
  return new Date(`${day}T00:00:00Z`).getUTCDay();
}

const isWeekend = (day: string) => weekday(day) === 0 || weekday(day) === 6;

/** The day beside 2 September that joins National day to a weekend, or else the day after. */
function nationalDayPartner(year: number): string {
  const nationalDay = `${year}-09-02`;
  // Sunday .. Saturday: the choices of 2021–2025 (3/9, 1/9, 1/9, 3/9, 1/9) follow this rule.
  const step = [1, 1, -1, 1, 1, -1, -1][weekday(nationalDay)]!;
  return addDays(nationalDay, step);
}

const holidayCache = new Map<number, Set<string>>();

/** The days off of a year: the holidays, and the working days that make up for those on a weekend. */
export function holidaysOf(year: number): Set<string> {
  let days = holidayCache.get(year);
  if (days) return days;
  const holidays = [`${year}-01-01`, `${year}-04-30`, `${year}-05-01`, `${year}-09-02`, nationalDayPartner(year)];
  const lunar = LUNAR_HOLIDAYS[year];
  if (lunar) holidays.push(...[-1, 0, 1, 2, 3].map((offset) => addDays(lunar.tet, offset)), lunar.hungKings);
  // Tết is on 21 January at the earliest, so all of these fall in `year`.
  days = new Set(holidays);
  for (const holiday of holidays.sort()) {
    if (!isWeekend(holiday)) continue;
    let makeUp = addDays(holiday, 1);
    while (isWeekend(makeUp) || days.has(makeUp)) makeUp = addDays(makeUp, 1);
    days.add(makeUp);
  }
  holidayCache.set(year, days);
  return days;
}

/** Whether offices work on a day (`YYYY-MM-DD`). */
export function isWorkingDay(day: string): boolean {
  return !isWeekend(day) && !holidaysOf(Number(day.slice(0, 4))).has(day);
}

/**
 * The day that is `count` working days after `from`: a follow-up received on a Friday with
 * 1 working day is due on Monday. `count` 0 gives `from` itself.
 */
export function addWorkingDays(from: string, count: number): string {
  let day = from;
  for (let left = count; left > 0;) {
    day = addDays(day, 1);
    if (isWorkingDay(day)) left--;
  }
  return day;
}

/** Working days from `from` to `to` (positive when `to` is later): how late or how close a deadline is. */
export function workingDaysBetween(from: string, to: string): number {
  if (to < from) return -workingDaysBetween(to, from);
  let count = 0;
  for (let day = from; day < to;) {
    day = addDays(day, 1);
    if (isWorkingDay(day)) count++;
  }
  return count;
}

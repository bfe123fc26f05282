import { describe, expect, it } from 'vitest';
import { addWorkingDays, holidaysOf, isWorkingDay, workingDaysBetween } from './working-days.ts';

describe('working days of Vietnamese offices', () => {
  it('knows the lunar holidays of years announced before', () => {
    // Tết Giáp Thìn 10/2/2024, Ất Tỵ 29/1/2025, Bính Ngọ 17/2/2026; Giỗ Tổ 18/4/2024, 7/4/2025.
    for (const day of ['2024-02-10', '2025-01-29', '2026-02-17', '2024-04-18', '2025-04-07']) {
      expect(holidaysOf(Number(day.slice(0, 4))).has(day)).toBe(true);
    }
    expect(isWorkingDay('2025-04-07')).toBe(false);
    expect(isWorkingDay('2025-04-08')).toBe(true);
  });

  it('gives Tết five days from the last day of the lunar year, and makes up the weekend ones', () => {
    // Tết 2026 on Tuesday 17/2: Monday 16/2 to Friday 20/2.
    expect(['2026-02-16', '2026-02-17', '2026-02-18', '2026-02-19', '2026-02-20'].map(isWorkingDay)).toEqual([
      false,
      false,
      false,
      false,
      false,
    ]);
    expect(isWorkingDay('2026-02-23')).toBe(true);
    // Tết 2024 on Saturday 10/2: 9/2 to 13/2, and Wednesday 14 and Thursday 15 for the weekend.
    expect(['2024-02-09', '2024-02-12', '2024-02-13', '2024-02-14', '2024-02-15'].every((d) => !isWorkingDay(d))).toBe(
      true,
    );
    expect(isWorkingDay('2024-02-16')).toBe(true);
  });

  it('skips weekends and holidays when counting a deadline', () => {
    expect(addWorkingDays('2026-11-27', 1)).toBe('2026-11-30'); // Friday → Monday
    expect(addWorkingDays('2026-11-23', 5)).toBe('2026-11-30'); // a plain week
    expect(addWorkingDays('2026-02-13', 1)).toBe('2026-02-23'); // across Tết
    expect(addWorkingDays('2025-08-29', 1)).toBe('2025-09-03'); // 1/9 and 2/9/2025
    expect(addWorkingDays('2025-04-29', 1)).toBe('2025-05-02'); // 30/4 and 1/5
    expect(addWorkingDays('2027-12-31', 1)).toBe('2028-01-04'); // 1/1/2028 a Saturday, made up on Monday
    expect(addWorkingDays('2026-05-05', 0)).toBe('2026-05-05');
  });

  it('joins National day to a weekend as in the years announced', () => {
    expect(holidaysOf(2024).has('2024-09-03')).toBe(true); // Monday 2/9 → Tuesday 3/9
    expect(holidaysOf(2025).has('2025-09-01')).toBe(true); // Tuesday 2/9 → Monday 1/9
    expect(holidaysOf(2022).has('2022-09-01')).toBe(true); // Friday 2/9 → Thursday 1/9
  });

  it('counts working days between two days, negative when late', () => {
    expect(workingDaysBetween('2026-11-27', '2026-12-02')).toBe(3);
    expect(workingDaysBetween('2026-12-02', '2026-11-27')).toBe(-3);
    expect(workingDaysBetween('2026-12-02', '2026-12-02')).toBe(0);
  });
});

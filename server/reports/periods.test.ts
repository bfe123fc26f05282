import { describe, expect, it } from 'vitest';
import { comparisonPeriods, monthsOf, parsePeriod, yearParts } from './periods.ts';

describe('parsePeriod', () => {
  it('reads every kind of reporting period as Vietnam calendar days [from, to)', () => {
    expect(parsePeriod('2026-03')).toMatchObject({ kind: 'month', from: '2026-03-01', to: '2026-04-01', year: 2026 });
    expect(parsePeriod('2026-12')).toMatchObject({ from: '2026-12-01', to: '2027-01-01' });
    expect(parsePeriod('2026-Q2')).toMatchObject({ kind: 'quarter', from: '2026-04-01', to: '2026-07-01' });
    expect(parsePeriod('2026-Q4')).toMatchObject({ from: '2026-10-01', to: '2027-01-01' });
    expect(parsePeriod('2026-H1')).toMatchObject({ kind: 'half', from: '2026-01-01', to: '2026-07-01' });
    expect(parsePeriod('2026-9M')).toMatchObject({ kind: 'nine_months', from: '2026-01-01', to: '2026-10-01' });
    expect(parsePeriod('2026')).toMatchObject({ kind: 'year', from: '2026-01-01', to: '2027-01-01' });
    // Reports often run from the 15th: both days included.
    expect(parsePeriod('2025-12-15..2026-06-14')).toMatchObject({
      kind: 'range',
      from: '2025-12-15',
      to: '2026-06-15',
      year: 2026,
    });
  });

  it('refuses what is not a period', () => {
    for (const key of ['2026-13', '2026-Q5', '2026-02-30..2026-03-01', '2026-03-01..2026-02-01', 'last year', '']) {
      expect(parsePeriod(key), key).toBeUndefined();
    }
  });

  it('lists the months a period touches', () => {
    expect(monthsOf(parsePeriod('2026-Q1')!)).toEqual(['2026-01-01', '2026-02-01', '2026-03-01']);
    expect(monthsOf(parsePeriod('2026-01-15..2026-03-14')!)).toEqual(['2026-01-01', '2026-02-01', '2026-03-01']);
  });
});

describe('yearParts', () => {
  it('keeps a period within one year whole', () => {
    expect(yearParts(parsePeriod('2026-Q2')!)).toEqual([parsePeriod('2026-Q2')]);
    expect(yearParts(parsePeriod('2026-01-15..2026-12-31')!)).toHaveLength(1);
  });

  it('cuts a range across years into one range per year, each with its own year', () => {
    // 15 Dec 2025 – 14 Jun 2026: 2025's part is 15–31 Dec, 2026's is 1 Jan – 14 Jun.
    expect(yearParts(parsePeriod('2025-12-15..2026-06-14')!)).toEqual([
      { key: '2025-12-15..2025-12-31', kind: 'range', from: '2025-12-15', to: '2026-01-01', year: 2025 },
      { key: '2026-01-01..2026-06-14', kind: 'range', from: '2026-01-01', to: '2026-06-15', year: 2026 },
    ]);
    expect(yearParts(parsePeriod('2024-12-31..2026-01-01')!).map((part) => part.key)).toEqual([
      '2024-12-31..2024-12-31',
      '2025-01-01..2025-12-31',
      '2026-01-01..2026-01-01',
    ]);
  });
});

describe('comparisonPeriods: the previous period of the same kind and the same one a year before', () => {
  const keys = (key: string) => {
    const { previous, lastYear } = comparisonPeriods(parsePeriod(key)!);
    return { previous: previous?.key ?? null, lastYear: lastYear?.key ?? null };
  };

  it('months and quarters: the one before, across the turn of the year, and cùng kỳ', () => {
    expect(keys('2026-03')).toEqual({ previous: '2026-02', lastYear: '2025-03' });
    expect(keys('2026-01')).toEqual({ previous: '2025-12', lastYear: '2025-01' });
    expect(keys('2026-Q2')).toEqual({ previous: '2026-Q1', lastYear: '2025-Q2' });
    expect(keys('2026-Q1')).toEqual({ previous: '2025-Q4', lastYear: '2025-Q1' });
  });

  it('the first 6 or 9 months and the year: the same span of the year before, both ways', () => {
    expect(keys('2026-H1')).toEqual({ previous: '2025-H1', lastYear: '2025-H1' });
    expect(keys('2026-9M')).toEqual({ previous: '2025-9M', lastYear: '2025-9M' });
    expect(keys('2026')).toEqual({ previous: '2025', lastYear: '2025' });
  });

  it('a range: as many days just before it, and the same days a year earlier', () => {
    // 15 Jan – 14 Mar 2026 is 59 days; the 59 days before end on 14 January.
    expect(keys('2026-01-15..2026-03-14')).toEqual({
      previous: '2025-11-17..2026-01-14',
      lastYear: '2025-01-15..2025-03-14',
    });
    // 29 February has no day a year before: the 28th stands for it.
    expect(keys('2028-02-01..2028-02-29').lastYear).toBe('2027-02-01..2027-02-28');
  });

  it('has nothing to compare with before the years the platform reports on', () => {
    expect(keys('2000')).toEqual({ previous: null, lastYear: null });
    expect(keys('2000-Q1')).toEqual({ previous: null, lastYear: null });
    expect(keys('2000-Q2')).toEqual({ previous: '2000-Q1', lastYear: null });
  });
});

import { describe, expect, it } from 'vitest';
import { monthsOf, parsePeriod, yearParts } from './periods.ts';

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

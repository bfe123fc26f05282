import { describe, expect, it } from 'vitest';
import { dossierCount, dossiersOf } from './dossiers.ts';

describe('dossierCount: N over a period from the months with a count', () => {
  const quarter = new Map([
    ['2026-01-01', 300],
    ['2026-02-01', 280],
    ['2026-03-01', 310],
  ]);

  it('adds up whole months', () => {
    // 300 + 280 + 310 = 890
    expect(dossierCount(quarter, '2026-01-01', '2026-04-01')).toEqual({ count: 890, missingMonths: [] });
  });

  it('fills months without a count at the daily rate of the others, and names them', () => {
    // January and February: 580 dossiers in 31 + 28 = 59 days; the quarter has 90 days:
    // 580 × 90 / 59 = 884.75 → 885, March missing.
    const noMarch = new Map([...quarter].filter(([month]) => month !== '2026-03-01'));
    expect(dossierCount(noMarch, '2026-01-01', '2026-04-01')).toEqual({ count: 885, missingMonths: ['2026-03'] });
  });

  it('counts a month cut by the range in proportion to its days inside', () => {
    // 16–31 January: 16 of 31 days × 300 = 154.84; February whole: 280; 1–14 March: 14/31 × 310 = 140.
    // 154.84 + 280 + 140 = 574.84 → 575
    expect(dossierCount(quarter, '2026-01-16', '2026-03-15')).toEqual({ count: 575, missingMonths: [] });
  });

  it('is unknown, with every month named, when no month has a count', () => {
    expect(dossierCount(undefined, '2026-04-01', '2026-07-01')).toEqual({
      count: null,
      missingMonths: ['2026-04', '2026-05', '2026-06'],
    });
  });

  it('ends a closed unit’s period on the day it closed', () => {
    // Merged on 1 March: its quarter is January and February, 300 + 280, with nothing missing.
    const book = (closedOn: string) => ({ months: new Map([[7, quarter]]), closedOn: new Map([[7, closedOn]]) });
    expect(dossiersOf(book('2026-03-01'), 7, { from: '2026-01-01', to: '2026-04-01' })).toEqual({
      count: 580,
      missingMonths: [],
    });
    // Closed before the period began: no dossiers to count.
    expect(dossiersOf(book('2025-12-01'), 7, { from: '2026-01-01', to: '2026-04-01' })).toEqual({
      count: null,
      missingMonths: [],
    });
  });
});

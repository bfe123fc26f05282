import { describe, expect, it } from 'vitest';
import { binomialUpperTail } from '../reports/statistics.ts';
import { digestTimes } from './alert-engine.ts';
import { DEFAULT_ALERT_SETTING, openingStartedAt } from './alert-settings.ts';
import { retryDelayMs } from './delivery.ts';

describe('the exact binomial tail of the spike rule', () => {
  it('matches sums of the binomial terms', () => {
    // P(X ≥ 2 | 3, 0.5) = (3 + 1) / 8
    expect(binomialUpperTail(2, 3, 0.5)).toBeCloseTo(0.5, 12);
    // P(X ≥ 8 | 20, 0.1), from the terms written out
    let expected = 0;
    for (let x = 8; x <= 20; x++) {
      let choose = 1;
      for (let i = 1; i <= x; i++) choose = (choose * (20 - x + i)) / i;
      expected += choose * 0.1 ** x * 0.9 ** (20 - x);
    }
    expect(binomialUpperTail(8, 20, 0.1)).toBeCloseTo(expected, 12);
    expect(binomialUpperTail(0, 10, 0.3)).toBe(1);
    expect(binomialUpperTail(11, 10, 0.3)).toBe(0);
  });

  it('three unhappy ratings of three at a 10% baseline already reach the false-alarm rate', () => {
    // Which is why the rule also needs a minimum count of ratings in the window.
    expect(binomialUpperTail(3, 3, 0.1)).toBeCloseTo(0.001, 12);
  });

  it('stays accurate for large n and tiny tails', () => {
    const tail = binomialUpperTail(300, 1000, 0.1);
    expect(tail).toBeGreaterThan(0);
    expect(tail).toBeLessThan(1e-40);
  });
});

describe('opening hours', () => {
  const at = (local: string) => new Date(`${local}+07:00`);
  it('are Monday to Friday between the opening and closing times, Vietnam time', () => {
    expect(openingStartedAt(DEFAULT_ALERT_SETTING, at('2026-06-10T10:00:00'))).toEqual(at('2026-06-10T07:30:00'));
    expect(openingStartedAt(DEFAULT_ALERT_SETTING, at('2026-06-10T07:29:00'))).toBeNull();
    expect(openingStartedAt(DEFAULT_ALERT_SETTING, at('2026-06-10T17:00:00'))).toBeNull();
    expect(openingStartedAt(DEFAULT_ALERT_SETTING, at('2026-06-13T10:00:00'))).toBeNull(); // Saturday
    expect(openingStartedAt({ ...DEFAULT_ALERT_SETTING, open_saturday: true }, at('2026-06-13T10:00:00'))).toEqual(
      at('2026-06-13T07:30:00'),
    );
    expect(openingStartedAt(DEFAULT_ALERT_SETTING, at('2026-06-14T10:00:00'))).toBeNull(); // Sunday
  });
});

describe('digests and retries', () => {
  it('send daily digests at 7:00 the next morning and weekly ones on Monday, Vietnam time', () => {
    const wednesdayEvening = new Date('2026-06-10T20:00:00+07:00');
    expect(digestTimes(wednesdayEvening)).toEqual({
      daily: new Date('2026-06-11T07:00:00+07:00'),
      weekly: new Date('2026-06-15T07:00:00+07:00'),
    });
    const mondayEarly = new Date('2026-06-15T06:00:00+07:00');
    expect(digestTimes(mondayEarly)).toEqual({
      daily: new Date('2026-06-15T07:00:00+07:00'),
      weekly: new Date('2026-06-15T07:00:00+07:00'),
    });
  });

  it('back off exponentially, at most an hour apart', () => {
    expect([1, 2, 3, 4].map(retryDelayMs)).toEqual([30_000, 60_000, 120_000, 240_000]);
    expect(retryDelayMs(20)).toBe(3_600_000);
  });
});

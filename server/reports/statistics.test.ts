import { describe, expect, it } from 'vitest';
import { compareWithTarget, figureOf, requiredSampleSize, wilsonInterval } from './statistics.ts';

describe('requiredSampleSize: n = N / (1 + N·0.05²)', () => {
  it('follows the formula, rounding up', () => {
    // 1000 / (1 + 1000 × 0.0025) = 1000 / 3.5 = 285.71 → 286
    expect(requiredSampleSize(1000)).toBe(286);
    // 100 / (1 + 0.25) = 80
    expect(requiredSampleSize(100)).toBe(80);
    // 20000 / 51 = 392.16 → 393
    expect(requiredSampleSize(20000)).toBe(393);
  });

  it('uses the large-population limit 1 / 0.05² = 400 when the number of dossiers is unknown', () => {
    expect(requiredSampleSize(null)).toBe(400);
  });
});

describe('wilsonInterval (95%, z = 1.95996)', () => {
  it('matches the worked example 81 of 100', () => {
    // p = 0.81, z² = 3.84146; centre = (0.81 + 3.84146/200) / (1 + 3.84146/100) = 0.79853
    // half = (1.95996 / 1.03841) × √(0.81·0.19/100 + 3.84146/40000) = 0.07632
    // → [0.72222, 0.87485]
    const interval = wilsonInterval(81, 100)!;
    expect(interval.low).toBeCloseTo(0.7222, 4);
    expect(interval.high).toBeCloseTo(0.8749, 4);
  });

  it('stays inside [0, 1] at the edges, where the normal approximation fails', () => {
    // 0 of 10: centre = (0 + 0.19207)/1.38415 = 0.13877, half = 0.13877 → [0, 0.27753]
    expect(wilsonInterval(0, 10)!.low).toBe(0);
    expect(wilsonInterval(0, 10)!.high).toBeCloseTo(0.2775, 4);
    // 10 of 10: the mirror image → [0.72247, 1]
    expect(wilsonInterval(10, 10)!.low).toBeCloseTo(0.7225, 4);
    expect(wilsonInterval(10, 10)!.high).toBe(1);
  });

  it('is absent without answers', () => {
    expect(wilsonInterval(0, 0)).toBeNull();
  });
});

describe('figureOf', () => {
  it('counts 4 and 5 as satisfied, 1–3 as not, with the mean score', () => {
    // n = 2 + 3 + 5 + 40 + 50 = 100; satisfied = 90; mean = (2 + 6 + 15 + 160 + 250) / 100 = 4.33
    const figure = figureOf({ n1: 2, n2: 3, n3: 5, n4: 40, n5: 50 });
    expect(figure).toMatchObject({ n: 100, satisfied: 90, share: 90, mean: 4.33, required: 400, enough: false });
    // Wilson 90 of 100: [82.56, 94.48]
    expect(figure.interval).toEqual({ low: 82.56, high: 94.48 });
  });

  it('has no share, mean or interval without answers', () => {
    expect(figureOf({ n1: 0, n2: 0, n3: 0, n4: 0, n5: 0 })).toMatchObject({
      n: 0,
      share: null,
      mean: null,
      interval: null,
      enough: false,
    });
  });

  it('is enough when n reaches the sample needed for the dossiers handled', () => {
    // 100 dossiers need 80 answers; 90 of 100 → enough
    expect(figureOf({ n1: 2, n2: 3, n3: 5, n4: 40, n5: 50 }, 100).enough).toBe(true);
    expect(figureOf({ n1: 0, n2: 0, n3: 0, n4: 40, n5: 39 }, 100).enough).toBe(false);
  });
});

describe('compareWithTarget', () => {
  // 400 answers, the large-population minimum.
  const of = (satisfied: number) => figureOf({ n1: 400 - satisfied, n2: 0, n3: 0, n4: satisfied, n5: 0 });

  it('met: the lower bound reaches the target', () => {
    // 380 / 400 = 95%, Wilson [92.40, 96.74]; target 90 ≤ 92.40 → met, gap +5 points
    expect(compareWithTarget(of(380), 90, 'gte')).toEqual({ status: 'met', gap: 5 });
  });

  it('not met: the upper bound stays below the target', () => {
    // 342 / 400 = 85.5%, Wilson [81.71, 88.61]; 88.61 < 90 → not met, gap −4.5
    expect(compareWithTarget(of(342), 90, 'gte')).toEqual({ status: 'not_met', gap: -4.5 });
  });

  it('uncertain: the target lies inside the interval', () => {
    // 360 / 400 = 90%, Wilson [86.67, 92.57] contains 90 → uncertain, gap 0
    expect(compareWithTarget(of(360), 90, 'gte')).toEqual({ status: 'uncertain', gap: 0 });
  });

  it('"above" targets need the interval strictly above', () => {
    // 342 / 400: [81.71, 88.61] is wholly above 80 → met for "trên 80%"
    expect(compareWithTarget(of(342), 80, 'gt').status).toBe('met');
    // a lower bound exactly on the threshold is not "above" it
    const exactly = { ...of(342), interval: { low: 80, high: 88 } };
    expect(compareWithTarget(exactly, 80, 'gt').status).toBe('uncertain');
    expect(compareWithTarget(exactly, 80, 'gte').status).toBe('met');
  });

  it('never compares a figure without enough answers, but still gives the gap', () => {
    // 9 of 10 = 90%: far under 400 answers
    const small = figureOf({ n1: 1, n2: 0, n3: 0, n4: 0, n5: 9 });
    expect(compareWithTarget(small, 80, 'gte')).toEqual({ status: 'not_enough_data', gap: 10 });
  });
});

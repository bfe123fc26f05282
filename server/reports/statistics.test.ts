import { describe, expect, it } from 'vitest';
import {
  byLowerBound,
  compareFigures,
  compareWithTarget,
  coverage,
  differenceBounds,
  effectiveSampleSize,
  figureOf,
  pooledFigureOf,
  requiredSampleSize,
  wilsonInterval,
} from './statistics.ts';

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
    const exactly = { ...of(342), exact: { share: 85.5, low: 80, high: 88, sampleSize: 400 } };
    expect(compareWithTarget(exactly, 80, 'gt').status).toBe('uncertain');
    expect(compareWithTarget(exactly, 80, 'gte').status).toBe('met');
  });

  it('never compares a figure without enough answers, but still gives the gap', () => {
    // 9 of 10 = 90%: far under 400 answers
    const small = figureOf({ n1: 1, n2: 0, n3: 0, n4: 0, n5: 9 });
    expect(compareWithTarget(small, 80, 'gte')).toEqual({ status: 'not_enough_data', gap: 10 });
  });
});

describe('statuses and ranks use exact bounds; rounding is for display', () => {
  it('367 satisfied of 415 against "at least 85%": the bound shows 85.00 but is 84.998, so uncertain', () => {
    // p = 367/415 = 0.884337; z² = 3.841459; centre = (p + z²/830) / (1 + z²/415) = 0.880812
    // half = (1.959964 / 1.009257) × √(p(1−p)/415 + z²/(4·415²)) = 0.030831 → low 0.849981
    const figure = figureOf({ n1: 48, n2: 0, n3: 0, n4: 367, n5: 0 });
    expect(figure.interval).toEqual({ low: 85, high: 91.16 });
    expect(figure.exact!.low).toBeCloseTo(84.99815, 5);
    expect(figure.enough).toBe(true); // 415 ≥ 400
    expect(compareWithTarget(figure, 85, 'gte')).toEqual({ status: 'uncertain', gap: 3.43 });
  });

  it('a lower bound of 82.8987 ranks below one of 82.9030, though both show 82.90', () => {
    // 1184 of 1395: Wilson low 82.89872; 1012 of 1190: Wilson low 82.90297.
    const larger = figureOf({ n1: 1395 - 1184, n2: 0, n3: 0, n4: 1184, n5: 0 });
    const smaller = figureOf({ n1: 1190 - 1012, n2: 0, n3: 0, n4: 1012, n5: 0 });
    expect(larger.interval!.low).toBe(82.9);
    expect(smaller.interval!.low).toBe(82.9);
    // On the rounded bounds the tie went to the larger n; on the exact ones the smaller unit leads.
    expect([larger, smaller].sort(byLowerBound)).toEqual([smaller, larger]);
  });
});

describe('pooled indices count ballots, with a ballot-level (ratio estimator) interval', () => {
  // Four ballots of the full questionnaire, pooled over the criteria they answered:
  //   ballot  answers (no opinion left out)  m (valid)  a (satisfied)
  //   1       5, 5, 4                        3          3
  //   2       4, 5, 5                        3          3
  //   3       4, 1, 3                        3          1
  //   4       5, 3                           2          1
  // n = 4 ballots; Σm = 11 answers; Σa = 8; p = 8/11 = 0.727273.
  // Σa² = 9 + 9 + 1 + 1 = 20; Σa·m = 9 + 9 + 3 + 2 = 23; Σm² = 9 + 9 + 9 + 4 = 31.
  const sums = {
    n1: 1,
    n2: 0,
    n3: 2,
    n4: 3,
    n5: 5,
    ballots: 4,
    satisfiedSquared: 20,
    satisfiedTimesAnswered: 23,
    answeredSquared: 31,
  };

  it('works out the effective sample size by hand', () => {
    // Σ(a − p·m)² = (3 − 24/11)² + (3 − 24/11)² + (1 − 24/11)² + (1 − 16/11)²
    //             = (81 + 81 + 169 + 25) / 121 = 356/121 = 2.942149
    //   (from the sums: 20 − 2·(8/11)·23 + (64/121)·31 = (2420 − 4048 + 1984)/121 = 356/121)
    // m̄ = 11/4 = 2.75; v = (356/121) / (4·3·2.75²) = 2.942149 / 90.75 = 0.032420
    // p(1−p) = 24/121 = 0.198347; n_eff = 0.198347 / 0.032420 = 2178/356 = 6.117978, within [4, 11].
    expect(effectiveSampleSize(sums)).toBeCloseTo(2178 / 356, 10);
  });

  it('gives n = ballots, the pooled share, and a Wilson interval on n_eff', () => {
    // Wilson for p = 0.727273 on n_eff = 6.117978: z²/n_eff = 0.627897;
    // centre = (0.727273 + 0.313948) / 1.627897 = 0.639611;
    // half = (1.959964 / 1.627897) × √(0.198347/6.117978 + 3.841459/(4·6.117978²)) = 0.290154
    // → [0.349458, 0.929765]: wider than the answers-as-independent [0.434355, 0.902539] of 8 of 11.
    const figure = pooledFigureOf(sums);
    expect(figure).toMatchObject({ n: 4, answers: 11, satisfied: 8, share: 72.73, required: 400, enough: false });
    // Mean of the answers: (1·1 + 3·2 + 4·3 + 5·5) / 11 = 44 / 11 = 4.
    expect(figure.mean).toBe(4);
    expect(figure.interval).toEqual({ low: 34.95, high: 92.98 });
    expect(figure.exact!.sampleSize).toBeCloseTo(6.117978, 6);
    expect(figure.counts).toEqual({ n1: 1, n2: 0, n3: 2, n4: 3, n5: 5 });
  });

  it('reduces to the ordinary Wilson interval when every ballot has one answer', () => {
    // 90 of 100 ballots satisfied, one answer each: Σa² = Σa·m = 90, Σm² = 100.
    // Σ(a − p·m)² = 90 − 2·0.9·90 + 0.81·100 = 9; v = 9 / (100·99·1) = 1/1100;
    // n_eff = 0.09 · 1100 = 99, raised to n = 100 → Wilson 90 of 100: [82.56, 94.48].
    const single = pooledFigureOf({
      n1: 10,
      n2: 0,
      n3: 0,
      n4: 90,
      n5: 0,
      ballots: 100,
      satisfiedSquared: 90,
      satisfiedTimesAnswered: 90,
      answeredSquared: 100,
    });
    expect(single).toEqual(figureOf({ n1: 10, n2: 0, n3: 0, n4: 90, n5: 0 }));
    expect(single.interval).toEqual({ low: 82.56, high: 94.48 });
  });

  it('never counts an answer as more than independent, nor a ballot as less than one answer', () => {
    // Every ballot 2 of 3 satisfied: v = 0, so n_eff is capped at the 3·400 = 1200 answers.
    const uniform = { n1: 400, n2: 0, n3: 0, n4: 800, n5: 0, ballots: 400 };
    expect(
      effectiveSampleSize({ ...uniform, satisfiedSquared: 1600, satisfiedTimesAnswered: 2400, answeredSquared: 3600 }),
    ).toBe(1200);
    // Half the ballots 3 of 3, half 0 of 3, so p = 1/2: Σ(a − 1.5)² = 400 · 2.25 = 900;
    // v = 900 / (400·399·9) = 0.000626566; n_eff = 0.25 / v = 399, raised to n = 400 ballots.
    const split = { n1: 600, n2: 0, n3: 0, n4: 600, n5: 0, ballots: 400 };
    expect(
      effectiveSampleSize({ ...split, satisfiedSquared: 1800, satisfiedTimesAnswered: 1800, answeredSquared: 3600 }),
    ).toBe(400);
    // All satisfied: the variance says nothing; the ballots are the sample.
    const all = { n1: 0, n2: 0, n3: 0, n4: 30, n5: 0, ballots: 10 };
    expect(effectiveSampleSize({ ...all, satisfiedSquared: 90, satisfiedTimesAnswered: 90, answeredSquared: 90 })).toBe(
      10,
    );
  });

  it('a pooled index is enough, and compared with a target, on its ballots, not its answers', () => {
    // 300 ballots of 14 answers each (4,200 answers), every ballot 13 of 14 satisfied: v = 0,
    // n_eff = 4,200. n = 300 < 400 needed: not enough, whatever the number of answers.
    const figure = pooledFigureOf({
      n1: 300,
      n2: 0,
      n3: 0,
      n4: 3900,
      n5: 0,
      ballots: 300,
      satisfiedSquared: 300 * 169,
      satisfiedTimesAnswered: 300 * 182,
      answeredSquared: 300 * 196,
    });
    expect(figure).toMatchObject({ n: 300, answers: 4200, enough: false, required: 400 });
    expect(compareWithTarget(figure, 85, 'gte').status).toBe('not_enough_data');
  });
});

describe('changes between periods: Newcombe’s hybrid score interval (method 10)', () => {
  const of = (satisfied: number, n: number, dossiers: number | null = null) =>
    figureOf({ n1: n - satisfied, n2: 0, n3: 0, n4: satisfied, n5: 0 }, dossiers);

  it('matches the worked examples of Newcombe (1998), table II', () => {
    // (a) 56/70 − 48/80: d = 0.8 − 0.6 = 0.2. Wilson 56/70 = [0.691834, 0.876953],
    // Wilson 48/80 = [0.490455, 0.700382].
    // low  = 0.2 − √((0.8 − 0.691834)² + (0.700382 − 0.6)²) = 0.2 − √(0.011700 + 0.010077) = 0.2 − 0.147569 = 0.052431
    // high = 0.2 + √((0.876953 − 0.8)² + (0.6 − 0.490455)²) = 0.2 + √(0.005922 + 0.012000) = 0.2 + 0.133873 = 0.333873
    // The paper gives +0.0524 to +0.3339.
    const a = differenceBounds(0.8, wilsonInterval(56, 70)!, 0.6, wilsonInterval(48, 80)!);
    expect(a.low).toBeCloseTo(0.0524, 4);
    expect(a.high).toBeCloseTo(0.3339, 4);
    // (b) 9/10 − 3/10: d = 0.6; Wilson 9/10 = [0.595850, 0.982124], 3/10 = [0.107791, 0.603222].
    // low  = 0.6 − √(0.304150² + 0.303222²) = 0.6 − 0.429477 = 0.170523
    // high = 0.6 + √(0.082124² + 0.192209²) = 0.6 + 0.209018 = 0.809018. The paper: +0.1705 to +0.8090.
    const b = differenceBounds(0.9, wilsonInterval(9, 10)!, 0.3, wilsonInterval(3, 10)!);
    expect(b.low).toBeCloseTo(0.1705, 4);
    expect(b.high).toBeCloseTo(0.809, 4);
  });

  it('gives the change of two figures in points, with its interval, from their exact bounds', () => {
    // The same example as figures of 70 and 80 ballots against 60 dossiers (53 ballots needed):
    // +20 points, [5.24, 33.39] above zero → rose.
    const change = compareFigures(of(56, 70, 60), of(48, 80, 60));
    expect(change).toMatchObject({
      other: { share: 60, n: 80, enough: true },
      points: 20,
      interval: { low: 5.24, high: 33.39 },
      verdict: 'rose',
    });
    expect(change.exact!.low).toBeCloseTo(5.2431, 4);
    // The other way round: −20 points, [−33.39, −5.24] → fell.
    expect(compareFigures(of(48, 80, 60), of(56, 70, 60))).toMatchObject({
      points: -20,
      interval: { low: -33.39, high: -5.24 },
      verdict: 'fell',
    });
  });

  it('the verdict flips exactly where the interval stops holding zero', () => {
    // Last period 300 of 400 = 75%, Wilson [70.5323, 78.9921].
    const last = of(300, 400);
    // 323 of 400 = 80.75%, Wilson [76.6011, 84.3139]: d = 5.75,
    // low = 5.75 − √(4.1489² + 3.9921²) = 5.75 − 5.7576 = −0.0076 → the interval holds zero: no real change.
    const holds = compareFigures(of(323, 400), last);
    expect(holds.exact!.low).toBeCloseTo(-0.0076, 4);
    expect(holds.verdict).toBe('no_change');
    // One more satisfied, 324 of 400 = 81%, Wilson [76.8676, 84.5426]: d = 6,
    // low = 6 − √(4.1324² + 3.9921²) = 6 − 5.7457 = +0.2543 → wholly above zero: rose.
    const rises = compareFigures(of(324, 400), last);
    expect(rises.exact!.low).toBeCloseTo(0.2543, 4);
    expect(rises.verdict).toBe('rose');
    // Downwards: 276 of 400 = 69%, Wilson [64.3049, 73.3336]: d = −6,
    // high = −6 + √(4.3336² + 4.4677²) = −6 + 6.2242 = +0.2242 → holds zero; 275 of 400 = 68.75%,
    // Wilson [64.0474, 73.0958]: high = −6.25 + √(4.3458² + 4.4677²) = −6.25 + 6.2327 = −0.0173 → fell.
    expect(compareFigures(of(276, 400), last)).toMatchObject({ verdict: 'no_change' });
    expect(compareFigures(of(276, 400), last).exact!.high).toBeCloseTo(0.2242, 4);
    expect(compareFigures(of(275, 400), last)).toMatchObject({ verdict: 'fell' });
    expect(compareFigures(of(275, 400), last).exact!.high).toBeCloseTo(-0.0173, 4);
  });

  it('a bound exactly on zero still holds zero: no real change', () => {
    // This period 80% with bounds [75, 85], the other 75% with bounds [70, 75]:
    // low = (80 − 75) − √((80 − 75)² + (75 − 75)²) = 5 − 5 = 0 exactly: not above zero.
    const current = { ...of(320, 400), exact: { share: 80, low: 75, high: 85, sampleSize: 400 } };
    const other = { ...of(300, 400), exact: { share: 75, low: 70, high: 75, sampleSize: 400 } };
    expect(compareFigures(current, other).exact!.low).toBe(0);
    expect(compareFigures(current, other).verdict).toBe('no_change');
  });

  it('is not judged when either side lacks the ballots its rule asks for, though the points are given', () => {
    // 90 of 100 against 300 of 400: +15 points, but 100 < 400 ballots needed.
    const change = compareFigures(of(90, 100), of(300, 400));
    expect(change).toMatchObject({ points: 15, verdict: 'not_enough_data', other: { enough: true } });
    // Nothing at all in the other period: no change to speak of.
    expect(compareFigures(of(300, 400), of(0, 0))).toMatchObject({
      points: null,
      interval: null,
      verdict: 'not_enough_data',
      other: { share: null, n: 0 },
    });
  });

  it('for pooled indices, uses the Wilson bounds on the effective sample size', () => {
    // Four ballots as above: p = 72.7273%, bounds [34.9458, 92.9765] on n_eff = 6.118, against a
    // single-answer figure of 1 of 4 = 25%, Wilson [4.5587, 69.9358]:
    // d = 47.7273; low = 47.7273 − √(37.7815² + 44.9358²) = 47.7273 − 58.7084 = −10.9811
    // high = 47.7273 + √(20.2492² + 20.4413²) = 47.7273 + 28.7728 = 76.5001
    const pooled = pooledFigureOf({
      n1: 1,
      n2: 0,
      n3: 2,
      n4: 3,
      n5: 5,
      ballots: 4,
      satisfiedSquared: 20,
      satisfiedTimesAnswered: 23,
      answeredSquared: 31,
    });
    const change = compareFigures(pooled, of(1, 4));
    expect(change.exact!.low).toBeCloseTo(-10.9811, 3);
    expect(change.exact!.high).toBeCloseTo(76.5001, 3);
    // On the ordinary Wilson interval of 8 of 11 answers, [43.4355, 90.2539], it would look narrower.
    expect(change.exact!.high - change.exact!.low).toBeGreaterThan(80);
  });
});

describe('coverage: ballots ÷ dossiers handled', () => {
  it('is a share where the dossiers are known, low under 10%', () => {
    // 1,210 ballots of 3,000 dossiers = 40.33%; 250 of 3,000 = 8.33%, under 10%: low.
    expect(coverage(1210, 3000)).toEqual({ share: 40.33, low: false });
    expect(coverage(250, 3000)).toEqual({ share: 8.33, low: true });
    expect(coverage(250, null)).toEqual({ share: null, low: false });
  });
});

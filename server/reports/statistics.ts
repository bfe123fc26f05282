import type { BallotSums, ScoreCounts } from '../rollups/rollup.table.ts';

/**
 * The one place that knows how satisfaction figures are computed (DESIGN §4): the share
 * of answers of 4 or 5 among all valid answers, the mean score, the 95% Wilson score
 * interval, whether the sample is large enough, and the status against a target.
 *
 * Statuses and ranks are decided on exact values (`Figure.exact`); the rounded figures
 * (`share`, `interval`) are for the eye and for exports only.
 */

/** Sampling error accepted for a figure to be compared with a target: ±5 points at 95%. */
export const MARGIN = 0.05;
const Z_95 = 1.959963984540054;

export interface Figure {
  /**
   * Ballots behind the figure. For one question, its valid answers (one per ballot); for
   * an index pooling several questions, the ballots with at least one valid answer to
   * them — never the number of answers.
   */
  n: number;
  /** Valid answers (1–5) behind the figure: n for one question, more for a pooled index. */
  answers: number;
  /** Answers of 4 or 5. */
  satisfied: number;
  /** Percent satisfied, two decimals, or null without answers. */
  share: number | null;
  /** Mean score 1–5, two decimals, or null without answers. */
  mean: number | null;
  /** 95% interval of the share, in percent, two decimals (for display). */
  interval: { low: number; high: number } | null;
  /**
   * The share and bounds unrounded, in percent, and the sample size of the interval (n for
   * one question, the effective number of answers for a pooled index): the status against
   * a target and the ranking are decided on these.
   */
  exact: { share: number; low: number; high: number; sampleSize: number } | null;
  /** The ballots needed for ±5% at 95% confidence. */
  required: number;
  /** Whether n reaches `required`; if not, the figure is never compared with a target. */
  enough: boolean;
  /** Answers per level 1–5, for the three-band view (1–3 not satisfied). */
  counts: ScoreCounts;
}

/**
 * n = N / (1 + N·e²): the sample needed for a margin e at 95% confidence when N dossiers
 * were handled in the period; with N unknown, the limit for a large population, 1/e² = 400.
 *
 * @example requiredSampleSize(1000) // 286
 */
export function requiredSampleSize(dossiers: number | null): number {
  if (dossiers === null || dossiers <= 0) return Math.ceil(1 / MARGIN ** 2);
  return Math.ceil(dossiers / (1 + dossiers * MARGIN ** 2));
}

/**
 * The Wilson score interval for a share p observed on a sample of size n, which stays
 * inside [0, 1] and behaves for small samples and shares near 0 or 100% (unlike the normal
 * approximation). n need not be whole: a pooled index passes its effective sample size.
 */
export function wilsonBounds(p: number, n: number, z = Z_95): { low: number; high: number } | null {
  if (n <= 0) return null;
  const z2 = z * z;
  const center = (p + z2 / (2 * n)) / (1 + z2 / n);
  const half = (z / (1 + z2 / n)) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  // At a share of 0 or 1 the bound is exactly 0 or 1; floating point would miss it by an ulp.
  return {
    low: p <= 0 ? 0 : Math.max(0, center - half),
    high: p >= 1 ? 1 : Math.min(1, center + half),
  };
}

/** The Wilson score interval of `successes` out of `n` independent answers. */
export function wilsonInterval(successes: number, n: number, z = Z_95): { low: number; high: number } | null {
  return n > 0 ? wilsonBounds(successes / n, n, z) : null;
}

/**
 * The effective sample size of a pooled share p = Σaᵢ / Σmᵢ over n ballots, where ballot
 * i gave mᵢ valid answers to the pooled questions, aᵢ of them satisfied. Answers of one
 * citizen are not independent, so the ballot is the unit of sampling: the share is a
 * ratio estimator, whose linearised (cluster-robust) variance is
 *
 *   v = Σ(aᵢ − p·mᵢ)² / (n(n−1)·m̄²),  m̄ = Σmᵢ / n,
 *
 * and n_eff = p(1−p) / v is the number of independent answers that would give the same
 * variance. It is kept between n (each ballot worth one answer) and Σmᵢ (every answer
 * independent). The squares expand to sums kept in the rollups:
 * Σ(aᵢ − p·mᵢ)² = Σaᵢ² − 2p·Σaᵢmᵢ + p²·Σmᵢ². With one answer per ballot n_eff = n, and
 * with a share of 0 or 1, or a single ballot, where v says nothing, n_eff = n too.
 */
export function effectiveSampleSize(sums: BallotSums): number {
  const answers = sums.n1 + sums.n2 + sums.n3 + sums.n4 + sums.n5;
  const n = sums.ballots;
  if (n < 2 || answers === 0) return n;
  const p = (sums.n4 + sums.n5) / answers;
  if (p <= 0 || p >= 1) return n;
  const residual = Math.max(
    0,
    sums.satisfiedSquared - 2 * p * sums.satisfiedTimesAnswered + p * p * sums.answeredSquared,
  );
  const meanAnswers = answers / n;
  const variance = residual / (n * (n - 1) * meanAnswers * meanAnswers);
  if (variance <= 0) return answers;
  return Math.min(answers, Math.max(n, (p * (1 - p)) / variance));
}

function figureFrom(counts: ScoreCounts, ballots: number, sampleSize: number, dossiers: number | null): Figure {
  const answers = counts.n1 + counts.n2 + counts.n3 + counts.n4 + counts.n5;
  const satisfied = counts.n4 + counts.n5;
  const required = requiredSampleSize(dossiers);
  const p = answers > 0 ? satisfied / answers : null;
  const bounds = p === null ? null : wilsonBounds(p, sampleSize);
  const exact =
    p === null || !bounds ? null : { share: 100 * p, low: 100 * bounds.low, high: 100 * bounds.high, sampleSize };
  return {
    n: ballots,
    answers,
    satisfied,
    share: exact ? round(exact.share) : null,
    mean:
      answers > 0 ? round((counts.n1 + 2 * counts.n2 + 3 * counts.n3 + 4 * counts.n4 + 5 * counts.n5) / answers) : null,
    interval: exact ? { low: round(exact.low), high: round(exact.high) } : null,
    exact,
    required,
    enough: ballots >= required,
    counts: { n1: counts.n1, n2: counts.n2, n3: counts.n3, n4: counts.n4, n5: counts.n5 },
  };
}

/** The figure of one question: each valid answer is one ballot. */
export function figureOf(counts: ScoreCounts, dossiers: number | null = null): Figure {
  const answers = counts.n1 + counts.n2 + counts.n3 + counts.n4 + counts.n5;
  return figureFrom(counts, answers, answers, dossiers);
}

/**
 * The figure of an index pooling several questions of one ballot (an element, all five
 * elements): the share of all valid answers that are satisfied, n = ballots, and the
 * interval on the effective sample size of `effectiveSampleSize`.
 */
export function pooledFigureOf(sums: BallotSums, dossiers: number | null = null): Figure {
  return figureFrom(sums, sums.ballots, effectiveSampleSize(sums), dossiers);
}

export type TargetStatus = 'met' | 'not_met' | 'uncertain' | 'not_enough_data';

export interface TargetComparison {
  status: TargetStatus;
  /** Share minus threshold, in percentage points, two decimals (null without answers). */
  gap: number | null;
}

/**
 * Met when the whole interval clears the target, not met when it lies wholly below,
 * uncertain when the target falls inside it; never compared without enough ballots.
 * "Above" targets (trên 80%) need the interval strictly above the threshold. Decided on
 * the unrounded bounds: a lower bound of 84.998 does not meet "at least 85%", though it
 * shows as 85.00.
 */
export function compareWithTarget(figure: Figure, threshold: number, comparison: 'gte' | 'gt'): TargetComparison {
  const gap = figure.exact === null ? null : round(figure.exact.share - threshold);
  if (!figure.enough || !figure.exact) return { status: 'not_enough_data', gap };
  const { low, high } = figure.exact;
  const clears = comparison === 'gte' ? low >= threshold : low > threshold;
  const fails = comparison === 'gte' ? high < threshold : high <= threshold;
  return { status: clears ? 'met' : fails ? 'not_met' : 'uncertain', gap };
}

/**
 * Orders figures for a ranking: the higher exact lower bound first (a small unit cannot
 * rank high on luck, its wide interval pulls the bound down), then the larger n.
 */
export function byLowerBound(a: Figure, b: Figure): number {
  return (b.exact?.low ?? -1) - (a.exact?.low ?? -1) || b.n - a.n;
}

export type ChangeVerdict = 'rose' | 'fell' | 'no_change' | 'not_enough_data';

/** A figure against the same figure of another period (the previous one, or the same one a year before). */
export interface Change {
  /** The other period's figure, as shown: share (two decimals, null without answers), n, and whether n was enough. */
  other: { share: number | null; n: number; enough: boolean };
  /** This period's share minus the other's, in percentage points, two decimals; null when either has no answers. */
  points: number | null;
  /** 95% interval of the change, in points, two decimals (for display). */
  interval: { low: number; high: number } | null;
  /** The change and its bounds unrounded: the verdict is decided on these. */
  exact: { points: number; low: number; high: number } | null;
  /**
   * rose: the whole interval lies above zero; fell: wholly below; no_change: it holds zero;
   * not_enough_data: either side has fewer ballots than its sample-size rule asks for.
   */
  verdict: ChangeVerdict;
}

/**
 * The 95% interval of a difference p₁ − p₂ of two independent shares, from each share's own
 * interval: Newcombe's hybrid score interval (method 10 of Newcombe, Statistics in Medicine
 * 17:873–890, 1998), with d = p₁ − p₂ and [l₁, u₁], [l₂, u₂] the shares' Wilson intervals,
 *
 *   low  = d − √((p₁ − l₁)² + (u₂ − p₂)²)
 *   high = d + √((u₁ − p₁)² + (p₂ − l₂)²),
 *
 * which, like the Wilson interval, behaves near 0 and 100% and for small samples, where
 * the normal approximation of the difference does not. It works on any interval of each
 * share: given the Wilson bounds on a pooled index's effective sample size (see
 * `effectiveSampleSize`), it is the same construction with the ballot as the unit of
 * sampling. Units are those of the arguments (fractions or percent); kept within ±1 (±100%).
 *
 * @example differenceBounds(0.8, { low: 0.6917, high: 0.8776 }, 0.6, { low: 0.4905, high: 0.7002 }) // ≈ [0.0524, 0.3339]
 */
export function differenceBounds(
  p1: number,
  bounds1: { low: number; high: number },
  p2: number,
  bounds2: { low: number; high: number },
  scale = 1,
): { low: number; high: number } {
  const d = p1 - p2;
  return {
    low: Math.max(-scale, d - Math.hypot(p1 - bounds1.low, bounds2.high - p2)),
    high: Math.min(scale, d + Math.hypot(bounds1.high - p1, p2 - bounds2.low)),
  };
}

/**
 * A figure against the same figure of another period, decided on exact values: the change
 * in points, its Newcombe interval (`differenceBounds`, on each figure's exact Wilson
 * bounds — for a pooled index those on its effective sample size), and the verdict, which
 * flips exactly where the interval stops holding zero. A change is never judged when either
 * side lacks the ballots its sample-size rule asks for, though its points are still given.
 */
export function compareFigures(current: Figure, other: Figure): Change {
  const base = { other: { share: other.share, n: other.n, enough: other.enough } };
  if (!current.exact || !other.exact)
    return { ...base, points: null, interval: null, exact: null, verdict: 'not_enough_data' };
  const points = current.exact.share - other.exact.share;
  const bounds = differenceBounds(current.exact.share, current.exact, other.exact.share, other.exact, 100);
  const verdict: ChangeVerdict =
    !current.enough || !other.enough
      ? 'not_enough_data'
      : bounds.low > 0
        ? 'rose'
        : bounds.high < 0
          ? 'fell'
          : 'no_change';
  return {
    ...base,
    points: round(points),
    interval: { low: round(bounds.low), high: round(bounds.high) },
    exact: { points, low: bounds.low, high: bounds.high },
    verdict,
  };
}

/** Below this share of the dossiers handled, ratings may not speak for all citizens served. */
export const LOW_COVERAGE = 0.1;

/**
 * Coverage (DESIGN §4): ballots ÷ dossiers handled, in percent with two decimals, where the
 * dossiers are known. A low coverage is a warning about every figure built on it: citizens
 * who chose to rate may differ from those who did not, which no interval accounts for.
 */
export function coverage(ballots: number, dossiers: number | null): { share: number | null; low: boolean } {
  if (dossiers === null || dossiers <= 0) return { share: null, low: false };
  return { share: round((100 * ballots) / dossiers), low: ballots / dossiers < LOW_COVERAGE };
}

/** Ratings at or below a level, e.g. those that were offered reasons (LOW_RATING_MAX). */
export function atOrBelow(counts: ScoreCounts, level: number): number {
  return [counts.n1, counts.n2, counts.n3, counts.n4, counts.n5].slice(0, level).reduce((sum, n) => sum + n, 0);
}

/**
 * The three bands of the periodic reports: rất hài lòng (5), hài lòng (4), and không hài
 * lòng, in which 1–3 are counted together.
 */
export function threeBands(counts: ScoreCounts): { verySatisfied: number; satisfied: number; notSatisfied: number } {
  return { verySatisfied: counts.n5, satisfied: counts.n4, notSatisfied: atOrBelow(counts, 3) };
}

/** A count as a percentage of another, two decimals; null when there is nothing to divide by. */
export function percentOf(part: number, whole: number): number | null {
  return whole > 0 ? round((100 * part) / whole) : null;
}

export function addCounts(a: ScoreCounts, b: ScoreCounts): ScoreCounts {
  return { n1: a.n1 + b.n1, n2: a.n2 + b.n2, n3: a.n3 + b.n3, n4: a.n4 + b.n4, n5: a.n5 + b.n5 };
}

export const NO_COUNTS: ScoreCounts = { n1: 0, n2: 0, n3: 0, n4: 0, n5: 0 };

export const NO_BALLOTS: BallotSums = {
  ...NO_COUNTS,
  ballots: 0,
  satisfiedSquared: 0,
  satisfiedTimesAnswered: 0,
  answeredSquared: 0,
};

/** Figures keep two decimals: enough for tables, and stable in exports. */
function round(value: number): number {
  return Math.round(value * 100) / 100;
}

/**
 * P(X ≥ k) for X ~ Binomial(n, p): the one-sided p-value of seeing k or more events out of
 * n when each happens with probability p. Summed exactly term by term in log space, so it
 * stays accurate for n in the thousands and tails far below 1e-10.
 *
 * @example binomialUpperTail(8, 20, 0.1) // 0.00044 — 8 unhappy of 20 when 10% is usual
 */
export function binomialUpperTail(k: number, n: number, p: number): number {
  if (k <= 0) return 1;
  if (k > n) return 0;
  if (p <= 0) return 0;
  if (p >= 1) return 1;
  const logP = Math.log(p);
  const logQ = Math.log1p(-p);
  // log C(n, k), then each next term from the previous one.
  let logTerm = logQ * (n - k) + logP * k;
  for (let i = 1; i <= k; i++) logTerm += Math.log((n - k + i) / i);
  let total = 0;
  for (let x = k; x <= n; x++) {
    total += Math.exp(logTerm);
    logTerm += Math.log((n - x) / (x + 1)) + logP - logQ;
  }
  return Math.min(1, total);
}

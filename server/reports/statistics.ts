import type { ScoreCounts } from '../rollups/rollup.table.ts';

/**
 * The one place that knows how satisfaction figures are computed (DESIGN §4): the share
 * of answers of 4 or 5 among all valid answers, the mean score, the 95% Wilson score
 * interval, whether the sample is large enough, and the status against a target.
 */

/** Sampling error accepted for a figure to be compared with a target: ±5 points at 95%. */
export const MARGIN = 0.05;
const Z_95 = 1.959963984540054;

export interface Figure {
  /** Valid answers (1–5); "no opinion" is not counted. */
  n: number;
  /** Answers of 4 or 5. */
  satisfied: number;
  /** Percent satisfied, or null without answers. */
  share: number | null;
  /** Mean score 1–5, or null without answers. */
  mean: number | null;
  /** 95% Wilson score interval of the share, in percent. */
  interval: { low: number; high: number } | null;
  /** The sample size needed for ±5% at 95% confidence. */
  required: number;
  /** Whether n reaches `required`; if not, the figure is never compared with a target. */
  enough: boolean;
  /** Counts per level 1–5, for the three-band view (1–3 not satisfied). */
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
 * The Wilson score interval for a proportion, which stays inside [0, 1] and behaves for
 * small samples and shares near 0 or 100% (unlike the normal approximation).
 */
export function wilsonInterval(successes: number, n: number, z = Z_95): { low: number; high: number } | null {
  if (n <= 0) return null;
  const p = successes / n;
  const z2 = z * z;
  const center = (p + z2 / (2 * n)) / (1 + z2 / n);
  const half = (z / (1 + z2 / n)) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  // At 0 or n successes the bound is exactly 0 or 1; floating point would miss it by an ulp.
  return {
    low: successes === 0 ? 0 : Math.max(0, center - half),
    high: successes === n ? 1 : Math.min(1, center + half),
  };
}

export function figureOf(counts: ScoreCounts, dossiers: number | null = null): Figure {
  const n = counts.n1 + counts.n2 + counts.n3 + counts.n4 + counts.n5;
  const satisfied = counts.n4 + counts.n5;
  const required = requiredSampleSize(dossiers);
  const interval = wilsonInterval(satisfied, n);
  return {
    n,
    satisfied,
    share: n > 0 ? round((100 * satisfied) / n) : null,
    mean: n > 0 ? round((counts.n1 + 2 * counts.n2 + 3 * counts.n3 + 4 * counts.n4 + 5 * counts.n5) / n) : null,
    interval: interval ? { low: round(100 * interval.low), high: round(100 * interval.high) } : null,
    required,
    enough: n >= required,
    counts: { n1: counts.n1, n2: counts.n2, n3: counts.n3, n4: counts.n4, n5: counts.n5 },
  };
}

export type TargetStatus = 'met' | 'not_met' | 'uncertain' | 'not_enough_data';

export interface TargetComparison {
  status: TargetStatus;
  /** Share minus threshold, in percentage points (null without answers). */
  gap: number | null;
}

/**
 * Met when the whole interval clears the target, not met when it lies wholly below,
 * uncertain when the target falls inside it; never compared without enough answers.
 * "Above" targets (trên 80%) need the interval strictly above the threshold.
 */
export function compareWithTarget(figure: Figure, threshold: number, comparison: 'gte' | 'gt'): TargetComparison {
  const gap = figure.share === null ? null : round(figure.share - threshold);
  if (!figure.enough || !figure.interval) return { status: 'not_enough_data', gap };
  const { low, high } = figure.interval;
  const clears = comparison === 'gte' ? low >= threshold : low > threshold;
  const fails = comparison === 'gte' ? high < threshold : high <= threshold;
  return { status: clears ? 'met' : fails ? 'not_met' : 'uncertain', gap };
}

export function addCounts(a: ScoreCounts, b: ScoreCounts): ScoreCounts {
  return { n1: a.n1 + b.n1, n2: a.n2 + b.n2, n3: a.n3 + b.n3, n4: a.n4 + b.n4, n5: a.n5 + b.n5 };
}

export const NO_COUNTS: ScoreCounts = { n1: 0, n2: 0, n3: 0, n4: 0, n5: 0 };

/** Figures keep two decimals: enough for tables, and stable in exports. */
function round(value: number): number {
  return Math.round(value * 100) / 100;
}

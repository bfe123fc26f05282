/**
 * What a public scorecard may publish: the one place that decides it (README, "Public
 * scorecards: what is never published").
 *
 * The ratings of a year are split into **parts**: each opted-in unit's own ratings (its
 * own desks and those of sub-units that did not opt in), which no other opted-in unit
 * below it holds. Every figure a unit publishes is the sum of the parts below it for the
 * same slice (a domain, a month, a quarter, …). The rule has two steps:
 *
 * 1. each part is judged alone, as if it were a unit with nothing below it: a slice of
 *    it is *shown* when it has at least `min` ratings and no difference of shown slices
 *    isolates fewer than `min` of its ratings (below);
 * 2. a unit publishes a slice only when every part in it with ratings there shows it.
 *
 * So whatever figures are published, and however they are added or subtracted — across
 * domains, months, quarters, units, pages, files and badges — nothing can be learnt that
 * could not be learnt if every part published its shown slices itself; and parts hold
 * different people, so a group computed from them is a union of groups computed within
 * one part, each either empty or at least `min`. Within one part:
 *
 * - time: quarters are released whole, with their months; the cumulatives (first 6 and 9
 *   months, the year) are sums of quarters. A cumulative is shown only when what it adds
 *   to its shown parts is nothing or at least `min` ratings, so it never reveals a hidden
 *   quarter; a hidden quarter hides its months and domains;
 * - months of a shown quarter: the hidden months together hold none or at least `min`
 *   ratings — one small month hides the next smallest with it;
 * - domains of a shown quarter: the same, for the hidden domains together. A domain is
 *   shown in a cumulative only when it is shown in every quarter of it with ratings, so
 *   no hidden domain of a quarter comes out as a difference of cumulatives;
 * - months and domains cross only in the quarter's totals: a month's split by domain is
 *   never published, so no cell of month × domain can be solved for.
 *
 * A figure already released is never changed: later releases only add.
 */

/** A row of figures for one period: all domains together, or one domain by id. */
export type RowKey = 'total' | number;

/** A period of the year as released so far, for a part's total. */
export interface TimeNode {
  ratings: number;
  shown: boolean;
  /** A cumulative's parts (the first 6 months: Q1 and Q2; 9 months: those 6 and Q3; …). */
  parts: TimeNode[];
}

/** A part's ratings in one quarter: the total and each domain, and each month. */
export interface PartQuarter {
  rows: Map<RowKey, number>;
  months: Map<string, number>;
}

export interface PartCumulative {
  /** The cumulative's ratings: the total and each domain. */
  rows: Map<RowKey, number>;
  /** What the current quarter is added to: Q1 for the first 6 months, those for 9 months, … */
  earlier: TimeNode;
  /** Domains with ratings hidden in an earlier quarter of the year. */
  hiddenEarlier: Set<RowKey>;
}

/**
 * Hides, among the shown items, the smallest until the hidden ones together hold none or
 * at least `min` ratings: then the whole minus what is shown reveals no small group.
 */
function protectHidden<K>(min: number, items: Map<K, { ratings: number; shown: boolean }>): void {
  const hiddenRatings = () => [...items.values()].reduce((sum, item) => sum + (item.shown ? 0 : item.ratings), 0);
  while (hiddenRatings() > 0 && hiddenRatings() < min) {
    const smallest = [...items.entries()]
      .filter(([, item]) => item.shown)
      .sort(([keyA, a], [keyB, b]) => a.ratings - b.ratings || String(keyA).localeCompare(String(keyB)))[0];
    if (!smallest) return;
    smallest[1].shown = false;
  }
}

/** Which slices of a part's quarter are shown: its total, each domain, each month. */
export function decidePartQuarter(min: number, part: PartQuarter) {
  const total = part.rows.get('total') ?? 0;
  const totalShown = total >= min;
  const judge = <K>(entries: Iterable<[K, number]>) => {
    const items = new Map<K, { ratings: number; shown: boolean }>();
    for (const [key, ratings] of entries) items.set(key, { ratings, shown: totalShown && ratings >= min });
    if (totalShown) protectHidden(min, items);
    return new Map([...items].map(([key, item]) => [key, item.shown]));
  };
  const rows = judge([...part.rows].filter(([key]) => key !== 'total'));
  rows.set('total', totalShown);
  return { rows, months: judge(part.months) };
}

/** The shown periods nearest below or at `node`: what could be subtracted from it. */
function frontier(node: TimeNode): TimeNode[] {
  return node.shown ? [node] : node.parts.flatMap(frontier);
}

/** Which slices of a part's cumulative are shown, once its current quarter is decided. */
export function decidePartCumulative(
  min: number,
  part: PartCumulative,
  quarter: { total: number; shown: Map<RowKey, boolean> },
): Map<RowKey, boolean> {
  const total = part.rows.get('total') ?? 0;
  const current: TimeNode = { ratings: quarter.total, shown: quarter.shown.get('total') ?? false, parts: [] };
  // What the cumulative adds to its shown parts must hide nothing small.
  const uncovered = total - [part.earlier, current].flatMap(frontier).reduce((sum, node) => sum + node.ratings, 0);
  const totalShown = total >= min && (uncovered === 0 || uncovered >= min);
  const shown = new Map<RowKey, boolean>([['total', totalShown]]);
  for (const [row, ratings] of part.rows) {
    if (row === 'total') continue;
    const everyQuarter = !part.hiddenEarlier.has(row) && quarter.shown.get(row) !== false;
    shown.set(row, totalShown && everyQuarter && ratings >= min);
  }
  return shown;
}

/**
 * Whether a unit publishes a slice: it has ratings there, and every part in it with
 * ratings there shows the slice. `parts` lists the unit's own part and those below it
 * (ratings shared with an opted-in unit outside its branch, after a merge, count as a
 * part never shown).
 */
export function unitPublishes(parts: { ratings: number; shown: boolean }[]): boolean {
  const holding = parts.filter((part) => part.ratings > 0);
  return holding.length > 0 && holding.every((part) => part.shown);
}

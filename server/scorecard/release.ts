import { sql } from 'kysely';
import type { Db, Trx } from '../db/database.ts';
import { parsePeriod, type Period } from '../reports/periods.ts';
import { addDays, vietnamDate, vietnamMidnight } from '../time/vietnam-time.ts';
import type { ScoreCounts } from '../rollups/rollup.table.ts';
import { scoreCounts } from '../rollups/score-counts.ts';
import { addCounts, NO_COUNTS } from '../reports/statistics.ts';
import { decidePartCumulative, decidePartQuarter, unitPublishes, type RowKey, type TimeNode } from './disclosure.ts';
import type { NewScorecardFigure, ScorecardFigure } from './scorecard.table.ts';

/**
 * Quarterly releases of the public scorecards. A quarter is released once, a week after
 * it ends, for every opted-in unit at once: its figures are read from the rollups with
 * the report functions, decided on by `disclosure.ts`, and stored. They never change
 * afterwards, so nobody can learn about a few late ratings by comparing a figure with
 * its earlier value; ratings that reach the server after the release (a kiosk offline for
 * over a week) stay in the officials' reports only.
 */

/** Days after a quarter's end before it is released: kiosks that were offline catch up. */
export const SETTLE_DAYS = 7;

/** Serialises releases across server processes. */
const RELEASE_LOCK = 0x5c0_4ec;

export const quarterKey = (year: number, quarter: number) => `${year}-Q${quarter}`;

/** The cumulative a quarter completes: the first 6 months, 9 months, the year; none for Q1. */
export function cumulativeKey(year: number, quarter: number): string | undefined {
  return quarter === 2 ? `${year}-H1` : quarter === 3 ? `${year}-9M` : quarter === 4 ? `${year}` : undefined;
}

const quarterParts = (key: string) => ({ year: Number(key.slice(0, 4)), quarter: Number(key.slice(6)) });
const monthKeys = (period: Period) =>
  [0, 1, 2].map((offset) => {
    const month = Number(period.from.slice(5, 7)) + offset;
    return `${period.from.slice(0, 4)}-${String(month).padStart(2, '0')}`;
  });

/** The first day a quarter may be released: a week (`SETTLE_DAYS`) after its last day. */
export function releaseDay(quarter: string): string {
  return addDays(parsePeriod(quarter)!.to, SETTLE_DAYS);
}

/**
 * Releases what is due at `now`: every quarter that ended over `SETTLE_DAYS` ago and was
 * not released yet, from the first month with ratings; and, first, the quarters released
 * before a unit opted in, when no opted-in unit above it took part that year (`backfill`).
 * One process at a time; returns the quarters released.
 */
export async function releaseDue(db: Db, now = new Date()): Promise<string[]> {
  return db.transaction().execute(async (trx) => {
    const locked = await sql<{ locked: boolean }>`select pg_try_advisory_xact_lock(${RELEASE_LOCK}) as locked`.execute(
      trx,
    );
    if (!locked.rows[0]?.locked) return [];
    await backfill(trx);
    const released: string[] = [];
    for (const quarter of await dueQuarters(trx, vietnamDate(now))) {
      await releaseQuarter(trx, quarter, await membersOf(trx, quarter));
      await trx.insertInto('scorecard_release').values({ quarter }).execute();
      released.push(quarter);
    }
    return released;
  });
}

/**
 * Quarters due at `today` and not released yet. Releases are made in order, so they
 * start after the last one released; the first time, at the first month with ratings
 * (read from the roots' rollups, which hold every rating, and the unfolded tail).
 */
async function dueQuarters(trx: Trx, today: string): Promise<string[]> {
  const last = await trx
    .selectFrom('scorecard_release')
    .select('quarter')
    .orderBy('quarter', 'desc')
    .limit(1)
    .executeTakeFirst();
  let start: string | null | undefined = last ? parsePeriod(last.quarter)!.to : undefined;
  if (!start) {
    const first = await sql<{ month: string | null }>`
      select least(
        (select min(r.month) from unit u cross join lateral (
          select month from rollup_unit_month where unit_id = u.id order by month limit 1) r
         where u.parent_id is null),
        (select min(vn_month(r.rated_at)) from rollup_pending p join response r on r.id = p.response_id)
      ) as month
    `.execute(trx);
    start = first.rows[0]?.month;
  }
  if (!start) return [];
  const due: string[] = [];
  let year = Number(start.slice(0, 4));
  let quarter = Math.floor((Number(start.slice(5, 7)) - 1) / 3) + 1;
  for (;;) {
    const key = quarterKey(year, quarter);
    if (releaseDay(key) > today) return due;
    due.push(key);
    [year, quarter] = quarter === 4 ? [year + 1, 1] : [year, quarter + 1];
  }
}

/** Units taking part in a quarter: those opted in now, and those that took part earlier that year. */
async function membersOf(trx: Trx, quarter: string): Promise<number[]> {
  const { year } = quarterParts(quarter);
  const rows = await sql<{ id: number }>`
    select id from unit where public_scorecard
    union
    select unit_id from scorecard_figure where period like ${`${year}-Q%`} and domain_id is null
  `.execute(trx);
  return rows.rows.map((row) => row.id).sort((a, b) => a - b);
}

/**
 * A unit that opts in after quarters of a year were released gets those quarters too,
 * computed now, when no opted-in unit above it took part in them that year: its figures
 * are then sums of parts already decided (those of opted-in units below it) and of its own
 * part, which nothing published splits. Below an opted-in unit, it takes part from the
 * next year on, so that a year's figures all split into the same parts.
 */
async function backfill(trx: Trx): Promise<void> {
  const quarters = (await trx.selectFrom('scorecard_release').select('quarter').orderBy('quarter').execute()).map(
    (row) => row.quarter,
  );
  const years = [...new Set(quarters.map((quarter) => quarter.slice(0, 4)))];
  for (const year of years) {
    const newcomers = await sql<{ id: number }>`
      select u.id from unit u
      where u.public_scorecard
        and not exists (
          select 1 from scorecard_figure f join unit_closure c on c.unit_id = u.id and c.ancestor_id = f.unit_id
          where f.period like ${`${year}-Q%`}
        )
      order by u.id
    `.execute(trx);
    const members = newcomers.rows.map((row) => row.id);
    if (members.length === 0) continue;
    for (const quarter of quarters.filter((key) => key.startsWith(`${year}-`))) {
      await releaseQuarter(trx, quarter, members);
    }
  }
}

interface Cell {
  source: number;
  month: string;
  domain: number;
  counts: ScoreCounts;
}

const ratingsOf = (counts: ScoreCounts) => counts.n1 + counts.n2 + counts.n3 + counts.n4 + counts.n5;

/** Groups units into families: units connected by counting towards one another. */
function families(units: number[], towards: Map<number, Set<number>>): number[][] {
  const root = new Map(units.map((unit) => [unit, unit]));
  const find = (unit: number): number => (root.get(unit) === unit ? unit : find(root.get(unit)!));
  for (const unit of units)
    for (const ancestor of towards.get(unit) ?? []) if (root.has(ancestor)) root.set(find(unit), find(ancestor));
  const groups = new Map<number, number[]>();
  for (const unit of units) groups.set(find(unit), [...(groups.get(find(unit)) ?? []), unit]);
  return [...groups.values()];
}

/** Ratings per level of a figure, added up cell by cell. */
type Tally = ScoreCounts;
const tallyOf = (row: ScoreCounts): Tally => ({ n1: row.n1, n2: row.n2, n3: row.n3, n4: row.n4, n5: row.n5 });

function add<K>(tallies: Map<K, Tally>, key: K, counts: ScoreCounts): void {
  tallies.set(key, addCounts(tallies.get(key) ?? NO_COUNTS, counts));
}

/** A unit's figures in one quarter's release: its own, its own part's, and the shared ratings in them. */
interface UnitTallies {
  unit: Map<string, Tally>;
  part: Map<string, Tally>;
  shared: Map<string, Tally>;
}

/** Keys of the figures of a release: `<period>|<domain id or total>`. */
const figureKey = (period: string, row: RowKey) => `${period}|${row}`;

/**
 * Computes and stores one quarter's figures for `candidates` that have none for it yet,
 * and the cumulative the quarter completes (first 6 months, 9 months, year). Units that
 * took part already (opted-in units below a unit released late) keep their figures; the
 * new ones are decided against them.
 */
export async function releaseQuarter(trx: Trx, quarter: string, candidates: number[]): Promise<void> {
  const { year, quarter: index } = quarterParts(quarter);
  const period = parsePeriod(quarter)!;
  const months = monthKeys(period);
  const existing = (
    await trx
      .selectFrom('scorecard_figure')
      .select('unit_id')
      .where('period', '=', quarter)
      .where('domain_id', 'is', null)
      .execute()
  ).map((row) => row.unit_id);
  const earlierQuarters = [1, 2, 3].filter((q) => q < index).map((q) => quarterKey(year, q));
  // Only units that took part in every earlier quarter of the year that was released: a
  // unit joins a family at the start of a year, so that the year's figures all split into
  // the same parts. (Quarters before the platform's first ratings were never released.)
  const tookPart = await trx
    .selectFrom('scorecard_figure')
    .select(['unit_id', 'period'])
    .where('period', 'in', [...earlierQuarters, '-'])
    .where('domain_id', 'is', null)
    .execute();
  const released = new Set([
    ...tookPart.map((row) => row.period),
    ...(
      await trx
        .selectFrom('scorecard_release')
        .select('quarter')
        .where('quarter', 'in', [...earlierQuarters, '-'])
        .execute()
    ).map((row) => row.quarter),
  ]);
  const members = candidates.filter(
    (unit) =>
      !existing.includes(unit) &&
      earlierQuarters
        .filter((key) => released.has(key))
        .every((key) => tookPart.some((row) => row.unit_id === unit && row.period === key)),
  );
  if (members.length === 0) return;
  const everyone = [...new Set([...existing, ...members])];

  const running = cumulativeKey(year, index);
  // The cumulative the quarter is added to: Q1 for the first 6 months, then H1, then 9M.
  const earlier = index === 2 ? earlierQuarters[0] : index > 2 ? cumulativeKey(year, index - 1) : undefined;
  const history = await trx
    .selectFrom('scorecard_figure')
    .selectAll()
    .where('unit_id', 'in', everyone)
    .where('period', 'in', [...earlierQuarters, ...(earlier ? [earlier] : []), quarter, ...months, running ?? '-'])
    .execute();
  const stored = new Map(
    history.map((row) => [`${row.unit_id}|${figureKey(row.period, row.domain_id ?? 'total')}`, row]),
  );
  const storedOf = (unit: number, key: string) => stored.get(`${unit}|${key}`);

  const closure = await trx
    .selectFrom('unit_closure')
    .select(['unit_id', 'ancestor_id'])
    .where('unit_id', 'in', everyone)
    .where('ancestor_id', 'in', everyone)
    .whereRef('unit_id', '<>', 'ancestor_id')
    .execute();
  const towards = new Map<number, Set<number>>();
  for (const row of closure) towards.set(row.unit_id, (towards.get(row.unit_id) ?? new Set()).add(row.ancestor_id));
  const under = (unit: number, ancestor: number) => unit === ancestor || towards.get(unit)?.has(ancestor) === true;
  const settings = await trx
    .selectFrom('unit')
    .select(['id', 'scorecard_min_ratings'])
    .where('id', 'in', everyone)
    .execute();
  const minOf = new Map(settings.map((row) => [row.id, row.scorecard_min_ratings]));

  for (const family of families(everyone, towards)) {
    const fresh = family.filter((unit) => members.includes(unit));
    if (fresh.length === 0) continue;
    const roots = family.filter(
      (unit) => ![...(towards.get(unit) ?? [])].some((ancestor) => family.includes(ancestor)),
    );
    const cells = await cellsUnder(trx, roots, period);
    const sources = [...new Set(cells.map((cell) => cell.source))];
    const heldBy = new Map<number, number[]>();
    if (sources.length > 0) {
      const rows = await trx
        .selectFrom('unit_closure')
        .select(['unit_id', 'ancestor_id'])
        .where('unit_id', 'in', sources)
        .where('ancestor_id', 'in', family)
        .execute();
      for (const row of rows) heldBy.set(row.unit_id, [...(heldBy.get(row.unit_id) ?? []), row.ancestor_id]);
    }
    // A rating's part is the deepest opted-in unit holding it; after a merge it may be held
    // by units of two branches, and then belongs to no part (it is never shown).
    const partOf = (source: number): number | null => {
      const holders = heldBy.get(source) ?? [];
      const deepest = holders.find((unit) => holders.every((other) => under(unit, other)));
      return deepest ?? null;
    };
    const min = Math.max(...family.map((unit) => minOf.get(unit) ?? 30));

    const tallies = new Map<number, UnitTallies>(
      fresh.map((unit) => [unit, { unit: new Map(), part: new Map(), shared: new Map() }]),
    );
    for (const cell of cells) {
      const part = partOf(cell.source);
      for (const unit of heldBy.get(cell.source) ?? []) {
        const tally = tallies.get(unit);
        if (!tally) continue;
        const targets = [tally.unit, ...(part === unit ? [tally.part] : []), ...(part === null ? [tally.shared] : [])];
        for (const map of targets) {
          add(map, figureKey(quarter, 'total'), cell.counts);
          add(map, figureKey(quarter, cell.domain), cell.counts);
          add(map, figureKey(cell.month, 'total'), cell.counts);
        }
      }
    }
    const ratings = (map: Map<string, Tally>, key: string) => ratingsOf(map.get(key) ?? NO_COUNTS);

    // 1. Each new unit's own part, judged alone.
    const shown = new Map<string, boolean>();
    const partShown = (unit: number, key: string) =>
      shown.get(`${unit}|${key}`) ?? storedOf(unit, key)?.part_shown ?? false;
    const partRatings = (unit: number, key: string) =>
      tallies.has(unit) ? ratings(tallies.get(unit)!.part, key) : (storedOf(unit, key)?.part_ratings ?? 0);
    for (const unit of fresh) {
      const tally = tallies.get(unit)!;
      const rowsOf = (map: Map<string, Tally>, prefix: string) =>
        new Map(
          [...map]
            .filter(([key]) => key.startsWith(`${prefix}|`))
            .map(([key, counts]) => [rowKey(key), ratingsOf(counts)] as [RowKey, number]),
        );
      const decided = decidePartQuarter(min, {
        rows: rowsOf(tally.part, quarter),
        months: new Map(months.map((month) => [month, ratings(tally.part, figureKey(month, 'total'))])),
      });
      for (const [row, value] of decided.rows) shown.set(`${unit}|${figureKey(quarter, row)}`, value);
      for (const [month, value] of decided.months) shown.set(`${unit}|${figureKey(month, 'total')}`, value);
      if (!running) continue;
      // The cumulative: the earlier one as released, plus this quarter.
      for (const row of history.filter((candidate) => candidate.unit_id === unit && candidate.period === earlier)) {
        const key = figureKey(running, row.domain_id ?? 'total');
        add(tally.unit, key, tallyOf(row));
        add(tally.part, key, { ...NO_COUNTS, n1: row.part_ratings });
        add(tally.shared, key, { ...NO_COUNTS, n1: row.shared_ratings });
      }
      for (const map of [tally.unit, tally.part, tally.shared])
        for (const [key, counts] of [...map].filter(([candidate]) => candidate.startsWith(`${quarter}|`)))
          add(map, figureKey(running, rowKey(key)), counts);
      const cumulative = decidePartCumulative(
        min,
        {
          rows: rowsOf(tally.part, running),
          earlier: timeNode(unit, earlier!, storedOf),
          hiddenEarlier: new Set(
            history
              .filter(
                (row) =>
                  row.unit_id === unit &&
                  earlierQuarters.includes(row.period) &&
                  row.domain_id !== null &&
                  row.part_ratings > 0 &&
                  !row.part_shown,
              )
              .map((row) => row.domain_id!),
          ),
        },
        { total: ratings(tally.part, figureKey(quarter, 'total')), shown: decided.rows },
      );
      for (const [row, value] of cumulative) shown.set(`${unit}|${figureKey(running, row)}`, value);
    }

    // 2. A unit publishes a slice when every part in it with ratings there shows it.
    const figures: NewScorecardFigure[] = [];
    for (const unit of fresh) {
      const tally = tallies.get(unit)!;
      const below = family.filter((other) => under(other, unit));
      const keys = [...tally.unit.keys()];
      // Every unit taking part gets its quarter's total row, ratings or not: it marks that it took part.
      for (const key of [figureKey(quarter, 'total'), ...(running ? [figureKey(running, 'total')] : [])])
        if (!keys.includes(key)) keys.push(key);
      for (const key of keys) {
        const counts = tally.unit.get(key) ?? NO_COUNTS;
        const shared = ratings(tally.shared, key);
        const published = unitPublishes([
          ...below.map((part) => ({ ratings: partRatings(part, key), shown: partShown(part, key) })),
          { ratings: shared, shown: false },
        ]);
        const [periodKey, row] = key.split('|') as [string, string];
        figures.push({
          unit_id: unit,
          period: periodKey,
          domain_id: row === 'total' ? null : Number(row),
          ...counts,
          published: published && ratingsOf(counts) >= min,
          part_ratings: partRatings(unit, key),
          part_shown: partShown(unit, key),
          shared_ratings: shared,
          min_ratings: min,
        });
      }
    }
    // How the comments of the period were followed up, as it stands on the release day.
    for (const [key, counts] of [
      [quarter, await followUpsOf(trx, fresh, period)],
      ...(running ? [[running, await followUpsOf(trx, fresh, parsePeriod(running)!)] as const] : []),
    ] as const) {
      for (const figure of figures.filter((row) => row.period === key && row.domain_id === null)) {
        const found = counts.get(figure.unit_id);
        figure.comments = found?.comments ?? 0;
        figure.comments_answered = found?.answered ?? 0;
        figure.answer_days_median = found?.median_days ?? null;
      }
    }
    if (figures.length > 0) await trx.insertInto('scorecard_figure').values(figures).execute();
  }
}

/**
 * For each unit, the ratings of the period that came with a comment, how many of them
 * were answered (their follow-up set to answered), and the median days from the rating to
 * that answer. Read once, at the release, from the ratings of the units' subtrees.
 */
async function followUpsOf(trx: Trx, units: number[], period: Period) {
  const { rows } = await sql<{ unit: number; comments: number; answered: number; median_days: number | null }>`
    select c.ancestor_id as unit, count(*)::integer as comments,
      count(*) filter (where f.status = 'answered')::integer as answered,
      percentile_cont(0.5) within group (order by extract(epoch from f.updated_at - r.rated_at) / 86400)
        filter (where f.status = 'answered') as median_days
    from unit_closure c
    join response r on r.unit_id = c.unit_id
      and r.rated_at >= ${vietnamMidnight(period.from)} and r.rated_at < ${vietnamMidnight(period.to)}
    join comment on comment.response_id = r.id
    left join follow_up f on f.response_id = r.id
    where c.ancestor_id = any(${units}::integer[])
    group by c.ancestor_id
  `.execute(trx);
  return new Map(rows.map((row) => [row.unit, row]));
}

const rowKey = (key: string): RowKey => {
  const row = key.split('|')[1]!;
  return row === 'total' ? 'total' : Number(row);
};

/** A unit's own part's total for a period of the year as released, with the periods it is made of. */
function timeNode(
  unit: number,
  key: string,
  storedOf: (unit: number, key: string) => ScorecardFigure | undefined,
): TimeNode {
  const total = storedOf(unit, figureKey(key, 'total'));
  const year = Number(key.slice(0, 4));
  const parts = key.endsWith('-H1')
    ? [quarterKey(year, 1), quarterKey(year, 2)]
    : key.endsWith('-9M')
      ? [`${year}-H1`, quarterKey(year, 3)]
      : [];
  return {
    ratings: total?.part_ratings ?? 0,
    shown: total?.part_shown ?? false,
    parts: parts.map((part) => timeNode(unit, part, storedOf)),
  };
}

/**
 * The quarter's answers to the overall question per rating unit, month and domain, under
 * `roots`, read with the report functions. A unit merged into a unit under another root
 * counts under both: its cells are taken once.
 */
async function cellsUnder(trx: Trx, roots: number[], period: Period): Promise<Cell[]> {
  const perRoot = await Promise.all(
    roots.map((root) =>
      scoreCounts(trx, {
        unitIds: [root],
        from: period.from,
        to: period.to,
        groupBy: ['desk', 'month', 'domain'],
        questionRole: 'overall',
      }),
    ),
  );
  const deskIds = [...new Set(perRoot.flat().map((row) => row.desk!))];
  if (deskIds.length === 0) return [];
  const desks = await trx.selectFrom('desk').select(['id', 'unit_id']).where('id', 'in', deskIds).execute();
  const unitOfDesk = new Map(desks.map((desk) => [desk.id, desk.unit_id]));
  const cells = new Map<string, Cell>();
  for (const rows of perRoot) {
    const underRoot = new Map<string, Cell>();
    for (const row of rows) {
      const source = unitOfDesk.get(row.desk!)!;
      const key = `${source}|${row.month}|${row.domain}`;
      const cell = underRoot.get(key) ?? {
        source,
        month: row.month!.slice(0, 7),
        domain: row.domain!,
        counts: NO_COUNTS,
      };
      underRoot.set(key, { ...cell, counts: addCounts(cell.counts, row) });
    }
    for (const [key, cell] of underRoot) if (!cells.has(key)) cells.set(key, cell);
  }
  return [...cells.values()];
}

import { sql } from 'kysely';
import { inBothLanguages } from '../../web/i18n/shared.ts';
import type { Db } from '../db/database.ts';
import { LOW_RATING_MAX } from '../questionnaires/scale.ts';
import { ALL_ELEMENTS, type BallotSums, type ScoreCounts } from '../rollups/rollup.table.ts';
import { ballotSums, reasonCounts, scoreCounts, type CountRow, type Dimension } from '../rollups/score-counts.ts';
import type { TargetComparison as TargetComparisonKind, TargetMetric } from '../targets/target.table.ts';
import { addMonths, monthOf } from '../time/vietnam-time.ts';
import type { AgencySector, UnitKind } from '../units/unit.table.ts';
import { dossierBook, dossiersOf, type DossierCount } from './dossiers.ts';
import { effectiveTargets, type EffectiveTarget } from './effective-targets.ts';
import { comparisonPeriods, monthsOf, yearBefore, yearParts, type Period } from './periods.ts';
import {
  atOrBelow,
  percentOf,
  addCounts,
  byLowerBound,
  compareFigures,
  compareWithTarget,
  coverage,
  figureOf,
  NO_BALLOTS,
  NO_COUNTS,
  pooledFigureOf,
  type Change,
  type Figure,
  type TargetComparison,
} from './statistics.ts';

/**
 * Report figures for a unit (with its sub-units and merged predecessors) over a period,
 * all read from the rollups through `scoreCounts` and `ballotSums`, all computed by
 * `statistics.ts`, each held to the sample size of the dossiers behind it (`dossiers.ts`).
 */

export type Names = { vi: string; en: string };

/** A figure against the previous period of the same kind and the same period a year before (cùng kỳ). */
export interface Comparisons {
  /** Null when there is no such period to compare with (before the years reported on). */
  previous: Change | null;
  lastYear: Change | null;
}

/** Whose target a figure is held to: null for the unit's own, else the ancestor that set it. */
export type InheritedFrom = EffectiveTarget['inheritedFrom'];

/**
 * Peers, ranked only against each other (DESIGN §4): communes, wards and special zones
 * together; provinces, districts (the tree before July 2025), and agencies apart, with
 * hospitals and schools apart from the other agencies.
 */
export type PeerGroup = 'country' | 'province' | 'district' | 'commune' | 'agency' | 'health' | 'education';

export const PEER_GROUPS: Record<PeerGroup, Names> = {
  country: { vi: 'Toàn quốc', en: 'Country' },
  province: { vi: 'Tỉnh, thành phố', en: 'Provinces and cities' },
  district: { vi: 'Quận, huyện, thị xã, thành phố thuộc tỉnh', en: 'Districts' },
  commune: { vi: 'Xã, phường, đặc khu', en: 'Communes, wards and special zones' },
  agency: { vi: 'Cơ quan, đơn vị hành chính', en: 'Administrative agencies' },
  health: { vi: 'Cơ sở y tế', en: 'Health facilities' },
  education: { vi: 'Cơ sở giáo dục', en: 'Schools' },
};

export function peerGroupOf(kind: UnitKind, sector: AgencySector | null): PeerGroup {
  if (kind === 'commune' || kind === 'ward' || kind === 'special_zone') return 'commune';
  if (kind === 'agency') return sector ?? 'agency';
  return kind;
}

export interface TargetResult {
  id: number;
  metric: TargetMetric;
  domain: { code: string; name: Names } | null;
  comparison: TargetComparisonKind;
  threshold: number;
  /** The target's year. */
  year: number;
  /** The days compared with it: the report's period, or its part in the target's year. */
  period: Period;
  planNumber: string | null;
  planDate: string | null;
  planSentence: string | null;
  /** Null for the unit's own target; else the ancestor whose target the unit is held to. */
  inheritedFrom: InheritedFrom;
  figure: Figure;
  result: TargetComparison;
  /** The figure against the same days' figure of the periods compared with. */
  compared: Comparisons;
}

export interface Summary {
  unit: { id: number; code: string; name: string };
  period: Period;
  /** N, the dossiers the unit (with its sub-units and merged predecessors) handled in the period. */
  dossiers: DossierCount;
  /** The overall question, every domain and channel: satisfaction with TTHC handling. */
  overall: Figure;
  /** Every criterion of the five SIPAS elements, pooled per ballot: the agency-service index. */
  elements: Figure;
  /** Ballots of the overall question ÷ N, where N is known; `low` warns of every figure built on it. */
  coverage: { share: number | null; low: boolean };
  /** The periods every figure is compared with. */
  comparedWith: { previous: Period | null; lastYear: Period | null };
  compared: { overall: Comparisons; elements: Comparisons };
  /**
   * The targets the unit is held to in the period's year — its own, and its nearest
   * ancestor's where it has none — each compared with the period; for a range across
   * years, each year's targets compared with that year's part of it.
   */
  targets: TargetResult[];
}

export interface Row {
  key: string;
  /** A name in both languages (domains, elements, criteria) or as written (units, desks). */
  name: Names;
  /** What the row belongs to: the unit of a desk, the element of a criterion. */
  parent?: string;
  figure: Figure;
  /**
   * The target the row is held to: a domain's domain target; a sub-unit's, and a desk's
   * unit's, TTHC target (each unit's own or its nearest ancestor's).
   */
  target?: {
    metric: TargetMetric;
    threshold: number;
    comparison: TargetComparisonKind;
    result: TargetComparison;
    inheritedFrom: InheritedFrom;
  };
  /** The row against the same row in the periods compared with (`Summary.comparedWith`). */
  compared?: Comparisons;
  /** For sub-units: the group of peers it is ranked in. */
  peerGroup?: PeerGroup;
  /** For sub-units and desks: N of the unit the row stands for, which its figure is held to. */
  dossiers?: DossierCount;
  /** A sub-unit merged into another: whom and from which day (`YYYY-MM-DD`). */
  merged?: { into: { id: number; name: string }; from: string };
  /**
   * The key of the sibling row whose figures already include this merged sub-unit's
   * history: leave this row out of any sum over the rows.
   */
  includedIn?: string;
}

export type BreakdownKind = 'domain' | 'subunit' | 'desk' | 'element' | 'criterion' | 'channel';

// Named as the web app names them: both take the words from the shared catalogue.
const CHANNEL_NAMES: Record<string, Names> = {
  qr: inBothLanguages('channel.qr'),
  kiosk: inBothLanguages('channel.kiosk'),
  dossier: inBothLanguages('channel.dossier'),
  portal: inBothLanguages('channel.portal'),
};

export const METRIC_NAMES: Record<TargetMetric, Names> = {
  tthc: inBothLanguages('metric.tthc'),
  agency_service: inBothLanguages('metric.agency_service'),
  domain: inBothLanguages('metric.domain'),
};

const same = (name: string): Names => ({ vi: name, en: name });
const countsOf = (row: CountRow | undefined): ScoreCounts =>
  row ? { n1: row.n1, n2: row.n2, n3: row.n3, n4: row.n4, n5: row.n5 } : NO_COUNTS;
const sumsOf = (row: (BallotSums & object) | undefined): BallotSums =>
  row
    ? {
        n1: row.n1,
        n2: row.n2,
        n3: row.n3,
        n4: row.n4,
        n5: row.n5,
        ballots: row.ballots,
        satisfiedSquared: row.satisfiedSquared,
        satisfiedTimesAnswered: row.satisfiedTimesAnswered,
        answeredSquared: row.answeredSquared,
      }
    : NO_BALLOTS;

function counts(
  db: Db,
  unitId: number,
  period: Period,
  groupBy: Dimension[],
  extra: { questionRole?: 'overall' | 'criterion'; domainIds?: number[] } = {},
) {
  return scoreCounts(db, { unitIds: [unitId], from: period.from, to: period.to, groupBy, ...extra });
}

function findUnit(db: Db, unitId: number) {
  return db.selectFrom('unit').select(['id', 'code', 'name']).where('id', '=', unitId).executeTakeFirstOrThrow();
}

/**
 * N for the sample-size rule of a unit's figures over a period (see `dossiers.ts`). Slices
 * without a dossier count of their own — a domain, an element, a criterion, a channel —
 * are held to their unit's N: their own N is smaller, and the sample needed grows with N,
 * so this never asks for fewer ballots than their own count would.
 */
export async function dossiersHandled(db: Db, unitId: number, period: Period): Promise<DossierCount> {
  return dossiersOf(await dossierBook(db, [unitId], period), unitId, period);
}

interface PeriodFigures {
  dossiers: DossierCount;
  overall: Figure;
  elements: Figure;
  byDomain: CountRow[];
}

async function periodFigures(db: Db, unitId: number, period: Period) {
  const [dossiers, [allCriteria], byDomain] = await Promise.all([
    dossiersHandled(db, unitId, period),
    ballotSums(db, { unitIds: [unitId], from: period.from, to: period.to, groupBy: [], pools: [ALL_ELEMENTS] }),
    counts(db, unitId, period, ['domain'], { questionRole: 'overall' }),
  ]);
  return {
    dossiers,
    // Every rating has one domain: the unit's overall counts are the sum of its domains'.
    overall: figureOf(
      byDomain.reduce((sum, row) => addCounts(sum, countsOf(row)), NO_COUNTS),
      dossiers.count,
    ),
    elements: pooledFigureOf(sumsOf(allCriteria), dossiers.count),
    byDomain,
  } satisfies PeriodFigures;
}

/** Computes each period's figures once, however many targets and comparisons ask for them. */
function figuresByPeriod(db: Db, unitId: number) {
  const cache = new Map<string, Promise<PeriodFigures>>();
  return (period: Period) => {
    if (!cache.has(period.key)) cache.set(period.key, periodFigures(db, unitId, period));
    return cache.get(period.key)!;
  };
}

function metricFigure(figures: PeriodFigures, metric: TargetMetric, domainId: number | null): Figure {
  if (metric === 'tthc') return figures.overall;
  if (metric === 'agency_service') return figures.elements;
  return figureOf(countsOf(figures.byDomain.find((row) => row.domain === domainId)), figures.dossiers.count);
}

/** The same figure over the periods compared with: `pick` chooses it from each period's figures. */
async function compareOver(
  figuresOf: (period: Period) => Promise<PeriodFigures>,
  period: Period,
  current: Figure,
  pick: (figures: PeriodFigures) => Figure,
): Promise<Comparisons> {
  const { previous, lastYear } = comparisonPeriods(period);
  const against = async (other: Period | null) =>
    other ? compareFigures(current, pick(await figuresOf(other))) : null;
  const [previousChange, lastYearChange] = await Promise.all([against(previous), against(lastYear)]);
  return { previous: previousChange, lastYear: lastYearChange };
}

export async function summary(db: Db, unitId: number, period: Period): Promise<Summary> {
  const parts = yearParts(period);
  const figuresOf = figuresByPeriod(db, unitId);
  const [unit, whole, held] = await Promise.all([
    findUnit(db, unitId),
    figuresOf(period),
    effectiveTargets(
      db,
      [unitId],
      parts.map((part) => part.year),
    ),
  ]);
  // A range across years: each year's targets against that year's days only.
  const partOf = new Map(parts.map((part) => [part.year, parts.length === 1 ? period : part]));
  const targets = await Promise.all(
    held.get(unitId)!.map(async (target): Promise<TargetResult> => {
      const compared = partOf.get(target.year)!;
      const pick = (figures: PeriodFigures) => metricFigure(figures, target.metric, target.domain?.id ?? null);
      const figure = pick(await figuresOf(compared));
      return {
        id: target.id,
        metric: target.metric,
        domain: target.domain ? { code: target.domain.code, name: target.domain.name } : null,
        comparison: target.comparison,
        threshold: target.threshold,
        year: target.year,
        period: compared,
        planNumber: target.planNumber,
        planDate: target.planDate,
        planSentence: target.planSentence,
        inheritedFrom: target.inheritedFrom,
        figure,
        result: compareWithTarget(figure, target.threshold, target.comparison),
        compared: await compareOver(figuresOf, compared, figure, pick),
      };
    }),
  );
  const [overall, elements] = await Promise.all([
    compareOver(figuresOf, period, whole.overall, (figures) => figures.overall),
    compareOver(figuresOf, period, whole.elements, (figures) => figures.elements),
  ]);
  return {
    unit: { id: unit.id, code: unit.code, name: unit.name },
    period,
    dossiers: whole.dossiers,
    overall: whole.overall,
    elements: whole.elements,
    coverage: coverage(whole.overall.n, whole.dossiers.count),
    comparedWith: comparisonPeriods(period),
    compared: { overall, elements },
    targets,
  };
}

/**
 * The unit's figures split one way, each with its interval, the target it is held to
 * (domains, sub-units, desks) and its change since the periods compared with: the same row
 * in those periods, matched by its key (a row absent then compares with no answers).
 */
export async function breakdown(db: Db, unitId: number, period: Period, kind: BreakdownKind): Promise<Row[]> {
  const { previous, lastYear } = comparisonPeriods(period);
  const [rows, previousRows, lastYearRows] = await Promise.all([
    breakdownRows(db, unitId, period, kind, true),
    previous ? breakdownRows(db, unitId, previous, kind, false) : null,
    lastYear && lastYear.key !== previous?.key ? breakdownRows(db, unitId, lastYear, kind, false) : null,
  ]);
  // Keyed, so that a country's thousands of desks are matched in one pass each.
  const byKey = (others: Row[] | null) => (others ? new Map(others.map((other) => [other.key, other.figure])) : null);
  const [previousFigures, lastYearFigures] = [byKey(previousRows), byKey(lastYearRows)];
  const against = (row: Row, others: Map<string, Figure> | null) =>
    others ? compareFigures(row.figure, others.get(row.key) ?? figureOf(NO_COUNTS)) : null;
  return rows.map((row) => {
    const previousChange = against(row, previousFigures);
    return {
      ...row,
      compared: {
        previous: previousChange,
        lastYear: lastYear && lastYear.key === previous?.key ? previousChange : against(row, lastYearFigures),
      },
    };
  });
}

/** The TTHC target each unit is held to in the period's year; none for a range across years. */
async function tthcTargets(db: Db, unitIds: number[], period: Period) {
  if (yearParts(period).length > 1) return new Map<number, EffectiveTarget>();
  const held = await effectiveTargets(db, [...new Set(unitIds)], [period.year], 'tthc');
  return new Map([...held].flatMap(([unitId, targets]) => (targets[0] ? [[unitId, targets[0]] as const] : [])));
}

function heldTo(figure: Figure, target: EffectiveTarget | undefined): Pick<Row, 'target'> {
  if (!target) return {};
  return {
    target: {
      metric: target.metric,
      threshold: target.threshold,
      comparison: target.comparison,
      result: compareWithTarget(figure, target.threshold, target.comparison),
      inheritedFrom: target.inheritedFrom,
    },
  };
}

/** The unit's figures split one way; with `withTargets`, each held to its target. */
async function breakdownRows(
  db: Db,
  unitId: number,
  period: Period,
  kind: BreakdownKind,
  withTargets: boolean,
): Promise<Row[]> {
  switch (kind) {
    case 'domain': {
      // A range across years has no one year's targets: the summary compares year by year.
      const withinOneYear = withTargets && yearParts(period).length === 1;
      const [rows, domains, held, dossiers] = await Promise.all([
        counts(db, unitId, period, ['domain'], { questionRole: 'overall' }),
        db.selectFrom('domain').selectAll().orderBy('position').execute(),
        withinOneYear ? effectiveTargets(db, [unitId], [period.year]) : null,
        dossiersHandled(db, unitId, period),
      ]);
      const targets = (held?.get(unitId) ?? []).filter((target) => target.metric === 'domain');
      // A domain without a target of its own is held to the unit's target for TTHC handling:
      // the same overall question, answered within that domain.
      const tthc = held?.get(unitId)?.find((target) => target.metric === 'tthc');
      return domains
        .filter(
          (domain) =>
            rows.some((row) => row.domain === domain.id) || targets.some((target) => target.domain?.id === domain.id),
        )
        .map((domain) => {
          const figure = figureOf(countsOf(rows.find((row) => row.domain === domain.id)), dossiers.count);
          return {
            key: domain.code,
            name: { vi: domain.name_vi, en: domain.name_en },
            figure,
            ...heldTo(figure, targets.find((candidate) => candidate.domain?.id === domain.id) ?? tthc),
          };
        });
    }
    case 'subunit':
      return subunits(db, unitId, period, withTargets);
    case 'desk': {
      const [rows, desks] = await Promise.all([
        counts(db, unitId, period, ['desk'], { questionRole: 'overall' }),
        db
          .selectFrom('desk')
          .innerJoin('unit', 'unit.id', 'desk.unit_id')
          .innerJoin('unit_closure', 'unit_closure.unit_id', 'desk.unit_id')
          .select(['desk.id', 'desk.name', 'desk.unit_id', 'unit.name as unit_name'])
          .where('unit_closure.ancestor_id', '=', unitId)
          .orderBy('unit.name')
          .orderBy('desk.name')
          .execute(),
      ]);
      const byDesk = new Map(rows.map((row) => [row.desk, row]));
      const shown = desks.filter((desk) => byDesk.has(desk.id));
      const units = shown.map((desk) => desk.unit_id);
      // A desk is held to the N of its own unit, the smallest count that contains it, and
      // to its unit's TTHC target.
      const [book, targets] = await Promise.all([
        dossierBook(db, [...new Set(units)], period),
        withTargets ? tthcTargets(db, units, period) : new Map<number, EffectiveTarget>(),
      ]);
      return shown.map((desk) => {
        const dossiers = dossiersOf(book, desk.unit_id, period);
        const figure = figureOf(countsOf(byDesk.get(desk.id)), dossiers.count);
        return {
          key: String(desk.id),
          name: same(desk.name),
          parent: desk.unit_name,
          figure,
          dossiers,
          ...heldTo(figure, targets.get(desk.unit_id)),
        };
      });
    }
    case 'element': {
      const [rows, elements, dossiers] = await Promise.all([
        ballotSums(db, { unitIds: [unitId], from: period.from, to: period.to, groupBy: ['pool'] }),
        db.selectFrom('sipas_element').selectAll().orderBy('position').execute(),
        dossiersHandled(db, unitId, period),
      ]);
      return elements.map((element) => ({
        key: element.code,
        name: { vi: element.name_vi, en: element.name_en },
        figure: pooledFigureOf(sumsOf(rows.find((row) => row.pool === element.code)), dossiers.count),
      }));
    }
    case 'criterion': {
      const [rows, questions, dossiers] = await Promise.all([
        counts(db, unitId, period, ['question'], { questionRole: 'criterion' }),
        db.selectFrom('question').selectAll().where('role', '=', 'criterion').execute(),
        dossiersHandled(db, unitId, period),
      ]);
      // Versions of a questionnaire share criterion codes: figures follow the code.
      const byCode = new Map<string, { question: (typeof questions)[number]; counts: ScoreCounts }>();
      for (const row of rows) {
        const question = questions.find((candidate) => candidate.id === row.question);
        if (!question) continue;
        const entry = byCode.get(question.code) ?? { question, counts: NO_COUNTS };
        byCode.set(question.code, { question: entry.question, counts: addCounts(entry.counts, countsOf(row)) });
      }
      return [...byCode.values()]
        .sort((a, b) => a.question.position - b.question.position)
        .map(({ question, counts: answers }) => ({
          key: question.code,
          name: { vi: question.text_vi, en: question.text_en },
          parent: question.element_code ?? undefined,
          figure: figureOf(answers, dossiers.count),
        }));
    }
    case 'channel': {
      const [rows, dossiers] = await Promise.all([
        counts(db, unitId, period, ['channel'], { questionRole: 'overall' }),
        dossiersHandled(db, unitId, period),
      ]);
      return Object.entries(CHANNEL_NAMES)
        .filter(([code]) => rows.some((row) => row.channel === code))
        .map(([code, name]) => ({
          key: code,
          name,
          figure: figureOf(countsOf(rows.find((row) => row.channel === code)), dossiers.count),
        }));
    }
  }
}

/**
 * The unit's children, each held to its own N. A child merged into a sibling (or into a
 * unit under a sibling) is listed right after that sibling, marked as merged and as
 * included in it, because the sibling's figures already hold its history: the rows
 * without `includedIn` add up to the unit. A child closed before the period is left out.
 */
async function subunits(db: Db, unitId: number, period: Period, withTargets: boolean): Promise<Row[]> {
  const children = await db
    .selectFrom('unit')
    .leftJoin('unit as successor', 'successor.id', 'unit.merged_into_id')
    .select([
      'unit.id',
      'unit.name',
      'unit.kind',
      'unit.agency_sector',
      'unit.valid_until',
      'unit.merged_into_id',
      'successor.name as successor_name',
      // The siblings whose figures hold this child's ratings: those it was merged into,
      // directly or through a unit under them.
      sql<number[]>`array(
        select c.ancestor_id from unit_closure c join unit sibling on sibling.id = c.ancestor_id
        where c.unit_id = unit.id and sibling.parent_id = unit.parent_id and sibling.id <> unit.id
      )`.as('counts_towards'),
    ])
    .where('unit.parent_id', '=', unitId)
    .where((eb) => eb.or([eb('unit.valid_until', 'is', null), eb('unit.valid_until', '>', period.from)]))
    .orderBy('unit.name')
    .execute();
  if (children.length === 0) return [];
  const ids = children.map((child) => child.id);
  const [rows, book, targets] = await Promise.all([
    scoreCounts(db, { unitIds: ids, from: period.from, to: period.to, groupBy: ['unit'], questionRole: 'overall' }),
    dossierBook(db, ids, period),
    withTargets ? tthcTargets(db, ids, period) : new Map<number, EffectiveTarget>(),
  ]);
  const countsTowards = (id: number) =>
    (children.find((child) => child.id === id)?.counts_towards ?? []).filter((sibling) => ids.includes(sibling));
  // Through a chain of merges a child counts towards several siblings: the one it is
  // listed under is the one that is not itself included in another.
  const includedIn = new Map<number, number>();
  for (const child of children) {
    const into = countsTowards(child.id);
    const top = into.find((candidate) => countsTowards(candidate).length === 0) ?? into[0];
    if (top !== undefined) includedIn.set(child.id, top);
  }
  const rowOf = (child: (typeof children)[number]): Row => {
    const dossiers = dossiersOf(book, child.id, period);
    const parent = includedIn.get(child.id);
    const figure = figureOf(countsOf(rows.find((row) => row.unit === child.id)), dossiers.count);
    return {
      key: String(child.id),
      name: same(child.name),
      figure,
      dossiers,
      peerGroup: peerGroupOf(child.kind, child.agency_sector),
      ...heldTo(figure, targets.get(child.id)),
      ...(child.merged_into_id !== null && child.valid_until !== null
        ? { merged: { into: { id: child.merged_into_id, name: child.successor_name! }, from: child.valid_until } }
        : {}),
      ...(parent !== undefined ? { includedIn: String(parent) } : {}),
    };
  };
  return children
    .filter((child) => !includedIn.has(child.id))
    .flatMap((child) => [
      rowOf(child),
      ...children.filter((other) => includedIn.get(other.id) === child.id).map(rowOf),
    ]);
}

/** The days of `month` inside [from, to): a range may start or end within a month. */
function daysOfMonth(month: string, from: string, to: string): { from: string; to: string } {
  const next = addMonths(month, 1);
  return { from: month < from ? from : month, to: next > to ? to : next };
}

/**
 * The overall figure month by month, each held to that month's N and to the TTHC target
 * of its year (the unit's own or its nearest ancestor's), with the change since the month
 * before and since the same days a year earlier, whose figure the chart marks.
 */
export async function trend(db: Db, unitId: number, period: Period) {
  const months = monthsOf(period);
  const monthBefore = addMonths(months[0]!, -1);
  const lastYearFrom = yearBefore(period.from);
  const lastYearTo = yearBefore(period.to);
  const [rows, earlierRows, lastYearRows, held, book] = await Promise.all([
    counts(db, unitId, period, ['month'], { questionRole: 'overall' }),
    scoreCounts(db, {
      unitIds: [unitId],
      from: monthBefore,
      to: monthOf(period.from),
      groupBy: ['month'],
      questionRole: 'overall',
    }),
    scoreCounts(db, {
      unitIds: [unitId],
      from: lastYearFrom,
      to: lastYearTo,
      groupBy: ['month'],
      questionRole: 'overall',
    }),
    effectiveTargets(db, [unitId], [...new Set(months.map((month) => Number(month.slice(0, 4))))], 'tthc'),
    // One book for this period, the month before it and the same days a year earlier.
    dossierBook(db, [unitId], { ...period, from: lastYearFrom < monthBefore ? lastYearFrom : monthBefore }),
  ]);
  const figureAt = (found: CountRow[], month: string, days: { from: string; to: string }) =>
    figureOf(countsOf(found.find((row) => row.month === month)), dossiersOf(book, unitId, days).count);
  const inPeriod = months.map((month) => {
    const days = daysOfMonth(month, period.from, period.to);
    return { month, days, figure: figureAt(rows, month, days), dossiers: dossiersOf(book, unitId, days).count };
  });
  const before = figureAt(earlierRows, monthBefore, { from: monthBefore, to: monthOf(period.from) });
  return inPeriod.map(({ month, figure, dossiers }, index) => {
    const target = held.get(unitId)!.find((candidate) => candidate.year === Number(month.slice(0, 4)));
    const lastYearMonth = addMonths(month, -12);
    const lastYearFigure = figureAt(lastYearRows, lastYearMonth, daysOfMonth(lastYearMonth, lastYearFrom, lastYearTo));
    return {
      month,
      figure,
      dossiers,
      target: target
        ? { threshold: target.threshold, comparison: target.comparison, inheritedFrom: target.inheritedFrom }
        : null,
      compared: {
        previous: compareFigures(figure, index === 0 ? before : inPeriod[index - 1]!.figure),
        lastYear: compareFigures(figure, lastYearFigure),
      } satisfies Comparisons,
    };
  });
}

/**
 * The sub-units ranked among their peers (`PeerGroup`: communes, wards and special zones
 * together, agencies apart, hospitals and schools apart), each group on its own, by the
 * exact lower bound of their interval: a unit with few ratings cannot rank high on luck,
 * since its wide interval pulls the bound down. Units without enough ballots for ±5% (each
 * against its own N) are listed after their group's ranked ones, unranked, and merged units
 * last, unranked: they no longer exist to be ranked.
 */
export async function ranking(db: Db, unitId: number, period: Period) {
  const rows = await breakdown(db, unitId, period, 'subunit');
  const current = rows.filter((row) => !row.merged);
  const groups = (Object.keys(PEER_GROUPS) as PeerGroup[]).filter((group) =>
    current.some((row) => row.peerGroup === group),
  );
  return [
    ...groups.flatMap((group) => {
      const members = current.filter((row) => row.peerGroup === group);
      const ranked = members.filter((row) => row.figure.enough).sort((a, b) => byLowerBound(a.figure, b.figure));
      return [
        ...ranked.map((row, index) => ({ ...row, rank: (index + 1) as number | null, peers: ranked.length })),
        ...members.filter((row) => !row.figure.enough).map((row) => ({ ...row, rank: null, peers: ranked.length })),
      ];
    }),
    ...rows.filter((row) => row.merged).map((row) => ({ ...row, rank: null, peers: 0 })),
  ];
}

/** Reasons chosen after low ratings (3 or lower), most frequent first. */
export async function reasons(db: Db, unitId: number, period: Period) {
  const [rows, reasonRows, [lowRow]] = await Promise.all([
    reasonCounts(db, { unitIds: [unitId], from: period.from, to: period.to }),
    db.selectFrom('reason').selectAll().execute(),
    counts(db, unitId, period, [], { questionRole: 'overall' }),
  ]);
  // Versions of a questionnaire share reason codes: counts follow the code.
  const byCode = new Map<string, { name: Names; element: string; count: number }>();
  for (const row of rows) {
    const reason = reasonRows.find((candidate) => candidate.id === row.reason);
    if (!reason) continue;
    const entry = byCode.get(reason.code) ?? {
      name: { vi: reason.text_vi, en: reason.text_en },
      element: reason.element_code,
      count: 0,
    };
    entry.count += row.n;
    byCode.set(reason.code, entry);
  }
  const low = lowRow ? atOrBelow(lowRow, LOW_RATING_MAX) : 0;
  return {
    /** Ratings at or below the level that offers reasons. */
    lowRatings: low,
    lowRatingMax: LOW_RATING_MAX,
    reasons: [...byCode.entries()]
      .map(([code, entry]) => ({ code, ...entry, share: percentOf(entry.count, low) }))
      .sort((a, b) => b.count - a.count),
  };
}

/** The units a report may drill into: the unit's children and its parent, as names. */
export async function unitContext(db: Db, unitId: number) {
  const [unit, children] = await Promise.all([
    db
      .selectFrom('unit')
      .select(['id', 'name', 'parent_id', 'kind'])
      .where('id', '=', unitId)
      .executeTakeFirstOrThrow(),
    db
      .selectFrom('unit')
      .select(['id', 'name'])
      .select(sql<number>`(select count(*) from desk where desk.unit_id = unit.id)::integer`.as('desks'))
      .where('parent_id', '=', unitId)
      .orderBy('name')
      .execute(),
  ]);
  return { unit, children };
}

import { sql } from 'kysely';
import { inBothLanguages } from '../../web/i18n/shared.ts';
import type { Db } from '../db/database.ts';
import { LOW_RATING_MAX } from '../questionnaires/scale.ts';
import { ALL_ELEMENTS, type BallotSums, type ScoreCounts } from '../rollups/rollup.table.ts';
import { ballotSums, reasonCounts, scoreCounts, type CountRow, type Dimension } from '../rollups/score-counts.ts';
import type { TargetComparison as TargetComparisonKind, TargetMetric } from '../targets/target.table.ts';
import { addMonths } from '../time/vietnam-time.ts';
import { dossierBook, dossiersOf, type DossierCount } from './dossiers.ts';
import { monthsOf, yearParts, type Period } from './periods.ts';
import {
  atOrBelow,
  percentOf,
  addCounts,
  byLowerBound,
  compareWithTarget,
  figureOf,
  NO_BALLOTS,
  NO_COUNTS,
  pooledFigureOf,
  type Figure,
  type TargetComparison,
} from './statistics.ts';

/**
 * Report figures for a unit (with its sub-units and merged predecessors) over a period,
 * all read from the rollups through `scoreCounts` and `ballotSums`, all computed by
 * `statistics.ts`, each held to the sample size of the dossiers behind it (`dossiers.ts`).
 */

export type Names = { vi: string; en: string };

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
  figure: Figure;
  result: TargetComparison;
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
  /**
   * The targets of the period's year, each compared with the period; for a range across
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
  target?: { threshold: number; comparison: TargetComparisonKind; result: TargetComparison };
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

export async function summary(db: Db, unitId: number, period: Period): Promise<Summary> {
  const parts = yearParts(period);
  const [unit, whole, targets] = await Promise.all([
    findUnit(db, unitId),
    periodFigures(db, unitId, period),
    db
      .selectFrom('target')
      .leftJoin('domain', 'domain.id', 'target.domain_id')
      .selectAll('target')
      .select(['domain.code as domain_code', 'domain.name_vi', 'domain.name_en'])
      .where('target.unit_id', '=', unitId)
      .where(
        'target.year',
        'in',
        parts.map((part) => part.year),
      )
      .orderBy('target.year')
      .orderBy('target.metric')
      .orderBy('domain.position')
      .execute(),
  ]);
  // A range across years: each year's targets against that year's days only.
  const byYear = new Map<number, { period: Period; figures: PeriodFigures }>();
  for (const part of parts) {
    byYear.set(part.year, {
      period: part,
      figures: parts.length === 1 ? whole : await periodFigures(db, unitId, part),
    });
  }
  return {
    unit: { id: unit.id, code: unit.code, name: unit.name },
    period,
    dossiers: whole.dossiers,
    overall: whole.overall,
    elements: whole.elements,
    targets: targets.map((target) => {
      const { period: compared, figures } = byYear.get(target.year)!;
      const figure =
        target.metric === 'tthc'
          ? figures.overall
          : target.metric === 'agency_service'
            ? figures.elements
            : figureOf(
                countsOf(figures.byDomain.find((row) => row.domain === target.domain_id)),
                figures.dossiers.count,
              );
      return {
        id: target.id,
        metric: target.metric,
        domain: target.domain_code
          ? { code: target.domain_code, name: { vi: target.name_vi!, en: target.name_en! } }
          : null,
        comparison: target.comparison,
        threshold: target.threshold,
        year: target.year,
        period: compared,
        planNumber: target.plan_number,
        planDate: target.plan_date,
        planSentence: target.plan_sentence,
        figure,
        result: compareWithTarget(figure, target.threshold, target.comparison),
      };
    }),
  };
}

/** The unit's figures split one way, each with its interval and, for domains, its target. */
export async function breakdown(db: Db, unitId: number, period: Period, kind: BreakdownKind): Promise<Row[]> {
  switch (kind) {
    case 'domain': {
      // A range across years has no one year's targets: the summary compares year by year.
      const withinOneYear = yearParts(period).length === 1;
      const [rows, domains, targets, dossiers] = await Promise.all([
        counts(db, unitId, period, ['domain'], { questionRole: 'overall' }),
        db.selectFrom('domain').selectAll().orderBy('position').execute(),
        withinOneYear
          ? db
              .selectFrom('target')
              .selectAll()
              .where('unit_id', '=', unitId)
              .where('year', '=', period.year)
              .where('metric', '=', 'domain')
              .execute()
          : [],
        dossiersHandled(db, unitId, period),
      ]);
      return domains
        .filter(
          (domain) =>
            rows.some((row) => row.domain === domain.id) || targets.some((target) => target.domain_id === domain.id),
        )
        .map((domain) => {
          const figure = figureOf(countsOf(rows.find((row) => row.domain === domain.id)), dossiers.count);
          const target = targets.find((candidate) => candidate.domain_id === domain.id);
          return {
            key: domain.code,
            name: { vi: domain.name_vi, en: domain.name_en },
            figure,
            ...(target
              ? {
                  target: {
                    threshold: target.threshold,
                    comparison: target.comparison,
                    result: compareWithTarget(figure, target.threshold, target.comparison),
                  },
                }
              : {}),
          };
        });
    }
    case 'subunit':
      return subunits(db, unitId, period);
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
      const shown = desks.filter((desk) => rows.some((row) => row.desk === desk.id));
      // A desk is held to the N of its own unit: the smallest count that contains it.
      const book = await dossierBook(db, [...new Set(shown.map((desk) => desk.unit_id))], period);
      return shown.map((desk) => {
        const dossiers = dossiersOf(book, desk.unit_id, period);
        return {
          key: String(desk.id),
          name: same(desk.name),
          parent: desk.unit_name,
          figure: figureOf(countsOf(rows.find((row) => row.desk === desk.id)), dossiers.count),
          dossiers,
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
async function subunits(db: Db, unitId: number, period: Period): Promise<Row[]> {
  const children = await db
    .selectFrom('unit')
    .leftJoin('unit as successor', 'successor.id', 'unit.merged_into_id')
    .select([
      'unit.id',
      'unit.name',
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
  const [rows, book] = await Promise.all([
    scoreCounts(db, { unitIds: ids, from: period.from, to: period.to, groupBy: ['unit'], questionRole: 'overall' }),
    dossierBook(db, ids, period),
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
    return {
      key: String(child.id),
      name: same(child.name),
      figure: figureOf(countsOf(rows.find((row) => row.unit === child.id)), dossiers.count),
      dossiers,
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

/** The overall figure month by month, each held to that month's N and its year's TTHC target. */
export async function trend(db: Db, unitId: number, period: Period) {
  const [rows, targets, book] = await Promise.all([
    counts(db, unitId, period, ['month'], { questionRole: 'overall' }),
    db
      .selectFrom('target')
      .select(['year', 'threshold', 'comparison'])
      .where('unit_id', '=', unitId)
      .where('metric', '=', 'tthc')
      .execute(),
    dossierBook(db, [unitId], period),
  ]);
  return monthsOf(period).map((month) => {
    const target = targets.find((candidate) => candidate.year === Number(month.slice(0, 4)));
    // The month's days inside the period: a range may start or end within it.
    const next = addMonths(month, 1);
    const days = { from: month < period.from ? period.from : month, to: next > period.to ? period.to : next };
    const dossiers = dossiersOf(book, unitId, days);
    return {
      month,
      figure: figureOf(countsOf(rows.find((row) => row.month === month)), dossiers.count),
      dossiers: dossiers.count,
      target: target ? { threshold: target.threshold, comparison: target.comparison } : null,
    };
  });
}

/**
 * The sub-units ranked by the exact lower bound of their interval: a unit with few
 * ratings cannot rank high on luck, since its wide interval pulls the bound down. Units
 * without enough ballots for ±5% (each against its own N) are listed after, unranked, and
 * merged units last, unranked: they no longer exist to be ranked.
 */
export async function ranking(db: Db, unitId: number, period: Period) {
  const rows = await breakdown(db, unitId, period, 'subunit');
  const current = rows.filter((row) => !row.merged);
  const ranked = current.filter((row) => row.figure.enough).sort((a, b) => byLowerBound(a.figure, b.figure));
  return [
    ...ranked.map((row, index) => ({ ...row, rank: (index + 1) as number | null })),
    ...current.filter((row) => !row.figure.enough).map((row) => ({ ...row, rank: null })),
    ...rows.filter((row) => row.merged).map((row) => ({ ...row, rank: null })),
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

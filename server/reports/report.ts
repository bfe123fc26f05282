import { sql } from 'kysely';
import { inBothLanguages } from '../../web/i18n/shared.ts';
import type { Db } from '../db/database.ts';
import { LOW_RATING_MAX } from '../questionnaires/scale.ts';
import type { ScoreCounts } from '../rollups/rollup.table.ts';
import { reasonCounts, scoreCounts, type CountRow, type Dimension } from '../rollups/score-counts.ts';
import type { TargetComparison as TargetComparisonKind, TargetMetric } from '../targets/target.table.ts';
import { monthsOf, type Period } from './periods.ts';
import { addCounts, compareWithTarget, figureOf, NO_COUNTS, type Figure, type TargetComparison } from './statistics.ts';

/**
 * Report figures for a unit (with its sub-units and merged predecessors) over a period,
 * all read from the rollups through `scoreCounts`, all computed by `statistics.ts`.
 */

export type Names = { vi: string; en: string };

export interface TargetResult {
  id: number;
  metric: TargetMetric;
  domain: { code: string; name: Names } | null;
  comparison: TargetComparisonKind;
  threshold: number;
  planNumber: string | null;
  planDate: string | null;
  planSentence: string | null;
  figure: Figure;
  result: TargetComparison;
}

export interface Summary {
  unit: { id: number; code: string; name: string };
  period: Period;
  /** Dossiers the unit handled in the period, when recorded for every month of it. */
  dossiers: number | null;
  /** The overall question, every domain and channel: satisfaction with TTHC handling. */
  overall: Figure;
  /** Every criterion of the five SIPAS elements, pooled: the agency-service index. */
  elements: Figure;
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

function counts(
  db: Db,
  unitId: number,
  period: Period,
  groupBy: Dimension[],
  extra: { questionRole?: 'overall' | 'criterion'; domainIds?: number[] } = {},
) {
  return scoreCounts(db, { unitIds: [unitId], from: period.from, to: period.to, groupBy, ...extra });
}

/**
 * N for the sample-size rule: the dossiers recorded for the unit in each month of the
 * period; unknown when a month is missing or the period cuts through a month.
 */
export async function dossiersHandled(db: Db, unitId: number, period: Period): Promise<number | null> {
  const months = monthsOf(period);
  if (period.from !== months[0] || !period.to.endsWith('-01')) return null;
  const rows = await db
    .selectFrom('dossier_volume')
    .select(['month', 'dossiers'])
    .where('unit_id', '=', unitId)
    .where('month', '>=', period.from)
    .where('month', '<', period.to)
    .execute();
  return rows.length === months.length ? rows.reduce((sum, row) => sum + row.dossiers, 0) : null;
}

export async function summary(db: Db, unitId: number, period: Period): Promise<Summary> {
  const unit = await db
    .selectFrom('unit')
    .select(['id', 'code', 'name'])
    .where('id', '=', unitId)
    .executeTakeFirstOrThrow();
  const [dossiers, [criteriaRow], byDomain, targets] = await Promise.all([
    dossiersHandled(db, unitId, period),
    counts(db, unitId, period, [], { questionRole: 'criterion' }),
    counts(db, unitId, period, ['domain'], { questionRole: 'overall' }),
    db
      .selectFrom('target')
      .leftJoin('domain', 'domain.id', 'target.domain_id')
      .selectAll('target')
      .select(['domain.code as domain_code', 'domain.name_vi', 'domain.name_en'])
      .where('target.unit_id', '=', unitId)
      .where('target.year', '=', period.year)
      .orderBy('target.metric')
      .orderBy('domain.position')
      .execute(),
  ]);
  // Every rating has one domain: the unit's overall counts are the sum of its domains'.
  const overall = figureOf(
    byDomain.reduce((sum, row) => addCounts(sum, countsOf(row)), NO_COUNTS),
    dossiers,
  );
  const elements = figureOf(countsOf(criteriaRow), dossiers);
  return {
    unit,
    period,
    dossiers,
    overall,
    elements,
    targets: targets.map((target) => {
      // Domain figures have no known N of their own: the large-population rule applies.
      const figure =
        target.metric === 'tthc'
          ? overall
          : target.metric === 'agency_service'
            ? elements
            : figureOf(countsOf(byDomain.find((row) => row.domain === target.domain_id)));
      return {
        id: target.id,
        metric: target.metric,
        domain: target.domain_code
          ? { code: target.domain_code, name: { vi: target.name_vi!, en: target.name_en! } }
          : null,
        comparison: target.comparison,
        threshold: target.threshold,
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
      const [rows, domains, targets] = await Promise.all([
        counts(db, unitId, period, ['domain'], { questionRole: 'overall' }),
        db.selectFrom('domain').selectAll().orderBy('position').execute(),
        db
          .selectFrom('target')
          .selectAll()
          .where('unit_id', '=', unitId)
          .where('year', '=', period.year)
          .where('metric', '=', 'domain')
          .execute(),
      ]);
      return domains
        .filter(
          (domain) =>
            rows.some((row) => row.domain === domain.id) || targets.some((target) => target.domain_id === domain.id),
        )
        .map((domain) => {
          const figure = figureOf(countsOf(rows.find((row) => row.domain === domain.id)));
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
    case 'subunit': {
      const children = await db
        .selectFrom('unit')
        .select(['id', 'code', 'name'])
        .where('parent_id', '=', unitId)
        .orderBy('name')
        .execute();
      if (children.length === 0) return [];
      const rows = await scoreCounts(db, {
        unitIds: children.map((child) => child.id),
        from: period.from,
        to: period.to,
        groupBy: ['unit'],
        questionRole: 'overall',
      });
      return children.map((child) => ({
        key: String(child.id),
        name: same(child.name),
        figure: figureOf(countsOf(rows.find((row) => row.unit === child.id))),
      }));
    }
    case 'desk': {
      const [rows, desks] = await Promise.all([
        counts(db, unitId, period, ['desk'], { questionRole: 'overall' }),
        db
          .selectFrom('desk')
          .innerJoin('unit', 'unit.id', 'desk.unit_id')
          .innerJoin('unit_closure', 'unit_closure.unit_id', 'desk.unit_id')
          .select(['desk.id', 'desk.name', 'unit.name as unit_name'])
          .where('unit_closure.ancestor_id', '=', unitId)
          .orderBy('unit.name')
          .orderBy('desk.name')
          .execute(),
      ]);
      return desks
        .filter((desk) => rows.some((row) => row.desk === desk.id))
        .map((desk) => ({
          key: String(desk.id),
          name: same(desk.name),
          parent: desk.unit_name,
          figure: figureOf(countsOf(rows.find((row) => row.desk === desk.id))),
        }));
    }
    case 'element':
    case 'criterion': {
      const [rows, questions, elements] = await Promise.all([
        counts(db, unitId, period, ['question'], { questionRole: 'criterion' }),
        db.selectFrom('question').selectAll().where('role', '=', 'criterion').execute(),
        db.selectFrom('sipas_element').selectAll().orderBy('position').execute(),
      ]);
      // Versions of a questionnaire share criterion codes: figures follow the code.
      const byCode = new Map<string, { question: (typeof questions)[number]; counts: ScoreCounts }>();
      for (const row of rows) {
        const question = questions.find((candidate) => candidate.id === row.question);
        if (!question) continue;
        const entry = byCode.get(question.code) ?? { question, counts: NO_COUNTS };
        byCode.set(question.code, { question: entry.question, counts: addCounts(entry.counts, countsOf(row)) });
      }
      if (kind === 'criterion') {
        return [...byCode.values()]
          .sort((a, b) => a.question.position - b.question.position)
          .map(({ question, counts: answers }) => ({
            key: question.code,
            name: { vi: question.text_vi, en: question.text_en },
            parent: question.element_code ?? undefined,
            figure: figureOf(answers),
          }));
      }
      return elements.map((element) => ({
        key: element.code,
        name: { vi: element.name_vi, en: element.name_en },
        figure: figureOf(
          [...byCode.values()]
            .filter(({ question }) => question.element_code === element.code)
            .reduce((sum, { counts: answers }) => addCounts(sum, answers), NO_COUNTS),
        ),
      }));
    }
    case 'channel': {
      const rows = await counts(db, unitId, period, ['channel'], { questionRole: 'overall' });
      return Object.entries(CHANNEL_NAMES)
        .filter(([code]) => rows.some((row) => row.channel === code))
        .map(([code, name]) => ({
          key: code,
          name,
          figure: figureOf(countsOf(rows.find((row) => row.channel === code))),
        }));
    }
  }
}

/** The overall figure month by month, with the TTHC target of each month's year. */
export async function trend(db: Db, unitId: number, period: Period) {
  const [rows, targets] = await Promise.all([
    counts(db, unitId, period, ['month'], { questionRole: 'overall' }),
    db
      .selectFrom('target')
      .select(['year', 'threshold', 'comparison'])
      .where('unit_id', '=', unitId)
      .where('metric', '=', 'tthc')
      .execute(),
  ]);
  return monthsOf(period).map((month) => {
    const target = targets.find((candidate) => candidate.year === Number(month.slice(0, 4)));
    return {
      month,
      figure: figureOf(countsOf(rows.find((row) => row.month === month))),
      target: target ? { threshold: target.threshold, comparison: target.comparison } : null,
    };
  });
}

/**
 * The sub-units ranked by the lower bound of their interval: a unit with few ratings
 * cannot rank high on luck, since its wide interval pulls the bound down. Units without
 * enough answers for ±5% are listed after, unranked.
 */
export async function ranking(db: Db, unitId: number, period: Period) {
  const rows = await breakdown(db, unitId, period, 'subunit');
  const ranked = rows
    .filter((row) => row.figure.enough)
    .sort((a, b) => b.figure.interval!.low - a.figure.interval!.low || b.figure.n - a.figure.n);
  return [
    ...ranked.map((row, index) => ({ ...row, rank: (index + 1) as number | null })),
    ...rows.filter((row) => !row.figure.enough).map((row) => ({ ...row, rank: null })),
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
  const low = lowRow ? lowRow.n1 + lowRow.n2 + lowRow.n3 : 0;
  return {
    /** Ratings at or below the level that offers reasons. */
    lowRatings: low,
    lowRatingMax: LOW_RATING_MAX,
    reasons: [...byCode.entries()].map(([code, entry]) => ({ code, ...entry })).sort((a, b) => b.count - a.count),
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

import { z } from 'zod';
import type { Db } from '../db/database.ts';
import { dossierBook, dossiersOf } from '../reports/dossiers.ts';
import { parsePeriod, periodLabel, type Period } from '../reports/periods.ts';
import { compareWithTarget, figureOf, type Figure } from '../reports/statistics.ts';
import { addMonths, vietnamDate } from '../time/vietnam-time.ts';
import type { UnitKind } from '../units/unit.table.ts';
import type { ScorecardFigure } from './scorecard.table.ts';

/**
 * A unit's public scorecard for one released period: only what the release published
 * (`release.ts`, `disclosure.ts`), each figure computed by `statistics.ts` like the
 * officials' report, held to the dossiers handled and compared with the unit's targets.
 * The same object is the page, the JSON and CSV open data and the badge.
 */

const namesSchema = z.object({ vi: z.string(), en: z.string() });

const shownFigureSchema = z.object({
  published: z.literal(true),
  n: z.int().describe('Ratings behind the figure: valid answers to the overall question'),
  satisfied: z.int().describe('Answers of 4 (Hài lòng) or 5 (Rất hài lòng)'),
  share: z.number().describe('Percent satisfied, two decimals'),
  interval: z.object({ low: z.number(), high: z.number() }).describe('95% Wilson score interval of the share, percent'),
  mean: z.number().describe('Mean score on the 1–5 scale'),
  counts: z
    .object({ n1: z.int(), n2: z.int(), n3: z.int(), n4: z.int(), n5: z.int() })
    .describe('Answers per level: 1 Rất không hài lòng … 5 Rất hài lòng'),
  required: z.int().describe('Ratings needed for ±5 points at 95% confidence, given the dossiers handled'),
  enough: z.boolean().describe('Whether n reaches `required`; if not, the figure is not compared with a target'),
});

const hiddenFigureSchema = z.object({
  published: z.literal(false),
  reason: z
    .enum(['no_ratings', 'suppressed'])
    .describe('`suppressed`: too few ratings, or published it would reveal a smaller group by subtraction'),
});

export const publicFigureSchema = z.discriminatedUnion('published', [shownFigureSchema, hiddenFigureSchema]);
export type PublicFigure = z.infer<typeof publicFigureSchema>;

const statusSchema = z
  .enum(['met', 'not_met', 'uncertain', 'not_enough_data', 'not_published'])
  .describe(
    'met: the interval lies above the target; not_met: below it; uncertain: the target lies inside the interval; not_enough_data: fewer ratings than `required`; not_published: the figure is suppressed',
  );

const comparedSchema = z.object({
  comparison: z.enum(['gte', 'gt']).describe('gte: at least the threshold; gt: above it'),
  threshold: z.number().describe('Percent'),
  status: statusSchema,
  gap: z.number().nullable().describe('Share minus threshold, percentage points'),
});

export const scorecardSchema = z.object({
  format: z.literal('sipas-scorecard/1'),
  unit: z.object({ code: z.string(), name: z.string(), kind: z.string() }),
  period: z.object({
    key: z.string().describe('2026-Q3, 2026-H1, 2026-9M, 2026 or 2026-07'),
    kind: z.enum(['month', 'quarter', 'half', 'nine_months', 'year']),
    first: z.string().describe('First day, Vietnam time'),
    last: z.string().describe('Last day, Vietnam time'),
    label: namesSchema,
  }),
  released: z.string().describe('Day the figures were released; they do not change afterwards'),
  minRatings: z.int().describe('No published figure, and no difference of published figures, holds fewer ratings'),
  overall: publicFigureSchema.describe('Satisfaction with the handling of administrative procedures (all domains)'),
  dossiers: z
    .object({
      count: z.int().nullable().describe('Dossiers handled in the period (N), where the unit entered them'),
      missingMonths: z.array(z.string()).describe('Months without a count, filled at the rate of the others'),
    })
    .describe('N, behind the sample size needed and the coverage'),
  coverage: z.number().nullable().describe('Ratings per 100 dossiers handled, where N is known'),
  targets: z.array(
    comparedSchema.extend({
      metric: z.enum(['tthc', 'domain']),
      domain: z.object({ code: z.string(), name: namesSchema }).nullable(),
      year: z.int(),
      planNumber: z.string().nullable(),
      planDate: z.string().nullable(),
    }),
  ),
  domains: z
    .array(
      z.object({
        code: z.string(),
        name: namesSchema,
        figure: shownFigureSchema,
        target: comparedSchema.nullable(),
      }),
    )
    .describe('Domains published on their own; the others are counted in `overall` only'),
  domainsNotShown: z.int().describe('Domains with ratings in the period that are not published on their own'),
  months: z.array(z.object({ month: z.string(), figure: publicFigureSchema })).describe('The monthly trend'),
  followUp: z
    .object({
      comments: z.int().describe('Ratings of the period that came with a comment'),
      answered: z.int().describe('Of them, answered by the unit by the day of the release'),
      medianDaysToAnswer: z.number().nullable().describe('From the rating to its answer; with at least 5 answered'),
    })
    .nullable(),
  subUnits: z.array(z.object({ code: z.string(), name: z.string(), url: z.string() })),
  parent: z.object({ code: z.string(), name: z.string(), url: z.string() }).nullable(),
});
export type Scorecard = z.infer<typeof scorecardSchema>;

/** The periods open data is published for: whole months, quarters, 6 and 9 months, years. */
export const PUBLIC_PERIOD_KINDS = ['month', 'quarter', 'half', 'nine_months', 'year'] as const;

export interface PublicUnit {
  id: number;
  code: string;
  name: string;
  kind: UnitKind;
  parent_id: number | null;
}

/** The opted-in unit with this code, or undefined (for unknown codes too). */
export async function findPublicUnit(db: Db, code: string): Promise<PublicUnit | undefined> {
  return db
    .selectFrom('unit')
    .select(['id', 'code', 'name', 'kind', 'parent_id'])
    .where('code', '=', code)
    .where('public_scorecard', '=', true)
    .executeTakeFirst();
}

/** The periods released for the unit, newest first. */
export async function releasedPeriods(db: Db, unitId: number): Promise<string[]> {
  const rows = await db
    .selectFrom('scorecard_figure')
    .select('period')
    .where('unit_id', '=', unitId)
    .where('domain_id', 'is', null)
    .execute();
  return rows.map((row) => row.period).sort((a, b) => periodEnd(b).localeCompare(periodEnd(a)) || b.localeCompare(a));
}

const periodEnd = (key: string) => parsePeriod(key)!.to;

/** The newest released quarter of the unit, which its page opens on. */
export function latestQuarter(periods: string[]): string | undefined {
  return periods.find((key) => /-Q[1-4]$/.test(key));
}

/**
 * The year-type period shown beside a quarter: the year so far (first 6 or 9 months, the
 * year), or for a first quarter the year before; when released for the unit.
 */
export function yearOfQuarter(quarter: string, periods: string[]): string | undefined {
  const year = quarter.slice(0, 4);
  const index = Number(quarter.slice(6));
  const running =
    index === 2 ? `${year}-H1` : index === 3 ? `${year}-9M` : index === 4 ? year : String(Number(year) - 1);
  return periods.includes(running) ? running : undefined;
}

const countsOf = (row: ScorecardFigure) => ({ n1: row.n1, n2: row.n2, n3: row.n3, n4: row.n4, n5: row.n5 });
const ratingsOf = (row: ScorecardFigure) => row.n1 + row.n2 + row.n3 + row.n4 + row.n5;

function publicFigure(row: ScorecardFigure | undefined, dossiers: number | null): PublicFigure {
  if (!row || ratingsOf(row) === 0) return { published: false, reason: 'no_ratings' };
  if (!row.published) return { published: false, reason: 'suppressed' };
  return shown(figureOf(countsOf(row), dossiers));
}

function shown(figure: Figure): z.infer<typeof shownFigureSchema> {
  return {
    published: true,
    n: figure.n,
    satisfied: figure.satisfied,
    share: figure.share!,
    interval: figure.interval!,
    mean: figure.mean!,
    counts: figure.counts,
    required: figure.required,
    enough: figure.enough,
  };
}

/** Statuses are decided on exact bounds, as in the officials' report (`compareWithTarget`). */
function compared(
  row: ScorecardFigure | undefined,
  dossiers: number | null,
  threshold: number,
  comparison: 'gte' | 'gt',
) {
  if (!row || !row.published || ratingsOf(row) === 0)
    return { comparison, threshold, status: 'not_published' as const, gap: null };
  const result = compareWithTarget(figureOf(countsOf(row), dossiers), threshold, comparison);
  return { comparison, threshold, ...result };
}

/** Months of a released period, `YYYY-MM-01`. */
function monthsIn(period: Period): string[] {
  const months: string[] = [];
  for (let month = period.from; month < period.to; month = addMonths(month, 1)) months.push(month);
  return months;
}

/**
 * Builds the scorecard of an opted-in unit for a released period (undefined when the
 * period was not released for it). `baseUrl` makes the links absolute, for open data.
 */
export async function buildScorecard(
  db: Db,
  unit: PublicUnit,
  periodKey: string,
  baseUrl: string,
): Promise<Scorecard | undefined> {
  const period = parsePeriod(periodKey);
  if (!period || period.kind === 'range') return undefined;
  const monthKeys = monthsIn(period).map((month) => month.slice(0, 7));
  const [figures, domains, targets, book, relatives] = await Promise.all([
    db
      .selectFrom('scorecard_figure')
      .selectAll()
      .where('unit_id', '=', unit.id)
      .where('period', 'in', [periodKey, ...monthKeys])
      .execute(),
    db.selectFrom('domain').select(['id', 'code', 'name_vi', 'name_en', 'position']).execute(),
    db
      .selectFrom('target')
      .selectAll()
      .where('unit_id', '=', unit.id)
      .where('year', '=', period.year)
      .where('metric', 'in', ['tthc', 'domain'])
      .orderBy('metric', 'desc')
      .execute(),
    dossierBook(db, [unit.id], period),
    db
      .selectFrom('unit')
      .select(['code', 'name', 'parent_id'])
      .where((eb) =>
        eb.and([
          eb('public_scorecard', '=', true),
          eb.or([eb('parent_id', '=', unit.id), ...(unit.parent_id !== null ? [eb('id', '=', unit.parent_id)] : [])]),
        ]),
      )
      .orderBy('name')
      .execute(),
  ]);
  const total = figures.find((row) => row.period === periodKey && row.domain_id === null);
  if (!total) return undefined;
  const dossiers = dossiersOf(book, unit.id, period);
  const overall = publicFigure(total, dossiers.count);
  const domainOf = new Map(domains.map((domain) => [domain.id, domain]));
  const domainRows = figures
    .filter((row) => row.period === periodKey && row.domain_id !== null && ratingsOf(row) > 0)
    .sort((a, b) => domainOf.get(a.domain_id!)!.position - domainOf.get(b.domain_id!)!.position);
  const url = (code: string) => `${baseUrl}/p/${encodeURIComponent(code)}`;
  const rowOfDomain = (domainId: number | null) =>
    figures.find((row) => row.period === periodKey && row.domain_id === domainId);

  return {
    format: 'sipas-scorecard/1',
    unit: { code: unit.code, name: unit.name, kind: unit.kind },
    period: {
      key: periodKey,
      kind: period.kind,
      first: period.from,
      last: new Date(Date.parse(`${period.to}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10),
      label: { vi: periodLabel(period, 'vi'), en: periodLabel(period, 'en') },
    },
    released: vietnamDate(total.released_at),
    minRatings: total.min_ratings,
    overall,
    dossiers,
    coverage:
      overall.published && dossiers.count !== null && dossiers.count > 0
        ? Math.round((10_000 * overall.n) / dossiers.count) / 100
        : null,
    targets: targets.map((target) => {
      const domain = target.domain_id !== null ? domainOf.get(target.domain_id) : undefined;
      return {
        metric: target.metric as 'tthc' | 'domain',
        domain: domain ? { code: domain.code, name: { vi: domain.name_vi, en: domain.name_en } } : null,
        year: target.year,
        planNumber: target.plan_number,
        planDate: target.plan_date,
        ...compared(rowOfDomain(target.domain_id), dossiers.count, target.threshold, target.comparison),
      };
    }),
    domains: domainRows
      .filter((row) => row.published)
      .map((row) => {
        const domain = domainOf.get(row.domain_id!)!;
        const target = targets.find((candidate) => candidate.metric === 'domain' && candidate.domain_id === domain.id);
        return {
          code: domain.code,
          name: { vi: domain.name_vi, en: domain.name_en },
          figure: shown(figureOf(countsOf(row), dossiers.count)),
          target: target ? compared(row, dossiers.count, target.threshold, target.comparison) : null,
        };
      }),
    domainsNotShown: domainRows.filter((row) => !row.published).length,
    months: monthKeys.map((month) => {
      const row = figures.find((candidate) => candidate.period === month && candidate.domain_id === null);
      const next = addMonths(`${month}-01`, 1);
      return { month, figure: publicFigure(row, dossiersOf(book, unit.id, { from: `${month}-01`, to: next }).count) };
    }),
    followUp: overall.published ? followUpOf(total) : null,
    subUnits: relatives
      .filter((relative) => relative.parent_id === unit.id)
      .map((relative) => ({ code: relative.code, name: relative.name, url: url(relative.code) })),
    parent:
      relatives
        .filter((relative) => relative.parent_id !== unit.id)
        .map((relative) => ({ code: relative.code, name: relative.name, url: url(relative.code) }))[0] ?? null,
  };
}

/** Fewer answered comments than this give no median: it would say little, of few people. */
const MEDIAN_FROM = 5;

/** How the period's comments were followed up by the release day: counts only, never text. */
function followUpOf(total: ScorecardFigure) {
  if (total.comments === null) return null;
  const answered = total.comments_answered ?? 0;
  return {
    comments: total.comments,
    answered,
    medianDaysToAnswer:
      answered >= MEDIAN_FROM && total.answer_days_median !== null
        ? Math.round(total.answer_days_median * 10) / 10
        : null,
  };
}

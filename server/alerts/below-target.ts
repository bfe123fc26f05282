import { sql } from 'kysely';
import { effectiveTargets, type EffectiveTarget } from '../reports/effective-targets.ts';
import { figureOf, NO_COUNTS } from '../reports/statistics.ts';
import { formatNumber, formatPercent, formatThreshold } from '../reports/vietnamese.ts';
import type { ScoreCounts } from '../rollups/rollup.table.ts';
import type { CountRow } from '../rollups/score-counts.ts';
import { addDays, vietnamDate, vietnamMidnight, vietnamMonth } from '../time/vietnam-time.ts';
import type { Alert } from './alert.table.ts';
import { overallAnswerOf } from './overall-answer.ts';
import {
  desksToEvaluate,
  type AlertRuleDefinition,
  type NewRatings,
  type RuleContext,
  type Verdict,
} from './alert-rule.ts';

/**
 * Below target, for sure: the upper bound of the 95% Wilson interval of the satisfied
 * share (overall question) lies below the target the subject is held to, both over the
 * year so far (the target's period) and over the last 30 days. Never on a point estimate:
 * a desk at 70% on 12 ratings has an interval reaching past 90% and stays quiet; and
 * never on the year alone, so that a desk that has recovered for a month is not alerted
 * about January. The alert clears as soon as either bound reaches the target again.
 */

type Subject =
  | { kind: 'desk'; deskId: number; unitId: number }
  | { kind: 'unit'; unitId: number }
  | { kind: 'domain'; unitId: number; domainId: number };

const keyOf = (subject: Subject) =>
  subject.kind === 'desk'
    ? `below_target:desk:${subject.deskId}`
    : subject.kind === 'unit'
      ? `below_target:unit:${subject.unitId}`
      : `below_target:domain:${subject.unitId}:${subject.domainId}`;

function subjectOfAlert(alert: Alert): Subject {
  if (alert.desk_id !== null) return { kind: 'desk', deskId: alert.desk_id, unitId: alert.unit_id };
  if (alert.domain_id !== null) return { kind: 'domain', unitId: alert.unit_id, domainId: alert.domain_id };
  return { kind: 'unit', unitId: alert.unit_id };
}

/** The target a subject is held to: a domain's own target, else its unit's TTHC target. */
function targetOf(targets: EffectiveTarget[], subject: Subject): EffectiveTarget | undefined {
  const tthc = targets.find((target) => target.metric === 'tthc');
  if (subject.kind !== 'domain') return tthc;
  return targets.find((target) => target.metric === 'domain' && target.domain?.id === subject.domainId) ?? tthc;
}

/** The two windows a subject is judged over: the year so far, and the last 30 days. */
type Window = 'year' | 'last30';

/**
 * The days of both windows. The year so far is its whole months (from the month rollups)
 * and this month's days; the last 30 days are days alone. Days come from the day rollups,
 * and ratings not yet folded from the pending list, so no window reads every rating.
 */
function windowsOf(now: Date) {
  const today = vietnamDate(now);
  const thisMonth = vietnamMonth(now);
  const yearFrom = `${today.slice(0, 4)}-01-01`;
  const last30 = addDays(today, -29);
  return {
    yearFrom,
    thisMonth,
    last30,
    dayFrom: last30 < thisMonth ? last30 : thisMonth,
    tomorrow: addDays(today, 1),
    yearStart: vietnamMidnight(yearFrom),
    last30Start: vietnamMidnight(last30),
    pendingFrom: vietnamMidnight(last30 < yearFrom ? last30 : yearFrom),
    end: vietnamMidnight(addDays(today, 1)),
  };
}

type Windows = ReturnType<typeof windowsOf>;

/** Overall-question counts of every subject over both windows: two statements for any number of subjects. */
async function countsOver(context: RuleContext, subjects: Subject[]) {
  const desks = subjects.filter((subject) => subject.kind === 'desk');
  const units = [...new Set(subjects.filter((subject) => subject.kind !== 'desk').map((subject) => subject.unitId))];
  const windows = windowsOf(context.now);
  const [deskRows, unitRows] = await Promise.all([
    desks.length === 0 ? [] : deskCounts(context, desks, windows),
    units.length === 0 ? [] : unitCounts(context, units, windows),
  ]);
  const found = new Map<string, ScoreCounts>();
  const add = (key: string, row: WindowCountRow) => {
    const sum = found.get(`${row.window}:${key}`) ?? NO_COUNTS;
    found.set(`${row.window}:${key}`, {
      n1: sum.n1 + row.n1,
      n2: sum.n2 + row.n2,
      n3: sum.n3 + row.n3,
      n4: sum.n4 + row.n4,
      n5: sum.n5 + row.n5,
    });
  };
  for (const row of deskRows) add(`below_target:desk:${row.desk}`, row);
  for (const row of unitRows) {
    add(`below_target:unit:${row.unit}`, row);
    add(`below_target:domain:${row.unit}:${row.domain}`, row);
  }
  return (window: Window, subject: Subject) => found.get(`${window}:${keyOf(subject)}`) ?? NO_COUNTS;
}

type WindowCountRow = CountRow & { window: Window };

/**
 * Ratings not yet folded into the rollups that fall in either window, each looked up by
 * its key, with its overall score and the windows it counts in (`year`, `last30`): a
 * common table of its own, materialised, so that the planner joins the list to the
 * subjects once rather than the subjects to each pending rating.
 */
const pendingInWindows = (windows: Windows) => sql`
  pending as materialized (
    select r.unit_id, r.desk_id, r.domain_id, a.score,
      r.rated_at >= ${windows.yearStart} as year, r.rated_at >= ${windows.last30Start} as last30
    from rollup_pending p
    cross join lateral (
      select id, unit_id, desk_id, domain_id, rated_at from response
      where id = p.response_id and rated_at >= ${windows.pendingFrom} and rated_at < ${windows.end}
      offset 0
    ) r
    ${overallAnswerOf(sql`r.id`)}
  )
`;

/** The day rollups of either window (`from rollup_overall_day d` and a condition on it), with the windows each counts in. */
const daysInWindows = (windows: Windows) => sql`
  cross join lateral (values ('year', d.day >= ${windows.thisMonth}::date), ('last30', d.day >= ${windows.last30}::date))
    as w (window_name, inside)
  where w.inside and d.day >= ${windows.dayFrom}::date and d.day < ${windows.tomorrow}::date
`;

/** A pending rating's counts in each window it falls in (`from pending`). */
const pendingCounted = sql`
  cross join lateral (values ('year', pending.year), ('last30', pending.last30)) as w (window_name, inside)
`;

/**
 * Overall-question counts per desk over both windows: the year's whole months from the
 * desk month rollups, days from the day rollups (both by their key), and the pending tail.
 */
async function deskCounts(
  context: RuleContext,
  desks: { deskId: number; unitId: number }[],
  windows: Windows,
): Promise<WindowCountRow[]> {
  const rows = await sql<WindowCountRow>`
    with subject as (
      select distinct desk_id, unit_id
      from unnest(${desks.map((desk) => desk.deskId)}::integer[], ${desks.map((desk) => desk.unitId)}::integer[])
        as pair (desk_id, unit_id)
    ),
    ${pendingInWindows(windows)},
    counted as (
      select d.desk_id, w.window_name, d.n1, d.n2, d.n3, d.n4, d.n5
      from subject
      join rollup_overall_day d on d.unit_id = subject.unit_id and d.desk_id = subject.desk_id
      ${daysInWindows(windows)}
      union all
      select r.desk_id, 'year', r.n1, r.n2, r.n3, r.n4, r.n5
      from subject
      join rollup_desk_month r on r.unit_id = subject.unit_id
        and r.month >= ${windows.yearFrom}::date and r.month < ${windows.thisMonth}::date and r.desk_id = subject.desk_id
      join question q on q.id = r.question_id and q.role = 'overall'
      union all
      select pending.desk_id, w.window_name, (pending.score = 1)::integer, (pending.score = 2)::integer,
        (pending.score = 3)::integer, (pending.score = 4)::integer, (pending.score = 5)::integer
      from pending
      join subject on subject.desk_id = pending.desk_id
      ${pendingCounted}
      where w.inside
    )
    select desk_id as desk, window_name as window, sum(n1)::integer as n1, sum(n2)::integer as n2,
      sum(n3)::integer as n3, sum(n4)::integer as n4, sum(n5)::integer as n5
    from counted group by desk_id, window_name
  `.execute(context.db);
  return rows.rows;
}

/**
 * Overall-question counts per unit (its subtree) and domain over both windows: the year's
 * whole months from the unit month rollups; days from the day rollups of each leaf unit,
 * added up its ancestors; and the pending tail. Written here rather than with
 * `scoreCounts`, whose closure lookup against a list of thousands of units (every unit
 * with a rating, nationally) costs a scan of that list per rating.
 */
async function unitCounts(context: RuleContext, unitIds: number[], windows: Windows): Promise<WindowCountRow[]> {
  const rows = await sql<WindowCountRow>`
    with subject as (select distinct unnest(${unitIds}::integer[]) as unit_id),
    leaf as (
      select distinct c.unit_id from subject join unit_closure c on c.ancestor_id = subject.unit_id
    ),
    ${pendingInWindows(windows)},
    leaf_days as (
      select d.unit_id, d.domain_id, w.window_name, sum(d.n1) as n1, sum(d.n2) as n2, sum(d.n3) as n3,
        sum(d.n4) as n4, sum(d.n5) as n5
      from leaf
      join rollup_overall_day d on d.unit_id = leaf.unit_id
      ${daysInWindows(windows)}
      group by d.unit_id, d.domain_id, w.window_name
    ),
    counted as (
      select c.ancestor_id as unit, leaf_days.domain_id as domain, leaf_days.window_name,
        leaf_days.n1, leaf_days.n2, leaf_days.n3, leaf_days.n4, leaf_days.n5
      from leaf_days
      join unit_closure c on c.unit_id = leaf_days.unit_id
      join subject on subject.unit_id = c.ancestor_id
      union all
      select r.unit_id, r.domain_id, 'year', r.n1, r.n2, r.n3, r.n4, r.n5
      from rollup_unit_month r
      join subject on subject.unit_id = r.unit_id
      join question q on q.id = r.question_id and q.role = 'overall'
      where r.month >= ${windows.yearFrom}::date and r.month < ${windows.thisMonth}::date
      union all
      select c.ancestor_id, pending.domain_id, w.window_name, (pending.score = 1)::integer,
        (pending.score = 2)::integer, (pending.score = 3)::integer, (pending.score = 4)::integer,
        (pending.score = 5)::integer
      from pending
      join unit_closure c on c.unit_id = pending.unit_id
      join subject on subject.unit_id = c.ancestor_id
      ${pendingCounted}
      where w.inside
    )
    select unit, domain, window_name as window, sum(n1)::integer as n1, sum(n2)::integer as n2,
      sum(n3)::integer as n3, sum(n4)::integer as n4, sum(n5)::integer as n5
    from counted group by unit, domain, window_name
  `.execute(context.db);
  return rows.rows;
}

async function evaluate(context: RuleContext, subjects: Subject[]): Promise<Verdict[]> {
  if (subjects.length === 0) return [];
  const today = vietnamDate(context.now);
  const year = Number(today.slice(0, 4));
  const unitIds = [...new Set(subjects.map((subject) => subject.unitId))];
  const [settings, targets, countsOf] = await Promise.all([
    context.settingsOf(unitIds),
    effectiveTargets(context.db, unitIds, [year]),
    countsOver(context, subjects),
  ]);
  const names = await namesOf(context, subjects);
  return subjects.map((subject): Verdict => {
    const conditionKey = keyOf(subject);
    const setting = settings.get(subject.unitId)!;
    const target = targetOf(targets.get(subject.unitId) ?? [], subject);
    if (!setting.below_target || !target) return { conditionKey, state: 'clear' };
    const [overYear, overMonth] = [figureOf(countsOf('year', subject)), figureOf(countsOf('last30', subject))];
    const below = (figure: typeof overYear) =>
      figure.n >= setting.below_target_min_ratings &&
      figure.exact !== null &&
      (target.comparison === 'gte' ? figure.exact.high < target.threshold : figure.exact.high <= target.threshold);
    if (!below(overYear) || !below(overMonth)) return { conditionKey, state: 'clear' };
    const name = names(subject);
    const phrase = (figure: typeof overYear, language: 'vi' | 'en') =>
      language === 'vi'
        ? `${formatPercent(figure.exact!.share)} (khoảng tin cậy 95%: ${formatPercent(figure.exact!.low)}–${formatPercent(figure.exact!.high)}, ${formatNumber(figure.n)} lượt đánh giá)`
        : `${figure.exact!.share.toFixed(1)}% (95% interval ${figure.exact!.low.toFixed(1)}–${figure.exact!.high.toFixed(1)}%, ${figure.n} ratings)`;
    return {
      conditionKey,
      state: 'firing',
      finding: {
        rule: 'below_target',
        conditionKey,
        unitId: subject.unitId,
        domainId: subject.kind === 'domain' ? subject.domainId : null,
        deskId: subject.kind === 'desk' ? subject.deskId : null,
        explanation: {
          vi:
            `${name.vi}: mức độ hài lòng chắc chắn dưới chỉ tiêu ${formatThreshold(target.threshold)}. ` +
            `Từ đầu năm ${year}: ${phrase(overYear, 'vi')}; 30 ngày qua: ${phrase(overMonth, 'vi')}. ` +
            `Ngay cả giới hạn trên của khoảng tin cậy cũng thấp hơn chỉ tiêu, nên đây không phải do ít phiếu hay ngẫu nhiên.`,
          en:
            `${name.en}: satisfaction is below the ${target.threshold}% target for sure. ` +
            `Year ${year} so far: ${phrase(overYear, 'en')}; last 30 days: ${phrase(overMonth, 'en')}. ` +
            `Even the upper bound of the interval is below the target, so this is not chance or a small sample.`,
        },
        link:
          subject.kind === 'desk'
            ? `/desks/${subject.deskId}`
            : `/?unitId=${subject.unitId}&period=${year}${subject.kind === 'domain' ? `&domainId=${subject.domainId}` : ''}`,
        evidence: {
          threshold: target.threshold,
          comparison: target.comparison,
          targetId: target.id,
          year: { n: overYear.n, share: overYear.exact!.share, high: overYear.exact!.high },
          last30Days: { n: overMonth.n, share: overMonth.exact!.share, high: overMonth.exact!.high },
        },
      },
    };
  });
}

/** Names of the subjects, for the explanations: "Quầy 1 — Xã A", "Xã A — Đất đai". */
async function namesOf(context: RuleContext, subjects: Subject[]) {
  const deskIds = subjects.flatMap((subject) => (subject.kind === 'desk' ? [subject.deskId] : []));
  const unitIds = [...new Set(subjects.map((subject) => subject.unitId))];
  const domainIds = [...new Set(subjects.flatMap((subject) => (subject.kind === 'domain' ? [subject.domainId] : [])))];
  const [desks, units, domains] = await Promise.all([
    deskIds.length ? context.db.selectFrom('desk').select(['id', 'name']).where('id', 'in', deskIds).execute() : [],
    context.db.selectFrom('unit').select(['id', 'name']).where('id', 'in', unitIds).execute(),
    domainIds.length
      ? context.db.selectFrom('domain').select(['id', 'name_vi', 'name_en']).where('id', 'in', domainIds).execute()
      : [],
  ]);
  const desk = new Map(desks.map((row) => [row.id, row.name]));
  const unit = new Map(units.map((row) => [row.id, row.name]));
  const domain = new Map(domains.map((row) => [row.id, row]));
  return (subject: Subject) => {
    const unitName = unit.get(subject.unitId) ?? '';
    if (subject.kind === 'desk') {
      const name = `${desk.get(subject.deskId) ?? ''} — ${unitName}`;
      return { vi: name, en: name };
    }
    if (subject.kind === 'unit') return { vi: unitName, en: unitName };
    const names = domain.get(subject.domainId);
    return { vi: `${unitName} — lĩnh vực ${names?.name_vi ?? ''}`, en: `${unitName} — ${names?.name_en ?? ''}` };
  };
}

export const belowTarget: AlertRuleDefinition = {
  rule: 'below_target',
  afterRatings: async (context, ratings: NewRatings) =>
    evaluate(context, [
      ...(await desksToEvaluate(context, 'below_target', ratings.desks, (desk) => desk.anyUnsatisfied)).map(
        (desk): Subject => ({ kind: 'desk', ...desk }),
      ),
      ...ratings.unitIds.map((unitId): Subject => ({ kind: 'unit', unitId })),
      ...ratings.unitDomains.map((pair): Subject => ({ kind: 'domain', ...pair })),
    ]),
  // Each day moves both windows: an open alert may clear with no new rating.
  sweep: (context, open) => evaluate(context, open.map(subjectOfAlert)),
  sweepsDaily: true,
};

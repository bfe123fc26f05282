import { sql } from 'kysely';
import { effectiveTargets, type EffectiveTarget } from '../reports/effective-targets.ts';
import { figureOf, NO_COUNTS } from '../reports/statistics.ts';
import { formatNumber, formatPercent, formatThreshold } from '../reports/vietnamese.ts';
import type { ScoreCounts } from '../rollups/rollup.table.ts';
import { wholeMonths, type CountRow } from '../rollups/score-counts.ts';
import { addDays, vietnamDate, vietnamMidnight } from '../time/vietnam-time.ts';
import type { Alert } from './alert.table.ts';
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

/** Overall-question counts of every subject over [from, to): four statements for any number of subjects. */
async function countsOver(context: RuleContext, subjects: Subject[], from: string, to: string) {
  const desks = subjects.filter((subject) => subject.kind === 'desk');
  const units = [...new Set(subjects.filter((subject) => subject.kind !== 'desk').map((subject) => subject.unitId))];
  const [deskRows, unitRows] = await Promise.all([
    desks.length === 0 ? [] : deskCounts(context, desks, from, to),
    units.length === 0 ? [] : unitCounts(context, units, from, to),
  ]);
  const found = new Map<string, ScoreCounts>();
  const add = (key: string, row: CountRow) => {
    const sum = found.get(key) ?? NO_COUNTS;
    found.set(key, {
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
  return (subject: Subject) => found.get(keyOf(subject)) ?? NO_COUNTS;
}

/**
 * Overall-question counts per unit (its subtree) and domain over [from, to): whole months
 * from the unit rollups, the days that cut through a month from the ratings, each leaf
 * unit's read once by its (unit, rated_at) index and added up its ancestors. Written here
 * rather than with `scoreCounts`, whose closure lookup against a list of thousands of
 * units (every unit with a rating, nationally) costs a scan of that list per rating. Ratings of whole months not yet folded
 * are read one by one from the pending list, as `scoreCounts` does.
 */
/** The days of [from, to) that cut through a month, as instants: read from the ratings. */
function partialSpans(from: string, to: string): { fullFrom: string; fullTo: string; starts: Date[]; ends: Date[] } {
  const { fullFrom, fullTo } = wholeMonths(from, to);
  const spans: [string, string][] =
    fullFrom < fullTo
      ? [
          ...(from < fullFrom ? [[from, fullFrom] as [string, string]] : []),
          ...(fullTo < to ? [[fullTo, to] as [string, string]] : []),
        ]
      : [[from, to]];
  return {
    fullFrom,
    fullTo,
    starts: spans.map(([start]) => vietnamMidnight(start)),
    ends: spans.map(([, end]) => vietnamMidnight(end)),
  };
}

/**
 * Overall-question counts per desk over [from, to), the same way as `unitCounts`: whole
 * months from the desk rollups (by their key), partial months by the (desk, rated_at)
 * index, and the whole months' pending tail.
 */
async function deskCounts(
  context: RuleContext,
  desks: { deskId: number; unitId: number }[],
  from: string,
  to: string,
): Promise<CountRow[]> {
  const { fullFrom, fullTo, starts, ends } = partialSpans(from, to);
  const rows = await sql<CountRow>`
    with subject as (
      select distinct desk_id, unit_id
      from unnest(${desks.map((desk) => desk.deskId)}::integer[], ${desks.map((desk) => desk.unitId)}::integer[])
        as pair (desk_id, unit_id)
    ),
    counted as (
      select r.desk_id, (a.score = 1)::integer as n1, (a.score = 2)::integer as n2, (a.score = 3)::integer as n3,
        (a.score = 4)::integer as n4, (a.score = 5)::integer as n5
      from subject
      cross join unnest(${starts}::timestamptz[], ${ends}::timestamptz[]) as span (starts, ends)
      cross join lateral (
        select id, desk_id from response
        where response.desk_id = subject.desk_id and response.rated_at >= span.starts and response.rated_at < span.ends
        offset 0
      ) r
      join response_answer a on a.response_id = r.id
      join question q on q.id = a.question_id and q.role = 'overall'
      union all
      select r.desk_id, r.n1, r.n2, r.n3, r.n4, r.n5
      from subject
      join rollup_desk_month r on r.unit_id = subject.unit_id
        and r.month >= ${fullFrom}::date and r.month < ${fullTo}::date and r.desk_id = subject.desk_id
      join question q on q.id = r.question_id and q.role = 'overall'
      union all
      select r.desk_id, (a.score = 1)::integer, (a.score = 2)::integer, (a.score = 3)::integer,
        (a.score = 4)::integer, (a.score = 5)::integer
      from rollup_pending p
      join response r on r.id = p.response_id
        and r.rated_at >= ${vietnamMidnight(fullFrom)} and r.rated_at < ${vietnamMidnight(fullTo)}
      join subject on subject.desk_id = r.desk_id
      join response_answer a on a.response_id = r.id
      join question q on q.id = a.question_id and q.role = 'overall'
    )
    select desk_id as desk, sum(n1)::integer as n1, sum(n2)::integer as n2, sum(n3)::integer as n3,
      sum(n4)::integer as n4, sum(n5)::integer as n5
    from counted group by desk_id
  `.execute(context.db);
  return rows.rows;
}

async function unitCounts(context: RuleContext, unitIds: number[], from: string, to: string): Promise<CountRow[]> {
  const { fullFrom, fullTo, starts, ends } = partialSpans(from, to);
  const rows = await sql<CountRow>`
    with subject as (select distinct unnest(${unitIds}::integer[]) as unit_id),
    leaf as (
      select distinct c.unit_id from subject join unit_closure c on c.ancestor_id = subject.unit_id
    ),
    raw as (
      select r.unit_id, r.domain_id,
        count(*) filter (where a.score = 1) as n1, count(*) filter (where a.score = 2) as n2,
        count(*) filter (where a.score = 3) as n3, count(*) filter (where a.score = 4) as n4,
        count(*) filter (where a.score = 5) as n5
      from leaf
      cross join unnest(${starts}::timestamptz[], ${ends}::timestamptz[]) as span (starts, ends)
      cross join lateral (
        select id, unit_id, domain_id from response
        where response.unit_id = leaf.unit_id and response.rated_at >= span.starts and response.rated_at < span.ends
        offset 0
      ) r
      join response_answer a on a.response_id = r.id
      join question q on q.id = a.question_id and q.role = 'overall'
      group by r.unit_id, r.domain_id
    ),
    counted as (
      select c.ancestor_id as unit, raw.domain_id as domain, raw.n1, raw.n2, raw.n3, raw.n4, raw.n5
      from raw join unit_closure c on c.unit_id = raw.unit_id join subject on subject.unit_id = c.ancestor_id
      union all
      select r.unit_id, r.domain_id, r.n1, r.n2, r.n3, r.n4, r.n5
      from rollup_unit_month r
      join subject on subject.unit_id = r.unit_id
      join question q on q.id = r.question_id and q.role = 'overall'
      where r.month >= ${fullFrom}::date and r.month < ${fullTo}::date
      union all
      -- Ratings of the whole months not yet folded into the rollups: a short tail, by index.
      select c.ancestor_id, r.domain_id, (a.score = 1)::integer, (a.score = 2)::integer, (a.score = 3)::integer,
        (a.score = 4)::integer, (a.score = 5)::integer
      from rollup_pending p
      join response r on r.id = p.response_id
        and r.rated_at >= ${vietnamMidnight(fullFrom)} and r.rated_at < ${vietnamMidnight(fullTo)}
      join response_answer a on a.response_id = r.id
      join question q on q.id = a.question_id and q.role = 'overall'
      join unit_closure c on c.unit_id = r.unit_id
      join subject on subject.unit_id = c.ancestor_id
    )
    select unit, domain, sum(n1)::integer as n1, sum(n2)::integer as n2, sum(n3)::integer as n3,
      sum(n4)::integer as n4, sum(n5)::integer as n5
    from counted group by unit, domain
  `.execute(context.db);
  return rows.rows;
}

async function evaluate(context: RuleContext, subjects: Subject[]): Promise<Verdict[]> {
  if (subjects.length === 0) return [];
  const today = vietnamDate(context.now);
  const year = Number(today.slice(0, 4));
  const tomorrow = addDays(today, 1);
  const unitIds = [...new Set(subjects.map((subject) => subject.unitId))];
  const [settings, targets, yearCounts, monthCounts] = await Promise.all([
    context.settingsOf(unitIds),
    effectiveTargets(context.db, unitIds, [year]),
    countsOver(context, subjects, `${year}-01-01`, tomorrow),
    countsOver(context, subjects, addDays(today, -29), tomorrow),
  ]);
  const names = await namesOf(context, subjects);
  return subjects.map((subject): Verdict => {
    const conditionKey = keyOf(subject);
    const setting = settings.get(subject.unitId)!;
    const target = targetOf(targets.get(subject.unitId) ?? [], subject);
    if (!setting.below_target || !target) return { conditionKey, state: 'clear' };
    const [overYear, overMonth] = [figureOf(yearCounts(subject)), figureOf(monthCounts(subject))];
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
};

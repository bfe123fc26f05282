import { sql } from 'kysely';
import { binomialUpperTail } from '../reports/statistics.ts';
import { formatNumber, formatPercent } from '../reports/vietnamese.ts';
import { addMonths, vietnamMonth } from '../time/vietnam-time.ts';
import { overallAnswerOf } from './overall-answer.ts';
import type { Alert } from './alert.table.ts';
import { desksToEvaluate, type AlertRuleDefinition, type RuleContext, type Verdict } from './alert-rule.ts';

/**
 * Spike of unhappy ratings: the share of overall ratings of 1 or 2 at a desk over the
 * unit's window (24 hours unless set) is significantly above the desk's own baseline.
 *
 * The test is a one-sided exact binomial test: with n ratings in the window, k of them
 * unhappy, and the baseline share p₀, the alert fires when P(X ≥ k | n, p₀) < 0.001, and
 * only with at least the unit's minimum of ratings in the window (10 unless set) and at
 * least 3 unhappy ones. So a desk rating as usual raises a false alarm in at most 1
 * window in 1,000, and three bad ratings in a quiet hour (n = 3) never do. It clears once
 * P(X ≥ k) is 0.01 or more: between 0.001 and 0.01 the alert stays as it is, so that a
 * share hovering at the edge does not fire and clear over and over.
 *
 * The baseline is the desk's three whole months before this one (from the month rollups,
 * cheap at any scale), with one pseudo-rating each way so that a desk without an unhappy
 * rating on record does not have p₀ = 0; with fewer than 30 ratings on record, the unit's
 * own baseline stands in; and p₀ is never taken below 2%.
 */
export const SPIKE_FALSE_ALARM_RATE = 0.001;
export const SPIKE_CLEAR_LEVEL = 0.01;
const MIN_UNHAPPY = 3;
const MIN_BASELINE_RATINGS = 30;
const BASELINE_FLOOR = 0.02;
const BASELINE_MONTHS = 3;

interface Tally {
  n: number;
  unhappy: number;
}

const HOUR_MS = 3_600_000;

/**
 * Overall ratings and unhappy ones of each desk over its window [since, now]: the hours
 * from the one after `since` to the current one from the hour rollups (and the pending
 * list), and the rest of the hour the window starts in from the ratings, by the (desk,
 * rated_at) index. Counting hours rather than ratings keeps a busy desk's day of ratings
 * to a few dozen rows. The current hour holds no rating made after now: a rating counts at
 * the time it was made, never later than the time it was received (`ratedAt`).
 */
async function windowCounts(
  context: RuleContext,
  desks: { deskId: number; unitId: number }[],
  windowStarts: Date[],
): Promise<{ desk_id: number; n: number; unhappy: number }[]> {
  const thisHour = new Date(Math.floor(context.now.getTime() / HOUR_MS) * HOUR_MS);
  const wholeFrom = windowStarts.map((since) => new Date(Math.ceil(since.getTime() / HOUR_MS) * HOUR_MS));
  const earliestWholeHour = new Date(Math.min(...wholeFrom.map((at) => at.getTime())));
  // Ratings made at `now` itself count, as in a window that ends at the current instant.
  const end = new Date(context.now.getTime() + 1);
  const rows = await sql<{ desk_id: number; n: number; unhappy: number }>`
    with w as (
      select * from unnest(
        ${desks.map((desk) => desk.deskId)}::integer[], ${desks.map((desk) => desk.unitId)}::integer[],
        ${windowStarts}::timestamptz[], ${wholeFrom}::timestamptz[]
      ) as w (desk_id, unit_id, since, whole_from)
    ),
    pending as materialized (
      select r.desk_id, r.rated_at, a.score
      from rollup_pending p
      cross join lateral (
        select id, desk_id, rated_at from response
        where id = p.response_id and rated_at >= ${earliestWholeHour} and rated_at < ${end}
        offset 0
      ) r
      ${overallAnswerOf(sql`r.id`)}
    ),
    counted as (
      select w.desk_id, h.n1 + h.n2 + h.n3 + h.n4 + h.n5 as n, h.n1 + h.n2 as unhappy
      from w
      join rollup_overall_hour h on h.unit_id = w.unit_id and h.desk_id = w.desk_id
        and h.hour >= w.whole_from and h.hour <= ${thisHour}
      union all
      select w.desk_id, 1, (pending.score <= 2)::integer
      from pending join w on w.desk_id = pending.desk_id
      where pending.rated_at >= w.whole_from
      union all
      select w.desk_id, 1, (a.score <= 2)::integer
      from w
      cross join lateral (
        select id from response
        where response.desk_id = w.desk_id and response.rated_at >= w.since and response.rated_at < w.whole_from
        offset 0
      ) r
      ${overallAnswerOf(sql`r.id`)}
    )
    select desk_id, sum(n)::integer as n, sum(unhappy)::integer as unhappy from counted group by desk_id
  `.execute(context.db);
  return rows.rows;
}

async function evaluate(context: RuleContext, desks: { deskId: number; unitId: number }[]): Promise<Verdict[]> {
  if (desks.length === 0) return [];
  const unitIds = [...new Set(desks.map((desk) => desk.unitId))];
  const settings = await context.settingsOf(unitIds);
  const deskIds = desks.map((desk) => desk.deskId);
  const windowStarts = desks.map(
    (desk) => new Date(context.now.getTime() - settings.get(desk.unitId)!.spike_window_hours * 3_600_000),
  );
  const thisMonth = vietnamMonth(context.now);
  const firstMonth = addMonths(thisMonth, -BASELINE_MONTHS);

  const [recent, deskBaseline, unitBaseline, names] = await Promise.all([
    windowCounts(context, desks, windowStarts),
    sql<{ desk_id: number; n: number; unhappy: number }>`
      select r.desk_id, sum(r.n1 + r.n2 + r.n3 + r.n4 + r.n5)::integer as n, sum(r.n1 + r.n2)::integer as unhappy
      from unnest(${deskIds}::integer[], ${desks.map((desk) => desk.unitId)}::integer[]) as subject (desk_id, unit_id)
      join rollup_desk_month r on r.unit_id = subject.unit_id
        and r.month >= ${firstMonth}::date and r.month < ${thisMonth}::date and r.desk_id = subject.desk_id
      join question q on q.id = r.question_id and q.role = 'overall'
      group by r.desk_id
    `.execute(context.db),
    sql<{ unit_id: number; n: number; unhappy: number }>`
      select r.unit_id, sum(r.n1 + r.n2 + r.n3 + r.n4 + r.n5)::integer as n, sum(r.n1 + r.n2)::integer as unhappy
      from unnest(${unitIds}::integer[]) as subject (unit_id)
      join rollup_unit_month r on r.unit_id = subject.unit_id
        and r.month >= ${firstMonth}::date and r.month < ${thisMonth}::date
      join question q on q.id = r.question_id and q.role = 'overall'
      group by r.unit_id
    `.execute(context.db),
    context.db
      .selectFrom('desk')
      .innerJoin('unit', 'unit.id', 'desk.unit_id')
      .select(['desk.id', 'desk.name as desk', 'unit.name as unit'])
      .where('desk.id', 'in', deskIds)
      .execute(),
  ]);
  const inWindow = new Map(recent.map((row) => [row.desk_id, row]));
  const byDesk = new Map(deskBaseline.rows.map((row) => [row.desk_id, row]));
  const byUnit = new Map(unitBaseline.rows.map((row) => [row.unit_id, row]));
  const nameOf = new Map(names.map((row) => [row.id, `${row.desk} — ${row.unit}`]));

  return desks.map(({ deskId, unitId }): Verdict => {
    const conditionKey = `unhappy_spike:desk:${deskId}`;
    const setting = settings.get(unitId)!;
    if (!setting.unhappy_spike) return { conditionKey, state: 'clear' };
    const counted = inWindow.get(deskId);
    const window: Tally = { n: counted?.n ?? 0, unhappy: counted?.unhappy ?? 0 };
    const own = byDesk.get(deskId);
    const record = own && own.n >= MIN_BASELINE_RATINGS ? own : byUnit.get(unitId);
    const baseline = Math.max(BASELINE_FLOOR, ((record?.unhappy ?? 0) + 1) / ((record?.n ?? 0) + 2));
    if (window.n < setting.spike_min_ratings || window.unhappy < MIN_UNHAPPY) return { conditionKey, state: 'clear' };
    const pValue = binomialUpperTail(window.unhappy, window.n, baseline);
    if (pValue >= SPIKE_CLEAR_LEVEL) return { conditionKey, state: 'clear' };
    if (pValue >= SPIKE_FALSE_ALARM_RATE) return { conditionKey, state: 'hold' };
    const name = nameOf.get(deskId) ?? '';
    const share = (100 * window.unhappy) / window.n;
    return {
      conditionKey,
      state: 'firing',
      finding: {
        rule: 'unhappy_spike',
        conditionKey,
        unitId,
        deskId,
        explanation: {
          vi:
            `${name}: ${formatNumber(window.unhappy)}/${formatNumber(window.n)} lượt đánh giá trong ${setting.spike_window_hours} giờ qua ` +
            `là không hài lòng (mức 1–2), tức ${formatPercent(share)}, trong khi bình thường quầy chỉ khoảng ${formatPercent(100 * baseline)}. ` +
            `Khả năng điều này xảy ra do ngẫu nhiên dưới 1/1.000.`,
          en:
            `${name}: ${window.unhappy} of ${window.n} ratings in the last ${setting.spike_window_hours} hours were unhappy (1–2), ` +
            `${share.toFixed(1)}%, against a usual ${(100 * baseline).toFixed(1)}% at this desk. ` +
            `The chance of this happening by luck is below 1 in 1,000.`,
        },
        link: `/desks/${deskId}`,
        evidence: { windowHours: setting.spike_window_hours, ...window, baseline, pValue },
      },
    };
  });
}

const deskOfAlert = (alert: Alert) => ({ deskId: alert.desk_id!, unitId: alert.unit_id });

export const unhappySpike: AlertRuleDefinition = {
  rule: 'unhappy_spike',
  afterRatings: async (context, ratings) =>
    evaluate(context, await desksToEvaluate(context, 'unhappy_spike', ratings.desks, (desk) => desk.anyUnhappy)),
  // The window slides: a spike clears when its unhappy ratings leave it.
  sweep: (context, open) => evaluate(context, open.map(deskOfAlert)),
};

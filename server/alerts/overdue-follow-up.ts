import { sql } from 'kysely';
import { formatNumber } from '../reports/vietnamese.ts';
import { vietnamDate } from '../time/vietnam-time.ts';
import type { AlertRuleDefinition, Verdict } from './alert-rule.ts';

/**
 * Overdue follow-up: a unit holds comments or low ratings past their due day and not yet
 * answered (the same test as the follow-up list's "overdue"). One alert per unit while it
 * holds any, cleared once none is left; the officials of the units above see it too, as
 * they see the items escalated to them.
 */
export const overdueFollowUp: AlertRuleDefinition = {
  rule: 'overdue_follow_up',
  async sweep(context, open) {
    const today = vietnamDate(context.now);
    const units = await sql<{ unit_id: number; unit_name: string; overdue: number; oldest_due_on: string }>`
      select r.unit_id, unit.name as unit_name, count(*)::integer as overdue, min(f.due_on)::text as oldest_due_on
      from follow_up f
        join response r on r.id = f.response_id
        join unit on unit.id = r.unit_id
      where f.status is distinct from 'answered' and f.due_on < ${today}::date
      group by r.unit_id, unit.name
    `.execute(context.db);
    const settings = await context.settingsOf(units.rows.map((unit) => unit.unit_id));
    const verdicts: Verdict[] = [];
    for (const unit of units.rows) {
      const conditionKey = `overdue_follow_up:unit:${unit.unit_id}`;
      if (!settings.get(unit.unit_id)!.overdue_follow_up) {
        verdicts.push({ conditionKey, state: 'clear' });
        continue;
      }
      verdicts.push({
        conditionKey,
        state: 'firing',
        finding: {
          rule: 'overdue_follow_up',
          conditionKey,
          unitId: unit.unit_id,
          explanation: {
            vi: `${unit.unit_name} có ${formatNumber(unit.overdue)} góp ý hoặc đánh giá thấp đã quá hạn xử lý mà chưa trả lời (hạn sớm nhất ${unit.oldest_due_on.split('-').reverse().join('/')}).`,
            en: `${unit.unit_name} has ${unit.overdue} comments or low ratings past their due day and not yet answered (the earliest was due ${unit.oldest_due_on}).`,
          },
          link: `/follow-ups?unitId=${unit.unit_id}&focus=overdue`,
          evidence: { overdue: unit.overdue, oldestDueOn: unit.oldest_due_on },
        },
      });
    }
    // A unit with nothing overdue any more.
    const named = new Set(verdicts.map((verdict) => verdict.conditionKey));
    for (const alert of open)
      if (!named.has(alert.condition_key)) verdicts.push({ conditionKey: alert.condition_key, state: 'clear' });
    return verdicts;
  },
};

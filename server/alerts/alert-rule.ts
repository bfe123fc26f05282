import { sql, type SqlBool } from 'kysely';
import type { Db } from '../db/database.ts';
import type { Alert, AlertRule, AlertSetting } from './alert.table.ts';

/** An alert a rule wants open, with what it says and where it points. */
export interface Finding {
  rule: AlertRule;
  /** One open alert per key: `<rule>:<subject kind>:<ids>`. */
  conditionKey: string;
  unitId: number;
  domainId?: number | null;
  deskId?: number | null;
  deviceId?: number | null;
  responseId?: number | null;
  explanation: { vi: string; en: string };
  /** Path in the officials' app (under /officials) of the slice the alert is about. */
  link: string;
  evidence: Record<string, unknown>;
}

/**
 * What a rule concluded about one condition: `firing` opens an alert unless one is open,
 * `clear` closes the open one, `hold` leaves things as they are (a rule with a margin
 * between firing and clearing, so that an alert does not flap on the boundary).
 */
export type Verdict =
  { conditionKey: string; state: 'firing'; finding: Finding } | { conditionKey: string; state: 'clear' | 'hold' };

/** What the scores of new ratings touched since the last evaluation. */
export interface NewRatings {
  /**
   * Desks that got ratings, with their units, and whether any of those ratings was unhappy
   * (overall 1–2) or not satisfied (1–3).
   */
  desks: { deskId: number; unitId: number; anyUnhappy: boolean; anyUnsatisfied: boolean }[];
  /** Units that got ratings, directly or through a desk of a unit below them. */
  unitIds: number[];
  /** (unit, domain) pairs that got ratings, units below included. */
  unitDomains: { unitId: number; domainId: number }[];
}

/** A comment left with a rating since the last evaluation. */
export interface NewComment {
  responseId: number;
  unitId: number;
  deskId: number;
  body: string;
}

/**
 * The desks a rule must look at again after new ratings: those whose new ratings could
 * raise its alert (`couldFire`), and those whose alert is open, which the new ratings may
 * clear. New ratings that cannot raise an alert are what most desks get, most of the time:
 * a satisfied rating never lowers the upper bound of a desk's interval, and a happy one
 * never makes its share of unhappy ratings less likely under the baseline.
 */
export async function desksToEvaluate(
  context: RuleContext,
  rule: AlertRule,
  desks: NewRatings['desks'],
  couldFire: (desk: NewRatings['desks'][number]) => boolean,
): Promise<{ deskId: number; unitId: number }[]> {
  const quiet = desks.filter((desk) => !couldFire(desk));
  const open =
    quiet.length === 0
      ? new Set<number>()
      : new Set(
          (
            await context.db
              .selectFrom('alert')
              .select('desk_id')
              .where('rule', '=', rule)
              .where('cleared_at', 'is', null)
              // One array parameter, however many desks a round touched.
              .where(sql<SqlBool>`desk_id = any(${quiet.map((desk) => desk.deskId)}::integer[])`)
              .execute()
          ).map((row) => row.desk_id),
        );
  return desks
    .filter((desk) => couldFire(desk) || open.has(desk.deskId))
    .map(({ deskId, unitId }) => ({ deskId, unitId }));
}

export interface RuleContext {
  db: Db;
  now: Date;
  settingsOf(unitIds: Iterable<number>): Promise<Map<number, AlertSetting>>;
}

/**
 * One alert rule. `afterComments` runs on new comments, within a second or two of their
 * rating; `afterRatings` on what the scores of new ratings touched, in rounds paced to
 * take a small share of the machine; `sweep` runs every minute or so for what changes
 * with time alone (or, with `sweepsDaily`, when the day changes), and gets the rule's open
 * alerts to see whether they cleared. A rule answers only for the conditions it names:
 * those it does not mention stay as they are.
 *
 * To add a rule (as overdue-follow-up.ts was): write a definition with a `sweep` that names
 * the overdue items as `firing` and the open alerts no longer overdue as `clear`, add it
 * to `ALERT_RULES` (alert-rules.ts), and allow its name in the `alert.rule` check with a
 * migration.
 */
export interface AlertRuleDefinition {
  rule: AlertRule;
  afterComments?(context: RuleContext, comments: NewComment[]): Promise<Verdict[]>;
  afterRatings?(context: RuleContext, ratings: NewRatings): Promise<Verdict[]>;
  sweep?(context: RuleContext, open: Alert[]): Promise<Verdict[]>;
  /**
   * The sweep's conditions change with the date only (windows of whole days): the
   * background evaluator runs it at the first round of each day, and every quarter of an
   * hour for settings and targets changed meanwhile, rather than every minute.
   */
  sweepsDaily?: boolean;
}

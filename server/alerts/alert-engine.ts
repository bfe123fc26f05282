import { sql } from 'kysely';
import type { Db, Trx } from '../db/database.ts';
import { addDays, vietnamDate, vietnamMidnight } from '../time/vietnam-time.ts';
import type { Alert } from './alert.table.ts';
import type { AlertRuleDefinition, Finding, NewComment, NewRatings, RuleContext, Verdict } from './alert-rule.ts';
import { ALERT_RULES } from './alert-rules.ts';
import { alertSettingsOf } from './alert-settings.ts';

/**
 * Serialise evaluations across server processes, so that alerts open and clear in one
 * order: one lock for the scores of ratings (and the sweeps), one for comments, which are
 * read on their own so that a serious comment never waits behind the statistics.
 */
const SCORES_LOCK = 0x5a1a5_16;
const COMMENTS_LOCK = 0x5a1a5_17;

export interface EvaluationResult {
  ratings: number;
  fired: number;
  cleared: number;
  /** Units and domains left for `evaluateUnits` (with `deferUnits`). */
  deferred?: Pick<NewRatings, 'unitIds' | 'unitDomains'>;
}

function contextOf(trx: Trx, now: Date): RuleContext {
  return { db: trx, now, settingsOf: (unitIds) => alertSettingsOf(trx, unitIds) };
}

/**
 * The ids of ratings (or of the ratings of comments) committed since a cursor last moved,
 * at most `limit` of them. The cursor is a rating id. With several processes writing
 * ratings, a rating whose id was taken before another's but committed after the evaluator
 * read past that other is not evaluated for itself: its desk and units are evaluated
 * again with their next rating, and a serious comment in it is not seen. One process
 * writing ratings (the default) commits in id order.
 */
async function unreadRange(trx: Trx, cursor: 'ratings' | 'comments', now: Date, limit: number) {
  // The first evaluation starts with the last day's ratings: a platform that gains alerts
  // with years of ratings behind it alerts on where things stand, not on every old
  // comment. A cursor added later starts where the ratings' cursor stands.
  await sql`
    insert into alert_cursor (name, last_id)
    select ${cursor}, coalesce(
      (select last_id from alert_cursor where name = 'ratings'),
      (select id from response where received_at < ${new Date(now.getTime() - 86_400_000)} order by id desc limit 1),
      0)
    on conflict (name) do nothing
  `.execute(trx);
  const { last_id: after } = await trx
    .selectFrom('alert_cursor')
    .select('last_id')
    .where('name', '=', cursor)
    .executeTakeFirstOrThrow();
  const ids =
    cursor === 'ratings'
      ? sql`select id from response where id > ${after} order by id limit ${limit}`
      : sql`select response_id as id from comment where response_id > ${after} order by response_id limit ${limit}`;
  const range = await sql<{ upto: number | null; n: number }>`
    select max(id) as upto, count(*)::integer as n from (${ids}) batch
  `.execute(trx);
  const moveTo = async (upto: number) => {
    await trx.updateTable('alert_cursor').set({ last_id: upto }).where('name', '=', cursor).execute();
  };
  return { after, upto: range.rows[0]?.upto ?? null, n: range.rows[0]?.n ?? 0, moveTo };
}

/**
 * Evaluates everything new since the last evaluation: comments, then scores (both below).
 */
export async function evaluateNewRatings(
  db: Db,
  now: Date,
  options: { limit?: number; rules?: readonly AlertRuleDefinition[]; deferUnits?: boolean } = {},
): Promise<EvaluationResult> {
  const comments = await evaluateNewComments(db, now, options);
  const scores = await evaluateNewScores(db, now, options);
  return { ...scores, fired: comments.fired + scores.fired, cleared: comments.cleared + scores.cleared };
}

/**
 * Runs the comment rules on the comments left since the last evaluation (at most `limit`
 * of them), opens their alerts, queues their deliveries and moves the cursor, in one
 * transaction: an evaluation that fails leaves everything as it was, to be run again.
 */
export async function evaluateNewComments(
  db: Db,
  now: Date,
  options: { limit?: number; rules?: readonly AlertRuleDefinition[] } = {},
): Promise<EvaluationResult> {
  return db.transaction().execute(async (trx) => {
    await sql`select pg_advisory_xact_lock(${COMMENTS_LOCK})`.execute(trx);
    const { after, upto, n, moveTo } = await unreadRange(trx, 'comments', now, options.limit ?? 5_000);
    if (upto === null) return { ratings: 0, fired: 0, cleared: 0 };
    const comments = await sql<NewComment>`
      select r.id as "responseId", r.unit_id as "unitId", r.desk_id as "deskId", comment.body
      from comment join response r on r.id = comment.response_id
      where comment.response_id > ${after} and comment.response_id <= ${upto}
    `.execute(trx);
    const context = contextOf(trx, now);
    const verdicts: Verdict[] = [];
    for (const rule of options.rules ?? ALERT_RULES)
      if (rule.afterComments) verdicts.push(...(await rule.afterComments(context, comments.rows)));
    const applied = await applyVerdicts(trx, verdicts, now);
    await moveTo(upto);
    return { ratings: n, ...applied };
  });
}

/**
 * Runs the score rules on what the ratings committed since the last evaluation (at most
 * `limit` of them) touched, opens and clears alerts, queues their deliveries and moves the
 * cursor, in one transaction. Each subject is evaluated once per call, whatever the number
 * of its new ratings, so a call's cost grows with the desks touched, not the ratings.
 */
export async function evaluateNewScores(
  db: Db,
  now: Date,
  options: { limit?: number; rules?: readonly AlertRuleDefinition[]; deferUnits?: boolean } = {},
): Promise<EvaluationResult> {
  return db.transaction().execute(async (trx) => {
    await sql`select pg_advisory_xact_lock(${SCORES_LOCK})`.execute(trx);
    const { after, upto, n, moveTo } = await unreadRange(trx, 'ratings', now, options.limit ?? 200_000);
    if (upto === null) return { ratings: 0, fired: 0, cleared: 0 };
    const touched = await newRatingsOf(trx, after, upto);
    const ratings = options.deferUnits ? { ...touched, unitIds: [], unitDomains: [] } : touched;
    const applied = await runAfterRatings(trx, now, ratings, options.rules ?? ALERT_RULES);
    await moveTo(upto);
    return {
      ratings: n,
      ...applied,
      ...(options.deferUnits ? { deferred: { unitIds: touched.unitIds, unitDomains: touched.unitDomains } } : {}),
    };
  });
}

async function runAfterRatings(trx: Trx, now: Date, ratings: NewRatings, rules: readonly AlertRuleDefinition[]) {
  const context = contextOf(trx, now);
  const verdicts: Verdict[] = [];
  for (const rule of rules) if (rule.afterRatings) verdicts.push(...(await rule.afterRatings(context, ratings)));
  return applyVerdicts(trx, verdicts, now);
}

/**
 * Evaluates units and domains whose ratings `evaluateNewRatings` deferred. A unit's
 * figures move slowly with each rating while costing the most to count (every rating of
 * its subtree), so the background evaluator checks desks and comments at once and units
 * every few minutes.
 */
export async function evaluateUnits(
  db: Db,
  now: Date,
  units: Pick<NewRatings, 'unitIds' | 'unitDomains'>,
): Promise<EvaluationResult> {
  if (units.unitIds.length === 0 && units.unitDomains.length === 0) return { ratings: 0, fired: 0, cleared: 0 };
  return db.transaction().execute(async (trx) => {
    await sql`select pg_advisory_xact_lock(${SCORES_LOCK})`.execute(trx);
    const applied = await runAfterRatings(trx, now, { desks: [], ...units }, ALERT_RULES);
    return { ratings: 0, ...applied };
  });
}

async function newRatingsOf(trx: Trx, after: number, upto: number): Promise<NewRatings> {
  const [desks, unitDomains] = await Promise.all([
    sql<{ deskId: number; unitId: number; anyUnhappy: boolean; anyUnsatisfied: boolean }>`
      select r.desk_id as "deskId", r.unit_id as "unitId",
        coalesce(bool_or(a.score <= 2), false) as "anyUnhappy", coalesce(bool_or(a.score <= 3), false) as "anyUnsatisfied"
      from response r
        left join response_answer a on a.response_id = r.id
          and a.question_id in (select id from question where role = 'overall')
      where r.id > ${after} and r.id <= ${upto}
      group by r.desk_id, r.unit_id
    `.execute(trx),
    sql<{ unitId: number; domainId: number }>`
      select distinct c.ancestor_id as "unitId", r.domain_id as "domainId"
      from (select distinct unit_id, domain_id from response where id > ${after} and id <= ${upto}) r
      join unit_closure c on c.unit_id = r.unit_id
    `.execute(trx),
  ]);
  return {
    desks: desks.rows,
    unitIds: [...new Set(unitDomains.rows.map((row) => row.unitId))],
    unitDomains: unitDomains.rows,
  };
}

/**
 * Runs every rule's sweep: what changes with time alone (a tablet falls silent, a window
 * slides past a spike, the 30 days move on), and the open alerts that may have cleared.
 * Skipped, returning null, while another process evaluates.
 */
export async function sweepAlerts(
  db: Db,
  now: Date,
  options: { rules?: readonly AlertRuleDefinition[] } = {},
): Promise<EvaluationResult | null> {
  return db.transaction().execute(async (trx) => {
    const locked = await sql<{ locked: boolean }>`select pg_try_advisory_xact_lock(${SCORES_LOCK}) as locked`.execute(
      trx,
    );
    if (!locked.rows[0]?.locked) return null;
    const sweeping = (options.rules ?? ALERT_RULES).filter((rule) => rule.sweep);
    if (sweeping.length === 0) return { ratings: 0, fired: 0, cleared: 0 };
    const open = await trx
      .selectFrom('alert')
      .selectAll()
      .where('cleared_at', 'is', null)
      .where(
        'rule',
        'in',
        sweeping.map((rule) => rule.rule),
      )
      .execute();
    const context = contextOf(trx, now);
    const verdicts: Verdict[] = [];
    for (const rule of sweeping)
      verdicts.push(
        ...(await rule.sweep!(
          context,
          open.filter((alert: Alert) => alert.rule === rule.rule),
        )),
      );
    return { ratings: 0, ...(await applyVerdicts(trx, verdicts, now)) };
  });
}

/**
 * Opens the alerts found firing (unless open already) and clears those found clear. Keys
 * go as one array parameter each way, however many subjects a round judged; only the
 * alerts not open yet are written.
 */
async function applyVerdicts(trx: Trx, verdicts: Verdict[], now: Date): Promise<{ fired: number; cleared: number }> {
  const firing = verdicts.flatMap((verdict) => (verdict.state === 'firing' ? [verdict.finding] : []));
  const clearKeys = verdicts.flatMap((verdict) => (verdict.state === 'clear' ? [verdict.conditionKey] : []));
  const open =
    firing.length === 0
      ? new Set<string>()
      : new Set(
          (
            await sql<{ condition_key: string }>`
              select condition_key from alert
              where cleared_at is null and condition_key = any(${firing.map((finding) => finding.conditionKey)}::text[])
            `.execute(trx)
          ).rows.map((row) => row.condition_key),
        );
  const findings = firing.filter((finding) => !open.has(finding.conditionKey));
  let firedIds: number[] = [];
  for (let start = 0; start < findings.length; start += 1000) {
    const inserted = await trx
      .insertInto('alert')
      .values(findings.slice(start, start + 1000).map((finding: Finding) => rowOf(finding, now)))
      .onConflict((oc) => oc.column('condition_key').where('cleared_at', 'is', null).doNothing())
      .returning('id')
      .execute();
    firedIds = firedIds.concat(inserted.map((row) => row.id));
  }
  const cleared =
    clearKeys.length === 0
      ? []
      : (
          await sql<{ id: number }>`
            update alert set cleared_at = ${now}
            where cleared_at is null and condition_key = any(${clearKeys}::text[])
            returning id
          `.execute(trx)
        ).rows;
  const clearedIds = cleared.map((row) => row.id);
  await queueDeliveries(trx, firedIds, 'fired', now);
  await queueDeliveries(trx, clearedIds, 'cleared', now);
  return { fired: firedIds.length, cleared: clearedIds.length };
}

function rowOf(finding: Finding, now: Date) {
  return {
    rule: finding.rule,
    condition_key: finding.conditionKey,
    unit_id: finding.unitId,
    domain_id: finding.domainId ?? null,
    desk_id: finding.deskId ?? null,
    device_id: finding.deviceId ?? null,
    response_id: finding.responseId ?? null,
    explanation_vi: finding.explanation.vi,
    explanation_en: finding.explanation.en,
    link: finding.link,
    evidence: JSON.stringify(finding.evidence) as unknown as Record<string, unknown>,
    fired_at: now,
  };
}

/** Digests go out at 7:00 Vietnam time: daily the next morning, weekly on Monday. */
export function digestTimes(now: Date): { daily: Date; weekly: Date } {
  const today = vietnamDate(now);
  const sevenToday = new Date(vietnamMidnight(today).getTime() + 7 * 3_600_000);
  const daily = sevenToday > now ? sevenToday : new Date(sevenToday.getTime() + 86_400_000);
  const weekday = new Date(`${vietnamDate(daily)}T00:00:00Z`).getUTCDay();
  const weekly = vietnamMidnight(addDays(vietnamDate(daily), (8 - weekday) % 7));
  return { daily, weekly: new Date(weekly.getTime() + 7 * 3_600_000) };
}

/**
 * The outbox rows of alerts that fired or cleared: an e-mail to each official who may see
 * the alert's unit and asked for e-mails (fired alerts only), and a call to each active
 * webhook of the unit or of a unit above it. The unique index makes each row once.
 */
async function queueDeliveries(trx: Trx, alertIds: number[], event: 'fired' | 'cleared', now: Date) {
  if (alertIds.length === 0) return;
  const { daily, weekly } = digestTimes(now);
  if (event === 'fired') {
    await sql`
      insert into alert_delivery (alert_id, event, channel, official_id, due_at)
      select a.id, 'fired', 'email', o.id,
        case p.frequency when 'immediate' then ${now}::timestamptz when 'daily' then ${daily}::timestamptz else ${weekly}::timestamptz end
      from alert a
      join official o on o.active and (o.role = 'admin' or exists (
        select 1 from unit_closure c where c.unit_id = a.unit_id and c.ancestor_id = o.unit_id))
      join alert_email_preference p on p.official_id = o.id and p.frequency <> 'off'
      where a.id = any(${alertIds}::integer[])
      on conflict do nothing
    `.execute(trx);
  }
  await sql`
    insert into alert_delivery (alert_id, event, channel, webhook_id, due_at)
    select a.id, ${event}, 'webhook', w.id, ${now}::timestamptz
    from alert a
    join unit_closure c on c.unit_id = a.unit_id
    join alert_webhook w on w.unit_id = c.ancestor_id and w.active
    where a.id = any(${alertIds}::integer[])
    on conflict do nothing
  `.execute(trx);
}

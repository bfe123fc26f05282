import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { inScope } from '../auth/access.ts';
import type { Db } from '../db/database.ts';
import type { Official } from '../officials/official.table.ts';
import type { EmailFrequency } from './alert.table.ts';

/** Alerts of the official's scope, newest first, with whether the official has read each. */
export function listAlerts(
  db: Db,
  official: Official,
  query: { open?: boolean; unitId?: number; before?: number; limit: number },
) {
  return db
    .selectFrom('alert')
    .innerJoin('unit', 'unit.id', 'alert.unit_id')
    .leftJoin('alert_read', (join) =>
      join.onRef('alert_read.alert_id', '=', 'alert.id').on('alert_read.official_id', '=', official.id),
    )
    .select([
      'alert.id',
      'alert.rule',
      'alert.unit_id',
      'unit.name as unit_name',
      'alert.explanation_vi',
      'alert.explanation_en',
      'alert.link',
      'alert.fired_at',
      'alert.cleared_at',
      'alert_read.read_at',
    ])
    .where(inScope(official, sql.ref('alert.unit_id')))
    .$if(query.open === true, (q) => q.where('alert.cleared_at', 'is', null))
    .$if(query.unitId !== undefined, (q) =>
      q.where(
        sql<boolean>`exists (select 1 from unit_closure c where c.unit_id = alert.unit_id and c.ancestor_id = ${query.unitId})`,
      ),
    )
    .$if(query.before !== undefined, (q) => q.where('alert.id', '<', query.before!))
    .orderBy('alert.id', 'desc')
    .limit(query.limit)
    .execute();
}

/** Counted up to this many: the header shows "99+" long before. */
export const UNREAD_COUNT_CAP = 1000;

/** Alerts of the official's scope not yet read, counted up to `UNREAD_COUNT_CAP`. */
export async function unreadCount(db: Db, official: Official): Promise<number> {
  const row = await db
    .selectFrom((eb) =>
      eb
        .selectFrom('alert')
        .select('alert.id')
        .where(inScope(official, sql.ref('alert.unit_id')))
        .where(({ not, exists, selectFrom }) =>
          not(
            exists(
              selectFrom('alert_read')
                .select('alert_read.alert_id')
                .whereRef('alert_read.alert_id', '=', 'alert.id')
                .where('alert_read.official_id', '=', official.id),
            ),
          ),
        )
        .limit(UNREAD_COUNT_CAP)
        .as('unread'),
    )
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Marks one alert of the official's scope read; false when it is not in the scope (or does not exist). */
export async function markRead(db: Db, official: Official, alertId: number): Promise<boolean> {
  const alert = await db
    .selectFrom('alert')
    .select('id')
    .where('id', '=', alertId)
    .where(inScope(official, sql.ref('alert.unit_id')))
    .executeTakeFirst();
  if (!alert) return false;
  await db
    .insertInto('alert_read')
    .values({ official_id: official.id, alert_id: alertId })
    .onConflict((oc) => oc.doNothing())
    .execute();
  return true;
}

/** Marks every alert of the official's scope read. */
export async function markAllRead(db: Db, official: Official): Promise<void> {
  await db
    .insertInto('alert_read')
    .columns(['official_id', 'alert_id'])
    .expression(
      db
        .selectFrom('alert')
        .select([sql<number>`${official.id}::integer`.as('official_id'), 'alert.id'])
        .where(inScope(official, sql.ref('alert.unit_id'))),
    )
    .onConflict((oc) => oc.doNothing())
    .execute();
}

export function emailPreferenceOf(db: Db, officialId: number) {
  return db
    .selectFrom('alert_email_preference')
    .select(['email', 'frequency'])
    .where('official_id', '=', officialId)
    .executeTakeFirst();
}

export async function saveEmailPreference(
  db: Db,
  officialId: number,
  preference: { email: string; frequency: EmailFrequency },
): Promise<void> {
  await db
    .insertInto('alert_email_preference')
    .values({ official_id: officialId, ...preference })
    .onConflict((oc) => oc.column('official_id').doUpdateSet({ ...preference, updated_at: new Date() }))
    .execute();
}

/** A webhook's secret: 32 random bytes, shown to the manager once, when it is made. */
export function newWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64url')}`;
}

export function listWebhooks(db: Db, unitId: number) {
  return db
    .selectFrom('alert_webhook')
    .select(['id', 'url', 'active', 'created_at'])
    .where('unit_id', '=', unitId)
    .where('active', '=', true)
    .orderBy('id')
    .execute();
}

/** The latest deliveries to the unit's webhooks, newest first. */
export function webhookDeliveries(db: Db, unitId: number, limit = 100) {
  return db
    .selectFrom('alert_delivery')
    .innerJoin('alert_webhook', 'alert_webhook.id', 'alert_delivery.webhook_id')
    .innerJoin('alert', 'alert.id', 'alert_delivery.alert_id')
    .select([
      'alert_delivery.id',
      'alert_delivery.webhook_id',
      'alert_webhook.url',
      'alert_delivery.event',
      'alert.rule',
      'alert_delivery.status',
      'alert_delivery.attempts',
      'alert_delivery.last_status_code',
      'alert_delivery.last_error',
      'alert_delivery.due_at',
      'alert_delivery.delivered_at',
      'alert_delivery.created_at',
    ])
    .where('alert_webhook.unit_id', '=', unitId)
    .orderBy('alert_delivery.id', 'desc')
    .limit(limit)
    .execute();
}

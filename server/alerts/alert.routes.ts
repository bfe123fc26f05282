import { isIPv4, isIPv6 } from 'node:net';
import { Hono } from 'hono';
import { z } from 'zod';
import { assertAccess } from '../auth/access.ts';
import { requireRole } from '../auth/auth.middleware.ts';
import type { OfficialsEnv } from '../auth/official-env.ts';
import { notFound } from '../errors.ts';
import { emailAddress, idParam, rowIdText, webAddress, wholeNumberText } from '../fields.ts';
import { jsonBodyLimit, requireJsonBody, validate } from '../validation.ts';
import {
  emailPreferenceOf,
  listAlerts,
  listWebhooks,
  markAllRead,
  markRead,
  newWebhookSecret,
  saveEmailPreference,
  unreadCount,
  webhookDeliveries,
} from './alert.repository.ts';
import { alertSettingsOf, saveAlertSetting } from './alert-settings.ts';
import { RULE_NAMES } from './delivery.ts';

export const alertQuerySchema = z.object({
  open: z.enum(['true', 'false']).optional().describe('`true`: only the alerts not yet cleared'),
  unitId: rowIdText.optional().describe('Alerts of this unit and the units below it'),
  before: rowIdText.optional().describe('Keyset paging: the alerts older than this one'),
  limit: wholeNumberText(1, 200).default(50),
});

export const emailPreferenceSchema = z.strictObject({
  email: emailAddress,
  frequency: z
    .enum(['immediate', 'daily', 'weekly', 'off'])
    .describe('`immediate`: one e-mail per alert; `daily`/`weekly`: a digest at 7:00, on Mondays for weekly'),
});

const clockTime = z.string().regex(/^([01][0-9]|2[0-3]):[0-5][0-9]$/, 'must be a time such as 07:30');

export const alertSettingSchema = z
  .strictObject({
    belowTarget: z.boolean(),
    belowTargetMinRatings: z.int().min(10).max(10_000),
    unhappySpike: z.boolean(),
    spikeWindowHours: z.int().min(1).max(168),
    spikeMinRatings: z.int().min(5).max(1000),
    seriousComment: z.boolean(),
    silentKiosk: z.boolean(),
    overdueFollowUp: z.boolean(),
    silentMinutes: z.int().min(5).max(1440),
    queueLimit: z.int().min(1).max(100_000),
    opensAt: clockTime,
    closesAt: clockTime,
    openSaturday: z.boolean(),
  })
  .refine((setting) => setting.opensAt < setting.closesAt, {
    path: ['closesAt'],
    message: 'must be after the opening time',
  });

/**
 * Whether a webhook address names a host on the server's own machine or private network,
 * which a manager's webhook must not reach (the platform would post into its neighbours).
 * Addresses given by name are resolved only when called; this refuses the obvious ones.
 */
export function isPrivateHost(url: string): boolean {
  const host = new URL(url).hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (host === 'localhost' || host.endsWith('.localhost') || host.endsWith('.local') || host.endsWith('.internal'))
    return true;
  if (isIPv4(host)) {
    const [a, b] = host.split('.').map(Number) as [number, number];
    return (
      a === 0 ||
      a === 10 ||
      a === 127 ||
      (a === 169 && b === 254) ||
      (a === 172 && b >= 16 && b < 32) ||
      (a === 192 && b === 168) ||
      (a === 100 && b >= 64 && b < 128)
    );
  }
  if (isIPv6(host))
    return host === '::' || host === '::1' || /^(fc|fd|fe8|fe9|fea|feb)/.test(host) || host.startsWith('::ffff:');
  return false;
}

export const webhookSchema = z.strictObject({
  url: webAddress.refine((url) => !isPrivateHost(url), {
    message: 'must be an address on the internet, not on this machine or its private network',
    params: { problem: 'private_address' },
  }),
});
export const webhookParamSchema = z.object({ id: rowIdText, webhookId: rowIdText });

/** `/alerts`: the alerts of the official's scope, read marks, and one's own e-mail choice. */
export const alertRoutes = new Hono<OfficialsEnv>()
  .get('/', validate('query', alertQuerySchema), async (c) => {
    const { db, official } = c.var;
    const query = c.req.valid('query');
    if (query.unitId !== undefined) await assertAccess(db, official, 'unit', query.unitId);
    const rows = await listAlerts(db, official, { ...query, open: query.open === 'true' });
    return c.json(
      rows.map((row) => ({
        id: row.id,
        rule: row.rule,
        ruleName: RULE_NAMES[row.rule],
        unit: { id: row.unit_id, name: row.unit_name },
        explanation: { vi: row.explanation_vi, en: row.explanation_en },
        link: row.link,
        firedAt: row.fired_at.toISOString(),
        clearedAt: row.cleared_at?.toISOString() ?? null,
        read: row.read_at !== null,
      })),
      200,
    );
  })
  .get('/unread', async (c) => c.json({ unread: await unreadCount(c.var.db, c.var.official) }, 200))
  .post('/read', async (c) => {
    await markAllRead(c.var.db, c.var.official);
    return c.body(null, 204);
  })
  .post('/:id/read', validate('param', idParam), async (c) => {
    if (!(await markRead(c.var.db, c.var.official, c.req.valid('param').id))) throw notFound();
    return c.body(null, 204);
  })
  .get('/email', async (c) => c.json((await emailPreferenceOf(c.var.db, c.var.official.id)) ?? null, 200))
  .put('/email', jsonBodyLimit, requireJsonBody, validate('json', emailPreferenceSchema), async (c) => {
    await saveEmailPreference(c.var.db, c.var.official.id, c.req.valid('json'));
    return c.body(null, 204);
  });

/** `/units/:id/alert-settings` and `/units/:id/webhooks`: a unit's rules (its managers set them) and webhooks. */
export const unitAlertRoutes = new Hono<OfficialsEnv>()
  .get('/:id/alert-settings', validate('param', idParam), async (c) => {
    const { id } = c.req.valid('param');
    await assertAccess(c.var.db, c.var.official, 'unit', id);
    const setting = (await alertSettingsOf(c.var.db, [id])).get(id)!;
    return c.json(
      {
        belowTarget: setting.below_target,
        belowTargetMinRatings: setting.below_target_min_ratings,
        unhappySpike: setting.unhappy_spike,
        spikeWindowHours: setting.spike_window_hours,
        spikeMinRatings: setting.spike_min_ratings,
        seriousComment: setting.serious_comment,
        silentKiosk: setting.silent_kiosk,
        overdueFollowUp: setting.overdue_follow_up,
        silentMinutes: setting.silent_minutes,
        queueLimit: setting.queue_limit,
        opensAt: setting.opens_at,
        closesAt: setting.closes_at,
        openSaturday: setting.open_saturday,
      },
      200,
    );
  })
  .put(
    '/:id/alert-settings',
    requireRole('admin', 'manager'),
    validate('param', idParam),
    jsonBodyLimit,
    requireJsonBody,
    validate('json', alertSettingSchema),
    async (c) => {
      const { id } = c.req.valid('param');
      await assertAccess(c.var.db, c.var.official, 'unit', id);
      const input = c.req.valid('json');
      await saveAlertSetting(
        c.var.db,
        {
          unit_id: id,
          below_target: input.belowTarget,
          below_target_min_ratings: input.belowTargetMinRatings,
          unhappy_spike: input.unhappySpike,
          spike_window_hours: input.spikeWindowHours,
          spike_min_ratings: input.spikeMinRatings,
          serious_comment: input.seriousComment,
          silent_kiosk: input.silentKiosk,
          overdue_follow_up: input.overdueFollowUp,
          silent_minutes: input.silentMinutes,
          queue_limit: input.queueLimit,
          opens_at: input.opensAt,
          closes_at: input.closesAt,
          open_saturday: input.openSaturday,
        },
        c.var.official.id,
      );
      return c.body(null, 204);
    },
  )
  .get('/:id/webhooks', requireRole('admin', 'manager'), validate('param', idParam), async (c) => {
    const { id } = c.req.valid('param');
    await assertAccess(c.var.db, c.var.official, 'unit', id);
    const [webhooks, deliveries] = await Promise.all([listWebhooks(c.var.db, id), webhookDeliveries(c.var.db, id)]);
    return c.json(
      {
        webhooks: webhooks.map((webhook) => ({
          id: webhook.id,
          url: webhook.url,
          createdAt: webhook.created_at.toISOString(),
        })),
        deliveries: deliveries.map((delivery) => ({
          id: delivery.id,
          webhookId: delivery.webhook_id,
          url: delivery.url,
          event: delivery.event,
          rule: delivery.rule,
          status: delivery.status,
          attempts: delivery.attempts,
          lastStatusCode: delivery.last_status_code,
          lastError: delivery.last_error,
          nextAttemptAt: delivery.status === 'pending' ? delivery.due_at.toISOString() : null,
          deliveredAt: delivery.delivered_at?.toISOString() ?? null,
          createdAt: delivery.created_at.toISOString(),
        })),
      },
      200,
    );
  })
  .post(
    '/:id/webhooks',
    requireRole('admin', 'manager'),
    validate('param', idParam),
    jsonBodyLimit,
    requireJsonBody,
    validate('json', webhookSchema),
    async (c) => {
      const { id } = c.req.valid('param');
      await assertAccess(c.var.db, c.var.official, 'unit', id);
      const secret = newWebhookSecret();
      const webhook = await c.var.db
        .insertInto('alert_webhook')
        .values({ unit_id: id, url: c.req.valid('json').url, secret, created_by: c.var.official.id })
        .returning(['id', 'url'])
        .executeTakeFirstOrThrow();
      // The secret is shown this once: the receiver keeps it to check signatures.
      return c.json({ id: webhook.id, url: webhook.url, secret }, 201);
    },
  )
  .delete(
    '/:id/webhooks/:webhookId',
    requireRole('admin', 'manager'),
    validate('param', webhookParamSchema),
    async (c) => {
      const { id, webhookId } = c.req.valid('param');
      await assertAccess(c.var.db, c.var.official, 'unit', id);
      const stopped = await c.var.db
        .updateTable('alert_webhook')
        .set({ active: false })
        .where('id', '=', webhookId)
        .where('unit_id', '=', id)
        .executeTakeFirst();
      if (stopped.numUpdatedRows === 0n) throw notFound();
      return c.body(null, 204);
    },
  );

import { Hono } from 'hono';
import { z } from 'zod';
import type { AppEnv } from '../app-env.ts';
import { AppError } from '../errors.ts';
import { instant } from '../fields.ts';
import { idempotencyKey, kioskHeaderSchema } from '../responses/submission.schema.ts';
import { jsonBodyLimit, requireJsonBody, validate } from '../validation.ts';
import { findPairedDevice, recordDeviceStatus } from './kiosk-device.repository.ts';

export const kioskStatusSchema = z.strictObject({
  queueLength: z.int().min(0).max(1_000_000).describe('Ratings waiting on the tablet to be sent'),
  refused: z
    .array(
      z.strictObject({
        idempotencyKey,
        code: z.string().regex(/^[a-z0-9_]{1,60}$/, 'must be an error code'),
        ratedAt: instant.nullable(),
      }),
    )
    .max(50)
    .default([])
    .describe('Ratings the server refused for good, set aside on the tablet (the newest 50)'),
});

export const kioskStatusReplySchema = z.object({
  deskCode: z.string().describe('The desk this tablet is paired with'),
});

/** `/kiosk/status`: a paired tablet reports its queue, and the ratings that were refused. */
export const kioskRoutes = new Hono<AppEnv>().post(
  '/status',
  jsonBodyLimit,
  requireJsonBody,
  validate('header', kioskHeaderSchema),
  validate('json', kioskStatusSchema),
  async (c) => {
    const key = c.req.valid('header')['x-kiosk-key'];
    if (!key) throw new AppError('kiosk_key_required');
    const device = await findPairedDevice(c.var.db, key, 'kiosk');
    if (!device) throw new AppError('kiosk_not_paired');
    await recordDeviceStatus(c.var.db, device.id, c.req.valid('json'));
    const desk = await c.var.db
      .selectFrom('desk')
      .select('code')
      .where('id', '=', device.desk_id)
      .executeTakeFirstOrThrow();
    return c.json({ deskCode: desk.code }, 200);
  },
);

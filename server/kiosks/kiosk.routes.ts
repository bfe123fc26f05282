import { Hono } from 'hono';
import { z } from 'zod';
import type { AppEnv } from '../app-env.ts';
import { AppError } from '../errors.ts';
import { kioskHeaderSchema } from '../responses/response.routes.ts';
import { jsonBodyLimit, requireJsonBody, validate } from '../validation.ts';
import { findKioskDevice } from './kiosk-device.repository.ts';

export const kioskStatusSchema = z.strictObject({
  queueLength: z.int().min(0).max(1_000_000).describe('Ratings waiting on the tablet to be sent'),
});

export const kioskStatusReplySchema = z.object({
  deskCode: z.string().describe('The desk this tablet is paired with'),
});

export const kioskRoutes = new Hono<AppEnv>().post(
  '/kiosk/status',
  jsonBodyLimit,
  requireJsonBody,
  validate('header', kioskHeaderSchema),
  validate('json', kioskStatusSchema),
  async (c) => {
    const key = c.req.valid('header')['x-kiosk-key'];
    if (!key) throw new AppError(401, 'kiosk_key_required', 'This request needs the key of a paired tablet');
    const device = await findKioskDevice(c.var.db, key);
    if (!device || device.revoked_at !== null) {
      throw new AppError(403, 'kiosk_not_paired', 'This tablet is not paired with a desk, or its pairing was revoked');
    }
    const desk = await c.var.db
      .updateTable('kiosk_device')
      .set({ last_status_at: new Date(), queue_length: c.req.valid('json').queueLength })
      .from('desk')
      .whereRef('desk.id', '=', 'kiosk_device.desk_id')
      .where('kiosk_device.id', '=', device.id)
      .returning('desk.code')
      .executeTakeFirstOrThrow();
    return c.json({ deskCode: desk.code }, 200);
  },
);

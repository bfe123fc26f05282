import { Hono } from 'hono';
import { sql } from 'kysely';
import { z } from 'zod';
import { assertAccess } from '../auth/access.ts';
import { requireRole } from '../auth/auth.middleware.ts';
import type { OfficialsEnv } from '../auth/official-env.ts';
import { idParam, text } from '../fields.ts';
import { qrSvg } from '../posters/qr.ts';
import { jsonBodyLimit, requireJsonBody, validate } from '../validation.ts';
import { kioskPairingUrl, listDevices, listRefusals, pairKioskDevice } from './kiosk-device.repository.ts';

export const pairDeviceSchema = z.strictObject({
  label: text({ max: 100 }).default(''),
  purpose: z.enum(['kiosk', 'receipts']).default('kiosk'),
});

/** `/desks/:id/devices`: tablets and receipt software paired with a desk; pairing shows the key once. */
export const deskDeviceRoutes = new Hono<OfficialsEnv>()
  .get('/:id/devices', validate('param', idParam), async (c) => {
    const { db, official } = c.var;
    const { id } = c.req.valid('param');
    await assertAccess(db, official, 'desk', id);
    const devices = await listDevices(db, id);
    return c.json(
      devices.map((device) => ({
        id: device.id,
        label: device.label,
        purpose: device.purpose,
        pairedAt: device.paired_at.toISOString(),
        revokedAt: device.revoked_at?.toISOString() ?? null,
        lastRatingAt: device.last_rating_at?.toISOString() ?? null,
        lastStatusAt: device.last_status_at?.toISOString() ?? null,
        queueLength: device.queue_length,
      })),
      200,
    );
  })
  .get('/:id/refused-ratings', validate('param', idParam), async (c) => {
    const { db, official } = c.var;
    const { id } = c.req.valid('param');
    await assertAccess(db, official, 'desk', id);
    const refusals = await listRefusals(db, id);
    return c.json(
      refusals.map((refusal) => ({
        deviceId: refusal.device_id,
        deviceLabel: refusal.label,
        code: refusal.code,
        ratedAt: refusal.rated_at?.toISOString() ?? null,
        reportedAt: refusal.reported_at.toISOString(),
      })),
      200,
    );
  })
  .post(
    '/:id/devices',
    requireRole('admin', 'manager'),
    validate('param', idParam),
    jsonBodyLimit,
    requireJsonBody,
    validate('json', pairDeviceSchema),
    async (c) => {
      const { db, official, config } = c.var;
      const { id } = c.req.valid('param');
      const { label, purpose } = c.req.valid('json');
      await assertAccess(db, official, 'desk', id);
      const desk = await db.selectFrom('desk').select('code').where('id', '=', id).executeTakeFirstOrThrow();
      const { key, device } = await pairKioskDevice(db, { deskId: id, label, purpose });
      const pairingUrl = purpose === 'kiosk' ? kioskPairingUrl(config.publicBaseUrl, desk.code, key) : null;
      // The key leaves the server this once; only its hash is kept.
      c.header('Cache-Control', 'no-store');
      return c.json({ id: device.id, key, pairingUrl, pairingQrSvg: pairingUrl ? qrSvg(pairingUrl) : null }, 201);
    },
  );

/** `/devices/:id/revoke`: a revoked key is refused from then on. */
export const deviceRoutes = new Hono<OfficialsEnv>().post(
  '/:id/revoke',
  requireRole('admin', 'manager'),
  validate('param', idParam),
  async (c) => {
    const { db, official } = c.var;
    const { id } = c.req.valid('param');
    await assertAccess(db, official, 'device', id);
    await db
      .updateTable('kiosk_device')
      .set({ revoked_at: sql`coalesce(revoked_at, now())` })
      .where('id', '=', id)
      .execute();
    return c.body(null, 204);
  },
);

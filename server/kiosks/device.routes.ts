import { Hono } from 'hono';
import { sql } from 'kysely';
import { z } from 'zod';
import { requireRole } from '../auth/auth.middleware.ts';
import type { OfficialsEnv } from '../auth/official-env.ts';
import { deskUnitInScope, inScope, notFound } from '../auth/scope.ts';
import { idParamSchema } from '../officials/params.ts';
import { qrSvg } from '../posters/qr.ts';
import { jsonBodyLimit, requireJsonBody, validate } from '../validation.ts';
import { kioskPairingUrl, pairKioskDevice } from './kiosk-device.repository.ts';

export const pairDeviceSchema = z.strictObject({
  label: z.string().trim().max(100).default(''),
  purpose: z.enum(['kiosk', 'receipts']).default('kiosk'),
});

/** Tablets and receipt software paired with desks: pairing (the key is shown once), listing, revoking. */
export const deviceRoutes = new Hono<OfficialsEnv>()
  .get('/desks/:id/devices', validate('param', idParamSchema), async (c) => {
    const { db, official } = c.var;
    const { id } = c.req.valid('param');
    await deskUnitInScope(db, official, id);
    const devices = await db
      .selectFrom('kiosk_device')
      .select(['id', 'label', 'purpose', 'paired_at', 'revoked_at', 'last_rating_at', 'last_status_at', 'queue_length'])
      .where('desk_id', '=', id)
      .orderBy('paired_at', 'desc')
      .execute();
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
  .post(
    '/desks/:id/devices',
    requireRole('admin', 'manager'),
    validate('param', idParamSchema),
    jsonBodyLimit,
    requireJsonBody,
    validate('json', pairDeviceSchema),
    async (c) => {
      const { db, official, config } = c.var;
      const { id } = c.req.valid('param');
      const { label, purpose } = c.req.valid('json');
      await deskUnitInScope(db, official, id);
      const desk = await db.selectFrom('desk').select('code').where('id', '=', id).executeTakeFirstOrThrow();
      const { key, device } = await pairKioskDevice(db, { deskId: id, label, purpose });
      const pairingUrl = purpose === 'kiosk' ? kioskPairingUrl(config.publicBaseUrl, desk.code, key) : null;
      // The key leaves the server this once; only its hash is kept.
      c.header('Cache-Control', 'no-store');
      return c.json({ id: device.id, key, pairingUrl, pairingQrSvg: pairingUrl ? qrSvg(pairingUrl) : null }, 201);
    },
  )
  .post('/devices/:id/revoke', requireRole('admin', 'manager'), validate('param', idParamSchema), async (c) => {
    const { db, official } = c.var;
    const { id } = c.req.valid('param');
    const revoked = await db
      .updateTable('kiosk_device')
      .set({ revoked_at: sql`coalesce(revoked_at, now())` })
      .where('id', '=', id)
      .where((eb) =>
        eb.exists(
          eb
            .selectFrom('desk')
            .select('desk.id')
            .whereRef('desk.id', '=', 'kiosk_device.desk_id')
            .where(inScope(official, sql.ref('desk.unit_id'))),
        ),
      )
      .returning('id')
      .executeTakeFirst();
    if (!revoked) throw notFound();
    return c.body(null, 204);
  });

import { Hono } from 'hono';
import { z } from 'zod';
import { clientAddress } from '../abuse/client-address.ts';
import { sourceBucket } from '../abuse/rate-limit.ts';
import type { AppEnv } from '../app-env.ts';
import { KIOSK_KEY_PATTERN } from '../kiosks/kiosk-device.repository.ts';
import { jsonBodyLimit, requireJsonBody, validate } from '../validation.ts';
import { submissionSchema } from './submission.schema.ts';

export const kioskHeaderSchema = z.object({
  'x-kiosk-key': z
    .string()
    .regex(KIOSK_KEY_PATTERN, 'must be the 43-character key of a paired tablet')
    .optional()
    .describe('Key of the tablet paired with the desk; required for channel "kiosk"'),
});

export const responseRoutes = new Hono<AppEnv>().post(
  '/responses',
  jsonBodyLimit,
  requireJsonBody,
  validate('header', kioskHeaderSchema),
  validate('json', submissionSchema),
  async (c) => {
    const receivedAt = new Date();
    const { db, config, ratingWriter } = c.var;
    const bucket = await sourceBucket(db, clientAddress(c, config.trustProxy), receivedAt);
    const kioskKey = c.req.valid('header')['x-kiosk-key'];
    const outcome = await ratingWriter.submit({
      body: c.req.valid('json'),
      bucket,
      receivedAt,
      ...(kioskKey ? { kioskKey } : {}),
    });
    if (!outcome.ok) throw outcome.error;
    return outcome.replayed
      ? c.json({ id: outcome.id, replayed: true }, 200)
      : c.json({ id: outcome.id, replayed: false }, 201);
  },
);

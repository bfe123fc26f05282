import { Hono } from 'hono';
import { clientAddress } from '../abuse/client-address.ts';
import { sourceBucket } from '../abuse/rate-limit.ts';
import type { AppEnv } from '../app-env.ts';
import { jsonBodyLimit, requireJsonBody, validate } from '../validation.ts';
import { kioskHeaderSchema, submissionSchema } from './submission.schema.ts';

/** `/responses`: records one rating, answered once it is committed. */
export const responseRoutes = new Hono<AppEnv>().post(
  '/',
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

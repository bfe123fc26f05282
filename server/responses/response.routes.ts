import { Hono } from 'hono';
import { createMiddleware } from 'hono/factory';
import { clientAddress } from '../abuse/client-address.ts';
import { sourceBucket } from '../abuse/rate-limit.ts';
import type { AppEnv } from '../app-env.ts';
import { AppError } from '../errors.ts';
import { jsonBodyLimit, requireJsonBody, validate } from '../validation.ts';
import { kioskHeaderSchema, submissionSchema } from './submission.schema.ts';

/** Refusals of the request itself, before there is a rating to write. */
const REFUSED_BEFORE_WRITING = new Set(['invalid_request', 'payload_too_large', 'unsupported_media_type']);

/**
 * Every attempt costs its network: one past its allowance is refused before its body is
 * read, and a request refused as malformed counts like a rating. (A tablet's ratings count
 * against the tablet, known only once its key is checked, so they always go on.)
 */
const countedAgainstAllowance = createMiddleware<AppEnv & { Variables: { ratingSource: Buffer } }>(async (c, next) => {
  const receivedAt = new Date();
  const { db, config, ratingWriter } = c.var;
  const bucket = await sourceBucket(db, clientAddress(c, config.trustProxy), receivedAt);
  if (!c.req.header('x-kiosk-key')) {
    const refused = ratingWriter.refusedFromMemory(bucket, receivedAt);
    if (refused) throw refused;
  }
  c.set('ratingSource', bucket);
  await next();
  // Hono has already turned a thrown error into the answer; it stays on the context.
  if (c.error instanceof AppError && REFUSED_BEFORE_WRITING.has(c.error.code))
    await ratingWriter.countRefused(bucket, receivedAt);
});

/** `/responses`: records one rating, answered once it is committed. */
export const responseRoutes = new Hono<AppEnv>().post(
  '/',
  countedAgainstAllowance,
  jsonBodyLimit,
  requireJsonBody,
  validate('header', kioskHeaderSchema),
  validate('json', submissionSchema),
  async (c) => {
    const receivedAt = new Date();
    const { ratingWriter } = c.var;
    const bucket = c.var.ratingSource;
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

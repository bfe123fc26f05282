import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { clientAddress } from '../abuse/client-address.ts';
import { sourceBucket } from '../abuse/rate-limit.ts';
import type { AppEnv } from '../app-env.ts';
import { AppError } from '../errors.ts';
import { requireJsonBody, validate } from '../validation.ts';
import { submissionSchema } from './submission.schema.ts';

/** A rating with a full questionnaire and the longest comment is well under this. */
export const SUBMISSION_BODY_LIMIT = 16 * 1024;

export const responseRoutes = new Hono<AppEnv>().post(
  '/responses',
  bodyLimit({
    maxSize: SUBMISSION_BODY_LIMIT,
    onError: () => {
      throw new AppError(413, 'payload_too_large', `The request body must be at most ${SUBMISSION_BODY_LIMIT} bytes`);
    },
  }),
  requireJsonBody,
  validate('json', submissionSchema),
  async (c) => {
    const receivedAt = new Date();
    const { db, config, ratingWriter } = c.var;
    const bucket = await sourceBucket(db, clientAddress(c, config.trustProxy), receivedAt);
    const outcome = await ratingWriter.submit({ body: c.req.valid('json'), bucket, receivedAt });
    if (!outcome.ok) throw outcome.error;
    return outcome.replayed
      ? c.json({ id: outcome.id, replayed: true }, 200)
      : c.json({ id: outcome.id, replayed: false }, 201);
  },
);

import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import type { AddressInfo } from 'node:net';
import { submissionSchema } from '../server/responses/submission.schema.ts';
import { validate } from '../server/validation.ts';

/**
 * The baseline of the ingestion benchmark: a Hono route on Node, like the platform's,
 * that only validates a rating with the same zod schema and answers 201.
 */
let next = 1;
const app = new Hono().post('/api/v1/public/responses', validate('json', submissionSchema), (c) => {
  c.req.valid('json');
  return c.json({ id: next++, replayed: false }, 201);
});

const server = serve(
  { fetch: app.fetch, port: Number(process.env.PORT ?? 0), hostname: '127.0.0.1' },
  (info: AddressInfo) => console.log(`bare route listening on http://127.0.0.1:${info.port}`),
);
process.on('SIGTERM', () => server.close(() => process.exit(0)));

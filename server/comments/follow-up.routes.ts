import { Hono } from 'hono';
import { z } from 'zod';
import { assertAccess } from '../auth/access.ts';
import { requireRole } from '../auth/auth.middleware.ts';
import type { OfficialsEnv } from '../auth/official-env.ts';
import { notFound } from '../errors.ts';
import { ratingIdText, rowIdText, text, wholeNumberText } from '../fields.ts';
import { jsonBodyLimit, requireJsonBody, validate } from '../validation.ts';
import { isFollowUp, listFollowUps, saveFollowUp } from './follow-up.repository.ts';

const status = z.enum(['received', 'in_progress', 'answered']);

export const followUpQuerySchema = z.object({
  unitId: rowIdText.optional(),
  status: status.optional(),
  kind: z
    .enum(['comment', 'low'])
    .optional()
    .describe('`comment`: with a comment; `low`: overall rating of 3 or lower'),
  /** Keyset paging: items older than this rating id. */
  before: ratingIdText.optional(),
  limit: wholeNumberText(1, 200).default(50),
});

export const ratingParamSchema = z.object({ id: ratingIdText });

export const updateFollowUpSchema = z.strictObject({
  status,
  note: text({ max: 2000, multiline: true }).nullable().optional(),
});

/** `/follow-ups`: comments and low ratings of the official's scope, with their status and internal note. */
export const followUpRoutes = new Hono<OfficialsEnv>()
  .get('/', validate('query', followUpQuerySchema), async (c) => {
    const { db, official } = c.var;
    const query = c.req.valid('query');
    if (query.unitId !== undefined) await assertAccess(db, official, 'unit', query.unitId);
    const rows = await listFollowUps(db, official, query);
    return c.json(
      rows.map((row) => ({
        id: row.id,
        ratedAt: row.rated_at.toISOString(),
        channel: row.channel,
        unit: { id: row.unit_id, name: row.unit_name },
        desk: row.desk_name,
        domain: row.domain,
        overall: row.overall,
        reasons: row.reasons,
        comment: row.comment,
        status: row.status,
        note: row.note,
        updatedAt: row.updated_at?.toISOString() ?? null,
      })),
      200,
    );
  })
  .put(
    '/:id',
    requireRole('admin', 'manager'),
    validate('param', ratingParamSchema),
    jsonBodyLimit,
    requireJsonBody,
    validate('json', updateFollowUpSchema),
    async (c) => {
      const { db, official } = c.var;
      const { id } = c.req.valid('param');
      const input = c.req.valid('json');
      await assertAccess(db, official, 'rating', id);
      if (!(await isFollowUp(db, id))) throw notFound();
      await saveFollowUp(db, id, { status: input.status, note: input.note, by: official.id });
      return c.body(null, 204);
    },
  );

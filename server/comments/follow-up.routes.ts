import { Hono } from 'hono';
import { z } from 'zod';
import { assertAccess } from '../auth/access.ts';
import { requireRole } from '../auth/auth.middleware.ts';
import type { OfficialsEnv } from '../auth/official-env.ts';
import { notFound } from '../errors.ts';
import { domainCode, ratingIdText, rowIdText, text, wholeNumberText } from '../fields.ts';
import { periodSchema } from '../reports/periods.ts';
import { jsonBodyLimit, requireJsonBody, validate } from '../validation.ts';
import {
  countFollowUps,
  FOLLOW_UP_STATUSES,
  isFollowUp,
  listFollowUps,
  saveFollowUp,
  type FollowUpScope,
} from './follow-up.repository.ts';

const status = z.enum(FOLLOW_UP_STATUSES);

export const followUpScopeSchema = z.object({
  unitId: rowIdText.optional(),
  deskId: rowIdText.optional(),
  domain: domainCode.optional(),
  period: periodSchema.optional().describe('Ratings made in this period, e.g. 2026, 2026-Q2, 2026-03'),
  kind: z
    .enum(['comment', 'low'])
    .optional()
    .describe('`comment`: with a comment; `low`: overall rating of 3 or lower'),
});

export const followUpQuerySchema = followUpScopeSchema.extend({
  status: status.optional(),
  before: ratingIdText
    .optional()
    .describe('Keyset paging: the items after this one, newest rated first (the last id of the previous page)'),
  limit: wholeNumberText(1, 200).default(50),
});

/** Checks that what a filter names lies in the official's scope; anything else is a 404. */
async function assertScope(c: { var: OfficialsEnv['Variables'] }, scope: FollowUpScope): Promise<void> {
  const { db, official } = c.var;
  if (scope.unitId !== undefined) await assertAccess(db, official, 'unit', scope.unitId);
  if (scope.deskId !== undefined) await assertAccess(db, official, 'desk', scope.deskId);
}

export const ratingParamSchema = z.object({ id: ratingIdText });

export const updateFollowUpSchema = z.strictObject({
  status,
  note: text({ max: 2000, multiline: true }).nullable().optional(),
});

/** `/follow-ups`: comments and low ratings of the official's scope, with their status and internal note. */
export const followUpRoutes = new Hono<OfficialsEnv>()
  .get('/counts', validate('query', followUpScopeSchema), async (c) => {
    const scope = c.req.valid('query');
    await assertScope(c, scope);
    return c.json(await countFollowUps(c.var.db, c.var.official, scope), 200);
  })
  .get('/', validate('query', followUpQuerySchema), async (c) => {
    const { db, official } = c.var;
    const query = c.req.valid('query');
    await assertScope(c, query);
    const rows = await listFollowUps(db, official, query);
    return c.json(
      rows.map((row) => ({
        id: row.id,
        ratedAt: row.rated_at.toISOString(),
        channel: row.channel,
        unit: { id: row.unit_id, name: row.unit_name },
        desk: row.desk_name,
        deskId: row.desk_id,
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

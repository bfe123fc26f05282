import { Hono } from 'hono';
import { z } from 'zod';
import { assertAccess } from '../auth/access.ts';
import { requireRole } from '../auth/auth.middleware.ts';
import type { OfficialsEnv } from '../auth/official-env.ts';
import { fieldError, notFound } from '../errors.ts';
import {
  calendarDate,
  domainCode,
  elementCode,
  flagText,
  ratingIdText,
  rowId,
  rowIdText,
  text,
  wholeNumberText,
} from '../fields.ts';
import { vietnamDate } from '../time/vietnam-time.ts';
import { periodSchema } from '../reports/periods.ts';
import { jsonBodyLimit, requireJsonBody, validate } from '../validation.ts';
import {
  canAnswer,
  countCommentElements,
  countFollowUps,
  countOverdue,
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
  overdue: flagText.optional().describe('`true`: only those past their due day and not answered'),
  escalated: flagText.optional().describe('`true`: only those passed to the parent unit, being overdue'),
  mine: flagText.optional().describe('`true`: only those assigned to the signed-in official'),
  assignedTo: rowIdText.optional().describe('Only those assigned to this official'),
  element: elementCode.optional().describe('Only comments that speak about this SIPAS element'),
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
  note: text({ max: 2000, multiline: true }).nullable().optional().describe('Internal: never shown to the citizen'),
  assignedTo: rowId
    .nullable()
    .optional()
    .describe('The official who answers it (a manager who sees the unit); null: nobody'),
  dueOn: calendarDate.optional().describe('The last working day to answer, YYYY-MM-DD'),
  publicReply: text({ min: 1, max: 2000, multiline: true })
    .nullable()
    .optional()
    .describe('What the citizen reads with the follow-up code; no names, no internal detail'),
});

/** The dashboard lists this many overdue follow-ups, newest rated first, with their count. */
const OVERDUE_SHOWN = 10;

/** A follow-up as the API gives it. */
function followUpItem(row: Awaited<ReturnType<typeof listFollowUps>>[number]) {
  return {
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
    elements: row.elements,
    status: row.status,
    note: row.note,
    updatedAt: row.updated_at?.toISOString() ?? null,
    assignedTo: row.owner_id === null ? null : { id: row.owner_id, name: row.owner_name! },
    dueOn: row.due_on,
    overdue: row.overdue,
    escalatedAt: row.escalated_at?.toISOString() ?? null,
    publicReply: row.public_reply,
    repliedAt: row.replied_at?.toISOString() ?? null,
  };
}

/** `/follow-ups`: comments and low ratings of the official's scope, with their status and internal note. */
export const followUpRoutes = new Hono<OfficialsEnv>()
  .get('/counts', validate('query', followUpScopeSchema), async (c) => {
    const scope = c.req.valid('query');
    await assertScope(c, scope);
    return c.json(await countFollowUps(c.var.db, c.var.official, scope), 200);
  })
  .get('/overdue', validate('query', followUpScopeSchema), async (c) => {
    const { db, official } = c.var;
    const scope = c.req.valid('query');
    await assertScope(c, scope);
    const today = vietnamDate(new Date());
    const [counts, items] = await Promise.all([
      countOverdue(db, official, scope, today),
      listFollowUps(db, official, { ...scope, overdue: true, limit: OVERDUE_SHOWN }, today),
    ]);
    return c.json({ ...counts, items: items.map(followUpItem) }, 200);
  })
  .get('/elements', validate('query', followUpScopeSchema), async (c) => {
    const scope = c.req.valid('query');
    await assertScope(c, scope);
    return c.json(await countCommentElements(c.var.db, c.var.official, scope), 200);
  })
  .get('/', validate('query', followUpQuerySchema), async (c) => {
    const { db, official } = c.var;
    const query = c.req.valid('query');
    await assertScope(c, query);
    if (query.assignedTo !== undefined) await assertAccess(db, official, 'official', query.assignedTo);
    const rows = await listFollowUps(
      db,
      official,
      { ...query, ...(query.mine ? { assignedTo: official.id } : {}) },
      vietnamDate(new Date()),
    );
    return c.json(rows.map(followUpItem), 200);
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
      const unitId = await assertAccess(db, official, 'rating', id);
      if (!(await isFollowUp(db, id))) throw notFound();
      if (typeof input.assignedTo === 'number') {
        // An official outside one's own scope is as unknown as one that does not exist.
        await assertAccess(db, official, 'official', input.assignedTo).catch(() => {
          throw fieldError('invalid_request', 'assignedTo', 'not_found', 'is not an official you manage');
        });
        if (!(await canAnswer(db, input.assignedTo, unitId))) {
          throw fieldError('invalid_request', 'assignedTo', 'cannot_answer', 'is not an active manager of this unit');
        }
      }
      await saveFollowUp(db, id, { ...input, by: official.id }, vietnamDate(new Date()));
      return c.body(null, 204);
    },
  );

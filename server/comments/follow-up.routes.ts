import { Hono } from 'hono';
import { sql } from 'kysely';
import { z } from 'zod';
import { requireRole } from '../auth/auth.middleware.ts';
import type { OfficialsEnv } from '../auth/official-env.ts';
import { assertUnitInScope, inScope, notFound } from '../auth/scope.ts';
import { idParamSchema } from '../officials/params.ts';
import { LOW_RATING_MAX } from '../questionnaires/scale.ts';
import { jsonBodyLimit, requireJsonBody, validate } from '../validation.ts';

const status = z.enum(['received', 'in_progress', 'answered']);

export const followUpQuerySchema = z.object({
  unitId: z.coerce.number().int().positive().max(2_147_483_647).optional(),
  status: status.optional(),
  kind: z
    .enum(['comment', 'low'])
    .optional()
    .describe('`comment`: with a comment; `low`: overall rating of 3 or lower'),
  /** Keyset paging: items older than this rating id. */
  before: z.coerce.number().int().positive().optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

export const updateFollowUpSchema = z.strictObject({
  status,
  note: z.string().trim().max(2000).nullable().optional(),
});

/** Whether a rating needs following up: it has a comment or a low overall rating. */
const needsFollowUp = sql<boolean>`(
  exists (select 1 from comment where comment.response_id = r.id)
  or exists (
    select 1 from response_answer a join question q on q.id = a.question_id
    where a.response_id = r.id and q.role = 'overall' and a.score <= ${LOW_RATING_MAX}
  )
)`;

/** Comments and low ratings of the official's scope, with their follow-up status and internal note. */
export const followUpRoutes = new Hono<OfficialsEnv>()
  .get('/follow-ups', validate('query', followUpQuerySchema), async (c) => {
    const { db, official } = c.var;
    const query = c.req.valid('query');
    if (query.unitId !== undefined) await assertUnitInScope(db, official, query.unitId);
    const rows = await db
      .selectFrom('response as r')
      .innerJoin('unit', 'unit.id', 'r.unit_id')
      .innerJoin('desk', 'desk.id', 'r.desk_id')
      .innerJoin('domain', 'domain.id', 'r.domain_id')
      .leftJoin('comment', 'comment.response_id', 'r.id')
      .leftJoin('follow_up as f', 'f.response_id', 'r.id')
      .select([
        'r.id',
        'r.rated_at',
        'r.channel',
        'unit.id as unit_id',
        'unit.name as unit_name',
        'desk.name as desk_name',
        'domain.code as domain',
        'comment.body as comment',
        'f.note',
        'f.updated_at',
        sql<string>`coalesce(f.status, 'received')`.as('status'),
        sql<
          number | null
        >`(select a.score from response_answer a join question q on q.id = a.question_id where a.response_id = r.id and q.role = 'overall')`.as(
          'overall',
        ),
        sql<
          string[]
        >`coalesce((select array_agg(reason.code order by reason.position) from response_reason rr join reason on reason.id = rr.reason_id where rr.response_id = r.id), '{}')`.as(
          'reasons',
        ),
      ])
      .where(inScope(official, sql.ref('r.unit_id')))
      .where(needsFollowUp)
      .$if(query.unitId !== undefined, (q) =>
        q.where(
          sql<boolean>`exists (select 1 from unit_closure u where u.unit_id = r.unit_id and u.ancestor_id = ${query.unitId!})`,
        ),
      )
      .$if(query.status !== undefined, (q) => q.where(sql<string>`coalesce(f.status, 'received')`, '=', query.status!))
      .$if(query.kind === 'comment', (q) => q.where('comment.body', 'is not', null))
      .$if(query.kind === 'low', (q) =>
        q.where(
          sql<boolean>`exists (select 1 from response_answer a join question q on q.id = a.question_id where a.response_id = r.id and q.role = 'overall' and a.score <= ${LOW_RATING_MAX})`,
        ),
      )
      .$if(query.before !== undefined, (q) => q.where('r.id', '<', query.before!))
      .orderBy('r.id', 'desc')
      .limit(query.limit)
      .execute();
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
    '/follow-ups/:id',
    requireRole('admin', 'manager'),
    validate('param', idParamSchema),
    jsonBodyLimit,
    requireJsonBody,
    validate('json', updateFollowUpSchema),
    async (c) => {
      const { db, official } = c.var;
      const { id } = c.req.valid('param');
      const input = c.req.valid('json');
      const found = await db
        .selectFrom('response as r')
        .select('r.id')
        .where('r.id', '=', id)
        .where(inScope(official, sql.ref('r.unit_id')))
        .where(needsFollowUp)
        .executeTakeFirst();
      if (!found) throw notFound();
      await db
        .insertInto('follow_up')
        .values({ response_id: id, status: input.status, note: input.note ?? null, updated_by: official.id })
        .onConflict((oc) =>
          oc.column('response_id').doUpdateSet({
            status: input.status,
            ...(input.note !== undefined ? { note: input.note } : {}),
            updated_at: sql`now()`,
            updated_by: official.id,
          }),
        )
        .execute();
      return c.body(null, 204);
    },
  );

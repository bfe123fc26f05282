import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { sql } from 'kysely';
import { z } from 'zod';
import { requireRole } from '../auth/auth.middleware.ts';
import type { OfficialsEnv } from '../auth/official-env.ts';
import { assertUnitInScope, inScope, notFound } from '../auth/scope.ts';
import { isUniqueViolation } from '../db/errors.ts';
import { domainIdsByCode } from '../domains/domain.repository.ts';
import { AppError } from '../errors.ts';
import { dateSchema, idParamSchema } from '../officials/params.ts';
import { fieldProblems, jsonBodyLimit, requireJsonBody, validate, someChange } from '../validation.ts';
import { PlanReaders } from './plan-readers.ts';
import type { PlanJob } from './plan-worker.ts';

const targetFields = {
  year: z.int().min(2000).max(2100),
  metric: z.enum(['tthc', 'agency_service', 'domain']),
  domain: z
    .string()
    .regex(/^[a-z][a-z0-9_]{1,39}$/)
    .nullable(),
  comparison: z.enum(['gte', 'gt']),
  threshold: z.number().gt(0).max(100),
  planNumber: z.string().trim().max(200).nullable(),
  planDate: dateSchema.nullable(),
  planSentence: z.string().trim().max(2000).nullable(),
};

export const createTargetSchema = z
  .strictObject({
    unitId: z.int().positive(),
    ...targetFields,
    domain: targetFields.domain.default(null),
    comparison: targetFields.comparison.default('gte'),
    planNumber: targetFields.planNumber.default(null),
    planDate: targetFields.planDate.default(null),
    planSentence: targetFields.planSentence.default(null),
  })
  .refine((target) => (target.metric === 'domain') === (target.domain !== null), {
    path: ['domain'],
    message: 'is required for a domain target, and only for one',
  });

export const updateTargetSchema = someChange(
  z.strictObject({
    comparison: targetFields.comparison.optional(),
    threshold: targetFields.threshold.optional(),
    planNumber: targetFields.planNumber.optional(),
    planDate: targetFields.planDate.optional(),
    planSentence: targetFields.planSentence.optional(),
  }),
);

export const targetListQuerySchema = z.object({
  unitId: z.coerce.number().int().positive().max(2_147_483_647).optional(),
  year: z.coerce.number().int().min(2000).max(2100).optional(),
});

export const extractTextSchema = z.strictObject({ text: z.string().min(1).max(2_000_000) });

const PLAN_SIZE_LIMIT = 5 * 1024 * 1024;

/** Plans are read in worker threads, off the event loop, each within a time budget. */
export const planReaders = new PlanReaders();

/** An uploaded plan as a job for a reader: plain text, or a Word document (.docx). */
async function planJob(file: File): Promise<PlanJob> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  if (
    /\.docx$/i.test(file.name) ||
    file.type === 'application/vnd.openxmlformats-officedocument.wordprocessingml.document'
  )
    return { kind: 'docx', bytes };
  if (/\.txt$/i.test(file.name) || file.type.startsWith('text/'))
    return { kind: 'text', text: new TextDecoder('utf-8').decode(bytes) };
  throw new AppError(415, 'unsupported_document', 'Upload the plan as text (.txt) or a Word document (.docx)');
}

function duplicateTarget(error: unknown): never {
  if (isUniqueViolation(error, 'target_per_metric')) {
    throw new AppError(409, 'target_exists', 'This unit already has a target for that year and metric');
  }
  throw error;
}

async function targetInScope(c: { var: OfficialsEnv['Variables'] }, id: number): Promise<void> {
  const found = await c.var.db
    .selectFrom('target')
    .select('id')
    .where('id', '=', id)
    .where(inScope(c.var.official, sql.ref('target.unit_id')))
    .executeTakeFirst();
  if (!found) throw notFound();
}

/** Satisfaction targets of the reform plans, per unit, year and metric. */
export const targetRoutes = new Hono<OfficialsEnv>()
  .post(
    '/targets/extract',
    requireRole('admin', 'manager'),
    bodyLimit({
      maxSize: PLAN_SIZE_LIMIT,
      onError: () => {
        throw new AppError(413, 'payload_too_large', 'The plan must be at most 5 MB');
      },
    }),
    async (c) => {
      const type = (c.req.header('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
      let job: PlanJob;
      if (type === 'multipart/form-data') {
        // A body that is not a well-formed form (no parts, a wrong boundary) is the client's error.
        const form = await c.req.parseBody().catch(() => {
          throw new AppError(400, 'malformed_form', 'The request body is not a well-formed multipart form');
        });
        const file = form.file;
        if (!(file instanceof File)) {
          throw new AppError(400, 'invalid_request', 'Send the plan as the "file" field', [
            { path: 'file', code: 'required', message: 'is required' },
          ]);
        }
        job = await planJob(file);
      } else if (type === 'application/json') {
        const parsed = extractTextSchema.safeParse(await c.req.json().catch(() => undefined));
        if (!parsed.success)
          throw new AppError(
            400,
            'invalid_request',
            'Send {"text": "…"} with the plan',
            fieldProblems(parsed.error.issues),
          );
        job = { kind: 'text', text: parsed.data.text };
      } else {
        throw new AppError(415, 'unsupported_media_type', 'Send the plan as JSON text or as an uploaded file');
      }
      return c.json(await planReaders.read(job), 200);
    },
  )
  .get('/targets', validate('query', targetListQuerySchema), async (c) => {
    const { db, official } = c.var;
    const { unitId, year } = c.req.valid('query');
    if (unitId !== undefined) await assertUnitInScope(db, official, unitId);
    const targets = await db
      .selectFrom('target')
      .innerJoin('unit', 'unit.id', 'target.unit_id')
      .leftJoin('domain', 'domain.id', 'target.domain_id')
      .select([
        'target.id',
        'target.unit_id',
        'unit.name as unit_name',
        'target.year',
        'target.metric',
        'domain.code as domain',
        'target.comparison',
        'target.threshold',
        'target.plan_number',
        'target.plan_date',
        'target.plan_sentence',
      ])
      .where(inScope(official, sql.ref('target.unit_id')))
      .$if(unitId !== undefined, (query) => query.where('target.unit_id', '=', unitId!))
      .$if(year !== undefined, (query) => query.where('target.year', '=', year!))
      .orderBy('target.year', 'desc')
      .orderBy('unit.name')
      .orderBy('target.metric')
      .execute();
    return c.json(
      targets.map((target) => ({
        id: target.id,
        unit: { id: target.unit_id, name: target.unit_name },
        year: target.year,
        metric: target.metric,
        domain: target.domain,
        comparison: target.comparison,
        threshold: target.threshold,
        planNumber: target.plan_number,
        planDate: target.plan_date,
        planSentence: target.plan_sentence,
      })),
      200,
    );
  })
  .post(
    '/targets',
    requireRole('admin', 'manager'),
    jsonBodyLimit,
    requireJsonBody,
    validate('json', createTargetSchema),
    async (c) => {
      const { db, official } = c.var;
      const input = c.req.valid('json');
      await assertUnitInScope(db, official, input.unitId);
      const [domainId] = input.domain ? await domainIdsByCode(db, [input.domain], 'domain') : [null];
      const target = await db
        .insertInto('target')
        .values({
          unit_id: input.unitId,
          year: input.year,
          metric: input.metric,
          domain_id: domainId ?? null,
          comparison: input.comparison,
          threshold: input.threshold,
          plan_number: input.planNumber,
          plan_date: input.planDate,
          plan_sentence: input.planSentence,
        })
        .returning('id')
        .executeTakeFirstOrThrow()
        .catch(duplicateTarget);
      return c.json({ id: target.id }, 201);
    },
  )
  .patch(
    '/targets/:id',
    requireRole('admin', 'manager'),
    validate('param', idParamSchema),
    jsonBodyLimit,
    requireJsonBody,
    validate('json', updateTargetSchema),
    async (c) => {
      const { id } = c.req.valid('param');
      const input = c.req.valid('json');
      await targetInScope(c, id);
      const changes = {
        ...(input.comparison !== undefined ? { comparison: input.comparison } : {}),
        ...(input.threshold !== undefined ? { threshold: input.threshold } : {}),
        ...(input.planNumber !== undefined ? { plan_number: input.planNumber } : {}),
        ...(input.planDate !== undefined ? { plan_date: input.planDate } : {}),
        ...(input.planSentence !== undefined ? { plan_sentence: input.planSentence } : {}),
      };
      if (Object.keys(changes).length > 0)
        await c.var.db.updateTable('target').set(changes).where('id', '=', id).execute();
      return c.body(null, 204);
    },
  )
  .delete('/targets/:id', requireRole('admin', 'manager'), validate('param', idParamSchema), async (c) => {
    const { id } = c.req.valid('param');
    await targetInScope(c, id);
    await c.var.db.deleteFrom('target').where('id', '=', id).execute();
    return c.body(null, 204);
  });

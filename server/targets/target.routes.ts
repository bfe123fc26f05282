import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { z } from 'zod';
import { assertAccess } from '../auth/access.ts';
import { requireRole } from '../auth/auth.middleware.ts';
import type { OfficialsEnv } from '../auth/official-env.ts';
import { isUniqueViolation } from '../db/errors.ts';
import { domainIdsByCode } from '../domains/domain.repository.ts';
import { AppError } from '../errors.ts';
import { calendarDate, domainCode, idParam, percent, rowId, rowIdText, text, year, yearText } from '../fields.ts';
import { fieldProblems, jsonBodyLimit, requireJsonBody, someChange, validate } from '../validation.ts';
import type { PlanJob } from './plan-worker.ts';
import { listTargets, updateTarget } from './target.repository.ts';

const targetFields = {
  year,
  metric: z.enum(['tthc', 'agency_service', 'domain']),
  domain: domainCode.nullable(),
  comparison: z.enum(['gte', 'gt']),
  threshold: percent,
  planNumber: text({ max: 200 }).nullable(),
  planDate: calendarDate.nullable(),
  planSentence: text({ max: 2000, multiline: true }).nullable(),
};

export const createTargetSchema = z
  .strictObject({
    unitId: rowId,
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
  unitId: rowIdText.optional(),
  year: yearText.optional(),
});

export const extractTextSchema = z.strictObject({ text: z.string().min(1).max(2_000_000) });

const PLAN_SIZE_LIMIT = 5 * 1024 * 1024;

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
  throw new AppError('unsupported_document');
}

function duplicateTarget(error: unknown): never {
  if (isUniqueViolation(error, 'target_per_metric')) {
    throw new AppError('target_exists');
  }
  throw error;
}

/** `/targets`: satisfaction targets of the reform plans, per unit, year and metric. */
export const targetRoutes = new Hono<OfficialsEnv>()
  .post(
    '/extract',
    requireRole('admin', 'manager'),
    bodyLimit({
      maxSize: PLAN_SIZE_LIMIT,
      onError: () => {
        throw new AppError('payload_too_large', { message: 'The plan must be at most 5 MB' });
      },
    }),
    async (c) => {
      const type = (c.req.header('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
      let job: PlanJob;
      if (type === 'multipart/form-data') {
        // A body that is not a well-formed form (no parts, a wrong boundary) is the client's error.
        const form = await c.req.parseBody().catch(() => {
          throw new AppError('malformed_form');
        });
        const file = form.file;
        if (!(file instanceof File)) {
          throw new AppError('invalid_request', {
            message: 'Send the plan as the "file" field',
            fields: [{ path: 'file', code: 'required', message: 'is required' }],
          });
        }
        job = await planJob(file);
      } else if (type === 'application/json') {
        const parsed = extractTextSchema.safeParse(await c.req.json().catch(() => undefined));
        if (!parsed.success)
          throw new AppError('invalid_request', {
            message: 'Send {"text": "…"} with the plan',
            fields: fieldProblems(parsed.error.issues),
          });
        job = { kind: 'text', text: parsed.data.text };
      } else {
        throw new AppError('unsupported_media_type', {
          message: 'Send the plan as JSON text or as an uploaded file',
        });
      }
      return c.json(await c.var.planReaders.read(job), 200);
    },
  )
  .get('/', validate('query', targetListQuerySchema), async (c) => {
    const { db, official } = c.var;
    const { unitId, year } = c.req.valid('query');
    if (unitId !== undefined) await assertAccess(db, official, 'unit', unitId);
    const targets = await listTargets(db, official, { unitId, year });
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
    '/',
    requireRole('admin', 'manager'),
    jsonBodyLimit,
    requireJsonBody,
    validate('json', createTargetSchema),
    async (c) => {
      const { db, official } = c.var;
      const input = c.req.valid('json');
      await assertAccess(db, official, 'unit', input.unitId);
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
    '/:id',
    requireRole('admin', 'manager'),
    validate('param', idParam),
    jsonBodyLimit,
    requireJsonBody,
    validate('json', updateTargetSchema),
    async (c) => {
      const { id } = c.req.valid('param');
      const input = c.req.valid('json');
      await assertAccess(c.var.db, c.var.official, 'target', id);
      await updateTarget(c.var.db, id, {
        comparison: input.comparison,
        threshold: input.threshold,
        plan_number: input.planNumber,
        plan_date: input.planDate,
        plan_sentence: input.planSentence,
      });
      return c.body(null, 204);
    },
  )
  .delete('/:id', requireRole('admin', 'manager'), validate('param', idParam), async (c) => {
    const { id } = c.req.valid('param');
    await assertAccess(c.var.db, c.var.official, 'target', id);
    await c.var.db.deleteFrom('target').where('id', '=', id).execute();
    return c.body(null, 204);
  });

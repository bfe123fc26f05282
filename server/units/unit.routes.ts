import { Hono } from 'hono';
import { sql } from 'kysely';
import { z } from 'zod';
import { requireRole } from '../auth/auth.middleware.ts';
import type { OfficialsEnv } from '../auth/official-env.ts';
import { assertUnitInScope, inScope } from '../auth/scope.ts';
import { isUniqueViolation } from '../db/errors.ts';
import { AppError } from '../errors.ts';
import { dateSchema, idParamSchema } from '../officials/params.ts';
import { jsonBodyLimit, requireJsonBody, validate, someChange } from '../validation.ts';
import { createUnit, mergeUnit } from './unit.repository.ts';

const unitCode = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9._-]{1,40}$/, 'must be 1–40 letters, digits, ".", "_" or "-"');
const unitName = z.string().trim().min(1).max(200);

export const createUnitSchema = z.strictObject({
  code: unitCode,
  name: unitName,
  kind: z.enum(['country', 'province', 'district', 'commune', 'ward', 'special_zone', 'agency']),
  parentId: z.int().positive().nullable(),
  validFrom: dateSchema.nullable().optional(),
});

export const updateUnitSchema = someChange(
  z.strictObject({
    code: unitCode.optional(),
    name: unitName.optional(),
    /** The first day the unit is closed; null reopens it. */
    validUntil: dateSchema.nullable().optional(),
  }),
);

export const mergeUnitSchema = z.strictObject({
  intoUnitId: z.int().positive(),
  from: dateSchema,
});

const unitColumns = [
  'unit.id',
  'unit.code',
  'unit.name',
  'unit.kind',
  'unit.parent_id',
  'unit.valid_from',
  'unit.valid_until',
  'unit.merged_into_id',
] as const;

function unitConflict(error: unknown): never {
  if (isUniqueViolation(error, 'unit_code_key')) {
    throw new AppError(409, 'unit_code_taken', 'Another unit has this code', [
      { path: 'code', code: 'unit_code_taken', message: 'is used by another unit' },
    ]);
  }
  throw error;
}

export const unitRoutes = new Hono<OfficialsEnv>()
  .get('/units', async (c) => {
    const { db, official } = c.var;
    const units = await db
      .selectFrom('unit')
      .select(unitColumns)
      .select(sql<number>`(select count(*) from desk where desk.unit_id = unit.id)::integer`.as('desk_count'))
      .where(inScope(official, sql.ref('unit.id')))
      .orderBy('unit.id')
      .execute();
    return c.json(
      units.map((unit) => ({
        id: unit.id,
        code: unit.code,
        name: unit.name,
        kind: unit.kind,
        // The root of an official's scope shows as a root, whatever lies above it.
        parentId: units.some((candidate) => candidate.id === unit.parent_id) ? unit.parent_id : null,
        validFrom: unit.valid_from,
        validUntil: unit.valid_until,
        mergedIntoId: unit.merged_into_id,
        deskCount: unit.desk_count,
      })),
      200,
    );
  })
  .post(
    '/units',
    requireRole('admin', 'manager'),
    jsonBodyLimit,
    requireJsonBody,
    validate('json', createUnitSchema),
    async (c) => {
      const { db, official } = c.var;
      const input = c.req.valid('json');
      if (input.parentId === null) {
        if (official.role !== 'admin') {
          throw new AppError(422, 'parent_required', 'A new unit must belong to a unit you manage', [
            { path: 'parentId', code: 'parent_required', message: 'is required' },
          ]);
        }
      } else {
        await assertUnitInScope(db, official, input.parentId);
      }
      const unit = await db
        .transaction()
        .execute((trx) =>
          createUnit(trx, {
            code: input.code,
            name: input.name,
            kind: input.kind,
            parent_id: input.parentId,
            valid_from: input.validFrom ?? null,
            valid_until: null,
            merged_into_id: null,
          }),
        )
        .catch(unitConflict);
      return c.json({ id: unit.id }, 201);
    },
  )
  .patch(
    '/units/:id',
    requireRole('admin', 'manager'),
    validate('param', idParamSchema),
    jsonBodyLimit,
    requireJsonBody,
    validate('json', updateUnitSchema),
    async (c) => {
      const { db, official } = c.var;
      const { id } = c.req.valid('param');
      const input = c.req.valid('json');
      await assertUnitInScope(db, official, id);
      if (input.validUntil !== undefined && official.role !== 'admin' && id === official.unit_id) {
        throw new AppError(403, 'own_unit', 'You cannot close or reopen the unit you manage');
      }
      await db
        .updateTable('unit')
        .set({
          ...(input.code !== undefined ? { code: input.code } : {}),
          ...(input.name !== undefined ? { name: input.name } : {}),
          ...(input.validUntil !== undefined ? { valid_until: input.validUntil } : {}),
        })
        .where('id', '=', id)
        .execute()
        .catch(unitConflict);
      return c.body(null, 204);
    },
  )
  .post(
    '/units/:id/merge',
    requireRole('admin', 'manager'),
    validate('param', idParamSchema),
    jsonBodyLimit,
    requireJsonBody,
    validate('json', mergeUnitSchema),
    async (c) => {
      const { db, official } = c.var;
      const { id } = c.req.valid('param');
      const { intoUnitId, from } = c.req.valid('json');
      await assertUnitInScope(db, official, id);
      await assertUnitInScope(db, official, intoUnitId);
      if (official.role !== 'admin' && id === official.unit_id) {
        throw new AppError(403, 'own_unit', 'You cannot merge away the unit you manage');
      }
      await db.transaction().execute((trx) => mergeUnit(trx, id, intoUnitId, from));
      return c.body(null, 204);
    },
  );

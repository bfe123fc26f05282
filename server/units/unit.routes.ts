import { Hono } from 'hono';
import { z } from 'zod';
import { assertAccess } from '../auth/access.ts';
import { requireRole } from '../auth/auth.middleware.ts';
import type { OfficialsEnv } from '../auth/official-env.ts';
import { isUniqueViolation } from '../db/errors.ts';
import { AppError, fieldError } from '../errors.ts';
import { calendarDate, idParam, phoneNumber, rowId, text, unitCode, webAddress, workingDays } from '../fields.ts';
import { jsonBodyLimit, requireJsonBody, someChange, validate } from '../validation.ts';
import { createUnit, isRootUnit, listUnits, mergeUnit, unitLifetime } from './unit.repository.ts';

const unitName = text({ min: 1, max: 200 });
/** Hospitals and schools are ranked apart from other agencies; null for any other agency. */
const agencySector = z.enum(['health', 'education']).nullable();

export const createUnitSchema = z
  .strictObject({
    code: unitCode,
    name: unitName,
    kind: z.enum(['country', 'province', 'district', 'commune', 'ward', 'special_zone', 'agency']),
    parentId: rowId.nullable(),
    validFrom: calendarDate.nullable().optional(),
    agencySector: agencySector.optional(),
  })
  .refine((unit) => !unit.agencySector || unit.kind === 'agency', {
    path: ['agencySector'],
    message: 'applies to agencies only',
  });

export const updateUnitSchema = someChange(
  z.strictObject({
    code: unitCode.optional(),
    name: unitName.optional(),
    /** The first day the unit is closed; null reopens it. */
    validUntil: calendarDate.nullable().optional(),
    /** Shown to citizens after they rate; null removes it. */
    hotline: phoneNumber.nullable().optional(),
    complaintUrl: webAddress.nullable().optional(),
    agencySector: agencySector.optional(),
    /** Working days to follow up a comment or a low rating; null takes the unit above's. */
    followUpDays: workingDays.nullable().optional(),
  }),
);

export const mergeUnitSchema = z.strictObject({
  intoUnitId: rowId,
  from: calendarDate,
});

/**
 * Unit codes are global identifiers, like the national codes of administrative units:
 * a manager creating a unit learns that a code is taken anywhere, and nothing more.
 */
function unitConflict(error: unknown): never {
  if (isUniqueViolation(error, 'unit_code_key')) {
    throw fieldError('unit_code_taken', 'code', 'unit_code_taken', 'is used by another unit');
  }
  throw error;
}

/** The national root and the unit an official manages are closed or merged only from above. */
async function assertMayClose(c: { var: OfficialsEnv['Variables'] }, id: number): Promise<void> {
  const { db, official } = c.var;
  if (await isRootUnit(db, id)) throw new AppError('root_unit');
  if (official.role !== 'admin' && id === official.unit_id) throw new AppError('own_unit');
}

/** `/units`: the administrative units of the official's scope. */
export const unitRoutes = new Hono<OfficialsEnv>()
  .get('/', async (c) => {
    const units = await listUnits(c.var.db, c.var.official);
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
        hotline: unit.hotline,
        complaintUrl: unit.complaint_url,
        agencySector: unit.agency_sector,
        followUpDays: unit.follow_up_days,
        deskCount: unit.desk_count,
        publicScorecard: unit.public_scorecard,
      })),
      200,
    );
  })
  .post(
    '/',
    requireRole('admin', 'manager'),
    jsonBodyLimit,
    requireJsonBody,
    validate('json', createUnitSchema),
    async (c) => {
      const { db, official } = c.var;
      const input = c.req.valid('json');
      if (input.parentId === null) {
        if (official.role !== 'admin')
          throw fieldError('parent_required', 'parentId', 'parent_required', 'is required');
      } else {
        await assertAccess(db, official, 'unit', input.parentId);
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
            agency_sector: input.agencySector ?? null,
          }),
        )
        .catch(unitConflict);
      return c.json({ id: unit.id }, 201);
    },
  )
  .patch(
    '/:id',
    requireRole('admin', 'manager'),
    validate('param', idParam),
    jsonBodyLimit,
    requireJsonBody,
    validate('json', updateUnitSchema),
    async (c) => {
      const { db, official } = c.var;
      const { id } = c.req.valid('param');
      const input = c.req.valid('json');
      await assertAccess(db, official, 'unit', id);
      if (input.agencySector) {
        const { kind } = await db.selectFrom('unit').select('kind').where('id', '=', id).executeTakeFirstOrThrow();
        if (kind !== 'agency')
          throw fieldError('invalid_request', 'agencySector', 'not_an_agency', 'applies to agencies only');
      }
      if (input.validUntil !== undefined) {
        await assertMayClose(c, id);
        const unit = await unitLifetime(db, id);
        // A merged unit stays closed: its history now belongs to its successor.
        if (unit.merged_into_id !== null) throw new AppError('unit_already_merged');
        if (input.validUntil !== null && unit.valid_from !== null && input.validUntil <= unit.valid_from) {
          throw fieldError(
            'validity_before_start',
            'validUntil',
            'validity_before_start',
            `must be after ${unit.valid_from}`,
          );
        }
      }
      await db
        .updateTable('unit')
        .set({
          ...(input.code !== undefined ? { code: input.code } : {}),
          ...(input.name !== undefined ? { name: input.name } : {}),
          ...(input.validUntil !== undefined ? { valid_until: input.validUntil } : {}),
          ...(input.hotline !== undefined ? { hotline: input.hotline } : {}),
          ...(input.complaintUrl !== undefined ? { complaint_url: input.complaintUrl } : {}),
          ...(input.agencySector !== undefined ? { agency_sector: input.agencySector } : {}),
          ...(input.followUpDays !== undefined ? { follow_up_days: input.followUpDays } : {}),
        })
        .where('id', '=', id)
        .execute()
        .catch(unitConflict);
      return c.body(null, 204);
    },
  )
  .post(
    '/:id/merge',
    requireRole('admin', 'manager'),
    validate('param', idParam),
    jsonBodyLimit,
    requireJsonBody,
    validate('json', mergeUnitSchema),
    async (c) => {
      const { db, official } = c.var;
      const { id } = c.req.valid('param');
      const { intoUnitId, from } = c.req.valid('json');
      await assertAccess(db, official, 'unit', id);
      await assertAccess(db, official, 'unit', intoUnitId);
      await assertMayClose(c, id);
      await db.transaction().execute((trx) => mergeUnit(trx, id, intoUnitId, from));
      return c.body(null, 204);
    },
  );

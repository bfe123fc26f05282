import { Hono } from 'hono';
import { sql } from 'kysely';
import { z } from 'zod';
import { requireRole } from '../auth/auth.middleware.ts';
import type { OfficialsEnv } from '../auth/official-env.ts';
import { hashPassword, PASSWORD_MIN_LENGTH } from '../auth/password.ts';
import { assertUnitInScope, inScope, notFound } from '../auth/scope.ts';
import { invalidateOfficialSessions } from '../auth/session.ts';
import { isUniqueViolation } from '../db/errors.ts';
import { AppError } from '../errors.ts';
import { jsonBodyLimit, requireJsonBody, validate, someChange } from '../validation.ts';
import type { Official, Role } from './official.table.ts';
import { officialView } from './official.view.ts';
import { idParamSchema } from './params.ts';

const password = z.string().min(PASSWORD_MIN_LENGTH, `must have at least ${PASSWORD_MIN_LENGTH} characters`).max(200);
const role = z.enum(['admin', 'manager', 'viewer']);

export const createOfficialSchema = z.strictObject({
  username: z
    .string()
    .trim()
    .toLowerCase()
    .regex(/^[a-z0-9][a-z0-9._-]{2,39}$/, 'must be 3–40 lowercase letters, digits, ".", "_" or "-"'),
  displayName: z.string().trim().min(1).max(100),
  role,
  unitId: z.int().positive(),
  password,
});

export const updateOfficialSchema = someChange(
  z.strictObject({
    displayName: z.string().trim().min(1).max(100).optional(),
    role: role.optional(),
    unitId: z.int().positive().optional(),
    active: z.boolean().optional(),
    password: password.optional(),
  }),
);

/** A manager appoints viewers only; the administrator appoints anyone. */
function assertMayAppoint(official: Official, appointed: Role): void {
  if (official.role !== 'admin' && appointed !== 'viewer') {
    throw new AppError(403, 'role_not_allowed', 'You may only give the viewer role');
  }
}

function usernameTaken(error: unknown): never {
  if (isUniqueViolation(error, 'official_username_key')) {
    throw new AppError(409, 'username_taken', 'This username is taken', [
      { path: 'username', code: 'username_taken', message: 'is taken' },
    ]);
  }
  throw error;
}

/** Accounts of officials in the manager's subtree (or all, for the administrator). */
export const officialRoutes = new Hono<OfficialsEnv>()
  .get('/users', requireRole('admin', 'manager'), async (c) => {
    const { db, official } = c.var;
    const officials = await db
      .selectFrom('official')
      .innerJoin('unit', 'unit.id', 'official.unit_id')
      .selectAll('official')
      .select('unit.name as unit_name')
      .where(inScope(official, sql.ref('official.unit_id')))
      .orderBy('official.username')
      .execute();
    return c.json(
      officials.map(({ unit_name, ...row }) => officialView(row, unit_name)),
      200,
    );
  })
  .post(
    '/users',
    requireRole('admin', 'manager'),
    jsonBodyLimit,
    requireJsonBody,
    validate('json', createOfficialSchema),
    async (c) => {
      const { db, official } = c.var;
      const input = c.req.valid('json');
      assertMayAppoint(official, input.role);
      await assertUnitInScope(db, official, input.unitId);
      const created = await db
        .insertInto('official')
        .values({
          username: input.username,
          display_name: input.displayName,
          role: input.role,
          unit_id: input.unitId,
          password_hash: await hashPassword(input.password),
        })
        .returning('id')
        .executeTakeFirstOrThrow()
        .catch(usernameTaken);
      return c.json({ id: created.id }, 201);
    },
  )
  .patch(
    '/users/:id',
    requireRole('admin', 'manager'),
    validate('param', idParamSchema),
    jsonBodyLimit,
    requireJsonBody,
    validate('json', updateOfficialSchema),
    async (c) => {
      const { db, official } = c.var;
      const { id } = c.req.valid('param');
      const input = c.req.valid('json');
      const target = await db
        .selectFrom('official')
        .selectAll()
        .where('id', '=', id)
        .where(inScope(official, sql.ref('official.unit_id')))
        .executeTakeFirst();
      if (!target) throw notFound();
      if (
        id === official.id &&
        (input.role !== undefined || input.active !== undefined || input.unitId !== undefined)
      ) {
        throw new AppError(403, 'own_account', 'Your own role, unit and access are changed by someone above you');
      }
      assertMayAppoint(official, target.role);
      if (input.role) assertMayAppoint(official, input.role);
      if (input.unitId !== undefined) await assertUnitInScope(db, official, input.unitId);
      await db
        .updateTable('official')
        .set({
          ...(input.displayName !== undefined ? { display_name: input.displayName } : {}),
          ...(input.role !== undefined ? { role: input.role } : {}),
          ...(input.unitId !== undefined ? { unit_id: input.unitId } : {}),
          ...(input.active !== undefined ? { active: input.active } : {}),
          ...(input.password !== undefined
            ? { password_hash: await hashPassword(input.password), password_changed_at: new Date() }
            : {}),
        })
        .where('id', '=', id)
        .execute();
      // A new password, role, unit or a closed account takes effect at once, on every device.
      if (
        input.password !== undefined ||
        input.active === false ||
        input.role !== undefined ||
        input.unitId !== undefined
      ) {
        await invalidateOfficialSessions(db, id);
      }
      return c.body(null, 204);
    },
  );

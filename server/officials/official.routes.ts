import { Hono } from 'hono';
import { sql } from 'kysely';
import { z } from 'zod';
import { assertAccess, inScope } from '../auth/access.ts';
import { requireRole } from '../auth/auth.middleware.ts';
import type { OfficialsEnv } from '../auth/official-env.ts';
import { hashPassword, password } from '../auth/password.ts';
import { invalidateOfficialSessions } from '../auth/session.ts';
import { isUniqueViolation } from '../db/errors.ts';
import { AppError, fieldError } from '../errors.ts';
import { idParam, rowId, text, username } from '../fields.ts';
import { jsonBodyLimit, requireJsonBody, someChange, validate } from '../validation.ts';
import type { Official, Role } from './official.table.ts';
import { officialView } from './official.view.ts';

const role = z.enum(['admin', 'manager', 'viewer']);
const displayName = text({ min: 1, max: 100 });

export const createOfficialSchema = z.strictObject({
  username,
  displayName,
  role,
  unitId: rowId,
  password,
});

export const updateOfficialSchema = someChange(
  z.strictObject({
    displayName: displayName.optional(),
    role: role.optional(),
    unitId: rowId.optional(),
    active: z.boolean().optional(),
    password: password.optional(),
  }),
);

/** A manager appoints viewers only; the administrator appoints anyone. */
function assertMayAppoint(official: Official, appointed: Role): void {
  if (official.role !== 'admin' && appointed !== 'viewer') throw new AppError('role_not_allowed');
}

/**
 * Usernames are global: one sign-in page serves the whole country. A manager creating an
 * account learns that a name is taken somewhere, and nothing more.
 */
function usernameTaken(error: unknown): never {
  if (isUniqueViolation(error, 'official_username_key')) {
    throw fieldError('username_taken', 'username', 'username_taken', 'is taken');
  }
  throw error;
}

/** `/users`: accounts of officials in the manager's subtree (or all, for the administrator). */
export const officialRoutes = new Hono<OfficialsEnv>()
  .get('/', requireRole('admin', 'manager'), async (c) => {
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
    '/',
    requireRole('admin', 'manager'),
    jsonBodyLimit,
    requireJsonBody,
    validate('json', createOfficialSchema),
    async (c) => {
      const { db, official } = c.var;
      const input = c.req.valid('json');
      assertMayAppoint(official, input.role);
      await assertAccess(db, official, 'unit', input.unitId);
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
    '/:id',
    requireRole('admin', 'manager'),
    validate('param', idParam),
    jsonBodyLimit,
    requireJsonBody,
    validate('json', updateOfficialSchema),
    async (c) => {
      const { db, official } = c.var;
      const { id } = c.req.valid('param');
      const input = c.req.valid('json');
      await assertAccess(db, official, 'official', id);
      const target = await db.selectFrom('official').select('role').where('id', '=', id).executeTakeFirstOrThrow();
      if (
        id === official.id &&
        (input.role !== undefined || input.active !== undefined || input.unitId !== undefined)
      ) {
        throw new AppError('own_account');
      }
      assertMayAppoint(official, target.role);
      if (input.role) assertMayAppoint(official, input.role);
      if (input.unitId !== undefined) await assertAccess(db, official, 'unit', input.unitId);
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

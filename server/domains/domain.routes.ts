import { Hono } from 'hono';
import { z } from 'zod';
import { requireRole } from '../auth/auth.middleware.ts';
import type { OfficialsEnv } from '../auth/official-env.ts';
import { isUniqueViolation } from '../db/errors.ts';
import { fieldError, notFound } from '../errors.ts';
import { domainCode, smallIdParam, text } from '../fields.ts';
import { jsonBodyLimit, requireJsonBody, someChange, validate } from '../validation.ts';

const name = text({ min: 1, max: 120 });

export const createDomainSchema = z.strictObject({
  code: domainCode,
  nameVi: name,
  nameEn: name,
  position: z.int().min(0).max(32_000).default(500),
});
export const updateDomainSchema = someChange(
  z.strictObject({
    nameVi: name.optional(),
    nameEn: name.optional(),
    position: z.int().min(0).max(32_000).optional(),
    active: z.boolean().optional(),
  }),
);

/** `/domains`: the coded list of domains: everyone reads it, the administrator extends it. */
export const domainRoutes = new Hono<OfficialsEnv>()
  .get('/', async (c) => {
    const domains = await c.var.db.selectFrom('domain').selectAll().orderBy('position').orderBy('id').execute();
    return c.json(
      domains.map((domain) => ({
        id: domain.id,
        code: domain.code,
        name: { vi: domain.name_vi, en: domain.name_en },
        position: domain.position,
        active: domain.active,
      })),
      200,
    );
  })
  .post('/', requireRole('admin'), jsonBodyLimit, requireJsonBody, validate('json', createDomainSchema), async (c) => {
    const input = c.req.valid('json');
    const domain = await c.var.db
      .insertInto('domain')
      .values({ code: input.code, name_vi: input.nameVi, name_en: input.nameEn, position: input.position })
      .returning('id')
      .executeTakeFirstOrThrow()
      .catch((error: unknown) => {
        if (isUniqueViolation(error)) {
          throw fieldError('domain_code_taken', 'code', 'domain_code_taken', 'is used by another domain');
        }
        throw error;
      });
    return c.json({ id: domain.id }, 201);
  })
  .patch(
    '/:id',
    requireRole('admin'),
    validate('param', smallIdParam),
    jsonBodyLimit,
    requireJsonBody,
    validate('json', updateDomainSchema),
    async (c) => {
      const input = c.req.valid('json');
      const updated = await c.var.db
        .updateTable('domain')
        .set({
          ...(input.nameVi !== undefined ? { name_vi: input.nameVi } : {}),
          ...(input.nameEn !== undefined ? { name_en: input.nameEn } : {}),
          ...(input.position !== undefined ? { position: input.position } : {}),
          ...(input.active !== undefined ? { active: input.active } : {}),
        })
        .where('id', '=', c.req.valid('param').id)
        .returning('id')
        .executeTakeFirst();
      if (!updated) throw notFound();
      return c.body(null, 204);
    },
  );

import { Hono } from 'hono';
import { z } from 'zod';
import { assertAccess } from '../auth/access.ts';
import { requireRole } from '../auth/auth.middleware.ts';
import type { OfficialsEnv } from '../auth/official-env.ts';
import { idParam, month, yearText } from '../fields.ts';
import { jsonBodyLimit, requireJsonBody, validate } from '../validation.ts';

export const dossierVolumeSchema = z.strictObject({
  month,
  dossiers: z.int().min(0).max(10_000_000),
});

export const volumeQuerySchema = z.object({ year: yearText });

/**
 * `/units/:id/dossier-volumes`: dossiers a unit handled each month, the N of the
 * sample-size rule and of coverage.
 */
export const dossierVolumeRoutes = new Hono<OfficialsEnv>()
  .get('/:id/dossier-volumes', validate('param', idParam), validate('query', volumeQuerySchema), async (c) => {
    const { id } = c.req.valid('param');
    const { year } = c.req.valid('query');
    await assertAccess(c.var.db, c.var.official, 'unit', id);
    const rows = await c.var.db
      .selectFrom('dossier_volume')
      .select(['month', 'dossiers'])
      .where('unit_id', '=', id)
      .where('month', '>=', `${year}-01-01`)
      .where('month', '<', `${year + 1}-01-01`)
      .orderBy('month')
      .execute();
    return c.json(
      rows.map((row) => ({ month: row.month.slice(0, 7), dossiers: row.dossiers })),
      200,
    );
  })
  .put(
    '/:id/dossier-volumes',
    requireRole('admin', 'manager'),
    validate('param', idParam),
    jsonBodyLimit,
    requireJsonBody,
    validate('json', dossierVolumeSchema),
    async (c) => {
      const { id } = c.req.valid('param');
      const { month: volumeMonth, dossiers } = c.req.valid('json');
      await assertAccess(c.var.db, c.var.official, 'unit', id);
      await c.var.db
        .insertInto('dossier_volume')
        .values({ unit_id: id, month: `${volumeMonth}-01`, dossiers })
        .onConflict((oc) => oc.columns(['unit_id', 'month']).doUpdateSet({ dossiers, updated_at: new Date() }))
        .execute();
      return c.body(null, 204);
    },
  );

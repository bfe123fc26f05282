import { Hono } from 'hono';
import { z } from 'zod';
import { requireRole } from '../auth/auth.middleware.ts';
import type { OfficialsEnv } from '../auth/official-env.ts';
import { assertUnitInScope } from '../auth/scope.ts';
import { idParamSchema } from '../officials/params.ts';
import { jsonBodyLimit, requireJsonBody, validate } from '../validation.ts';
import { periodSchema } from './periods.ts';
import { EXPORT_TABLES, runExport } from './export.ts';
import { breakdown, ranking, reasons, summary, trend, unitContext } from './report.ts';
import { notFound } from '../auth/scope.ts';

export const reportQuerySchema = z.object({
  unitId: z.coerce.number().int().positive().max(2_147_483_647),
  period: periodSchema,
});

export const breakdownQuerySchema = reportQuerySchema.extend({
  by: z.enum(['domain', 'subunit', 'desk', 'element', 'criterion', 'channel']),
});

export const dossierVolumeSchema = z.strictObject({
  month: z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'must be a month such as 2026-03'),
  dossiers: z.int().min(0).max(10_000_000),
});

export const exportRequestSchema = z.strictObject({
  unitId: z.int().positive(),
  period: periodSchema,
  format: z.enum(['xlsx', 'csv']),
  /** For CSV, which table; the workbook holds them all. */
  table: z.enum(EXPORT_TABLES).default('summary'),
});

export const exportParamSchema = z.object({ id: z.uuid() });

/** `filename*` carries the Vietnamese name; `filename` a plain fallback for old clients. */
function attachment(filename: string): string {
  const plain = filename
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/đ/g, 'd')
    .replace(/Đ/g, 'D')
    .replace(/[^\w .()-]/g, '_');
  return `attachment; filename="${plain}"; filename*=UTF-8''${encodeURIComponent(filename)}`;
}

export const volumeQuerySchema = z.object({ year: z.coerce.number().int().min(2000).max(2100) });

/** Satisfaction against the plan targets, for the official's scope (DESIGN §4). */
export const reportRoutes = new Hono<OfficialsEnv>()
  .get('/reports/summary', validate('query', reportQuerySchema), async (c) => {
    const { unitId, period } = c.req.valid('query');
    await assertUnitInScope(c.var.db, c.var.official, unitId);
    const [report, context] = await Promise.all([summary(c.var.db, unitId, period), unitContext(c.var.db, unitId)]);
    return c.json({ ...report, children: context.children, kind: context.unit.kind }, 200);
  })
  .get('/reports/breakdown', validate('query', breakdownQuerySchema), async (c) => {
    const { unitId, period, by } = c.req.valid('query');
    await assertUnitInScope(c.var.db, c.var.official, unitId);
    return c.json(await breakdown(c.var.db, unitId, period, by), 200);
  })
  .get('/reports/trend', validate('query', reportQuerySchema), async (c) => {
    const { unitId, period } = c.req.valid('query');
    await assertUnitInScope(c.var.db, c.var.official, unitId);
    return c.json(await trend(c.var.db, unitId, period), 200);
  })
  .get('/reports/ranking', validate('query', reportQuerySchema), async (c) => {
    const { unitId, period } = c.req.valid('query');
    await assertUnitInScope(c.var.db, c.var.official, unitId);
    return c.json(await ranking(c.var.db, unitId, period), 200);
  })
  .get('/reports/reasons', validate('query', reportQuerySchema), async (c) => {
    const { unitId, period } = c.req.valid('query');
    await assertUnitInScope(c.var.db, c.var.official, unitId);
    return c.json(await reasons(c.var.db, unitId, period), 200);
  })
  .post('/reports/exports', jsonBodyLimit, requireJsonBody, validate('json', exportRequestSchema), async (c) => {
    const { unitId, period, format, table } = c.req.valid('json');
    await assertUnitInScope(c.var.db, c.var.official, unitId);
    const job = await c.var.db
      .insertInto('report_export')
      .values({ official_id: c.var.official.id, unit_id: unitId, period: period.key, format })
      .returning('id')
      .executeTakeFirstOrThrow();
    runExport(c.var.db, c.var.logger, { id: job.id, unitId, period, format, table });
    return c.json({ id: job.id }, 202);
  })
  .get('/reports/exports/:id', validate('param', exportParamSchema), async (c) => {
    const job = await c.var.db
      .selectFrom('report_export')
      .select(['id', 'status', 'progress', 'filename'])
      .where('id', '=', c.req.valid('param').id)
      .where('official_id', '=', c.var.official.id)
      .executeTakeFirst();
    if (!job) throw notFound();
    return c.json(job, 200);
  })
  .get('/reports/exports/:id/file', validate('param', exportParamSchema), async (c) => {
    const job = await c.var.db
      .selectFrom('report_export')
      .select(['filename', 'content_type', 'file'])
      .where('id', '=', c.req.valid('param').id)
      .where('official_id', '=', c.var.official.id)
      .where('status', '=', 'done')
      .executeTakeFirst();
    if (!job?.file) throw notFound();
    c.header('Content-Disposition', attachment(job.filename!));
    c.header('Cache-Control', 'no-store');
    return c.body(new Uint8Array(job.file), 200, { 'Content-Type': job.content_type! });
  })
  .get(
    '/units/:id/dossier-volumes',
    validate('param', idParamSchema),
    validate('query', volumeQuerySchema),
    async (c) => {
      const { id } = c.req.valid('param');
      const { year } = c.req.valid('query');
      await assertUnitInScope(c.var.db, c.var.official, id);
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
    },
  )
  .put(
    '/units/:id/dossier-volumes',
    requireRole('admin', 'manager'),
    validate('param', idParamSchema),
    jsonBodyLimit,
    requireJsonBody,
    validate('json', dossierVolumeSchema),
    async (c) => {
      const { id } = c.req.valid('param');
      const { month, dossiers } = c.req.valid('json');
      await assertUnitInScope(c.var.db, c.var.official, id);
      await c.var.db
        .insertInto('dossier_volume')
        .values({ unit_id: id, month: `${month}-01`, dossiers })
        .onConflict((oc) => oc.columns(['unit_id', 'month']).doUpdateSet({ dossiers, updated_at: new Date() }))
        .execute();
      return c.body(null, 204);
    },
  );

import { Hono } from 'hono';
import { z } from 'zod';
import { assertAccess } from '../auth/access.ts';
import type { OfficialsEnv } from '../auth/official-env.ts';
import { notFound } from '../errors.ts';
import { rowId, rowIdText } from '../fields.ts';
import { jsonBodyLimit, requireJsonBody, validate } from '../validation.ts';
import { buildReportDocument } from './document.ts';
import { EXPORT_TABLES } from './export.ts';
import { periodSchema } from './periods.ts';
import { breakdown, ranking, reasons, summary, trend, unitContext } from './report.ts';

export const reportQuerySchema = z.object({
  unitId: rowIdText,
  period: periodSchema,
});

export const breakdownQuerySchema = reportQuerySchema.extend({
  by: z.enum(['domain', 'subunit', 'desk', 'element', 'criterion', 'channel']),
});

export const exportRequestSchema = z.strictObject({
  unitId: rowId,
  period: periodSchema,
  /** `docx`: the periodic report document; the print page reads the same from `/document`. */
  format: z.enum(['xlsx', 'csv', 'docx']),
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

/** `/reports`: satisfaction against the plan targets, for the official's scope (README, method). */
export const reportRoutes = new Hono<OfficialsEnv>()
  .get('/summary', validate('query', reportQuerySchema), async (c) => {
    const { unitId, period } = c.req.valid('query');
    await assertAccess(c.var.db, c.var.official, 'unit', unitId);
    const [report, context] = await Promise.all([summary(c.var.db, unitId, period), unitContext(c.var.db, unitId)]);
    return c.json({ ...report, children: context.children, kind: context.unit.kind }, 200);
  })
  .get('/breakdown', validate('query', breakdownQuerySchema), async (c) => {
    const { unitId, period, by } = c.req.valid('query');
    await assertAccess(c.var.db, c.var.official, 'unit', unitId);
    return c.json(await breakdown(c.var.db, unitId, period, by), 200);
  })
  .get('/trend', validate('query', reportQuerySchema), async (c) => {
    const { unitId, period } = c.req.valid('query');
    await assertAccess(c.var.db, c.var.official, 'unit', unitId);
    return c.json(await trend(c.var.db, unitId, period), 200);
  })
  .get('/ranking', validate('query', reportQuerySchema), async (c) => {
    const { unitId, period } = c.req.valid('query');
    await assertAccess(c.var.db, c.var.official, 'unit', unitId);
    return c.json(await ranking(c.var.db, unitId, period), 200);
  })
  .get('/reasons', validate('query', reportQuerySchema), async (c) => {
    const { unitId, period } = c.req.valid('query');
    await assertAccess(c.var.db, c.var.official, 'unit', unitId);
    return c.json(await reasons(c.var.db, unitId, period), 200);
  })
  // The report document's blocks, for the print page; the DOCX is built from the same.
  .get('/document', validate('query', reportQuerySchema), async (c) => {
    const { unitId, period } = c.req.valid('query');
    await assertAccess(c.var.db, c.var.official, 'unit', unitId);
    return c.json(await buildReportDocument(c.var.db, unitId, period), 200);
  })
  .post('/exports', jsonBodyLimit, requireJsonBody, validate('json', exportRequestSchema), async (c) => {
    const { unitId, period, format, table } = c.req.valid('json');
    await assertAccess(c.var.db, c.var.official, 'unit', unitId);
    const id = await c.var.exports.start({ officialId: c.var.official.id, unitId, period, format, table });
    return c.json({ id }, 202);
  })
  // An export is its official's own: nobody else, even above them, reads it by its id.
  .get('/exports/:id', validate('param', exportParamSchema), async (c) => {
    const job = await c.var.db
      .selectFrom('report_export')
      .select(['id', 'status', 'progress', 'filename'])
      .where('id', '=', c.req.valid('param').id)
      .where('official_id', '=', c.var.official.id)
      .executeTakeFirst();
    if (!job) throw notFound();
    return c.json(job, 200);
  })
  .get('/exports/:id/file', validate('param', exportParamSchema), async (c) => {
    const job = await c.var.db
      .selectFrom('report_export')
      .select(['filename', 'content_type', 'file'])
      .where('id', '=', c.req.valid('param').id)
      .where('official_id', '=', c.var.official.id)
      .where('status', '=', 'done')
      .executeTakeFirst();
    if (!job?.file) throw notFound();
    c.header('Content-Disposition', attachment(job.filename!));
    return c.body(new Uint8Array(job.file), 200, { 'Content-Type': job.content_type! });
  });

import { Hono } from 'hono';
import { z } from 'zod';
import { assertAccess } from '../auth/access.ts';
import type { OfficialsEnv } from '../auth/official-env.ts';
import type { Db } from '../db/database.ts';
import { activeDeskIds, findDeskById } from '../desks/desk.repository.ts';
import { deskSurveyUrl } from '../desks/desk.routes.ts';
import { AppError, notFound } from '../errors.ts';
import { idParam } from '../fields.ts';
import { validate } from '../validation.ts';
import { postersPdf, posterPng, posterSvg, type PosterContent } from './poster.ts';

export const posterQuerySchema = z.object({
  format: z.enum(['svg', 'png', 'pdf']).default('pdf'),
  size: z.enum(['a4', 'a5']).default('a4'),
});

async function posterContent(db: Db, deskId: number, publicBaseUrl: string) {
  const context = await findDeskById(db, deskId);
  if (!context) throw notFound();
  const content: PosterContent = {
    unitName: context.unit.name,
    parentName: context.unit.parentName,
    deskName: context.desk.name,
    domains: context.domains.map((domain) => ({ vi: domain.name_vi, en: domain.name_en })),
    url: deskSurveyUrl(publicBaseUrl, context.desk.code),
  };
  return { content, code: context.desk.code };
}

/** `/desks/:id/poster`: one desk's QR poster, as SVG, PNG or PDF. */
export const deskPosterRoutes = new Hono<OfficialsEnv>().get(
  '/:id/poster',
  validate('param', idParam),
  validate('query', posterQuerySchema),
  async (c) => {
    const { db, official, config } = c.var;
    const { id } = c.req.valid('param');
    const { format, size } = c.req.valid('query');
    await assertAccess(db, official, 'desk', id);
    const { content, code } = await posterContent(db, id, config.publicBaseUrl);
    c.header('Content-Disposition', `inline; filename="ma-qr-${code}-${size}.${format}"`);
    c.header('Cache-Control', 'no-store');
    if (format === 'svg')
      return c.body(posterSvg(content, size), 200, { 'Content-Type': 'image/svg+xml; charset=utf-8' });
    if (format === 'png')
      return c.body(new Uint8Array(await posterPng(content, size)), 200, { 'Content-Type': 'image/png' });
    return c.body(new Uint8Array(await postersPdf([content], size)), 200, { 'Content-Type': 'application/pdf' });
  },
);

/** `/units/:id/posters`: the posters of every active desk of a unit, in one PDF. */
export const unitPosterRoutes = new Hono<OfficialsEnv>().get(
  '/:id/posters',
  validate('param', idParam),
  validate('query', posterQuerySchema.pick({ size: true })),
  async (c) => {
    const { db, official, config } = c.var;
    const { id } = c.req.valid('param');
    await assertAccess(db, official, 'unit', id);
    const deskIds = await activeDeskIds(db, id);
    if (deskIds.length === 0) throw new AppError('no_active_desks');
    const contents = await Promise.all(
      deskIds.map(async (deskId) => (await posterContent(db, deskId, config.publicBaseUrl)).content),
    );
    const unit = await db.selectFrom('unit').select('code').where('id', '=', id).executeTakeFirstOrThrow();
    const size = c.req.valid('query').size;
    c.header('Content-Disposition', `inline; filename="ma-qr-${unit.code}-${size}.pdf"`);
    c.header('Cache-Control', 'no-store');
    return c.body(new Uint8Array(await postersPdf(contents, size)), 200, { 'Content-Type': 'application/pdf' });
  },
);

import { Hono } from 'hono';
import { sql } from 'kysely';
import { z } from 'zod';
import { requireRole } from '../auth/auth.middleware.ts';
import type { OfficialsEnv } from '../auth/official-env.ts';
import { assertUnitInScope, deskUnitInScope, inScope, notFound } from '../auth/scope.ts';
import type { Db } from '../db/database.ts';
import { domainIdsByCode } from '../domains/domain.repository.ts';
import type { Official } from '../officials/official.table.ts';
import { AppError } from '../errors.ts';
import { idParamSchema } from '../officials/params.ts';
import { postersPdf, posterPng, posterSvg, type PosterContent } from '../posters/poster.ts';
import { jsonBodyLimit, requireJsonBody, validate, someChange } from '../validation.ts';
import { createDesk, findDeskById } from './desk.repository.ts';

const domainCode = z.string().regex(/^[a-z][a-z0-9_]{1,39}$/, 'must be a domain code');

const deskFields = {
  name: z.string().trim().min(1).max(200),
  domains: z
    .array(domainCode)
    .min(1, 'choose at least one domain')
    .max(20)
    .refine((codes) => new Set(codes).size === codes.length, 'must not repeat a domain'),
  questionnaire: z.enum(['quick', 'full']),
  kioskIdleSeconds: z.int().min(5).max(600),
  active: z.boolean(),
};

export const createDeskSchema = z.strictObject({
  unitId: z.int().positive(),
  ...deskFields,
  kioskIdleSeconds: deskFields.kioskIdleSeconds.default(20),
  active: deskFields.active.default(true),
});
export const updateDeskSchema = someChange(
  z.strictObject({
    name: deskFields.name.optional(),
    domains: deskFields.domains.optional(),
    questionnaire: deskFields.questionnaire.optional(),
    kioskIdleSeconds: deskFields.kioskIdleSeconds.optional(),
    active: deskFields.active.optional(),
  }),
);
export const deskListQuerySchema = z.object({
  unitId: z.coerce.number().int().positive().max(2_147_483_647).optional(),
});
export const posterQuerySchema = z.object({
  format: z.enum(['svg', 'png', 'pdf']).default('pdf'),
  size: z.enum(['a4', 'a5']).default('a4'),
});

/** The short address inside a desk's QR code. */
export function deskSurveyUrl(publicBaseUrl: string, deskCode: string): string {
  return `${publicBaseUrl}/s/${deskCode}`;
}

async function posterContent(
  db: Db,
  deskId: number,
  publicBaseUrl: string,
): Promise<{ content: PosterContent; code: string }> {
  const context = await findDeskById(db, deskId);
  if (!context) throw notFound();
  return {
    code: context.desk.code,
    content: {
      unitName: context.unit.name,
      parentName: context.unit.parentName,
      deskName: context.desk.name,
      domains: context.domains.map((domain) => ({ vi: domain.name_vi, en: domain.name_en })),
      url: deskSurveyUrl(publicBaseUrl, context.desk.code),
    },
  };
}

/** Desks in scope, under `unitId` when given, or the one desk `deskId`, as the app shows them. */
async function listDesks(
  db: Db,
  official: Official,
  publicBaseUrl: string,
  filter: { unitId?: number; deskId?: number },
) {
  const { unitId, deskId } = filter;
  const desks = await db
    .selectFrom('desk')
    .innerJoin('unit', 'unit.id', 'desk.unit_id')
    .select([
      'desk.id',
      'desk.code',
      'desk.name',
      'desk.unit_id',
      'unit.name as unit_name',
      'desk.questionnaire_code',
      'desk.kiosk_idle_seconds',
      'desk.active',
    ])
    .select(
      sql<
        string[]
      >`coalesce((select array_agg(domain.code order by domain.position) from desk_domain join domain on domain.id = desk_domain.domain_id where desk_domain.desk_id = desk.id), '{}')`.as(
        'domains',
      ),
    )
    .select(
      sql<number>`(select count(*) from kiosk_device d where d.desk_id = desk.id and d.revoked_at is null)::integer`.as(
        'device_count',
      ),
    )
    .where(inScope(official, sql.ref('desk.unit_id')))
    .$if(unitId !== undefined, (query) =>
      query.where(
        sql<boolean>`exists (select 1 from unit_closure u where u.unit_id = desk.unit_id and u.ancestor_id = ${unitId!})`,
      ),
    )
    .$if(deskId !== undefined, (query) => query.where('desk.id', '=', deskId!))
    .orderBy('unit.name')
    .orderBy('desk.name')
    .execute();
  return desks.map((desk) => ({
    id: desk.id,
    code: desk.code,
    name: desk.name,
    unit: { id: desk.unit_id, name: desk.unit_name },
    domains: desk.domains,
    questionnaire: desk.questionnaire_code,
    kioskIdleSeconds: desk.kiosk_idle_seconds,
    active: desk.active,
    deviceCount: desk.device_count,
    surveyUrl: deskSurveyUrl(publicBaseUrl, desk.code),
  }));
}

/** Desks of the official's scope, their QR posters, and their configuration. */
export const deskRoutes = new Hono<OfficialsEnv>()
  .get('/desks', validate('query', deskListQuerySchema), async (c) => {
    const { db, official, config } = c.var;
    const { unitId } = c.req.valid('query');
    if (unitId !== undefined) await assertUnitInScope(db, official, unitId);
    return c.json(await listDesks(db, official, config.publicBaseUrl, unitId !== undefined ? { unitId } : {}), 200);
  })
  .get('/desks/:id', validate('param', idParamSchema), async (c) => {
    const { db, official, config } = c.var;
    const [desk] = await listDesks(db, official, config.publicBaseUrl, { deskId: c.req.valid('param').id });
    if (!desk) throw notFound();
    return c.json(desk, 200);
  })
  .post(
    '/desks',
    requireRole('admin', 'manager'),
    jsonBodyLimit,
    requireJsonBody,
    validate('json', createDeskSchema),
    async (c) => {
      const { db, official } = c.var;
      const input = c.req.valid('json');
      await assertUnitInScope(db, official, input.unitId);
      const domainIds = await domainIdsByCode(db, input.domains, 'domains');
      const desk = await db.transaction().execute((trx) =>
        createDesk(
          trx,
          {
            unit_id: input.unitId,
            name: input.name,
            questionnaire_code: input.questionnaire,
            kiosk_idle_seconds: input.kioskIdleSeconds,
            active: input.active,
          },
          domainIds,
        ),
      );
      return c.json({ id: desk.id, code: desk.code }, 201);
    },
  )
  .patch(
    '/desks/:id',
    requireRole('admin', 'manager'),
    validate('param', idParamSchema),
    jsonBodyLimit,
    requireJsonBody,
    validate('json', updateDeskSchema),
    async (c) => {
      const { db, official } = c.var;
      const { id } = c.req.valid('param');
      const input = c.req.valid('json');
      await deskUnitInScope(db, official, id);
      const domainIds = input.domains ? await domainIdsByCode(db, input.domains, 'domains') : undefined;
      await db.transaction().execute(async (trx) => {
        const changes = {
          ...(input.name !== undefined ? { name: input.name } : {}),
          ...(input.questionnaire !== undefined ? { questionnaire_code: input.questionnaire } : {}),
          ...(input.kioskIdleSeconds !== undefined ? { kiosk_idle_seconds: input.kioskIdleSeconds } : {}),
          ...(input.active !== undefined ? { active: input.active } : {}),
        };
        if (Object.keys(changes).length > 0) await trx.updateTable('desk').set(changes).where('id', '=', id).execute();
        if (domainIds) {
          await trx.deleteFrom('desk_domain').where('desk_id', '=', id).execute();
          await trx
            .insertInto('desk_domain')
            .values(domainIds.map((domain_id) => ({ desk_id: id, domain_id })))
            .execute();
        }
      });
      return c.body(null, 204);
    },
  )
  .get('/desks/:id/poster', validate('param', idParamSchema), validate('query', posterQuerySchema), async (c) => {
    const { db, official, config } = c.var;
    const { id } = c.req.valid('param');
    const { format, size } = c.req.valid('query');
    await deskUnitInScope(db, official, id);
    const { content, code } = await posterContent(db, id, config.publicBaseUrl);
    const filename = `ma-qr-${code}-${size}.${format}`;
    c.header('Content-Disposition', `inline; filename="${filename}"`);
    c.header('Cache-Control', 'no-store');
    if (format === 'svg')
      return c.body(posterSvg(content, size), 200, { 'Content-Type': 'image/svg+xml; charset=utf-8' });
    if (format === 'png')
      return c.body(new Uint8Array(await posterPng(content, size)), 200, { 'Content-Type': 'image/png' });
    return c.body(new Uint8Array(await postersPdf([content], size)), 200, { 'Content-Type': 'application/pdf' });
  })
  .get(
    '/units/:id/posters',
    validate('param', idParamSchema),
    validate('query', posterQuerySchema.pick({ size: true })),
    async (c) => {
      const { db, official, config } = c.var;
      const { id } = c.req.valid('param');
      await assertUnitInScope(db, official, id);
      const desks = await db
        .selectFrom('desk')
        .select(['id'])
        .where('unit_id', '=', id)
        .where('active', '=', true)
        .orderBy('name')
        .execute();
      if (desks.length === 0) throw new AppError(404, 'no_active_desks', 'This unit has no active desk');
      const contents = await Promise.all(
        desks.map(async (desk) => (await posterContent(db, desk.id, config.publicBaseUrl)).content),
      );
      const unit = await db.selectFrom('unit').select('code').where('id', '=', id).executeTakeFirstOrThrow();
      const size = c.req.valid('query').size;
      c.header('Content-Disposition', `inline; filename="ma-qr-${unit.code}-${size}.pdf"`);
      c.header('Cache-Control', 'no-store');
      return c.body(new Uint8Array(await postersPdf(contents, size)), 200, { 'Content-Type': 'application/pdf' });
    },
  );

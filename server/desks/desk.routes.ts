import { Hono } from 'hono';
import { z } from 'zod';
import { assertAccess } from '../auth/access.ts';
import { requireRole } from '../auth/auth.middleware.ts';
import type { OfficialsEnv } from '../auth/official-env.ts';
import { domainIdsByCode } from '../domains/domain.repository.ts';
import { notFound } from '../errors.ts';
import { domainCode, idParam, rowId, rowIdText, text } from '../fields.ts';
import { jsonBodyLimit, requireJsonBody, someChange, validate } from '../validation.ts';
import { createDesk, listDesks, updateDesk } from './desk.repository.ts';

const deskFields = {
  name: text({ min: 1, max: 200 }),
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
  unitId: rowId,
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
export const deskListQuerySchema = z.object({ unitId: rowIdText.optional() });

/** The short address inside a desk's QR code. */
export function deskSurveyUrl(publicBaseUrl: string, deskCode: string): string {
  return `${publicBaseUrl}/s/${deskCode}`;
}

/** A desk as the officials' app shows it. */
function deskView(desk: Awaited<ReturnType<typeof listDesks>>[number], publicBaseUrl: string) {
  return {
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
  };
}

/** `/desks`: the desks of the official's scope and their configuration. */
export const deskRoutes = new Hono<OfficialsEnv>()
  .get('/', validate('query', deskListQuerySchema), async (c) => {
    const { db, official, config } = c.var;
    const { unitId } = c.req.valid('query');
    if (unitId !== undefined) await assertAccess(db, official, 'unit', unitId);
    const desks = await listDesks(db, official, unitId !== undefined ? { unitId } : {});
    return c.json(
      desks.map((desk) => deskView(desk, config.publicBaseUrl)),
      200,
    );
  })
  .get('/:id', validate('param', idParam), async (c) => {
    const { db, official, config } = c.var;
    const [desk] = await listDesks(db, official, { deskId: c.req.valid('param').id });
    if (!desk) throw notFound();
    return c.json(deskView(desk, config.publicBaseUrl), 200);
  })
  .post(
    '/',
    requireRole('admin', 'manager'),
    jsonBodyLimit,
    requireJsonBody,
    validate('json', createDeskSchema),
    async (c) => {
      const { db, official } = c.var;
      const input = c.req.valid('json');
      await assertAccess(db, official, 'unit', input.unitId);
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
    '/:id',
    requireRole('admin', 'manager'),
    validate('param', idParam),
    jsonBodyLimit,
    requireJsonBody,
    validate('json', updateDeskSchema),
    async (c) => {
      const { db, official } = c.var;
      const { id } = c.req.valid('param');
      const input = c.req.valid('json');
      await assertAccess(db, official, 'desk', id);
      const domainIds = input.domains ? await domainIdsByCode(db, input.domains, 'domains') : undefined;
      await db.transaction().execute((trx) =>
        updateDesk(trx, id, {
          name: input.name,
          questionnaireCode: input.questionnaire,
          kioskIdleSeconds: input.kioskIdleSeconds,
          active: input.active,
          domainIds,
        }),
      );
      return c.body(null, 204);
    },
  );

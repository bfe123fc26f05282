import { Hono } from 'hono';
import { z } from 'zod';
import { requireRole } from '../auth/auth.middleware.ts';
import type { OfficialsEnv } from '../auth/official-env.ts';
import { deskUnitInScope } from '../auth/scope.ts';
import type { AppEnv } from '../app-env.ts';
import type { Db } from '../db/database.ts';
import { findDeskById } from '../desks/desk.repository.ts';
import { domainIdsByCode } from '../domains/domain.repository.ts';
import { vietnamDate } from '../time/vietnam-time.ts';
import { AppError } from '../errors.ts';
import { findKioskDevice, KIOSK_KEY_PATTERN } from '../kiosks/kiosk-device.repository.ts';
import { idParamSchema } from '../officials/params.ts';
import { qrSvg } from '../posters/qr.ts';
import { jsonBodyLimit, requireJsonBody, validate } from '../validation.ts';
import { issueDossierToken } from './dossier.repository.ts';

const issueFields = {
  domain: z.string().regex(/^[a-z][a-z0-9_]{1,39}$/, 'must be a domain code'),
  validDays: z.int().min(1).max(90).default(30),
};
export const issueCodesSchema = z.strictObject({ ...issueFields, count: z.int().min(1).max(200).default(1) });
export const issueCodeSchema = z.strictObject(issueFields);

/** The short address inside a receipt's QR code. */
export function dossierSurveyUrl(publicBaseUrl: string, token: string): string {
  return `${publicBaseUrl}/r/${token}`;
}

async function issueCodes(
  db: Db,
  publicBaseUrl: string,
  deskId: number,
  input: { domain: string; validDays: number; count: number },
) {
  const desk = await findDeskById(db, deskId);
  const closed = desk?.unit.validUntil != null && desk.unit.validUntil <= vietnamDate(new Date());
  if (!desk || !desk.desk.active || closed) {
    throw new AppError(409, 'desk_inactive', 'This desk no longer takes ratings, so it issues no codes');
  }
  const [domainId] = await domainIdsByCode(db, [input.domain], 'domain');
  const served = await db
    .selectFrom('desk_domain')
    .select('desk_id')
    .where('desk_id', '=', deskId)
    .where('domain_id', '=', domainId!)
    .executeTakeFirst();
  if (!served) {
    throw new AppError(422, 'domain_not_served', 'This desk does not serve that domain', [
      { path: 'domain', code: 'domain_not_served', message: 'is not a domain this desk serves' },
    ]);
  }
  return db.transaction().execute(async (trx) => {
    const codes = [];
    for (let i = 0; i < input.count; i++) {
      const { token, record } = await issueDossierToken(trx, {
        deskId,
        domainId: domainId!,
        validDays: input.validDays,
      });
      const url = dossierSurveyUrl(publicBaseUrl, token);
      codes.push({ token, url, expiresAt: record.expires_at.toISOString(), qrSvg: qrSvg(url) });
    }
    return codes;
  });
}

/** One-time receipt codes issued by staff from the officials' app, to print as labels. */
export const dossierRoutes = new Hono<OfficialsEnv>().post(
  '/desks/:id/dossier-codes',
  requireRole('admin', 'manager'),
  validate('param', idParamSchema),
  jsonBodyLimit,
  requireJsonBody,
  validate('json', issueCodesSchema),
  async (c) => {
    const { db, official, config } = c.var;
    const { id } = c.req.valid('param');
    await deskUnitInScope(db, official, id);
    const codes = await issueCodes(db, config.publicBaseUrl, id, c.req.valid('json'));
    c.header('Cache-Control', 'no-store');
    return c.json({ codes }, 201);
  },
);

export const deviceKeyHeaderSchema = z.object({
  'x-device-key': z.string().regex(KIOSK_KEY_PATTERN, 'must be the key of receipt software paired with a desk'),
});

/**
 * For a desk's receipt software: one code per dossier received, to print on the
 * receipt (phiếu hẹn). Authenticated by the key paired for receipts, not by a person.
 */
export const receiptIntegrationRoutes = new Hono<AppEnv>().post(
  '/dossier-codes',
  jsonBodyLimit,
  requireJsonBody,
  validate('header', deviceKeyHeaderSchema),
  validate('json', issueCodeSchema),
  async (c) => {
    const device = await findKioskDevice(c.var.db, c.req.valid('header')['x-device-key']);
    if (!device || device.revoked_at !== null || device.purpose !== 'receipts') {
      throw new AppError(403, 'device_not_paired', 'This key is not paired for issuing receipt codes, or was revoked');
    }
    const [code] = await issueCodes(c.var.db, c.var.config.publicBaseUrl, device.desk_id, {
      ...c.req.valid('json'),
      count: 1,
    });
    c.header('Cache-Control', 'no-store');
    return c.json(code!, 201);
  },
);

import { Hono } from 'hono';
import { z } from 'zod';
import { assertAccess } from '../auth/access.ts';
import { requireRole } from '../auth/auth.middleware.ts';
import type { OfficialsEnv } from '../auth/official-env.ts';
import type { AppEnv } from '../app-env.ts';
import type { Db } from '../db/database.ts';
import { deskOpenAt } from '../desks/desk-open.ts';
import { deskOpening, findDeskById } from '../desks/desk.repository.ts';
import { AppError, fieldError } from '../errors.ts';
import { domainCode, idParam } from '../fields.ts';
import { findPairedDevice, KIOSK_KEY_PATTERN } from '../kiosks/kiosk-device.repository.ts';
import { qrSvg } from '../posters/qr.ts';
import { jsonBodyLimit, requireJsonBody, validate } from '../validation.ts';
import { issueDossierToken } from './dossier.repository.ts';

const issueFields = {
  domain: domainCode,
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
  if (!desk || !deskOpenAt(deskOpening(desk), new Date())) {
    throw new AppError('desk_inactive', { message: 'This desk does not take ratings, so it issues no codes' });
  }
  const domain = desk.domains.find((served) => served.code === input.domain);
  if (!domain) throw fieldError('domain_not_served', 'domain', 'domain_not_served', 'is not a domain this desk serves');
  return db.transaction().execute(async (trx) => {
    const codes = [];
    for (let i = 0; i < input.count; i++) {
      const { token, record } = await issueDossierToken(trx, {
        deskId,
        domainId: domain.id,
        validDays: input.validDays,
      });
      const url = dossierSurveyUrl(publicBaseUrl, token);
      codes.push({ token, url, expiresAt: record.expires_at.toISOString(), qrSvg: qrSvg(url) });
    }
    return codes;
  });
}

/** `/desks/:id/dossier-codes`: one-time receipt codes issued by staff, to print as labels. */
export const dossierCodeRoutes = new Hono<OfficialsEnv>().post(
  '/:id/dossier-codes',
  requireRole('admin', 'manager'),
  validate('param', idParam),
  jsonBodyLimit,
  requireJsonBody,
  validate('json', issueCodesSchema),
  async (c) => {
    const { db, official, config } = c.var;
    const { id } = c.req.valid('param');
    await assertAccess(db, official, 'desk', id);
    const codes = await issueCodes(db, config.publicBaseUrl, id, c.req.valid('json'));
    c.header('Cache-Control', 'no-store');
    return c.json({ codes }, 201);
  },
);

export const deviceKeyHeaderSchema = z.object({
  'x-device-key': z.string().regex(KIOSK_KEY_PATTERN, 'must be the key of receipt software paired with a desk'),
});

/**
 * `/api/v1/desk/dossier-codes`, for a desk's receipt software: one code per dossier
 * received, to print on the receipt (phiếu hẹn). Authenticated by the key paired for
 * receipts, not by a person.
 */
export const receiptIntegrationRoutes = new Hono<AppEnv>().post(
  '/dossier-codes',
  jsonBodyLimit,
  requireJsonBody,
  validate('header', deviceKeyHeaderSchema),
  validate('json', issueCodeSchema),
  async (c) => {
    const device = await findPairedDevice(c.var.db, c.req.valid('header')['x-device-key'], 'receipts');
    if (!device) throw new AppError('device_not_paired');
    const [code] = await issueCodes(c.var.db, c.var.config.publicBaseUrl, device.desk_id, {
      ...c.req.valid('json'),
      count: 1,
    });
    c.header('Cache-Control', 'no-store');
    return c.json(code!, 201);
  },
);

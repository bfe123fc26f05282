import { Hono } from 'hono';
import { z } from 'zod';
import type { Db } from '../db/database.ts';
import { findDeskByCode, findDeskById, type DeskWithContext } from '../desks/desk.repository.ts';
import { findDossierToken } from '../dossiers/dossier.repository.ts';
import { AppError } from '../errors.ts';
import type { AppEnv } from '../app-env.ts';
import { currentQuestionnaire } from '../questionnaires/questionnaire.repository.ts';
import { deskCodeSchema, dossierTokenSchema } from '../responses/submission.schema.ts';
import { vietnamDate } from '../time/vietnam-time.ts';
import { validate } from '../validation.ts';
import { buildSurvey } from './survey.ts';
import type { Survey } from './survey.schema.ts';

export const deskParamsSchema = z.object({ code: deskCodeSchema });
export const dossierParamsSchema = z.object({ token: dossierTokenSchema });
export const surveyQuerySchema = z.object({
  channel: z.enum(['qr', 'kiosk', 'portal']).optional().describe('`kiosk` always gets the quick questionnaire'),
});

function assertTakesRatings(context: DeskWithContext): void {
  const closed = context.unit.validUntil !== null && context.unit.validUntil <= vietnamDate(new Date());
  if (!context.desk.active || closed) throw new AppError(409, 'desk_inactive', 'This desk no longer takes ratings');
}

/** The survey of a desk's QR code (or kiosk); throws the AppError a citizen should see. */
export async function loadDeskSurvey(db: Db, code: string, channel?: 'qr' | 'kiosk' | 'portal'): Promise<Survey> {
  const context = await findDeskByCode(db, code);
  if (!context) throw new AppError(404, 'desk_not_found', 'No desk has this code');
  assertTakesRatings(context);
  // A kiosk takes one tap per citizen, so it always shows the quick questionnaire.
  const family = channel === 'kiosk' ? 'quick' : context.desk.questionnaire_code;
  const definition = await currentQuestionnaire(db, family);
  if (!definition) throw new AppError(409, 'questionnaire_unavailable', 'This desk has no questionnaire to show');
  return buildSurvey(context, definition, null);
}

/** The survey of a receipt code, with the dossier's domain pre-set. */
export async function loadDossierSurvey(db: Db, tokenText: string): Promise<Survey> {
  const token = await findDossierToken(db, tokenText);
  if (!token) throw new AppError(404, 'dossier_token_not_found', 'This receipt code is not known');
  if (token.used_at) throw new AppError(409, 'dossier_token_used', 'This receipt code has already been used to rate');
  if (token.expires_at <= new Date()) throw new AppError(409, 'dossier_token_expired', 'This receipt code has expired');
  const context = await findDeskById(db, token.desk_id);
  if (!context) throw new AppError(404, 'desk_not_found', 'No desk has this code');
  assertTakesRatings(context);
  const definition = await currentQuestionnaire(db, context.desk.questionnaire_code);
  if (!definition) throw new AppError(409, 'questionnaire_unavailable', 'This desk has no questionnaire to show');
  return buildSurvey(context, definition, { expiresAt: token.expires_at, domainId: token.domain_id });
}

export const surveyRoutes = new Hono<AppEnv>()
  .get('/desks/:code', validate('param', deskParamsSchema), validate('query', surveyQuerySchema), async (c) =>
    c.json(await loadDeskSurvey(c.var.db, c.req.valid('param').code, c.req.valid('query').channel), 200),
  )
  .get('/dossiers/:token', validate('param', dossierParamsSchema), async (c) =>
    c.json(await loadDossierSurvey(c.var.db, c.req.valid('param').token), 200),
  );

import { Hono } from 'hono';
import { z } from 'zod';
import type { AppEnv } from '../app-env.ts';
import type { Db } from '../db/database.ts';
import { deskOpenAt } from '../desks/desk-open.ts';
import { deskOpening, findDeskByCode, findDeskById, type DeskWithContext } from '../desks/desk.repository.ts';
import { findDossierToken } from '../dossiers/dossier.repository.ts';
import { AppError } from '../errors.ts';
import { deskCode } from '../fields.ts';
import { currentQuestionnaire } from '../questionnaires/questionnaire.repository.ts';
import { unitContact } from '../units/unit.repository.ts';
import { dossierToken } from '../responses/submission.schema.ts';
import { validate } from '../validation.ts';
import { buildSurvey } from './survey.ts';
import type { Survey } from './survey.schema.ts';

export const deskParamsSchema = z.object({ code: deskCode });
export const dossierParamsSchema = z.object({ token: dossierToken });
export const surveyQuerySchema = z.object({
  channel: z.enum(['qr', 'kiosk', 'portal']).optional().describe('`kiosk` always gets the quick questionnaire'),
});

function assertTakesRatings(context: DeskWithContext): void {
  if (!deskOpenAt(deskOpening(context), new Date())) throw new AppError('desk_inactive');
}

/** The survey of a desk's QR code (or kiosk); throws the AppError a citizen should see. */
export async function loadDeskSurvey(db: Db, code: string, channel?: 'qr' | 'kiosk' | 'portal'): Promise<Survey> {
  const context = await findDeskByCode(db, code);
  if (!context) throw new AppError('desk_not_found');
  assertTakesRatings(context);
  // A kiosk takes one tap per citizen, so it always shows the quick questionnaire.
  const family = channel === 'kiosk' ? 'quick' : context.desk.questionnaire_code;
  const definition = await currentQuestionnaire(db, family);
  if (!definition) throw new AppError('questionnaire_unavailable');
  return buildSurvey(context, definition, null, await unitContact(db, context.unit.id));
}

/** The survey of a receipt code, with the dossier's domain pre-set. */
export async function loadDossierSurvey(db: Db, tokenText: string): Promise<Survey> {
  const token = await findDossierToken(db, tokenText);
  if (!token) throw new AppError('dossier_token_not_found');
  if (token.used_at) throw new AppError('dossier_token_used');
  if (token.expires_at <= new Date()) throw new AppError('dossier_token_expired');
  const context = await findDeskById(db, token.desk_id);
  if (!context) throw new AppError('desk_not_found');
  assertTakesRatings(context);
  const definition = await currentQuestionnaire(db, context.desk.questionnaire_code);
  if (!definition) throw new AppError('questionnaire_unavailable');
  return buildSurvey(
    context,
    definition,
    { expiresAt: token.expires_at, domainId: token.domain_id },
    await unitContact(db, context.unit.id),
  );
}

/** `/desks/:code`: what the survey page of a desk's QR code (or its kiosk) shows. */
export const deskSurveyRoutes = new Hono<AppEnv>().get(
  '/:code',
  validate('param', deskParamsSchema),
  validate('query', surveyQuerySchema),
  async (c) => c.json(await loadDeskSurvey(c.var.db, c.req.valid('param').code, c.req.valid('query').channel), 200),
);

/** `/dossiers/:token`: what the survey page of a receipt code shows. */
export const dossierSurveyRoutes = new Hono<AppEnv>().get(
  '/:token',
  validate('param', dossierParamsSchema),
  async (c) => c.json(await loadDossierSurvey(c.var.db, c.req.valid('param').token), 200),
);

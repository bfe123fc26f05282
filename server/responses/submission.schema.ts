import { z } from 'zod';
import { DOSSIER_TOKEN_PATTERN } from '../dossiers/dossier.repository.ts';
import { deskCode, domainCode, followUpCode, instant, optionalText, questionCode, questionnaireId } from '../fields.ts';
import { KIOSK_KEY_PATTERN } from '../kiosks/kiosk-device.repository.ts';
import { COMMENT_MAX_LENGTH } from '../questionnaires/scale.ts';

export const dossierToken = z.string().regex(DOSSIER_TOKEN_PATTERN, 'must be a 20-character receipt code');

export const idempotencyKey = z
  .string()
  .regex(/^[A-Za-z0-9_-]{16,128}$/, 'must be 16–128 letters, digits, "-" or "_" (a UUID works)');

export const channelSchema = z.enum(['qr', 'kiosk', 'dossier', 'portal']);
export const languageSchema = z.enum(['vi', 'en']);

export const kioskHeaderSchema = z.object({
  'x-kiosk-key': z
    .string()
    .regex(KIOSK_KEY_PATTERN, 'must be the 43-character key of a paired tablet')
    .optional()
    .describe('Key of the tablet paired with the desk; required for channel "kiosk"'),
});

/** The body of `POST /api/v1/public/responses`. */
export const submissionSchema = z
  .strictObject({
    deskCode: deskCode.optional().describe('Public code of the desk (from its QR code); omit with dossierToken'),
    dossierToken: dossierToken.optional().describe('One-time code from a dossier receipt; omit with deskCode'),
    domain: domainCode.optional().describe('Domain code; required with deskCode, implied by a dossierToken'),
    questionnaireId: questionnaireId.describe('The questionnaire version that was shown'),
    answers: z
      .record(questionCode, z.union([z.int().min(1).max(5), z.null()]).describe('1–5, or null for "no opinion"'))
      .refine((answers) => Object.keys(answers).length <= 60, 'has too many answers')
      .describe('Score per question code'),
    reasons: z
      .array(questionCode)
      .max(20)
      .refine((codes) => new Set(codes).size === codes.length, 'must not repeat a reason')
      .optional()
      .describe('Reason codes chosen after a low overall rating'),
    comment: optionalText({ max: COMMENT_MAX_LENGTH, multiline: true })
      .optional()
      .describe(
        `Optional comment, at most ${COMMENT_MAX_LENGTH} characters; phone, ID and account numbers and e-mail addresses are masked before it is stored`,
      ),
    followUpCode: followUpCode
      .optional()
      .describe(
        'With a comment: a code drawn at random by the client (12 of 0-9A-Z without I, L, O, U) with which the citizen reads the reply at /f/<code>',
      ),
    language: languageSchema,
    channel: channelSchema,
    clientTime: instant.optional().describe('When the citizen rated, by the device clock (ISO 8601 with offset)'),
    idempotencyKey: idempotencyKey.describe(
      'Chosen by the client; a retry with the same key never creates a second rating',
    ),
  })
  .superRefine((body, ctx) => {
    if ((body.deskCode === undefined) === (body.dossierToken === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['deskCode'], message: 'give either deskCode or dossierToken, not both' });
    }
    if (body.dossierToken !== undefined && body.channel !== 'dossier') {
      ctx.addIssue({ code: 'custom', path: ['channel'], message: 'must be "dossier" with a dossierToken' });
    }
    if (body.deskCode !== undefined && body.channel === 'dossier') {
      ctx.addIssue({ code: 'custom', path: ['channel'], message: '"dossier" needs a dossierToken' });
    }
    if (body.deskCode !== undefined && body.domain === undefined) {
      ctx.addIssue({ code: 'custom', path: ['domain'], message: 'is required with deskCode' });
    }
  });

export type SubmissionBody = z.output<typeof submissionSchema>;

export const recordedSchema = z.object({
  id: z.int().describe('Id of the recorded rating'),
  replayed: z.boolean().describe('True when this idempotency key was already recorded and nothing new was written'),
});

import { z } from 'zod';
import { DOSSIER_TOKEN_PATTERN } from '../dossiers/dossier.repository.ts';
import { COMMENT_MAX_LENGTH } from '../questionnaires/scale.ts';

export const DESK_CODE_PATTERN = /^[a-z0-9]{4,16}$/;
const CODE_PATTERN = /^[a-z][a-z0-9_.]{1,59}$/;

// PostgreSQL text cannot hold NUL, and other control characters have no place in a comment.
const CONTROL_CHARACTERS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;

export const deskCodeSchema = z.string().regex(DESK_CODE_PATTERN, 'must be 4–16 lowercase letters or digits');
export const dossierTokenSchema = z.string().regex(DOSSIER_TOKEN_PATTERN, 'must be a 20-character receipt code');

export const channelSchema = z.enum(['qr', 'kiosk', 'dossier', 'portal']);
export const languageSchema = z.enum(['vi', 'en']);

/** The body of `POST /api/v1/public/responses`. */
export const submissionSchema = z
  .strictObject({
    deskCode: deskCodeSchema.optional().describe('Public code of the desk (from its QR code); omit with dossierToken'),
    dossierToken: dossierTokenSchema.optional().describe('One-time code from a dossier receipt; omit with deskCode'),
    domain: z
      .string()
      .regex(/^[a-z][a-z0-9_]{1,39}$/, 'must be a domain code such as "land"')
      .optional()
      .describe('Domain code; required with deskCode, implied by a dossierToken'),
    questionnaireId: z
      .string()
      .regex(/^[a-z][a-z0-9_]{1,29}-[1-9][0-9]{0,5}$/, 'must be a questionnaire version such as "quick-1"')
      .describe('The questionnaire version that was shown'),
    answers: z
      .record(
        z.string().regex(CODE_PATTERN, 'must be a question code'),
        z.union([z.int().min(1).max(5), z.null()]).describe('1–5, or null for "no opinion"'),
      )
      .refine((answers) => Object.keys(answers).length <= 60, 'has too many answers')
      .describe('Score per question code'),
    reasons: z
      .array(z.string().regex(CODE_PATTERN, 'must be a reason code'))
      .max(20)
      .refine((codes) => new Set(codes).size === codes.length, 'must not repeat a reason')
      .optional()
      .describe('Reason codes chosen after a low overall rating'),
    comment: z
      .string()
      .max(COMMENT_MAX_LENGTH * 2)
      .refine((text) => !CONTROL_CHARACTERS.test(text), 'must not contain control characters')
      .transform((text) => text.normalize('NFC').trim())
      .refine((text) => text.length <= COMMENT_MAX_LENGTH, `must be at most ${COMMENT_MAX_LENGTH} characters`)
      .optional()
      .describe(`Optional comment, at most ${COMMENT_MAX_LENGTH} characters`),
    language: languageSchema,
    channel: channelSchema,
    clientTime: z.iso
      .datetime({ offset: true })
      .optional()
      .describe('When the citizen rated, by the device clock (ISO 8601 with offset)'),
    idempotencyKey: z
      .string()
      .regex(/^[A-Za-z0-9_-]{16,128}$/, 'must be 16–128 letters, digits, "-" or "_" (a UUID works)')
      .describe('Chosen by the client; a retry with the same key never creates a second rating'),
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

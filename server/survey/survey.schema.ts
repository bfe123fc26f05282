import { z } from 'zod';

const text = z.object({ vi: z.string(), en: z.string() });

export const surveySchema = z.object({
  desk: z.object({
    code: z.string(),
    name: z.string(),
    kioskIdleSeconds: z.int().describe('Seconds of inactivity after which a kiosk resets'),
  }),
  unit: z.object({
    name: z.string(),
    parentName: z.string().nullable(),
    hotline: z.string().nullable().describe('The hotline citizens may call, the unit’s or the nearest above it'),
    complaintUrl: z.string().nullable().describe('The official channel for complaints, a web address'),
  }),
  domains: z.array(z.object({ code: z.string(), name: text })).describe('Domains to choose from; one when pre-set'),
  dossier: z
    .object({ expiresAt: z.iso.datetime() })
    .nullable()
    .describe('Present when the survey was opened from a receipt code'),
  questionnaire: z.object({
    id: z.string().describe('Send back as questionnaireId'),
    code: z.string(),
    version: z.int(),
    title: text,
    scale: z.array(z.object({ score: z.int(), label: text })),
    elements: z.array(z.object({ code: z.string(), name: text })),
    questions: z.array(
      z.object({ code: z.string(), role: z.enum(['overall', 'criterion']), element: z.string().nullable(), text }),
    ),
    reasons: z.array(z.object({ code: z.string(), element: z.string(), text })),
    reasonsAtOrBelow: z.int().describe('Reasons are offered after an overall rating at or below this level'),
    commentMaxLength: z.int(),
  }),
  languages: z.array(z.enum(['vi', 'en'])),
});

export type Survey = z.output<typeof surveySchema>;

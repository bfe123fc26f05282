import { z } from 'zod';
import { deviceKeyHeaderSchema, issueCodeSchema } from '../dossiers/dossier.routes.ts';
import { kioskStatusReplySchema, kioskStatusSchema } from '../kiosks/kiosk.routes.ts';
import { kioskHeaderSchema, recordedSchema, submissionSchema } from '../responses/submission.schema.ts';
import { badgeQuerySchema, codeParamSchema, dataQuerySchema } from '../scorecard/scorecard.routes.ts';
import { scorecardSchema } from '../scorecard/scorecard.ts';
import { CSV_COLUMNS } from '../scorecard/open-data.ts';
import { surveySchema } from '../survey/survey.schema.ts';
import { deskParamsSchema, dossierParamsSchema, surveyQuerySchema } from '../survey/survey.routes.ts';
import { followUpCodeParam } from '../comments/follow-up-page.ts';

const errorSchema = z.object({
  error: z.object({
    code: z.string().describe('Stable machine-readable code, e.g. desk_not_found'),
    message: z.string().describe('Human-readable explanation'),
    requestId: z.string().optional().describe('Identifies the request in the server logs'),
    fields: z
      .array(
        z.object({
          path: z.string(),
          code: z.string(),
          message: z.string(),
          params: z
            .record(z.string(), z.union([z.string(), z.number()]))
            .optional()
            .describe('What a page needs to word the problem itself, e.g. {"origin":"string","maximum":200}'),
        }),
      )
      .optional()
      .describe('One problem per invalid field'),
  }),
});

type JsonSchema = Record<string, unknown>;

function schemaOf(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as JsonSchema;
  return rest;
}

function parametersOf(schema: z.ZodObject, location: 'path' | 'query' | 'header') {
  const json = schemaOf(schema, 'input') as { properties: Record<string, JsonSchema>; required?: string[] };
  return Object.entries(json.properties).map(([name, property]) => ({
    name,
    in: location,
    required: location === 'path' || (json.required ?? []).includes(name),
    schema: property,
    ...(property.description ? { description: property.description } : {}),
  }));
}

const errorResponse = (description: string) => ({
  description,
  content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
});

/** The OpenAPI 3.1 document of the public API, built from the zod schemas that validate it. */
export function openApiDocument(serverUrl: string) {
  const surveyResponses = {
    200: {
      description: 'What the survey page shows',
      content: { 'application/json': { schema: { $ref: '#/components/schemas/Survey' } } },
    },
    400: errorResponse('Malformed code'),
    404: errorResponse('Unknown desk or receipt code'),
    409: errorResponse('Desk closed, or receipt code used or expired'),
  };
  return {
    openapi: '3.1.0',
    info: {
      title: 'SIPAS citizen satisfaction platform — public API',
      version: '1',
      description:
        'Ratings from one-stop desks. Every error has the shape of the Error schema. Ratings carry an idempotency key: retrying with the same key never creates a second rating.',
    },
    servers: [{ url: serverUrl }],
    paths: {
      '/healthz': {
        get: {
          summary: 'Server and database health',
          responses: {
            200: { description: 'Both answer', content: { 'application/json': { schema: { type: 'object' } } } },
            503: errorResponse('The database does not answer'),
          },
        },
      },
      '/api/v1/public/desks/{code}': {
        get: {
          summary: 'Survey for a desk QR code',
          parameters: [...parametersOf(deskParamsSchema, 'path'), ...parametersOf(surveyQuerySchema, 'query')],
          responses: surveyResponses,
        },
      },
      '/api/v1/public/dossiers/{token}': {
        get: {
          summary: 'Survey for a one-time receipt code',
          parameters: parametersOf(dossierParamsSchema, 'path'),
          responses: surveyResponses,
        },
      },
      '/api/v1/public/responses': {
        post: {
          summary: 'Record one rating',
          parameters: parametersOf(kioskHeaderSchema, 'header'),
          requestBody: {
            required: true,
            content: { 'application/json': { schema: { $ref: '#/components/schemas/Submission' } } },
          },
          responses: {
            201: {
              description: 'Recorded and committed',
              content: { 'application/json': { schema: { $ref: '#/components/schemas/Recorded' } } },
            },
            200: {
              description: 'Already recorded with this idempotency key; nothing new written',
              content: { 'application/json': { schema: { $ref: '#/components/schemas/Recorded' } } },
            },
            400: errorResponse('Malformed body (code invalid_request or malformed_json)'),
            401: errorResponse('Kiosk rating without a tablet key'),
            403: errorResponse('Kiosk rating from a tablet not paired with this desk'),
            404: errorResponse('Unknown desk or receipt code'),
            409: errorResponse('Receipt code used or expired, or desk closed'),
            413: errorResponse('Body too large'),
            415: errorResponse('Body is not JSON'),
            422: errorResponse('Rating does not fit the desk or questionnaire, or idempotency key reused'),
            429: errorResponse('Too many ratings from this network; see Retry-After'),
            503: errorResponse('Not saved; retry with the same idempotency key'),
          },
        },
      },
      '/api/v1/public/follow-ups/{code}': {
        get: {
          summary:
            'What a citizen reads with a follow-up code or a receipt code: the status and the unit’s public reply',
          parameters: parametersOf(followUpCodeParam, 'path'),
          responses: {
            200: {
              description:
                'The unit, the day of the rating, the status, the due day and the public reply; never the comment',
              content: { 'application/json': { schema: { type: 'object' } } },
            },
            404: errorResponse('No follow-up under this code'),
            429: errorResponse('Too many unknown codes from this network; see Retry-After'),
          },
        },
      },
      '/api/v1/public/kiosk/status': {
        post: {
          summary: 'A paired tablet reports how many ratings wait in its queue',
          parameters: parametersOf(kioskHeaderSchema, 'header'),
          requestBody: {
            required: true,
            content: { 'application/json': { schema: schemaOf(kioskStatusSchema, 'input') } },
          },
          responses: {
            200: {
              description: 'The tablet is paired',
              content: { 'application/json': { schema: schemaOf(kioskStatusReplySchema, 'output') } },
            },
            400: errorResponse('Malformed body'),
            401: errorResponse('No tablet key'),
            403: errorResponse('Not paired, or pairing revoked'),
          },
        },
      },
      '/api/v1/desk/dossier-codes': {
        post: {
          summary: 'For a desk’s receipt software: a one-time code to print on a dossier receipt',
          description:
            'Authenticated by the key of receipt software paired with the desk (officials’ app: desk → devices → receipts). Print the QR code of `url` on the receipt; it allows exactly one rating.',
          parameters: parametersOf(deviceKeyHeaderSchema, 'header'),
          requestBody: {
            required: true,
            content: { 'application/json': { schema: schemaOf(issueCodeSchema, 'input') } },
          },
          responses: {
            201: {
              description: 'The code, its survey address and a QR code of it as SVG',
              content: {
                'application/json': {
                  schema: {
                    type: 'object',
                    properties: {
                      token: { type: 'string' },
                      url: { type: 'string' },
                      expiresAt: { type: 'string', format: 'date-time' },
                      qrSvg: { type: 'string' },
                    },
                  },
                },
              },
            },
            400: errorResponse('Malformed body or key'),
            403: errorResponse('Key not paired for receipts, or revoked'),
            409: errorResponse('Desk closed'),
            422: errorResponse('Domain unknown or not served by the desk'),
          },
        },
      },
      ...scorecardPaths(),
    },
    components: {
      schemas: {
        Scorecard: schemaOf(scorecardSchema, 'output'),
        Submission: schemaOf(submissionSchema, 'input'),
        Recorded: schemaOf(recordedSchema, 'output'),
        Survey: schemaOf(surveySchema, 'output'),
        Error: schemaOf(errorSchema, 'output'),
      },
    },
  };
}

/**
 * The public scorecards' open data: a unit's figures (only those it publishes) per
 * released period, as JSON and CSV, and its badge. Cross-origin: any site may fetch them.
 */
function scorecardPaths() {
  const parameters = [...parametersOf(codeParamSchema, 'path'), ...parametersOf(dataQuerySchema, 'query')];
  const cacheHeaders = {
    ETag: {
      description: 'A hash of the answer: send it back in If-None-Match to get a 304',
      schema: { type: 'string' },
    },
    'Cache-Control': { description: '`public, max-age=60`', schema: { type: 'string' } },
    'Access-Control-Allow-Origin': { description: '`*`', schema: { type: 'string' } },
  };
  const missing = {
    304: { description: 'Not modified since the ETag given in If-None-Match' },
    400: errorResponse('Malformed period (a range of days is not published)'),
    404: errorResponse('No unit publishes at this code (scorecard_not_found), or the period is not released'),
  };
  const description =
    'Figures are released each quarter, a week after it ends, for units whose manager opted in, and never change afterwards. A figure is published only with at least the unit’s minimum number of ratings (30 by default), and when no difference of published figures would isolate fewer (README, “Public scorecards”).';
  return {
    '/p/{code}/data.json': {
      get: {
        summary: 'A unit’s public scorecard for a period, as JSON',
        description,
        parameters,
        responses: {
          200: {
            description: 'The scorecard',
            headers: cacheHeaders,
            content: { 'application/json': { schema: { $ref: '#/components/schemas/Scorecard' } } },
          },
          ...missing,
        },
      },
    },
    '/p/{code}/data.csv': {
      get: {
        summary: 'The same figures as CSV: one line for the total, each published domain and each month',
        description: `${description} UTF-8 with a byte-order mark; columns: ${CSV_COLUMNS.join(', ')}. Figures not published have \`published\` false and empty figure columns.`,
        parameters,
        responses: {
          200: {
            description: 'The scorecard',
            headers: cacheHeaders,
            content: { 'text/csv': { schema: { type: 'string' } } },
          },
          ...missing,
        },
      },
    },
    '/p/{code}/badge.svg': {
      get: {
        summary: 'An embeddable badge: “Hài lòng 91% · Quý III/2026”, its interval and n in its title',
        parameters: [...parametersOf(codeParamSchema, 'path'), ...parametersOf(badgeQuerySchema, 'query')],
        responses: {
          200: {
            description: 'The badge',
            headers: cacheHeaders,
            content: { 'image/svg+xml': { schema: { type: 'string' } } },
          },
          ...missing,
        },
      },
    },
  };
}

import { zValidator } from '@hono/zod-validator';
import type { ValidationTargets } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { createMiddleware } from 'hono/factory';
import type { z } from 'zod';
import { AppError, type FieldProblem } from './errors.ts';

/**
 * What a page needs to word a problem in its reader's language: the bounds of a size
 * problem, the expected type or format, the keys not recognised, the params of a custom
 * rule (`{ problem, … }` in field schemas).
 */
function problemParams(issue: z.core.$ZodIssue): Record<string, string | number> | undefined {
  const scalar = (value: unknown) => (typeof value === 'bigint' ? Number(value) : value);
  const kept = (entries: Record<string, unknown>) => {
    const params = Object.fromEntries(
      Object.entries(entries)
        .map(([name, value]) => [name, scalar(value)] as const)
        .filter((entry): entry is [string, string | number] => ['string', 'number'].includes(typeof entry[1])),
    );
    return Object.keys(params).length > 0 ? params : undefined;
  };
  switch (issue.code) {
    case 'too_small':
      return kept({ origin: issue.origin, minimum: issue.minimum });
    case 'too_big':
      return kept({ origin: issue.origin, maximum: issue.maximum });
    case 'invalid_type':
      return kept({ expected: issue.expected });
    case 'invalid_format':
      return kept({ format: issue.format });
    case 'unrecognized_keys':
      return kept({ keys: issue.keys.join(', ') });
    case 'custom':
      return issue.params ? kept(issue.params) : undefined;
    default:
      return undefined;
  }
}

/** Turns zod issues into the per-field problems of the error body. */
export function fieldProblems(issues: readonly z.core.$ZodIssue[], prefix: PropertyKey[] = []): FieldProblem[] {
  return issues.map((issue) => {
    const params = problemParams(issue);
    return {
      path: [...prefix, ...issue.path].map(String).join('.') || '(body)',
      code: issue.code,
      message: issue.message,
      ...(params ? { params } : {}),
    };
  });
}

/** A partial update must name something to change: an empty one is the client's mistake. */
export function someChange<Schema extends z.ZodObject>(schema: Schema): Schema {
  return schema.refine((value) => Object.values(value).some((field) => field !== undefined), {
    message: 'name at least one field to change',
  });
}

/**
 * Validates one part of the request with a zod schema; failures become a 400 with a
 * problem per field, in the same shape as every other error.
 *
 * @example app.post('/x', validate('json', bodySchema), (c) => c.json(c.req.valid('json')))
 */
export function validate<Target extends keyof ValidationTargets, Schema extends z.ZodType>(
  target: Target,
  schema: Schema,
) {
  const middleware = zValidator(target, schema, (result) => {
    if (!result.success) {
      throw new AppError('invalid_request', {
        message: `The request ${target} is not valid`,
        fields: fieldProblems(result.error.issues),
      });
    }
  });
  requestSchemas.set(middleware, { target, schema });
  return middleware;
}

/**
 * The schema behind each `validate` middleware, so that tests can enumerate what every
 * registered route accepts (and fuzz each field at its edges) from the routes themselves.
 */
export const requestSchemas = new WeakMap<object, { target: keyof ValidationTargets; schema: z.ZodType }>();

/** JSON endpoints answer 415 to any other body type instead of validating an empty object. */
export const requireJsonBody = createMiddleware(async (c, next) => {
  const type = (c.req.header('content-type') ?? '').split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/json') {
    throw new AppError('unsupported_media_type');
  }
  await next();
});

/** A rating with a full questionnaire and the longest comment is well under this. */
export const JSON_BODY_LIMIT = 16 * 1024;

const tooLarge = () =>
  new AppError('payload_too_large', { message: `The request body must be at most ${JSON_BODY_LIMIT} bytes` });
const streamedBodyLimit = bodyLimit({
  maxSize: JSON_BODY_LIMIT,
  onError: () => {
    throw tooLarge();
  },
});

/**
 * Refuses bodies over JSON_BODY_LIMIT. A declared Content-Length (Node's parser holds the
 * body to it) is checked without touching the body; only a chunked body is counted as it
 * streams in, which turns the request into a full web Request, costly on the rating path.
 */
export const jsonBodyLimit = createMiddleware(async (c, next) => {
  const length = c.req.header('content-length');
  if (length === undefined || c.req.header('transfer-encoding') !== undefined) return streamedBodyLimit(c, next);
  if (Number(length) > JSON_BODY_LIMIT) throw tooLarge();
  await next();
});

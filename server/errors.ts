import type { Context, ErrorHandler, NotFoundHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { Logger } from 'pino';

export interface FieldProblem {
  /** Dotted path into the request, e.g. `answers.overall`. */
  path: string;
  code: string;
  message: string;
}

export interface ErrorBody {
  error: {
    code: string;
    message: string;
    requestId?: string;
    fields?: FieldProblem[];
  };
}

/**
 * The one error type of the platform: a status, a stable machine-readable code and a
 * human-readable message, optionally with per-field problems.
 *
 * @example throw new AppError(404, 'desk_not_found', 'No desk has this code')
 */
export class AppError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: string,
    message: string,
    readonly fields?: FieldProblem[],
    readonly headers?: Record<string, string>,
  ) {
    super(message);
    this.name = 'AppError';
  }

  toJSON(requestId?: string): ErrorBody {
    return {
      error: {
        code: this.code,
        message: this.message,
        ...(requestId ? { requestId } : {}),
        ...(this.fields?.length ? { fields: this.fields } : {}),
      },
    };
  }
}

function fromHttpException(error: HTTPException): AppError {
  switch (error.status) {
    case 400:
      return new AppError(400, 'malformed_json', 'The request body is not valid JSON');
    case 413:
      return new AppError(413, 'payload_too_large', 'The request body is too large');
    case 408:
    case 504:
      return new AppError(error.status, 'timeout', 'The request took too long');
    default:
      return new AppError(error.status, 'http_error', error.message || 'The request could not be handled');
  }
}

/** Maps every error to the documented shape; unexpected ones become a logged, generic 500. */
export function errorHandler(logger: Logger): ErrorHandler {
  return (error, c) => {
    const requestId = c.get('requestId') as string | undefined;
    let appError: AppError;
    if (error instanceof AppError) {
      appError = error;
      // The cause of a 5xx was logged where it happened; this line ties it to the request.
      if (appError.status >= 500)
        logger[appError.status === 500 ? 'error' : 'warn'](
          { requestId, code: appError.code, method: c.req.method, path: c.req.routePath },
          'request failed',
        );
    } else if (error instanceof HTTPException) {
      appError = fromHttpException(error);
    } else {
      logger.error({ err: error, requestId, method: c.req.method, path: c.req.routePath }, 'unexpected error');
      appError = new AppError(500, 'internal_error', 'Something went wrong; the request id identifies it in the logs');
    }
    for (const [name, value] of Object.entries(appError.headers ?? {})) c.header(name, value);
    return c.json(appError.toJSON(requestId), appError.status);
  };
}

export const notFoundHandler: NotFoundHandler = (c: Context) =>
  c.json(new AppError(404, 'not_found', 'No such endpoint').toJSON(c.get('requestId') as string | undefined), 404);

import type { Context, ErrorHandler, NotFoundHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { Logger } from './logger.ts';

export interface FieldProblem {
  /** Dotted path into the request, e.g. `answers.overall`. */
  path: string;
  code: string;
  message: string;
  /** What a page needs to word the problem itself, e.g. `{ origin: 'string', maximum: 200 }`. */
  params?: Record<string, string | number>;
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
 * Every error the platform answers with: its status and the English message of the API.
 * The same codes have Vietnamese and English messages for people in the web catalogue
 * (`web/i18n/*.json`, keys `error.<code>`); a test holds the two lists together.
 */
export const ERRORS = {
  // The request itself
  invalid_request: { status: 400, message: 'The request is not valid' },
  malformed_request: { status: 400, message: 'The request is not valid HTTP' },
  headers_too_large: { status: 431, message: 'The request headers are too large' },
  malformed_json: { status: 400, message: 'The request body is not valid JSON' },
  malformed_form: { status: 400, message: 'The request body is not a well-formed multipart form' },
  payload_too_large: { status: 413, message: 'The request body is too large' },
  unsupported_media_type: { status: 415, message: 'The request body must be application/json' },
  timeout: { status: 408, message: 'The request took too long' },
  http_error: { status: 400, message: 'The request could not be handled' },
  not_found: { status: 404, message: 'Not found' },
  value_refused: { status: 422, message: 'A value of the request does not fit what the platform stores' },
  // Signing in and permissions
  not_signed_in: { status: 401, message: 'Sign in first' },
  invalid_credentials: { status: 401, message: 'Wrong username or password' },
  too_many_sign_in_attempts: { status: 429, message: 'Too many sign-in attempts; try again later' },
  cross_site_request: { status: 403, message: 'Requests that change data must come from the platform’s own pages' },
  forbidden: { status: 403, message: 'Your role does not allow this' },
  wrong_password: { status: 422, message: 'The current password is wrong' },
  too_many_requests: { status: 429, message: 'Too much of this work is running for you; try again shortly' },
  // Ratings and surveys
  desk_not_found: { status: 404, message: 'No desk has this code' },
  desk_inactive: { status: 409, message: 'This desk does not take ratings' },
  dossier_token_not_found: { status: 404, message: 'This receipt code is not known' },
  dossier_token_used: { status: 409, message: 'This receipt code has already been used to rate' },
  dossier_token_expired: { status: 409, message: 'This receipt code has expired' },
  questionnaire_unavailable: { status: 409, message: 'This desk has no questionnaire to show' },
  invalid_rating: { status: 422, message: 'The rating does not fit the desk or questionnaire' },
  idempotency_key_reused: {
    status: 422,
    message: 'This idempotency key was already used for a different rating',
  },
  rate_limited: { status: 429, message: 'Too many ratings from this network; please try again later' },
  kiosk_key_required: { status: 401, message: 'Kiosk requests need the key of a tablet paired with the desk' },
  kiosk_not_paired: {
    status: 403,
    message: 'This key is not the key of a kiosk tablet paired with this desk, or its pairing was revoked',
  },
  device_not_paired: {
    status: 403,
    message: 'This key is not paired for issuing receipt codes, or was revoked',
  },
  // Management
  unit_not_found: { status: 404, message: 'No such unit' },
  unit_code_taken: { status: 409, message: 'Another unit has this code' },
  unit_already_merged: { status: 409, message: 'This unit was already merged' },
  merge_cycle: { status: 422, message: 'A unit cannot be merged into one of its own sub-units or successors' },
  merge_date_before_start: { status: 422, message: 'The merge date must fall after the unit started' },
  validity_before_start: { status: 422, message: 'A unit cannot close before it started' },
  parent_required: { status: 422, message: 'A new unit must belong to a unit you manage' },
  own_unit: { status: 403, message: 'You cannot close, reopen or merge the unit you manage' },
  root_unit: { status: 422, message: 'The national root unit cannot be closed or merged' },
  own_account: { status: 403, message: 'Your own role, unit and access are changed by someone above you' },
  role_not_allowed: { status: 403, message: 'You may only give the viewer role' },
  username_taken: { status: 409, message: 'This username is taken' },
  unknown_domain: { status: 422, message: 'Unknown domain' },
  domain_code_taken: { status: 409, message: 'Another domain has this code' },
  domain_not_served: { status: 422, message: 'This desk does not serve that domain' },
  no_active_desks: { status: 404, message: 'This unit has no active desk' },
  target_exists: { status: 409, message: 'This unit already has a target for that year and metric' },
  // Follow-up codes
  follow_up_not_found: { status: 404, message: 'No reply is kept under this code' },
  too_many_lookups: { status: 429, message: 'Too many unknown codes from this network; try again later' },
  // Public scorecards
  scorecard_not_found: { status: 404, message: 'No unit publishes a scorecard at this address' },
  period_not_released: { status: 404, message: 'The figures of this period are not released for this unit' },
  // Plans
  unreadable_document: { status: 422, message: 'This Word document cannot be read' },
  plan_too_large: { status: 413, message: 'The plan is too large to read' },
  plan_extraction_timeout: { status: 503, message: 'Reading the plan took too long and was stopped; try again later' },
  plan_extraction_busy: { status: 503, message: 'Other plans are being read; try again in a moment' },
  unsupported_document: { status: 415, message: 'Upload the plan as text (.txt) or a Word document (.docx)' },
  // The platform
  internal_error: { status: 500, message: 'Something went wrong; the request id identifies it in the logs' },
  database_unavailable: { status: 503, message: 'The database does not answer; please retry' },
  shutting_down: { status: 503, message: 'The server is restarting; please retry' },
  web_app_not_built: { status: 503, message: 'The web app is not built yet: run `npm run build`' },
} as const satisfies Record<string, { status: ContentfulStatusCode; message: string }>;

export type ErrorCode = keyof typeof ERRORS;

export interface AppErrorOptions {
  /** A more precise English message than the catalogue's. */
  message?: string;
  fields?: FieldProblem[];
  headers?: Record<string, string>;
}

/**
 * The one error type of the platform: a code of the catalogue (which gives its status),
 * optionally with per-field problems and headers.
 *
 * @example throw new AppError('desk_not_found')
 * @example throw new AppError('invalid_rating', { fields: [{ path: 'domain', code: 'domain_not_served', message: '…' }] })
 */
export class AppError extends Error {
  readonly status: ContentfulStatusCode;
  readonly fields: FieldProblem[] | undefined;
  readonly headers: Record<string, string> | undefined;

  constructor(
    readonly code: ErrorCode,
    options: AppErrorOptions = {},
  ) {
    super(options.message ?? ERRORS[code].message);
    this.name = 'AppError';
    this.status = ERRORS[code].status;
    this.fields = options.fields;
    this.headers = options.headers;
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

/** A single field's problem, as a 4xx of the given code. */
export function fieldError(code: ErrorCode, path: string, problem: string, message: string): AppError {
  return new AppError(code, { fields: [{ path, code: problem, message }] });
}

/**
 * The one answer for anything outside the official's scope, the same as for an id that
 * does not exist, so that guessing ids reveals nothing.
 */
export function notFound(): AppError {
  return new AppError('not_found');
}

function fromHttpException(error: HTTPException): AppError {
  switch (error.status) {
    case 400:
      return new AppError('malformed_json');
    case 413:
      return new AppError('payload_too_large');
    case 408:
    case 504:
      return new AppError('timeout');
    default:
      return new AppError('http_error', { message: error.message || ERRORS.http_error.message });
  }
}

/**
 * PostgreSQL refuses a value (SQLSTATE class 22, data exception) or a row (class 23,
 * integrity constraint): the request asked for something the database cannot hold, and
 * nothing of it was written. Field schemas should refuse such values first; this keeps a
 * missed one a 4xx rather than a 500, and is logged so that the schema gets fixed.
 */
export function isRefusedByDatabase(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^2[23][0-9A-Z]{3}$/.test(code);
}

/** The client went away while its request was read: nothing to answer, nothing failed. */
export function isClientAbort(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return (
    code === 'ECONNRESET' ||
    code === 'ERR_STREAM_PREMATURE_CLOSE' ||
    (error instanceof Error && (error.name === 'AbortError' || /aborted/i.test(error.message)))
  );
}

/**
 * Logs a fault at most once a minute per kind, with how many were not logged since: a
 * client that repeats one bad request thousands of times must not flood the logs.
 */
export class FaultLog {
  readonly #last = new Map<string, { at: number; suppressed: number }>();

  constructor(
    private readonly logger: Logger,
    private readonly intervalMs = 60_000,
  ) {}

  log(level: 'error' | 'warn', kind: string, fields: Record<string, unknown>, message: string): void {
    const now = Date.now();
    const entry = this.#last.get(kind);
    if (entry && now - entry.at < this.intervalMs) {
      entry.suppressed++;
      return;
    }
    this.#last.set(kind, { at: now, suppressed: 0 });
    this.logger[level]({ ...fields, kind, ...(entry?.suppressed ? { suppressed: entry.suppressed } : {}) }, message);
  }
}

/** Maps every error to the documented shape; unexpected ones become a logged, generic 500. */
export function errorHandler(logger: Logger): ErrorHandler {
  const faults = new FaultLog(logger);
  return (error, c) => {
    const requestId = c.get('requestId') as string | undefined;
    const where = { requestId, method: c.req.method, path: c.req.routePath };
    let appError: AppError;
    if (error instanceof AppError) {
      appError = error;
      // The cause of a 5xx was logged where it happened; this line ties it to the request.
      if (appError.status >= 500)
        faults.log(appError.status === 500 ? 'error' : 'warn', appError.code, where, 'request failed');
    } else if (error instanceof HTTPException) {
      appError = fromHttpException(error);
    } else if (isRefusedByDatabase(error)) {
      const sqlState = (error as unknown as { code: string }).code;
      faults.log(
        'warn',
        `database_refused:${sqlState}:${c.req.routePath}`,
        { ...where, sqlState },
        'value refused by the database',
      );
      appError = new AppError('value_refused');
    } else if (isClientAbort(error)) {
      logger.debug(where, 'client went away');
      appError = new AppError('invalid_request', { message: 'The request was not received whole' });
    } else {
      faults.log(
        'error',
        `unexpected:${c.req.routePath}:${(error as Error)?.name}`,
        { ...where, err: error },
        'unexpected error',
      );
      appError = new AppError('internal_error');
    }
    for (const [name, value] of Object.entries(appError.headers ?? {})) c.header(name, value);
    return c.json(appError.toJSON(requestId), appError.status);
  };
}

export const notFoundHandler: NotFoundHandler = (c: Context) =>
  c.json(
    new AppError('not_found', { message: 'No such endpoint' }).toJSON(c.get('requestId') as string | undefined),
    404,
  );

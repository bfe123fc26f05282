import { hc, type ClientResponse } from 'hono/client';
import type { FieldProblem } from '../../../server/errors.ts';
import type { OfficialsApi } from '../../../server/officials-api.ts';

export type { FieldProblem };

/** The typed client of the officials' API, sharing the server's route types. */
export const api = hc<OfficialsApi>('/api/v1/officials');

/** An answer of the API other than success, with its stable code and per-field problems. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly fields: FieldProblem[] = [],
  ) {
    super(message);
    this.name = 'ApiError';
  }

  /** The problem of one field (or of something inside it), for showing it beside that field. */
  field(path: string): FieldProblem | undefined {
    return this.fields.find((field) => field.path === path || field.path.startsWith(`${path}.`));
  }
}

let onSignedOut: () => void = () => {};

/** Called when the server says the session is gone (expired, signed out elsewhere). */
export function whenSignedOut(callback: () => void): void {
  onSignedOut = callback;
}

/**
 * Awaits a call and returns its JSON body on success; anything else becomes an ApiError
 * (a lost network too, with status 0 and code `network`).
 *
 * @example const desks = await unwrap(api.desks.$get({ query: {} }))
 */
export async function unwrap<T>(call: Promise<ClientResponse<T>>): Promise<T> {
  let response: ClientResponse<T>;
  try {
    response = await call;
  } catch {
    throw new ApiError(0, 'network', 'The server could not be reached');
  }
  if (response.ok) return (response.status === 204 ? undefined : await response.json()) as T;
  const body = (await response.json().catch(() => ({}))) as {
    error?: { code?: string; message?: string; fields?: FieldProblem[] };
  };
  if (response.status === 401 && body.error?.code === 'not_signed_in') onSignedOut();
  throw new ApiError(
    response.status,
    body.error?.code ?? `http_${response.status}`,
    body.error?.message ?? response.statusText,
    body.error?.fields,
  );
}

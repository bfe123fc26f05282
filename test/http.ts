import type { ErrorBody } from '../server/errors.ts';

/**
 * The error of an answer, in the platform's one error shape.
 *
 * @example expect((await errorOf(response)).code).toBe('desk_not_found')
 */
export async function errorOf(response: Response): Promise<ErrorBody['error']> {
  const body = (await response.json()) as Partial<ErrorBody>;
  if (!body.error) throw new Error(`not an error answer (${response.status}): ${JSON.stringify(body)}`);
  return body.error;
}

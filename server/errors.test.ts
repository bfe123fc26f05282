import { describe, expect, it } from 'vitest';
import { AppError, ERRORS, type ErrorCode } from './errors.ts';

describe('the error catalogue', () => {
  const codes = Object.keys(ERRORS) as ErrorCode[];

  it('gives each code one status, from the catalogue', () => {
    const error = new AppError('desk_not_found');
    expect(error.status).toBe(404);
    expect(error.toJSON('r1')).toEqual({
      error: { code: 'desk_not_found', message: 'No desk has this code', requestId: 'r1' },
    });
    for (const code of codes) expect(ERRORS[code].status).toBeGreaterThanOrEqual(400);
  });
});

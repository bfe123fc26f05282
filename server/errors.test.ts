import { describe, expect, it } from 'vitest';
import en from '../web/officials/i18n/en.json' with { type: 'json' };
import vi from '../web/officials/i18n/vi.json' with { type: 'json' };
import { AppError, ERRORS, type ErrorCode } from './errors.ts';

describe('the error catalogue', () => {
  const codes = Object.keys(ERRORS) as ErrorCode[];

  it.each([
    ['Vietnamese', vi as Record<string, string>],
    ['English', en as Record<string, string>],
  ])('every error code has a message for people in %s', (_, messages) => {
    const missing = codes.filter((code) => !messages[`error.${code}`]?.trim());
    expect(missing).toEqual([]);
  });

  it('gives each code one status, from the catalogue', () => {
    const error = new AppError('desk_not_found');
    expect(error.status).toBe(404);
    expect(error.toJSON('r1')).toEqual({
      error: { code: 'desk_not_found', message: 'No desk has this code', requestId: 'r1' },
    });
    for (const code of codes) expect(ERRORS[code].status).toBeGreaterThanOrEqual(400);
  });
});

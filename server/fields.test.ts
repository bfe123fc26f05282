import { describe, expect, it } from 'vitest';
import { calendarDate, deskCode, instant, month, optionalText, percent, rowId, rowIdText, text } from './fields.ts';

const accepts = (schema: { safeParse(value: unknown): { success: boolean } }, value: unknown) =>
  schema.safeParse(value).success;

describe('field schemas at the edges of the database types', () => {
  it('ids stay within PostgreSQL integer, and only ASCII digits are a number in a path', () => {
    expect(accepts(rowId, 2_147_483_647)).toBe(true);
    expect(accepts(rowId, 2_147_483_648)).toBe(false);
    expect(accepts(rowId, 0)).toBe(false);
    expect(accepts(rowId, 1.5)).toBe(false);
    expect(rowIdText.parse('42')).toBe(42);
    for (const text of ['1e3', ' 7', '+5', '0x1F', '１２', '2147483648', '', '-1'])
      expect(accepts(rowIdText, text)).toBe(false);
  });

  it('days exist and lie within the years the database and the platform hold', () => {
    for (const day of ['2024-02-29', '1900-01-01', '2100-12-31']) expect(accepts(calendarDate, day)).toBe(true);
    for (const day of ['2026-02-29', '2026-04-31', '0000-01-01', '1899-12-31', '2101-01-01', '2026-13-01'])
      expect(accepts(calendarDate, day)).toBe(false);
    expect(accepts(month, '2026-03')).toBe(true);
    for (const value of ['0000-01', '2026-00', '2101-01']) expect(accepts(month, value)).toBe(false);
  });

  it('instants have an offset, no leap second, no year 0 once in UTC', () => {
    expect(accepts(instant, '2026-11-20T09:15:00+07:00')).toBe(true);
    expect(accepts(instant, '0001-01-01T00:00:00Z')).toBe(true);
    for (const value of [
      '0000-01-01T00:00:00Z',
      '0001-01-01T00:00:00+00:01',
      '2026-06-30T23:59:60Z',
      '2026-06-01T24:00:00Z',
      '2026-02-30T10:00:00Z',
      '2026-06-01T00:00:00+15:00',
      '2026-06-01T00:00:00',
      '10000-01-01T00:00:00Z',
    ])
      expect(accepts(instant, value), value).toBe(false);
  });

  it('text is refused with NUL, controls or half a surrogate pair, and counted as PostgreSQL counts it', () => {
    const name = text({ min: 1, max: 4 });
    expect(name.parse('  Tiê\u0301n ')).toBe('Tiến');
    expect(accepts(name, '😀😀😀😀')).toBe(true);
    expect(accepts(name, '😀😀😀😀😀')).toBe(false);
    for (const value of ['a\u0000', '\ud800', 'x\udfff', 'a\u0007', 'a\nb', '\u200b\u200c', ' '])
      expect(accepts(name, value), JSON.stringify(value)).toBe(false);
    expect(accepts(text({ max: 10, multiline: true }), 'a\nb')).toBe(true);
    expect(optionalText({ max: 10 }).parse('\u200b \ufeff')).toBeUndefined();
  });

  it('percentages are stored with two decimals, above 0', () => {
    expect(accepts(percent, 92.5)).toBe(true);
    for (const value of [0, 0.001, 100.01, 85.555, 1e308]) expect(accepts(percent, value)).toBe(false);
  });

  it('desk codes typed from a poster in capitals are the same code', () => {
    expect(deskCode.parse(' HACTHANH1 ')).toBe('hacthanh1');
    expect(accepts(deskCode, 'hac thanh')).toBe(false);
  });
});

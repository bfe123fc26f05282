/**
 * Masks what could identify a citizen in a comment before it is stored: phone numbers, citizen
 * ID numbers, e-mail addresses and other long runs of digits (bank accounts, card and tax
 * numbers). The platform never asks who a citizen is (DESIGN §2), and a comment is read by many
 * officials, so whatever a citizen writes about themselves is hidden on its way in; the stored
 * text holds only the mask, never the original.
 *
 * Kept as written, so that a comment stays useful: dates (12/03/2026, 12-03-2026, 2026-03-12),
 * dossier numbers in the national portal's shape (000.00.12.H56-260315-0001), amounts with
 * thousands separators (2.500.000 đồng), the public hotlines 1800/1900 …, and every run of at
 * most 8 digits that is not grouped like a phone number (a room, a count, 2500000 đ).
 */

export const MASKS = {
  phone: '[số điện thoại]',
  citizenId: '[số định danh]',
  email: '[email]',
  digits: '[dãy số]',
} as const;

export type MaskKind = keyof typeof MASKS;

// One pattern, tried left to right; at one position the first alternative that matches wins,
// so what is kept (a date, a dossier number, an amount) is recognised before the digit runs.
const PIECE = new RegExp(
  [
    // 1: an e-mail address
    String.raw`([\p{L}\p{N}._%+-]+@[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)*\.\p{L}{2,})`,
    // 2: a dossier number: an agency code with a letter, then -yymmdd-sequence
    String.raw`((?<![\p{L}\p{N}])[\p{L}\p{N}.]*\p{L}[\p{L}\p{N}.]*-\d{6}-\d{3,6}(?!\d))`,
    // 3: a date, day first or ISO
    String.raw`((?<!\d)(?:\d{1,2}[/.-]\d{1,2}[/.-](?:19|20)\d{2}|(?:19|20)\d{2}-\d{1,2}-\d{1,2}|\d{1,2}/\d{1,2})(?![\d/]))`,
    // 4: an amount with thousands separators: never starts with 0, unlike phone and ID numbers
    String.raw`((?<![\d.,])[1-9]\d{0,2}(?:([.,])\d{3})(?:\5\d{3})*(?![\d]|[.,]\d))`,
    // 6: a run of digits, maybe after +, maybe in groups split by a space, a dot, a dash or brackets
    String.raw`((?<!\d)\+?\(?\d(?:(?:[ .-]|\) ?|\()?\d)*)`,
  ].join('|'),
  'gu',
);

/** What a run of digits (separators taken out) is, or null to keep it as written. */
export function classifyDigits(run: string): MaskKind | null {
  const grouped = /[ .()-]/.test(run.trim());
  const international = run.trimStart().startsWith('+');
  let digits = run.replace(/\D/g, '');
  // +84 912 345 678, 84912345678: the national form has a 0 instead of the country code.
  if (digits.startsWith('84') && (international || digits.length === 11 || digits.length === 12)) {
    const national = `0${digits.slice(2)}`;
    if (international || isPhone(national)) digits = national;
  }
  if (isPhone(digits)) return 'phone';
  // Toll-free and shared-cost hotlines are public numbers of offices, not of citizens.
  if (/^1[89]00\d{4,6}$/.test(digits)) return null;
  if (digits.length === 12 || digits.length === 9) return 'citizenId';
  if (digits.length >= 9) return 'digits';
  // A local landline without its area code (3825 1234, 382-51-234) is grouped like one.
  if (digits.length >= 7 && grouped) return 'phone';
  if (international && digits.length >= 7) return 'phone';
  return null;
}

/** Mobile 0[35789]x xxx xxxx, or landline 02xx xxxx xxxx, in their national form. */
function isPhone(digits: string): boolean {
  return /^0[35789]\d{8}$/.test(digits) || /^02\d{9}$/.test(digits);
}

/** The comment with its identifying details replaced by a mask; the rest as written. */
export function maskComment(comment: string): string {
  return comment.replace(PIECE, (piece: string, email?: string, ...groups: unknown[]) => {
    if (email !== undefined) return MASKS.email;
    const run = groups[4] as string | undefined;
    if (run === undefined) return piece;
    // The run pattern may take a trailing separator or bracket; it is not part of the number.
    const number = run.replace(/[ .(-]+$/, '');
    const kind = classifyDigits(number);
    if (kind === null) return piece;
    // Groups of digits joined to a letter belong to a code ("a123-4567-89ab", a UUID): kept.
    // Digits in one piece are masked even against a letter ("SĐT0912345678", "STK-1903…").
    const offset = groups[5] as number;
    const before = comment.slice(Math.max(0, offset - 2), offset);
    const after = comment.slice(offset + number.length, offset + number.length + 2);
    const inCode = /\p{L}[.-]?$/u.test(before) || /^[.-]?\p{L}/u.test(after);
    if (inCode && /\D/.test(number)) return piece;
    return MASKS[kind] + run.slice(number.length);
  });
}

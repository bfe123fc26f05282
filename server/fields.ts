import { z } from 'zod';
import { FOLLOW_UP_CODE_PATTERN, normaliseFollowUpCode } from './comments/follow-up-code.ts';

/**
 * The field schemas every request is validated with. A schema is a promise about the
 * database too: each range here is one PostgreSQL accepts for the column the value goes
 * to, so a value that passes is never refused by the database (which would be a 500).
 * Routes compose these; none writes its own id, date, code or text rule.
 */

/** The largest value of PostgreSQL's `integer` (int4), the type of every identity id but ratings'. */
export const INT4_MAX = 2_147_483_647;
/** The largest value of `smallint`. */
export const SMALLINT_MAX = 32_767;

/** Years the platform plans and reports on (the `target.year` check of the schema). */
export const FIRST_YEAR = 2000;
export const LAST_YEAR = 2100;
/** Calendar dates outside reporting: a unit's validity, a plan's date. */
const FIRST_DATE_YEAR = 1900;

/** Whether `text` is a day that exists, `YYYY-MM-DD`, within the given years. */
export function isCalendarDate(text: string, firstYear = FIRST_DATE_YEAR, lastYear = LAST_YEAR): boolean {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  if (year < firstYear || year > lastYear || month < 1 || month > 12 || day < 1) return false;
  return day <= new Date(Date.UTC(year, month, 0)).getUTCDate();
}

// --- Numbers -------------------------------------------------------------------------

/** An id of an `integer` identity column, in a JSON body. */
export const rowId = z.int().min(1).max(INT4_MAX);

/**
 * A whole number written in a path or a query string: ASCII digits only, so that "1e3",
 * " 7", "+5", "0x1F" or full-width digits are refused rather than read as something else.
 */
export function wholeNumberText(min: number, max: number) {
  return z
    .string()
    .regex(/^[0-9]{1,16}$/, 'must be a whole number written with the digits 0–9')
    .transform(Number)
    .pipe(z.int().min(min).max(max));
}

/** An id in a path or query string. */
export const rowIdText = wholeNumberText(1, INT4_MAX);
/** A rating id (`bigint`) in a query string: exact as a JavaScript number up to 2^53. */
export const ratingIdText = wholeNumberText(1, Number.MAX_SAFE_INTEGER);

/** `{ id }` of a path such as `/desks/:id`. */
export const idParam = z.object({ id: rowIdText });
/** `{ id }` of a path whose table has a `smallint` id (domains). */
export const smallIdParam = z.object({ id: wholeNumberText(1, SMALLINT_MAX) });

/** A year the platform reports on, in a JSON body. */
export const year = z.int().min(FIRST_YEAR).max(LAST_YEAR);
export const yearText = wholeNumberText(FIRST_YEAR, LAST_YEAR);

/** A percentage target such as 85 or 92.5: stored as numeric(5,2), so at most two decimals. */
export const percent = z
  .number()
  .min(0.01)
  .max(100)
  .refine((value) => Math.abs(value * 100 - Math.round(value * 100)) < 1e-6, {
    message: 'must have at most two decimals',
    params: { problem: 'decimals', maximum: 2 },
  });

// --- Dates and times -------------------------------------------------------------------

/** A calendar day, `YYYY-MM-DD`, that exists (no 30 February) and lies in 1900–2100. */
export const calendarDate = z.string().refine((text) => isCalendarDate(text), {
  message: 'must be a date (YYYY-MM-DD) between 1900 and 2100',
  params: { problem: 'date', minimum: FIRST_DATE_YEAR, maximum: LAST_YEAR },
});

/** A month of a reporting year, `YYYY-MM`. */
export const month = z
  .string()
  .regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'must be a month such as 2026-03')
  .refine((text) => isCalendarDate(`${text}-01`, FIRST_YEAR, LAST_YEAR), `must be in ${FIRST_YEAR}–${LAST_YEAR}`);

const INSTANT = /^(\d{4}-\d{2}-\d{2})T([01]\d|2[0-3]):([0-5]\d):([0-5]\d)(\.\d{1,9})?(Z|[+-](0\d|1[0-4]):[0-5]\d)$/;

/**
 * An instant in ISO 8601 with its offset, as device clocks send it. Refused: impossible
 * days, leap seconds (23:59:60, which JavaScript cannot hold), offsets beyond ±14:00, and
 * instants outside years 1–9999 once moved to UTC (PostgreSQL has no year 0).
 */
export const instant = z.string().refine((text) => {
  const match = INSTANT.exec(text);
  if (!match || !isCalendarDate(match[1]!, 1, 9999)) return false;
  const utcYear = new Date(text).getUTCFullYear();
  return utcYear >= 1 && utcYear <= 9999;
}, 'must be a date and time with its offset, such as 2026-11-20T09:15:00+07:00');

// --- Codes -----------------------------------------------------------------------------

/** A domain code such as `land` (the `domain.code` check). */
export const domainCode = z.string().regex(/^[a-z][a-z0-9_]{1,39}$/, 'must be a domain code such as "land"');

/**
 * A desk's public code (the `desk.code` check). People type it from a poster, so capitals
 * and surrounding spaces are forgiven.
 */
export const DESK_CODE_PATTERN = /^[a-z0-9]{4,16}$/;
export const deskCode = z
  .string()
  .max(64)
  .transform((text) => text.trim().toLowerCase())
  .pipe(z.string().regex(DESK_CODE_PATTERN, 'must be 4–16 letters or digits'));

/** A unit's code (the `unit.code` check). */
export const unitCode = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9._-]{1,40}$/, 'must be 1–40 letters, digits, ".", "_" or "-"');

/** A follow-up code as the survey page sends it (comments/follow-up-code.ts). */
export const followUpCode = z
  .string()
  .regex(FOLLOW_UP_CODE_PATTERN, 'must be 12 characters of 0-9 and A-Z without I, L, O and U');

/** A follow-up code as a person types it: case, spaces, dashes and O/I/L are forgiven. */
export const typedFollowUpCode = z.string().max(64).transform(normaliseFollowUpCode).pipe(followUpCode);

/** A number of working days to answer a follow-up (the `unit.follow_up_days` check). */
export const workingDays = z.int().min(1).max(60);

/** A yes/no switch in a query string: present as `true`, or left out. */
export const flagText = z.enum(['true', 'false']).transform((value) => value === 'true');

/** A SIPAS element's code (the `sipas_element.code` values). */
export const elementCode = z.enum(['access', 'procedure', 'civil_servant', 'result', 'feedback']);

/** A question or reason code of a questionnaire. */
export const questionCode = z.string().regex(/^[a-z][a-z0-9_.]{1,59}$/, 'must be a question or reason code');

/** A questionnaire version such as `quick-1`. */
export const questionnaireId = z
  .string()
  .regex(/^[a-z][a-z0-9_]{1,29}-[1-9][0-9]{0,5}$/, 'must be a questionnaire version such as "quick-1"');

/** An official's username (the `official.username` check). */
export const username = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^[a-z0-9][a-z0-9._-]{2,39}$/, 'must be 3–40 lowercase letters, digits, ".", "_" or "-"');

/**
 * A telephone number as people write it — "1900 1234", "(0237) 3.852.100", "+84 237 3852100":
 * digits, spaces, dots, dashes, brackets and a leading "+", with at least three digits
 * (the `unit.hotline` check).
 */
export const phoneNumber = z
  .string()
  .max(64)
  .transform((value) => value.trim())
  .pipe(
    z
      .string()
      .regex(/^[0-9+(][0-9 .()+-]{1,28}[0-9]$/, 'must be a telephone number such as 1900 1234')
      .regex(/([0-9][^0-9]*){3}/, 'must have at least three digits'),
  );

/**
 * A web address people are sent to (`unit.complaint_url`): http or https, stored as the
 * browser writes it (non-ASCII letters percent-encoded), at most 500 characters.
 */
export const webAddress = z
  .string()
  .max(2000)
  .transform((value, context) => {
    try {
      const url = new URL(value.trim());
      if (url.protocol === 'http:' || url.protocol === 'https:') return url.href;
    } catch {
      // reported below
    }
    context.addIssue({ code: 'invalid_format', format: 'url', message: 'must be a web address such as https://…' });
    return z.NEVER;
  })
  .pipe(z.string().max(500));

/** An e-mail address an official gives for alerts, at most 254 characters as SMTP allows. */
export const emailAddress = z
  .string()
  .max(1000)
  .transform((value) => value.trim())
  .pipe(z.email({ error: 'must be an e-mail address such as ten@example.gov.vn' }).max(254));

// --- Text ------------------------------------------------------------------------------

// NUL cannot be stored in PostgreSQL text; the other C0 and C1 controls have no place in
// what people write. Line breaks and tabs are allowed only in multi-line text.
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/;
const LINE_BREAK = /[\t\n\r]/;
// Half of a UTF-16 surrogate pair on its own: UTF-8 (and so PostgreSQL) cannot encode it.
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
// Characters that show nothing: spaces, zero-width and other format characters.
const INVISIBLE = /[\s\p{Cf}\p{Zs}\u115f\u1160\u3164\uffa0]/gu;

/** Characters as PostgreSQL's char_length counts them (code points, not UTF-16 units). */
export function characterCount(text: string): number {
  let count = 0;
  for (const _ of text) count++;
  return count;
}

/** Whether the text shows anything at all. */
export function isVisible(text: string): boolean {
  return text.replace(INVISIBLE, '').length > 0;
}

/**
 * Free text as people write it: normalised to NFC and trimmed; refused when it holds
 * control characters or half of a surrogate pair (which UTF-8 cannot encode), or is
 * longer than `max` characters. With `min` ≥ 1, text of only invisible characters
 * (zero-width spaces, say) counts as empty.
 */
export function text(options: { max: number; min?: number; multiline?: boolean }) {
  const { max, min = 0, multiline = false } = options;
  return (
    z
      .string()
      // Bounds the work below; the real limit, in characters, is checked after normalising.
      .max(max * 4 + 16)
      .refine((value) => !LONE_SURROGATE.test(value), 'must not contain unpaired surrogate characters')
      .refine(
        (value) => !CONTROL.test(value) && (multiline || !LINE_BREAK.test(value)),
        multiline ? 'must not contain control characters' : 'must be a single line without control characters',
      )
      .transform((value) => value.normalize('NFC').trim())
      .refine((value) => characterCount(value) <= max, {
        message: `must be at most ${max} characters`,
        params: { problem: 'too_long', maximum: max },
      })
      .refine((value) => min === 0 || isVisible(value), { message: 'must not be empty', params: { problem: 'empty' } })
  );
}

/**
 * Optional free text, such as a citizen's comment: text that shows nothing (only
 * spaces or zero-width characters) is taken as no text at all.
 */
export function optionalText(options: { max: number; multiline?: boolean }) {
  return text(options).transform((value) => (isVisible(value) ? value : undefined));
}

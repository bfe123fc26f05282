import type { FieldProblem } from '../../../server/errors.ts';
import enErrors from '../../i18n/en/errors.json';
import enOfficials from '../../i18n/en/officials.json';
import enShared from '../../i18n/en/shared.json';
import { fill } from '../../i18n/fill.ts';
import { vietnamClock, vietnamDate } from '../../lib/vietnam-time.ts';
import viErrors from '../../i18n/vi/errors.json';
import viOfficials from '../../i18n/vi/officials.json';
import viShared from '../../i18n/vi/shared.json';

export type Language = 'vi' | 'en';

// The officials' app reads three files of the catalogue as one: its own words, the words
// it shares with server-made documents, and the messages of the API's error codes.
const vi = { ...viOfficials, ...viShared, ...viErrors };
export type MessageKey = keyof typeof vi;

export const messages: Record<Language, Record<MessageKey, string>> = {
  vi,
  en: { ...enOfficials, ...enShared, ...enErrors },
};

/** Whether the catalogue has this key, for keys made from codes the server sends. */
export function isMessageKey(key: string): key is MessageKey {
  return key in vi;
}

const STORAGE_KEY = 'sipas.officials.language';

/** The officials' language: Vietnamese unless English was chosen on this computer. */
class I18n {
  language = $state<Language>(localStorage.getItem(STORAGE_KEY) === 'en' ? 'en' : 'vi');

  constructor() {
    document.documentElement.lang = this.language;
  }

  set(language: Language): void {
    this.language = language;
    document.documentElement.lang = language;
    localStorage.setItem(STORAGE_KEY, language);
  }

  /** The message for a key, with `{name}` placeholders filled. */
  t = (key: MessageKey, values: Record<string, string | number> = {}): string =>
    fill(messages[this.language][key], values);

  /**
   * A field's problem in the reader's language: the platform's own codes (`unit_code_taken`)
   * and zod's (`too_small`, with its bounds), worded for the kind of value.
   */
  fieldMessage = (problem: FieldProblem): string => {
    const params = problem.params ?? {};
    const kind = params.origin === 'int' || params.origin === 'bigint' ? 'number' : (params.origin ?? params.format);
    const empty =
      problem.code === 'invalid_type' ||
      problem.code === 'required' ||
      (problem.code === 'too_small' && kind === 'string' && params.minimum === 1);
    const key = [
      empty ? 'field.required' : undefined,
      problem.code === 'custom' && typeof params.problem === 'string' ? `field.${params.problem}` : undefined,
      kind !== undefined ? `field.${problem.code}.${kind}` : undefined,
      `field.${problem.code}`,
      `error.${problem.code}`,
    ].find((candidate) => candidate !== undefined && isMessageKey(candidate));
    return this.t((key as MessageKey | undefined) ?? 'field.custom', params);
  };

  /** A name given in both languages. */
  name = (names: { vi: string; en: string }): string => names[this.language];

  /** A day as officials write it, 05/01/2026: a calendar day as it is, an instant in Vietnam time. */
  date = (iso: string | null): string =>
    iso ? dayMonthYear(/^\d{4}-\d{2}-\d{2}$/.test(iso) ? iso : vietnamDate(new Date(iso))) : '—';

  /** An instant as officials write it, 05/01/2026 09:15, in Vietnam time. */
  dateTime = (iso: string | null): string =>
    iso ? `${dayMonthYear(vietnamDate(new Date(iso)))} ${vietnamClock(new Date(iso))}` : '—';

  /** Sorts names the way a Vietnamese reader expects (Đ after D, tones after letters). */
  collator = new Intl.Collator('vi');
}

/** `YYYY-MM-DD` as `DD/MM/YYYY`. */
export function dayMonthYear(day: string): string {
  return `${day.slice(8, 10)}/${day.slice(5, 7)}/${day.slice(0, 4)}`;
}

export const i18n = new I18n();

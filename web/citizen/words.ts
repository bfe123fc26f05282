import en from '../i18n/en/citizen.json';
import vi from '../i18n/vi/citizen.json';
import { fill } from '../i18n/fill.ts';
import type { Language } from '../lib/language.svelte.ts';

/** What citizens read (the survey, the kiosk, the home page), from the citizens' catalogue. */
export type CitizenKey = keyof typeof vi;

const catalogues: Record<Language, Record<CitizenKey, string>> = { vi, en };

/**
 * The citizens' words in one language, as a function of their key.
 *
 * @example const t = wordsIn('vi'); t('kiosk.pending', { n: 2 }) // '2 đánh giá chờ gửi'
 */
export function wordsIn(language: Language) {
  const catalogue = catalogues[language];
  return (key: CitizenKey, values?: Record<string, string | number>): string => fill(catalogue[key], values);
}

export type Words = ReturnType<typeof wordsIn>;

/** The message a citizen sees for an error code of the API, naming the code when it has none of its own. */
export function problemMessage(t: Words, code: string): string {
  const key = `problem.${code}`;
  return key in vi ? t(key as CitizenKey) : t('problem.other', { code });
}

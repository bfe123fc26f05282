import en from '../i18n/en.json';
import vi from '../i18n/vi.json';

export type Language = 'vi' | 'en';
export type MessageKey = keyof typeof vi;

export const messages: Record<Language, Record<MessageKey, string>> = { vi, en };

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
    messages[this.language][key].replace(/\{(\w+)\}/g, (_, name: string) => String(values[name] ?? `{${name}}`));

  /** A name given in both languages. */
  name = (names: { vi: string; en: string }): string => names[this.language];

  date = (iso: string | null): string =>
    iso
      ? new Date(iso).toLocaleDateString(this.language === 'vi' ? 'vi-VN' : 'en-GB', { timeZone: 'Asia/Ho_Chi_Minh' })
      : '—';

  dateTime = (iso: string | null): string =>
    iso
      ? new Date(iso).toLocaleString(this.language === 'vi' ? 'vi-VN' : 'en-GB', {
          timeZone: 'Asia/Ho_Chi_Minh',
          dateStyle: 'short',
          timeStyle: 'short',
        })
      : '—';

  /** Sorts names the way a Vietnamese reader expects (Đ after D, tones after letters). */
  collator = new Intl.Collator('vi');
}

export const i18n = new I18n();

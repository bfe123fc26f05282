import { untrack } from 'svelte';

export type Language = 'vi' | 'en';

const STORAGE_KEY = 'sipas.language';

/**
 * The language of a citizen page: Vietnamese unless the citizen chose English, a choice
 * remembered on the device when `remember` is set (not on a shared kiosk). A page starts
 * in Vietnamese, as the server renders it, and restores the remembered choice once live.
 */
export class LanguageChoice {
  current = $state<Language>('vi');
  readonly #remember: boolean;

  constructor(options: { remember: boolean }) {
    this.#remember = options.remember;
  }

  /**
   * Applies the choice remembered on this device; call when the page is live in the
   * browser. Called from an effect, it does not make that effect depend on the language.
   */
  restore(): void {
    untrack(() => {
      if (this.#remember && readStored() === 'en') this.current = 'en';
      document.documentElement.lang = this.current;
    });
  }

  set(language: Language): void {
    this.current = language;
    document.documentElement.lang = language;
    if (this.#remember) {
      try {
        localStorage.setItem(STORAGE_KEY, language);
      } catch {
        // Storage can be unavailable (private mode); the choice then lasts for this page.
      }
    }
  }

  toggle(): void {
    this.set(this.current === 'vi' ? 'en' : 'vi');
  }
}

function readStored(): string | null {
  try {
    return localStorage.getItem(STORAGE_KEY);
  } catch {
    return null;
  }
}

import { ApiError } from './api.ts';
import { i18n, messages, type MessageKey } from './i18n.svelte.ts';

export interface Notice {
  id: number;
  kind: 'success' | 'error';
  text: string;
}

/** Short messages shown at the top of the page and read out by screen readers. */
class Notices {
  list = $state<Notice[]>([]);
  #next = 1;

  success(text: string): void {
    this.#push('success', text);
  }

  #push(kind: Notice['kind'], text: string): void {
    const notice = { id: this.#next++, kind, text };
    this.list = [...this.list, notice];
    setTimeout(() => this.dismiss(notice.id), kind === 'success' ? 5_000 : 12_000);
  }

  dismiss(id: number): void {
    this.list = this.list.filter((notice) => notice.id !== id);
  }

  /**
   * The one place where failed calls become messages: a known error code is translated,
   * anything else shows the server's message.
   */
  error(error: unknown): void {
    if (error instanceof ApiError) {
      const key = `error.${error.code}` as MessageKey;
      this.#push('error', key in messages.vi ? i18n.t(key) : `${i18n.t('error.generic')} (${error.message})`);
    } else {
      this.#push('error', i18n.t('error.generic'));
      console.error(error);
    }
  }
}

export const notices = new Notices();

import { ApiError } from './api.ts';
import { i18n, isMessageKey } from './i18n.svelte.ts';

export interface Notice {
  id: number;
  kind: 'success' | 'error';
  text: string;
}

/**
 * Short messages in a corner of the page, read out by screen readers: the one place where
 * failures become words for people. A success clears the failures shown before it.
 */
class Notices {
  list = $state<Notice[]>([]);
  #next = 1;

  success(text: string): void {
    this.clearErrors();
    this.#push('success', text);
  }

  /**
   * Says what went wrong: a known error code in the reader's language, the problems of
   * fields the page does not show beside a field (`placed` lists those it does), anything
   * unexpected as a generic failure.
   */
  error(error: unknown, options: { placed?: readonly string[] } = {}): void {
    if (!(error instanceof ApiError)) {
      this.#push('error', i18n.t('error.generic'));
      console.error(error);
      return;
    }
    const placed = options.placed ?? [];
    const unplaced = error.fields.filter(
      (field) => !placed.some((path) => field.path === path || field.path.startsWith(`${path}.`)),
    );
    if (error.fields.length > 0 && unplaced.length === 0) return;
    const key = `error.${error.code}`;
    const text = isMessageKey(key) ? i18n.t(key) : `${i18n.t('error.generic')} (${error.code})`;
    const details = unplaced.map((field) => `${field.path}: ${i18n.fieldMessage(field)}`).join('; ');
    this.#push('error', details ? `${text} ${i18n.t('error.fields', { problems: details })}` : text);
  }

  clearErrors(): void {
    this.list = this.list.filter((notice) => notice.kind !== 'error');
  }

  dismiss(id: number): void {
    this.list = this.list.filter((notice) => notice.id !== id);
  }

  #push(kind: Notice['kind'], text: string): void {
    const notice = { id: this.#next++, kind, text };
    this.list = [...this.list, notice];
    setTimeout(() => this.dismiss(notice.id), kind === 'success' ? 5_000 : 12_000);
  }
}

export const notices = new Notices();

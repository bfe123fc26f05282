import { ApiError, type FieldProblem } from './api.ts';
import { notices } from './notices.svelte.ts';

/**
 * A form's change sent to the server: problems with a field the form shows are kept for
 * showing beside that field (`problem(path)`), anything else goes to the notices; a
 * success clears both and says so.
 *
 * @example
 * const form = new Submission(['name', 'code']);
 * if (await form.run(() => unwrap(api.units.$post({ json })), i18n.t('common.saved'))) await units.reload();
 */
export class Submission {
  failure = $state<ApiError | undefined>();
  busy = $state(false);
  readonly #fields: readonly string[];

  /** `fields`: the request's fields the form shows, by their path in the request. */
  constructor(fields: readonly string[]) {
    this.#fields = fields;
  }

  problem(path: string): FieldProblem | undefined {
    return this.failure?.field(path);
  }

  /** Runs the change; returns `{ value }` when it was done, undefined when it failed (and was reported). */
  async run<T>(change: () => Promise<T>, success?: string): Promise<{ value: T } | undefined> {
    this.failure = undefined;
    this.busy = true;
    try {
      const value = await change();
      if (success) notices.success(success);
      else notices.clearErrors();
      return { value };
    } catch (error) {
      if (error instanceof ApiError && error.fields.length > 0) this.failure = error;
      notices.error(error, { placed: this.#fields });
      return undefined;
    } finally {
      this.busy = false;
    }
  }
}

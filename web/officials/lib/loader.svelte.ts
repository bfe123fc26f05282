import { untrack } from 'svelte';
import { ApiError } from './api.ts';
import { notices } from './notices.svelte.ts';

/**
 * What a page shows from the server: loaded when the page opens and again whenever the
 * state its `load` function reads changes (a unit, a period, a filter), with a failure
 * told once through the notices. A 404 is left to the page, which says in its own words
 * that the thing does not exist or lies outside the official's scope.
 *
 * Create it while the component initialises (it runs an effect):
 *
 * @example const desk = new Loader(() => unwrap(api.desks[':id'].$get({ param: { id: String(id) } })));
 */
export class Loader<T> {
  data = $state<T | undefined>();
  error = $state<ApiError | undefined>();
  loading = $state(true);
  readonly #load: () => Promise<T>;
  /** Only the answer to the latest request counts: an older one may arrive last. */
  #latest = 0;

  constructor(load: () => Promise<T>) {
    this.#load = load;
    $effect(() => {
      // What `load` reads before its first await is what the data depends on.
      const request = this.#load();
      untrack(() => {
        this.data = undefined;
        void this.#settle(request);
      });
    });
  }

  /** Whether the server said the thing does not exist (or is out of scope, which it answers alike). */
  get notFound(): boolean {
    return this.error?.status === 404;
  }

  /** Loads again after a change, keeping what is shown until the new data arrives. */
  reload(): Promise<void> {
    return this.#settle(untrack(() => this.#load()));
  }

  async #settle(request: Promise<T>): Promise<void> {
    const mine = ++this.#latest;
    this.loading = true;
    try {
      const data = await request;
      if (mine !== this.#latest) return;
      this.data = data;
      this.error = undefined;
    } catch (error) {
      if (mine !== this.#latest) return;
      this.error = error instanceof ApiError ? error : new ApiError(0, 'unexpected', String(error));
      if (!this.notFound) notices.error(error);
    } finally {
      if (mine === this.#latest) this.loading = false;
    }
  }
}

import { api, unwrap } from './api.ts';

/** How often the header asks for the number of unread alerts while the app is open. */
const REFRESH_MS = 60_000;

/**
 * The unread alerts of the official's scope, for the bell in the header: asked when the
 * app opens, every minute, and after the official reads alerts.
 */
class UnreadAlerts {
  count = $state(0);
  #timer: ReturnType<typeof setInterval> | undefined;

  start(): () => void {
    void this.refresh();
    this.#timer = setInterval(() => void this.refresh(), REFRESH_MS);
    return () => clearInterval(this.#timer);
  }

  async refresh(): Promise<void> {
    try {
      this.count = (await unwrap(api.alerts.unread.$get())).unread;
    } catch {
      // The bell keeps its last count; the pages report errors themselves.
    }
  }
}

export const unreadAlerts = new UnreadAlerts();

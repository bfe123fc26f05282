import type { RefusedRating } from '../lib/rating-queue.ts';

/** What a tablet standing at a desk all day needs from the browser. */

/** Keeps the screen on where the browser allows it, again after the tab was hidden. */
export function keepAwake(): void {
  const wakeLock = (navigator as Navigator & { wakeLock?: { request(type: 'screen'): Promise<unknown> } }).wakeLock;
  if (!wakeLock) return;
  const request = () => void wakeLock.request('screen').catch(() => {});
  request();
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible') request();
  });
}

/**
 * Asks the service worker to keep this page and its assets, so that the kiosk reloads
 * without network. Marks the document once done (`data-offline-ready`).
 */
export async function cacheShellForOffline(registration: ServiceWorkerRegistration): Promise<void> {
  const worker = registration.active ?? navigator.serviceWorker.controller;
  if (!worker) return;
  const assets = [...document.querySelectorAll<HTMLScriptElement | HTMLLinkElement>('script[src], link[href]')]
    .map((element) => ('src' in element ? element.src : element.href))
    .filter((url) => new URL(url).pathname.startsWith('/assets/'));
  const done = new Promise<void>((resolve) => {
    navigator.serviceWorker.addEventListener('message', function listener(event) {
      if ((event.data as { type?: string })?.type === 'shell-cached') {
        navigator.serviceWorker.removeEventListener('message', listener);
        resolve();
      }
    });
  });
  worker.postMessage({ type: 'cache-shell', shell: location.pathname, assets });
  await done;
  document.documentElement.dataset.offlineReady = 'true';
}

const STATUS_EVERY_MS = 60_000;

/** What a tablet tells the server about itself. */
export interface DeviceStatus {
  /** Ratings waiting on the tablet to be sent. */
  queueLength: number;
  /** Ratings the server refused for good, newest first (at most 50). */
  refused: RefusedRating[];
}

/**
 * Tells the server, every minute, how many ratings wait on this tablet and which ones it
 * refused, so that staff see them on the desk's page; learns if the tablet was unpaired.
 * Returns a function that reports at once, for when something worth telling happened.
 */
export function reportStatus(
  key: string,
  status: () => Promise<DeviceStatus>,
  onPaired: (paired: boolean) => void,
): () => void {
  const report = async () => {
    try {
      const response = await fetch('/api/v1/public/kiosk/status', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-kiosk-key': key },
        body: JSON.stringify(await status()),
      });
      if (response.status === 401 || response.status === 403) onPaired(false);
      else if (response.ok) onPaired(true);
    } catch {
      // Offline: the next report will tell.
    }
  };
  void report();
  setInterval(report, STATUS_EVERY_MS);
  return () => void report();
}

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

/** Tells the server, every minute, how many ratings wait on this tablet; learns if it was unpaired. */
export function reportStatus(key: string, pending: () => number, onPaired: (paired: boolean) => void): void {
  const report = async () => {
    try {
      const response = await fetch('/api/v1/public/kiosk/status', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-kiosk-key': key },
        body: JSON.stringify({ queueLength: pending() }),
      });
      if (response.status === 401 || response.status === 403) onPaired(false);
      else if (response.ok) onPaired(true);
    } catch {
      // Offline: the next report will tell.
    }
  };
  void report();
  setInterval(report, STATUS_EVERY_MS);
}

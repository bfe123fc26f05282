/**
 * The service worker of the citizen pages: keeps the kiosk's page and assets so that a
 * tablet reloads without network, and sends ratings queued on the device when the
 * network returns, even after the page was closed (Background Sync, where supported).
 */
import { flushQueue, RatingQueue } from './lib/rating-queue.ts';

interface ExtendableEvent extends Event {
  waitUntil(promise: Promise<unknown>): void;
}
interface FetchEvent extends ExtendableEvent {
  request: Request;
  respondWith(response: Promise<Response>): void;
}
interface MessageEvent extends ExtendableEvent {
  data: unknown;
  source: { postMessage(message: unknown): void } | null;
}
interface SyncEvent extends ExtendableEvent {
  tag: string;
}
interface WorkerScope {
  skipWaiting(): Promise<void>;
  clients: { claim(): Promise<void> };
  location: Location;
  addEventListener(type: 'install' | 'activate', listener: (event: ExtendableEvent) => void): void;
  addEventListener(type: 'fetch', listener: (event: FetchEvent) => void): void;
  addEventListener(type: 'message', listener: (event: MessageEvent) => void): void;
  addEventListener(type: 'sync', listener: (event: SyncEvent) => void): void;
}

const scope = globalThis as unknown as WorkerScope;
const CACHE = 'sipas-citizen';
/** The kiosk page is the same for every desk; it is kept under this one key. */
const KIOSK_SHELL = '/kiosk/';

scope.addEventListener('install', (event) => event.waitUntil(scope.skipWaiting()));
scope.addEventListener('activate', (event) => event.waitUntil(scope.clients.claim()));

scope.addEventListener('message', (event) => {
  const data = event.data as { type?: string; shell?: string; assets?: string[] };
  if (data?.type !== 'cache-shell' || !data.shell || !data.assets) return;
  event.waitUntil(
    (async () => {
      const cache = await caches.open(CACHE);
      const shell = await fetch(data.shell!, { cache: 'no-cache' });
      if (shell.ok) await cache.put(KIOSK_SHELL, shell);
      await cache.addAll(data.assets!);
      // Assets of earlier builds are no longer referenced by the shell.
      const keep = new Set(data.assets!.map((url) => new URL(url, scope.location.href).pathname));
      for (const request of await cache.keys()) {
        const path = new URL(request.url).pathname;
        if (path.startsWith('/assets/') && !keep.has(path)) await cache.delete(request);
      }
      event.source?.postMessage({ type: 'shell-cached' });
    })(),
  );
});

scope.addEventListener('fetch', (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== 'GET' || url.origin !== scope.location.origin) return;
  if (event.request.mode === 'navigate' && url.pathname.startsWith('/kiosk/')) {
    event.respondWith(fetch(event.request).catch(async () => (await caches.match(KIOSK_SHELL)) ?? Response.error()));
  } else if (url.pathname.startsWith('/assets/')) {
    // Hashed file names never change content: the cached copy is always right.
    event.respondWith(caches.match(event.request).then((cached) => cached ?? fetch(event.request)));
  }
});

scope.addEventListener('sync', (event) => {
  if (event.tag !== 'sipas-send') return;
  event.waitUntil(
    RatingQueue.open()
      .then((queue) => flushQueue(queue))
      .then((stoppedBy) => {
        // A rejected promise asks the browser to try the sync again later.
        if (stoppedBy?.kind === 'retry') throw new Error('the network is still down');
      }),
  );
});

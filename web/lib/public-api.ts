import type { EmbeddedSurvey } from '../../server/web-app/web-app.routes.ts';
import type { Survey } from '../../server/survey/survey.schema.ts';

export type { EmbeddedSurvey, Survey };

// Citizen pages call the public API with plain fetch and the server's own types: every
// kilobyte counts on a cheap phone, and these are the only two reads they make.

/** Loads a survey; an HTTP error becomes `{ error }` with the API's code, a network failure throws. */
export async function fetchSurvey(
  source: { deskCode: string; channel?: 'kiosk' } | { dossierToken: string },
): Promise<EmbeddedSurvey> {
  const path =
    'deskCode' in source
      ? `desks/${encodeURIComponent(source.deskCode)}${source.channel ? `?channel=${source.channel}` : ''}`
      : `dossiers/${encodeURIComponent(source.dossierToken)}`;
  const response = await fetch(`/api/v1/public/${path}`);
  if (response.ok) return { survey: (await response.json()) as Survey };
  const body = (await response.json().catch(() => ({}))) as { error?: { code?: string } };
  return { error: { status: response.status, code: body.error?.code ?? `http_${response.status}` } };
}

/** A unique idempotency key; works without a secure context (plain HTTP on a local network). */
export function newIdempotencyKey(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
}

/** Registers the service worker that keeps the kiosk usable offline and sends queued ratings later. */
export async function registerServiceWorker(): Promise<ServiceWorkerRegistration | undefined> {
  if (!('serviceWorker' in navigator)) return undefined;
  try {
    await navigator.serviceWorker.register('/sw.js', { type: 'module', scope: '/' });
    return await navigator.serviceWorker.ready;
  } catch {
    return undefined;
  }
}

/** Asks the service worker to send the queue when the network returns, even if the page is closed. */
export async function requestBackgroundSend(): Promise<void> {
  const registration = await navigator.serviceWorker?.getRegistration();
  const sync = (
    registration as (ServiceWorkerRegistration & { sync?: { register(tag: string): Promise<void> } }) | undefined
  )?.sync;
  await sync?.register('sipas-send').catch(() => {});
}

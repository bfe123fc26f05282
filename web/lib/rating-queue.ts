/**
 * Ratings kept on the device until the server has acknowledged them: in IndexedDB, so
 * they survive a reload, a closed tab or days without network. Shared by the survey
 * page, the kiosk and the service worker, which all send through `flushQueue`.
 */

export interface QueuedRating {
  /** Position in the queue (IndexedDB key): ratings are sent oldest first. */
  id?: number;
  /** The exact JSON body to POST, including its idempotency key and client time. */
  body: Record<string, unknown> & { deskCode?: string; channel: string };
  queuedAt: number;
}

/** How the server answered one attempt. */
export type SendResult =
  | { kind: 'sent'; id: number }
  | { kind: 'retry'; afterMs: number; reason: 'offline' | 'server' | 'rate_limited' }
  | { kind: 'unpaired' }
  | { kind: 'rejected'; status: number; code: string };

/** What finally became of a queued rating: acknowledged, or refused for good with the server's code. */
export type Settlement = { kind: 'sent' } | { kind: 'rejected'; code: string };

/** A settlement as it is told to every page of the device (see `announce`). */
export type Settled = Settlement & { id: number };

/** A rating the server refused for good, as a kiosk reports it to the server. */
export interface RefusedRating {
  idempotencyKey: string;
  code: string;
  /** When it was rated (the rating's client time). */
  ratedAt: string | null;
}

const DB_NAME = 'sipas';
const PENDING = 'pending';
const REJECTED = 'rejected';
const SETTINGS = 'settings';
const LOCK = 'sipas-rating-queue';
/** The broadcast channel on which whoever sends a rating tells the device's other pages. */
export const SETTLED_CHANNEL = 'sipas-rating-settled';
/** A request that has not been answered in this time is taken as lost, and retried. */
const SEND_TIMEOUT_MS = 20_000;

function request<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

export class RatingQueue {
  private constructor(
    private readonly db: IDBDatabase | undefined,
    private readonly memory: QueuedRating[],
    private readonly memoryKeys: Map<string, string>,
  ) {}

  /** Without IndexedDB: the codes of ratings refused for good, by their place in the queue. */
  private readonly memoryRefusals = new Map<number, string>();

  /** Opens the device queue; without IndexedDB (some private modes) it lives in memory. */
  static async open(): Promise<RatingQueue> {
    try {
      const opening = indexedDB.open(DB_NAME, 1);
      opening.onupgradeneeded = () => {
        opening.result.createObjectStore(PENDING, { keyPath: 'id', autoIncrement: true });
        opening.result.createObjectStore(REJECTED, { keyPath: 'id', autoIncrement: true });
        opening.result.createObjectStore(SETTINGS);
      };
      return new RatingQueue(await request(opening), [], new Map());
    } catch {
      return new RatingQueue(undefined, [], new Map());
    }
  }

  /**
   * The key of the tablet paired with a desk. Looked up when a kiosk rating is sent, not
   * stored with it, so ratings kept while unpaired go out once the tablet is paired again.
   */
  async kioskKey(deskCode: string): Promise<string | undefined> {
    if (!this.db) return this.memoryKeys.get(deskCode);
    const store = this.db.transaction(SETTINGS, 'readonly').objectStore(SETTINGS);
    return (await request(store.get(`kioskKey:${deskCode}`))) as string | undefined;
  }

  async setKioskKey(deskCode: string, key: string): Promise<void> {
    if (!this.db) {
      this.memoryKeys.set(deskCode, key);
      return;
    }
    await request(this.db.transaction(SETTINGS, 'readwrite').objectStore(SETTINGS).put(key, `kioskKey:${deskCode}`));
  }

  async add(rating: QueuedRating): Promise<number> {
    if (!this.db) {
      const id = (this.memory.at(-1)?.id ?? 0) + 1;
      this.memory.push({ ...rating, id });
      return id;
    }
    const store = this.db.transaction(PENDING, 'readwrite').objectStore(PENDING);
    return Number(await request(store.add(rating)));
  }

  async oldest(): Promise<QueuedRating | undefined> {
    if (!this.db) return this.memory[0];
    const store = this.db.transaction(PENDING, 'readonly').objectStore(PENDING);
    const cursor = await request(store.openCursor());
    return cursor ? (cursor.value as QueuedRating) : undefined;
  }

  async remove(id: number): Promise<void> {
    if (!this.db) {
      this.memory.splice(
        this.memory.findIndex((rating) => rating.id === id),
        1,
      );
      return;
    }
    await request(this.db.transaction(PENDING, 'readwrite').objectStore(PENDING).delete(id));
  }

  /** Keeps a rating the server refused for good, so it is never silently lost. */
  async reject(rating: QueuedRating, status: number, code: string): Promise<void> {
    if (this.db) {
      const transaction = this.db.transaction([PENDING, REJECTED], 'readwrite');
      const { id, ...kept } = rating;
      transaction.objectStore(REJECTED).add({ ...kept, queueId: id, status, code, rejectedAt: Date.now() });
      transaction.objectStore(PENDING).delete(rating.id!);
      await new Promise<void>((resolve, reject) => {
        transaction.oncomplete = () => resolve();
        transaction.onerror = () => reject(transaction.error);
      });
    } else {
      this.memoryRefusals.set(rating.id!, code);
      await this.remove(rating.id!);
    }
  }

  /**
   * Where a rating added to this queue is now: still waiting, refused for good (with the
   * server's code), or gone from the queue, which only an acknowledgement does.
   */
  async stateOf(id: number): Promise<{ kind: 'pending' } | Settlement> {
    if (!this.db) {
      if (this.memory.some((rating) => rating.id === id)) return { kind: 'pending' };
      const code = this.memoryRefusals.get(id);
      return code === undefined ? { kind: 'sent' } : { kind: 'rejected', code };
    }
    const transaction = this.db.transaction([PENDING, REJECTED], 'readonly');
    const [pending, rejected] = await Promise.all([
      request(transaction.objectStore(PENDING).count(id)),
      request(transaction.objectStore(REJECTED).getAll()),
    ]);
    if (pending > 0) return { kind: 'pending' };
    const refusal = (rejected as { queueId?: number; code: string }[]).find((kept) => kept.queueId === id);
    return refusal ? { kind: 'rejected', code: refusal.code } : { kind: 'sent' };
  }

  /** The newest ratings refused for good, newest first, as a kiosk reports them. */
  async refused(limit: number): Promise<RefusedRating[]> {
    if (!this.db) return [];
    const store = this.db.transaction(REJECTED, 'readonly').objectStore(REJECTED);
    const kept = (await request(store.getAll())) as { body: QueuedRating['body']; code: string }[];
    return kept
      .slice(-limit)
      .reverse()
      .map(({ body, code }) => ({
        idempotencyKey: String(body.idempotencyKey),
        code,
        ratedAt: typeof body.clientTime === 'string' ? body.clientTime : null,
      }));
  }

  async counts(): Promise<{ pending: number; rejected: number }> {
    if (!this.db) return { pending: this.memory.length, rejected: this.memoryRefusals.size };
    const transaction = this.db.transaction([PENDING, REJECTED], 'readonly');
    const [pending, rejected] = await Promise.all([
      request(transaction.objectStore(PENDING).count()),
      request(transaction.objectStore(REJECTED).count()),
    ]);
    return { pending, rejected };
  }
}

/** Sends one rating and says what happened; never throws. */
export async function sendRating(rating: QueuedRating, kioskKey: string | undefined): Promise<SendResult> {
  if (rating.body.channel === 'kiosk' && !kioskKey) return { kind: 'unpaired' };
  let response: Response;
  // A request sent as the connection drops can hang for minutes; the same idempotency key
  // makes the next attempt safe even if this one did arrive.
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), SEND_TIMEOUT_MS);
  try {
    response = await fetch('/api/v1/public/responses', {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(kioskKey ? { 'x-kiosk-key': kioskKey } : {}) },
      body: JSON.stringify(rating.body),
      signal: abort.signal,
    });
  } catch {
    return { kind: 'retry', afterMs: 0, reason: 'offline' };
  } finally {
    clearTimeout(timer);
  }
  if (response.status === 200 || response.status === 201) {
    const { id } = (await response.json()) as { id: number };
    return { kind: 'sent', id };
  }
  if (response.status === 401 || response.status === 403) return { kind: 'unpaired' };
  if (response.status === 429) {
    const seconds = Number(response.headers.get('retry-after')) || 60;
    return { kind: 'retry', afterMs: seconds * 1000, reason: 'rate_limited' };
  }
  if (response.status === 408 || response.status >= 500) return { kind: 'retry', afterMs: 0, reason: 'server' };
  const code = await response
    .json()
    .then((body: { error?: { code?: string } }) => body.error?.code ?? `http_${response.status}`)
    .catch(() => `http_${response.status}`);
  return { kind: 'rejected', status: response.status, code };
}

/**
 * Tells every page of the device what became of a rating. The page that queued it may
 * not be the one that sent it: the service worker (Background Sync) or another tab may
 * have sent it first, and the citizen must still be thanked.
 */
function announce(settled: Settled): void {
  if (typeof BroadcastChannel !== 'function') return;
  const channel = new BroadcastChannel(SETTLED_CHANNEL);
  channel.postMessage(settled);
  channel.close();
}

/**
 * Sends queued ratings oldest first, one at a time, until the queue is empty or an
 * attempt must wait; returns the result that stopped it. A Web Lock keeps the page and
 * the service worker from sending the same queue at once, so the order holds. Each
 * rating sent or refused is announced to the device's pages.
 */
export async function flushQueue(
  queue: RatingQueue,
  onProgress?: (result: SendResult, rating: QueuedRating) => void,
): Promise<SendResult | undefined> {
  const run = async (): Promise<SendResult | undefined> => {
    for (;;) {
      const rating = await queue.oldest();
      if (!rating) return undefined;
      const kioskKey =
        rating.body.channel === 'kiosk' && rating.body.deskCode
          ? await queue.kioskKey(rating.body.deskCode)
          : undefined;
      const result = await sendRating(rating, kioskKey);
      if (result.kind === 'sent') {
        await queue.remove(rating.id!);
        announce({ id: rating.id!, kind: 'sent' });
      } else if (result.kind === 'rejected') {
        await queue.reject(rating, result.status, result.code);
        announce({ id: rating.id!, kind: 'rejected', code: result.code });
      }
      onProgress?.(result, rating);
      if (result.kind === 'retry' || result.kind === 'unpaired') return result;
    }
  };
  const locks = (globalThis.navigator as Navigator | undefined)?.locks;
  return locks ? locks.request(LOCK, run) : run();
}

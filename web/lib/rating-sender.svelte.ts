import {
  flushQueue,
  RatingQueue,
  SETTLED_CHANNEL,
  type QueuedRating,
  type RefusedRating,
  type SendResult,
  type Settled,
  type Settlement,
} from './rating-queue.ts';

export type SenderState = 'idle' | 'sending' | 'offline' | 'waiting' | 'unpaired';

/** What a page learns about a rating it queued: settled, or still waiting and why. */
export type RatingNews = Settlement | { kind: 'waiting'; reason: 'offline' | 'server' | 'rate_limited' | 'unpaired' };

// A tablet at a desk should send what it kept soon after the server is back; thousands of
// them retrying this often during an outage are still a light load.
const MAX_BACKOFF_MS = 15_000;

function newsOf(result: SendResult): RatingNews {
  switch (result.kind) {
    case 'sent':
      return { kind: 'sent' };
    case 'rejected':
      return { kind: 'rejected', code: result.code };
    case 'unpaired':
      return { kind: 'waiting', reason: 'unpaired' };
    case 'retry':
      return { kind: 'waiting', reason: result.reason };
  }
}

/**
 * Keeps sending the device's queued ratings: at once, again when the browser comes back
 * online or the page is shown again, and otherwise with a growing pause. Its fields are
 * reactive, for indicators.
 *
 * A queued rating may be sent by this page, by the service worker (Background Sync) or by
 * another tab of the device; whichever does it, the page that queued it hears of it: from
 * its own attempts, from the broadcast of the others, and by looking at the queue after
 * every round (a message missed while the page slept changes nothing).
 */
export class RatingSender {
  pending = $state(0);
  rejected = $state(0);
  state = $state<SenderState>('idle');
  readonly queue: RatingQueue;
  #running: Promise<void> | undefined;
  #kickedWhileRunning = false;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #backoffMs = 2_000;
  /** Who waits for news of a queued rating, by its place in the queue, until it is settled. */
  readonly #followers: Record<number, (news: RatingNews) => void> = {};

  private constructor(queue: RatingQueue) {
    this.queue = queue;
    addEventListener('online', () => this.kick());
    document.addEventListener('visibilitychange', () => {
      if (document.visibilityState === 'visible') this.kick();
    });
    if (typeof BroadcastChannel === 'function') {
      new BroadcastChannel(SETTLED_CHANNEL).onmessage = (event: MessageEvent<Settled>) => {
        const { id, ...settlement } = event.data;
        this.#tell(id, settlement);
        void this.#refreshCounts();
      };
    }
  }

  static async start(): Promise<RatingSender> {
    const sender = new RatingSender(await RatingQueue.open());
    await sender.#refreshCounts();
    sender.kick();
    return sender;
  }

  /** Keeps the rating on the device first, then tries to send the queue; returns its place in the queue. */
  async enqueue(rating: Omit<QueuedRating, 'id' | 'queuedAt'>): Promise<number> {
    // IndexedDB stores structured clones, which reactive proxies are not.
    const id = await this.queue.add({ ...$state.snapshot(rating), queuedAt: Date.now() });
    await this.#refreshCounts();
    this.kick();
    return id;
  }

  /**
   * Calls back with each piece of news of a queued rating — waiting (and why), then sent
   * or refused — whichever path sends it.
   */
  follow(id: number, listener: (news: RatingNews) => void): void {
    this.#followers[id] = listener;
    void this.#lookUp(id);
  }

  /** The ratings refused for good, newest first, for a kiosk's status report. */
  refusedRatings(limit = 50): Promise<RefusedRating[]> {
    return this.queue.refused(limit);
  }

  /**
   * Sends the queue now; asked while a round is still ending (its news already on the
   * page, a "try now" already tapped), it sends again right after, rather than at the
   * round's next timer.
   */
  kick(): void {
    clearTimeout(this.#timer);
    if (this.#running) {
      this.#kickedWhileRunning = true;
      return;
    }
    this.#running = this.#flush().finally(() => {
      this.#running = undefined;
      if (this.#kickedWhileRunning) {
        this.#kickedWhileRunning = false;
        this.kick();
      }
    });
  }

  /** Resolves when the current sending round ends. */
  async settled(): Promise<void> {
    await this.#running;
  }

  #tell(id: number, news: RatingNews): void {
    const listener = this.#followers[id];
    if (!listener) return;
    if (news.kind !== 'waiting') delete this.#followers[id];
    listener(news);
  }

  /** Settles a followed rating that has left the queue without this page hearing of it. */
  async #lookUp(id: number): Promise<void> {
    const state = await this.queue.stateOf(id);
    if (state.kind !== 'pending') this.#tell(id, state);
  }

  async #flush(): Promise<void> {
    this.state = 'sending';
    const stoppedBy = await flushQueue(this.queue, (result, rating) => {
      if (result.kind === 'sent') this.#backoffMs = 2_000;
      this.#tell(rating.id!, newsOf(result));
      void this.#refreshCounts();
    });
    await this.#refreshCounts();
    await Promise.all(Object.keys(this.#followers).map((id) => this.#lookUp(Number(id))));
    if (!stoppedBy) {
      this.state = 'idle';
      return;
    }
    if (stoppedBy.kind === 'unpaired') {
      this.state = 'unpaired';
      return;
    }
    if (stoppedBy.kind === 'retry') {
      this.state = stoppedBy.reason === 'offline' ? 'offline' : 'waiting';
      // Spread out, so that devices cut off together do not all come back in the same second.
      const delay = Math.max(stoppedBy.afterMs, this.#backoffMs * (0.8 + 0.4 * Math.random()));
      this.#backoffMs = Math.min(this.#backoffMs * 2, MAX_BACKOFF_MS);
      this.#timer = setTimeout(() => this.kick(), delay);
    }
  }

  async #refreshCounts(): Promise<void> {
    const counts = await this.queue.counts();
    this.pending = counts.pending;
    this.rejected = counts.rejected;
  }
}

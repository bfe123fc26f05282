import { flushQueue, RatingQueue, type QueuedRating, type SendResult } from './rating-queue.ts';

export type SenderState = 'idle' | 'sending' | 'offline' | 'waiting' | 'unpaired';

// A tablet at a desk should send what it kept soon after the server is back; thousands of
// them retrying this often during an outage are still a light load.
const MAX_BACKOFF_MS = 15_000;

/**
 * Keeps sending the device's queued ratings: at once, again when the browser comes back
 * online, and otherwise with a growing pause. Its fields are reactive, for indicators.
 */
export class RatingSender {
  pending = $state(0);
  rejected = $state(0);
  state = $state<SenderState>('idle');
  readonly queue: RatingQueue;
  #running: Promise<void> | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #backoffMs = 2_000;
  #listeners: ((result: SendResult, rating: QueuedRating) => void)[] = [];

  private constructor(queue: RatingQueue) {
    this.queue = queue;
    addEventListener('online', () => this.kick());
  }

  static async start(): Promise<RatingSender> {
    const sender = new RatingSender(await RatingQueue.open());
    await sender.#refreshCounts();
    sender.kick();
    return sender;
  }

  /** Calls back for every attempt, e.g. to learn that a given rating was sent. */
  onResult(listener: (result: SendResult, rating: QueuedRating) => void): void {
    this.#listeners.push(listener);
  }

  /** Keeps the rating on the device first, then tries to send the queue. */
  async enqueue(rating: Omit<QueuedRating, 'id' | 'queuedAt'>): Promise<number> {
    // IndexedDB stores structured clones, which reactive proxies are not.
    const id = await this.queue.add({ ...$state.snapshot(rating), queuedAt: Date.now() });
    await this.#refreshCounts();
    this.kick();
    return id;
  }

  kick(): void {
    clearTimeout(this.#timer);
    this.#running ??= this.#flush().finally(() => (this.#running = undefined));
  }

  /** Resolves when the current sending round ends. */
  async settled(): Promise<void> {
    await this.#running;
  }

  async #flush(): Promise<void> {
    this.state = 'sending';
    const stoppedBy = await flushQueue(this.queue, (result, rating) => {
      if (result.kind === 'sent') this.#backoffMs = 2_000;
      for (const listener of this.#listeners) listener(result, rating);
      void this.#refreshCounts();
    });
    await this.#refreshCounts();
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

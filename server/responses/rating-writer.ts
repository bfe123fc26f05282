import type { Db } from '../db/database.ts';
import { AppError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import { writeBatch, type Outcome, type Submission, type WriteOptions } from './write-batch.ts';

export interface RatingWriterOptions extends WriteOptions {
  /** Most ratings written in one transaction. */
  maxBatchSize?: number;
  /** Transactions in flight at once; new ratings wait for the next one to start. */
  maxConcurrentBatches?: number;
  logger: Logger;
}

interface Pending {
  submission: Submission;
  resolve: (outcome: Outcome) => void;
}

// Connection loss, server restart, deadlock and serialization failures: the batch can be
// tried again as a whole, and idempotency keys make a repeated commit harmless.
const TRANSIENT_SQLSTATE = /^(08|40001|40P01|57P0[1-3]|53300)/;
const TRANSIENT_ERRNO = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT']);
const RETRY_DELAYS_MS = [50, 250, 1000];

function isTransient(error: unknown): boolean {
  const code = (error as { code?: unknown })?.code;
  if (typeof code === 'string' && (TRANSIENT_SQLSTATE.test(code) || TRANSIENT_ERRNO.has(code))) return true;
  const message = error instanceof Error ? error.message : '';
  return /Connection terminated|connection timeout|timeout exceeded when trying to connect/i.test(message);
}

/**
 * Group commit for ratings: a rating waits only while the previous transaction commits,
 * then goes out with every rating that arrived meanwhile, in one durable commit. Each
 * caller is answered after the commit that holds its rating.
 */
export class RatingWriter {
  readonly #db: Db;
  readonly #options: Required<Omit<RatingWriterOptions, 'logger' | 'rateLimit'>> & RatingWriterOptions;
  #queue: Pending[] = [];
  #inFlight = 0;
  #closing = false;
  #idleWaiters: (() => void)[] = [];

  constructor(db: Db, options: RatingWriterOptions) {
    this.#db = db;
    this.#options = { maxBatchSize: 250, maxConcurrentBatches: 2, ...options };
  }

  /** Resolves with the rating's outcome once it is committed (or refused). */
  submit(submission: Submission): Promise<Outcome> {
    if (this.#closing) {
      return Promise.resolve({
        ok: false,
        error: new AppError(503, 'shutting_down', 'The server is restarting; please retry', undefined, {
          'Retry-After': '2',
        }),
      });
    }
    return new Promise((resolve) => {
      this.#queue.push({ submission, resolve });
      this.#pump();
    });
  }

  /** Stops taking ratings and resolves once every accepted one has been committed. */
  async close(): Promise<void> {
    this.#closing = true;
    if (this.#queue.length === 0 && this.#inFlight === 0) return;
    await new Promise<void>((resolve) => this.#idleWaiters.push(resolve));
  }

  #pump(): void {
    while (this.#inFlight < this.#options.maxConcurrentBatches && this.#queue.length > 0) {
      const batch = this.#queue.splice(0, this.#options.maxBatchSize);
      this.#inFlight++;
      void this.#write(batch).finally(() => {
        this.#inFlight--;
        this.#pump();
        if (this.#inFlight === 0 && this.#queue.length === 0) {
          for (const resolve of this.#idleWaiters.splice(0)) resolve();
        }
      });
    }
  }

  async #write(batch: Pending[]): Promise<void> {
    try {
      const outcomes = await this.#writeWithRetry(batch.map((pending) => pending.submission));
      batch.forEach((pending, index) => pending.resolve(outcomes[index]!));
    } catch (error) {
      if (batch.length > 1 && !isTransient(error)) {
        // One rating that breaks the batch must not fail the others: write each alone.
        for (const pending of batch) await this.#write([pending]);
        return;
      }
      this.#options.logger.error({ err: error, ratings: batch.length }, 'ratings could not be written');
      const failure: Outcome = isTransient(error)
        ? {
            ok: false,
            error: new AppError(
              503,
              'database_unavailable',
              'The rating could not be saved yet; please retry',
              undefined,
              {
                'Retry-After': '2',
              },
            ),
          }
        : { ok: false, error: new AppError(500, 'internal_error', 'The rating could not be saved') };
      for (const pending of batch) pending.resolve(failure);
    }
  }

  async #writeWithRetry(submissions: Submission[]): Promise<Outcome[]> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await writeBatch(this.#db, submissions, this.#options);
      } catch (error) {
        const delay = RETRY_DELAYS_MS[attempt];
        if (!isTransient(error) || delay === undefined) throw error;
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
  }
}

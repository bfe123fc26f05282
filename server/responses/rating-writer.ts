import type { Db } from '../db/database.ts';
import { AppError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import {
  checkBatch,
  commitBatch,
  type CheckedBatch,
  type Outcome,
  type Submission,
  type WriteOptions,
} from './write-batch.ts';

export interface RatingWriterOptions extends WriteOptions {
  /** Most ratings written in one transaction. */
  maxBatchSize?: number;
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

async function withRetry<T>(attempt: () => Promise<T>): Promise<T> {
  for (let failures = 0; ; failures++) {
    try {
      return await attempt();
    } catch (error) {
      const delay = RETRY_DELAYS_MS[failures];
      if (!isTransient(error) || delay === undefined) throw error;
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}

/**
 * Group commit for ratings: a rating waits only while the previous transaction commits,
 * then goes out with every rating that arrived meanwhile, in one durable commit. While a
 * batch commits, the next one is already being checked, so the database always has the
 * next commit ready. Each caller is answered after the commit that holds its rating.
 */
export class RatingWriter {
  readonly #db: Db;
  readonly #options: Required<Omit<RatingWriterOptions, 'logger' | 'rateLimit'>> & RatingWriterOptions;
  #queue: Pending[] = [];
  #checking = false;
  #checked: { batch: Pending[]; checked: CheckedBatch } | undefined;
  #committing = false;
  #closing = false;
  #idleWaiters: (() => void)[] = [];

  constructor(db: Db, options: RatingWriterOptions) {
    this.#db = db;
    this.#options = { maxBatchSize: 250, ...options };
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
    if (this.#idle()) return;
    await new Promise<void>((resolve) => this.#idleWaiters.push(resolve));
  }

  #idle(): boolean {
    return this.#queue.length === 0 && !this.#checking && !this.#checked && !this.#committing;
  }

  /** Checks the next batch unless one is being checked or waits, checked, for its commit. */
  #pump(): void {
    if (!this.#committing && this.#checked) {
      const { batch, checked } = this.#checked;
      this.#checked = undefined;
      this.#committing = true;
      void this.#commit(batch, checked).finally(() => {
        this.#committing = false;
        this.#pump();
      });
    }
    if (!this.#checking && !this.#checked && this.#queue.length > 0) {
      const batch = this.#queue.splice(0, this.#options.maxBatchSize);
      this.#checking = true;
      withRetry(() =>
        checkBatch(
          this.#db,
          batch.map((pending) => pending.submission),
          this.#options,
        ),
      ).then(
        (checked) => {
          this.#checking = false;
          this.#checked = { batch, checked };
          this.#pump();
        },
        (error: unknown) => {
          this.#checking = false;
          this.#fail(batch, error);
          this.#pump();
        },
      );
    }
    if (this.#idle()) for (const resolve of this.#idleWaiters.splice(0)) resolve();
  }

  async #commit(batch: Pending[], checked: CheckedBatch): Promise<void> {
    try {
      const outcomes = await withRetry(() => commitBatch(this.#db, checked, this.#options));
      batch.forEach((pending, index) => pending.resolve(outcomes[index]!));
    } catch (error) {
      if (batch.length > 1 && !isTransient(error)) {
        // One rating that breaks the batch must not fail the others: write each alone.
        for (const pending of batch) await this.#writeAlone(pending);
        return;
      }
      this.#fail(batch, error);
    }
  }

  async #writeAlone(pending: Pending): Promise<void> {
    try {
      const checked = await withRetry(() => checkBatch(this.#db, [pending.submission], this.#options));
      await this.#commit([pending], checked);
    } catch (error) {
      this.#fail([pending], error);
    }
  }

  #fail(batch: Pending[], error: unknown): void {
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

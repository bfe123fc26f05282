import { secondsLeftInWindow } from '../abuse/rate-limit.ts';
import type { Db } from '../db/database.ts';
import { AppError, FaultLog, isRefusedByDatabase } from '../errors.ts';
import type { Logger } from '../logger.ts';
import { countAttempts } from './rating-statements.ts';
import {
  checkBatch,
  commitBatch,
  placesOf,
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
 *
 * A rating the database refuses fails alone: a batch that fails for a reason other than
 * the connection is written again in halves, down to the rating at fault, so that one
 * poison rating costs its batch a few statements, not a rewrite one by one, and costs its
 * sender an attempt of their allowance like any other.
 */
export class RatingWriter {
  readonly #db: Db;
  readonly #options: Required<Omit<RatingWriterOptions, 'logger' | 'rateLimit'>> & RatingWriterOptions;
  readonly #faults: FaultLog;
  #queue: Pending[] = [];
  #checking = false;
  /** The batch checked next, or the error that stopped its check, waiting for the commit slot. */
  #checked: { batch: Pending[]; checked: CheckedBatch } | { batch: Pending[]; error: unknown } | undefined;
  #committing = false;
  #closing = false;
  /** Source buckets past their allowance, with when their window ends (ms). */
  readonly #overLimit = new Map<string, number>();
  #idleWaiters: (() => void)[] = [];
  readonly #commitListeners: (() => void)[] = [];

  constructor(db: Db, options: RatingWriterOptions) {
    this.#db = db;
    this.#options = { maxBatchSize: 250, ...options };
    this.#faults = new FaultLog(options.logger);
  }

  /** Calls `listener` after each commit of ratings (alerts evaluate them off the request path). */
  afterEachCommit(listener: () => void): void {
    this.#commitListeners.push(listener);
  }

  /** Resolves with the rating's outcome once it is committed (or refused). */
  submit(submission: Submission): Promise<Outcome> {
    if (this.#closing) {
      return Promise.resolve({
        ok: false,
        error: new AppError('shutting_down', { headers: { 'Retry-After': '2' } }),
      });
    }
    const refused = this.#knownOverLimit(submission);
    if (refused) return Promise.resolve(refused);
    return new Promise((resolve) => {
      this.#queue.push({
        submission,
        resolve: (outcome) => {
          this.#noteOverLimit(submission, outcome);
          resolve(outcome);
        },
      });
      this.#pump();
    });
  }

  /**
   * A network the database found past its allowance is refused here until its window
   * ends, without asking the database again: a flood costs this process a map lookup per
   * request. (Kiosk ratings count against their tablet's allowance, known only after the
   * check, and always go through.)
   */
  #knownOverLimit(submission: Submission): Outcome | undefined {
    if (submission.body.channel === 'kiosk') return undefined;
    const error = this.refusedFromMemory(submission.bucket, submission.receivedAt);
    return error ? { ok: false, error } : undefined;
  }

  /** The 429 for a network known to be past its allowance, or nothing. */
  refusedFromMemory(bucket: Buffer, now: Date): AppError | undefined {
    const key = bucket.toString('hex');
    const until = this.#overLimit.get(key);
    if (until === undefined) return undefined;
    const left = until - now.getTime();
    if (left <= 0) {
      this.#overLimit.delete(key);
      return undefined;
    }
    return new AppError('rate_limited', { headers: { 'Retry-After': String(Math.ceil(left / 1000)) } });
  }

  /**
   * A request refused before it could be written (a body that is not a rating, or too
   * large) is an attempt all the same: it counts against its network's allowance, so a
   * sender repeating it is soon refused from memory.
   */
  async countRefused(bucket: Buffer, now: Date): Promise<void> {
    const { perSource, windowSeconds } = this.#options.rateLimit;
    const over = await countAttempts(this.#db, [{ bucket, limit: perSource, kioskDeviceId: null }], now, windowSeconds);
    if (over.size > 0) this.#rememberOverLimit(bucket, now.getTime() + secondsLeftInWindow(now, windowSeconds) * 1000);
  }

  #noteOverLimit(submission: Submission, outcome: Outcome): void {
    if (outcome.ok || outcome.error.code !== 'rate_limited' || submission.body.channel === 'kiosk') return;
    const seconds = Number(outcome.error.headers?.['Retry-After'] ?? 0);
    this.#rememberOverLimit(submission.bucket, submission.receivedAt.getTime() + seconds * 1000);
  }

  #rememberOverLimit(bucket: Buffer, until: number): void {
    if (this.#overLimit.size > 100_000) this.#overLimit.clear();
    this.#overLimit.set(bucket.toString('hex'), until);
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
      const next = this.#checked;
      this.#checked = undefined;
      this.#committing = true;
      const done =
        'checked' in next ? this.#commit(next.batch, next.checked) : this.#afterFailure(next.batch, next.error);
      void done.finally(() => {
        this.#committing = false;
        this.#pump();
      });
    }
    if (!this.#checking && !this.#checked && this.#queue.length > 0) {
      const batch = this.#queue.splice(0, this.#options.maxBatchSize);
      this.#checking = true;
      withRetry(() => this.#check(batch)).then(
        (checked) => {
          this.#checking = false;
          this.#checked = { batch, checked };
          this.#pump();
        },
        (error: unknown) => {
          this.#checking = false;
          this.#checked = { batch, error };
          this.#pump();
        },
      );
    }
    if (this.#idle()) for (const resolve of this.#idleWaiters.splice(0)) resolve();
  }

  #check(batch: Pending[]): Promise<CheckedBatch> {
    return checkBatch(
      this.#db,
      batch.map((pending) => pending.submission),
      this.#options,
    );
  }

  async #commit(batch: Pending[], checked: CheckedBatch): Promise<void> {
    try {
      const outcomes = await withRetry(() => commitBatch(this.#db, checked, this.#options));
      batch.forEach((pending, index) => pending.resolve(outcomes[index]!));
      for (const listener of this.#commitListeners) listener();
    } catch (error) {
      await this.#afterFailure(batch, error, checked);
    }
  }

  /** A batch failed: a lost database fails it whole (clients retry); anything else is bisected. */
  async #afterFailure(batch: Pending[], error: unknown, checked?: CheckedBatch): Promise<void> {
    if (isTransient(error)) return this.#fail(batch, error);
    if (batch.length === 1) return this.#failAlone(batch[0]!, error, checked);
    const half = Math.ceil(batch.length / 2);
    for (const part of [batch.slice(0, half), batch.slice(half)]) {
      try {
        await this.#commit(part, await withRetry(() => this.#check(part)));
      } catch (partError) {
        await this.#afterFailure(part, partError);
      }
    }
  }

  /** The one rating the database would not take: refused, and counted against its sender. */
  async #failAlone(pending: Pending, error: unknown, checked?: CheckedBatch): Promise<void> {
    const refused = isRefusedByDatabase(error);
    const code = (error as { code?: unknown })?.code;
    this.#faults.log(
      refused ? 'warn' : 'error',
      `rating:${String(code ?? (error as Error)?.name)}`,
      { err: error },
      'a rating could not be written',
    );
    const allowance = checked?.accepted.get(placesOf(checked)[0] ?? 0)?.allowance ?? {
      bucket: pending.submission.bucket,
      limit: this.#options.rateLimit.perSource,
      kioskDeviceId: null,
    };
    await countAttempts(
      this.#db,
      [allowance],
      pending.submission.receivedAt,
      this.#options.rateLimit.windowSeconds,
    ).catch(() => {});
    pending.resolve({
      ok: false,
      error: refused
        ? new AppError('value_refused', { message: 'The rating holds a value the platform cannot store' })
        : new AppError('internal_error', { message: 'The rating could not be saved' }),
    });
  }

  #fail(batch: Pending[], error: unknown): void {
    this.#faults.log(
      'warn',
      `ratings:${String((error as { code?: unknown })?.code ?? 'transient')}`,
      { err: error, ratings: batch.length },
      'ratings could not be written; clients retry',
    );
    const failure: Outcome = {
      ok: false,
      error: new AppError('database_unavailable', {
        message: 'The rating could not be saved yet; please retry',
        headers: { 'Retry-After': '2' },
      }),
    };
    for (const pending of batch) pending.resolve(failure);
  }
}

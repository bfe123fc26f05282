import { EventEmitter } from 'node:events';
import os from 'node:os';
import { Worker } from 'node:worker_threads';
import { AppError } from '../errors.ts';
import type { PlanExtraction } from './plan-extraction.ts';
import type { PlanJob, PlanJobResult } from './plan-worker.ts';

/**
 * Reads plans in worker threads, a few at a time, each within a time budget.
 *
 * Each plan gets a fresh worker (a few tenths of a second to start, for a request made a
 * few times a year), which is terminated when it has answered or when its budget runs out,
 * so a plan that takes too long, or too much memory, costs nothing after it. Workers are
 * unreferenced, so none keeps the process alive at shutdown: in the server its listening
 * socket keeps the process alive while a request waits for a plan; a script that reads
 * plans keeps its own process alive. When every reader is busy a few plans wait their
 * turn; more are refused with 503. It emits `start` and `end` as a worker starts and stops
 * reading a plan.
 */

export interface PlanReadersOptions {
  /** How long one plan may take once its worker runs. */
  budgetMs: number;
  /** Plans read at once: the other core(s) stay free for requests. */
  concurrency: number;
  /** Plans that may wait for a reader; more are refused. */
  queue: number;
  /** The heap one worker may use. */
  heapMb: number;
}

export const DEFAULT_READERS: PlanReadersOptions = {
  budgetMs: 10_000,
  concurrency: Math.max(1, Math.min(2, os.availableParallelism() - 1)),
  queue: 4,
  heapMb: 256,
};

/** The worker, run as TypeScript through tsx as the server itself is (`node --import tsx`). */
const WORKER_URL = new URL('./plan-worker.ts', import.meta.url);

function startWorker(heapMb: number): Worker {
  const options = { resourceLimits: { maxOldGenerationSizeMb: heapMb }, execArgv: [] };
  // A worker does not inherit tsx's loader (`--import tsx` does not reach worker threads in
  // Node 20), so it registers tsx itself before loading the TypeScript module.
  const tsx = import.meta.resolve('tsx/esm/api');
  const bootstrap = `import(${JSON.stringify(tsx)}).then(({ register }) => { register(); return import(${JSON.stringify(WORKER_URL.href)}); })`;
  return new Worker(bootstrap, { ...options, eval: true });
}

export class PlanReaders extends EventEmitter<{ start: []; end: [] }> {
  private running = 0;
  private readonly waiting: (() => void)[] = [];
  private readonly workers = new Set<Worker>();
  private closed = false;
  readonly options: PlanReadersOptions;

  constructor(options: Partial<PlanReadersOptions> = {}) {
    super();
    this.options = { ...DEFAULT_READERS, ...options };
  }

  /** The plan's number, date, year and targets; AppError when it cannot be read, in time or at all. */
  async read(job: PlanJob): Promise<PlanExtraction> {
    if (this.closed) throw new AppError('shutting_down');
    if (this.running >= this.options.concurrency) {
      if (this.waiting.length >= this.options.queue) {
        throw new AppError('plan_extraction_busy', {
          headers: { 'Retry-After': String(Math.ceil(this.options.budgetMs / 1000)) },
        });
      }
      await new Promise<void>((resolve) => this.waiting.push(resolve));
      if (this.closed) throw new AppError('shutting_down');
    }
    this.running++;
    try {
      return await this.runWorker(job);
    } finally {
      this.running--;
      this.waiting.shift()?.();
    }
  }

  private runWorker(job: PlanJob): Promise<PlanExtraction> {
    const worker = startWorker(this.options.heapMb);
    this.workers.add(worker);
    this.emit('start');
    return new Promise<PlanExtraction>((resolve, reject) => {
      let settled = false;
      const settle = (outcome: () => void) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        this.workers.delete(worker);
        void worker.terminate();
        this.emit('end');
        outcome();
      };
      const timer = setTimeout(
        () =>
          settle(() =>
            reject(
              new AppError('plan_extraction_timeout', {
                message: `Reading the plan took longer than ${this.options.budgetMs / 1000} s and was stopped; try again later`,
                headers: { 'Retry-After': String(Math.ceil(this.options.budgetMs / 1000)) },
              }),
            ),
          ),
        this.options.budgetMs,
      );
      timer.unref();
      worker.once('message', (result: PlanJobResult) =>
        settle(() =>
          result.ok
            ? resolve(result.extraction)
            : reject(
                new AppError(result.code, {
                  message: result.message,
                  ...(result.code === 'unreadable_document'
                    ? { fields: [{ path: 'file', code: result.code, message: 'is not a readable .docx file' }] }
                    : {}),
                }),
              ),
        ),
      );
      worker.on('error', (error: Error & { code?: string }) =>
        settle(() =>
          reject(
            error.code === 'ERR_WORKER_OUT_OF_MEMORY'
              ? new AppError('plan_too_large', { message: 'Reading the plan needs more memory than a plan may take' })
              : error,
          ),
        ),
      );
      worker.once('exit', () =>
        settle(() => reject(new AppError('shutting_down', { message: 'The plan reader was stopped' }))),
      );
      worker.postMessage(job);
      // After the listeners: listening for messages would hold the process alive again.
      worker.unref();
    });
  }

  /** Stops every reader and refuses the plans waiting for one. */
  async close(): Promise<void> {
    this.closed = true;
    for (const resume of this.waiting.splice(0)) resume();
    await Promise.all([...this.workers].map((worker) => worker.terminate()));
  }
}

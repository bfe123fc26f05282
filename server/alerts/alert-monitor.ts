import type { Db } from '../db/database.ts';
import { FaultLog } from '../errors.ts';
import type { Logger } from '../logger.ts';
import { evaluateNewRatings, sweepAlerts } from './alert-engine.ts';
import { deliverDue, type DeliveryTransport } from './delivery.ts';

export interface AlertMonitorOptions {
  logger: Logger;
  transport: DeliveryTransport;
  publicBaseUrl: string;
  /** The time rules and deliveries are judged at. */
  clock?: () => Date;
  /** How often ratings of other processes are looked for, and due deliveries sent. */
  pollMs?: number;
  /** How often the time-based rules run. */
  sweepMs?: number;
}

/**
 * Runs alert rules and deliveries in the background, off the path of ratings: `wake()`
 * (called after each commit of ratings) asks for an evaluation soon; a burst of commits
 * while one runs makes one more evaluation, not one per commit. A poll catches ratings
 * written by other processes and deliveries whose retry is due; the sweep runs the rules
 * that time alone can change.
 */
export class AlertMonitor {
  readonly #db: Db;
  readonly #options: Required<Omit<AlertMonitorOptions, 'logger' | 'transport'>> & AlertMonitorOptions;
  readonly #faults: FaultLog;
  #again = false;
  #running: Promise<void> | undefined;
  #stopped = false;
  #lastSweep = 0;
  readonly #timer: NodeJS.Timeout;
  #idleWaiters: (() => void)[] = [];

  constructor(db: Db, options: AlertMonitorOptions) {
    this.#db = db;
    this.#options = { clock: () => new Date(), pollMs: 5_000, sweepMs: 60_000, ...options };
    this.#faults = new FaultLog(options.logger);
    this.#timer = setInterval(() => this.wake(), this.#options.pollMs);
    this.#timer.unref();
  }

  /** Asks for an evaluation of new ratings (and due deliveries) as soon as possible. */
  wake(): void {
    if (this.#stopped) return;
    if (this.#running) {
      this.#again = true;
      return;
    }
    this.#running = this.#round().finally(() => {
      this.#running = undefined;
      if (this.#again) {
        this.#again = false;
        this.wake();
      } else for (const resolve of this.#idleWaiters.splice(0)) resolve();
    });
  }

  /** Resolves once no round runs or is asked for: what was committed before is evaluated and sent. */
  idle(): Promise<void> {
    if (!this.#running) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  async #round(): Promise<void> {
    const now = this.#options.clock();
    try {
      while ((await evaluateNewRatings(this.#db, now)).ratings > 0 && !this.#stopped);
      if (now.getTime() - this.#lastSweep >= this.#options.sweepMs) {
        await sweepAlerts(this.#db, now);
        this.#lastSweep = now.getTime();
      }
      while (
        !this.#stopped &&
        Object.values(
          await deliverDue(this.#db, this.#options.clock(), {
            transport: this.#options.transport,
            publicBaseUrl: this.#options.publicBaseUrl,
          }),
        ).some((count) => count > 0)
      );
    } catch (error) {
      this.#faults.log(
        'warn',
        `alerts:${String((error as { code?: unknown })?.code)}`,
        { err: error },
        'alert evaluation or delivery failed; will retry',
      );
    }
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearInterval(this.#timer);
    await this.#running;
  }
}

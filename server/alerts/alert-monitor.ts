import type { Db } from '../db/database.ts';
import { FaultLog } from '../errors.ts';
import type { Logger } from '../logger.ts';
import { evaluateNewRatings, evaluateUnits, sweepAlerts } from './alert-engine.ts';
import { deliverDue, type DeliveryTransport } from './delivery.ts';

/** Most ratings one round evaluates: a backlog is worked through in rounds, each delivering. */
const BATCH = 20_000;

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
  /** The shortest rest between two rounds while ratings keep coming. */
  minGapMs?: number;
  /** How often units and domains that got ratings are evaluated (desks and comments: at once). */
  unitsEveryMs?: number;
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
  #pause: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #stopped = false;
  #lastSweep = 0;
  #lastUnits = 0;
  /** Units and (unit, domain) pairs with ratings not yet evaluated. */
  readonly #dueUnits = new Set<number>();
  readonly #dueDomains = new Map<string, { unitId: number; domainId: number }>();
  readonly #timer: NodeJS.Timeout;
  #idleWaiters: (() => void)[] = [];

  constructor(db: Db, options: AlertMonitorOptions) {
    this.#db = db;
    this.#options = {
      clock: () => new Date(),
      pollMs: 5_000,
      sweepMs: 60_000,
      minGapMs: 1_000,
      unitsEveryMs: 300_000,
      ...options,
    };
    this.#faults = new FaultLog(options.logger);
    this.#timer = setInterval(() => this.wake(), this.#options.pollMs);
    this.#timer.unref();
  }

  /** Asks for an evaluation of new ratings (and due deliveries) as soon as possible. */
  wake(): void {
    if (this.#stopped) return;
    if (this.#running || this.#pause) {
      this.#again = true;
      return;
    }
    const started = performance.now();
    this.#running = this.#round().finally(() => {
      this.#running = undefined;
      if (this.#again && !this.#stopped) {
        this.#again = false;
        // Rounds under a stream of ratings rest twice as long as they ran (at least the gap):
        // the evaluator takes at most a third of the time, and ratings keep the rest.
        const rest = Math.max(this.#options.minGapMs, 2 * (performance.now() - started));
        this.#pause = setTimeout(() => {
          this.#pause = undefined;
          this.wake();
        }, rest);
      } else for (const resolve of this.#idleWaiters.splice(0)) resolve();
    });
  }

  /** Resolves once no round runs or is asked for: what was committed before is evaluated and sent. */
  idle(): Promise<void> {
    if (!this.#running && !this.#pause) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  /**
   * One batch of new ratings evaluated, then what is due delivered, so that an alert goes
   * out before the next batch is read; a backlog makes the next round follow at once.
   */
  async #round(): Promise<void> {
    const now = this.#options.clock();
    try {
      const evaluated = await evaluateNewRatings(this.#db, now, { limit: BATCH, deferUnits: true });
      if (evaluated.ratings >= BATCH) this.#again = true;
      for (const unitId of evaluated.deferred?.unitIds ?? []) this.#dueUnits.add(unitId);
      for (const pair of evaluated.deferred?.unitDomains ?? [])
        this.#dueDomains.set(`${pair.unitId}:${pair.domainId}`, pair);
      if (now.getTime() - this.#lastUnits >= this.#options.unitsEveryMs && this.#dueUnits.size > 0) {
        await evaluateUnits(this.#db, now, {
          unitIds: [...this.#dueUnits],
          unitDomains: [...this.#dueDomains.values()],
        });
        this.#dueUnits.clear();
        this.#dueDomains.clear();
        this.#lastUnits = now.getTime();
      }
      if (now.getTime() - this.#lastSweep >= this.#options.sweepMs) {
        await sweepAlerts(this.#db, now);
        this.#lastSweep = now.getTime();
      }
      for (let rounds = 0; rounds < 10 && !this.#stopped; rounds++) {
        const sent = await deliverDue(this.#db, this.#options.clock(), {
          transport: this.#options.transport,
          publicBaseUrl: this.#options.publicBaseUrl,
        });
        if (sent.sent + sent.failed + sent.retried === 0) break;
      }
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
    clearTimeout(this.#pause);
    await this.#running;
    for (const resolve of this.#idleWaiters.splice(0)) resolve();
  }
}

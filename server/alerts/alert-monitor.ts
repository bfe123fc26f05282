import type { Db } from '../db/database.ts';
import { FaultLog } from '../errors.ts';
import type { Logger } from '../logger.ts';
import { vietnamDate } from '../time/vietnam-time.ts';
import { evaluateNewComments, evaluateNewScores, evaluateUnits, sweepAlerts } from './alert-engine.ts';
import type { AlertRuleDefinition } from './alert-rule.ts';
import { ALERT_RULES } from './alert-rules.ts';
import { deliverDue, type DeliveryTransport } from './delivery.ts';

/** Most comments one round reads: a backlog is worked through in rounds, each delivering. */
const COMMENT_BATCH = 5_000;
/**
 * Most ratings one round of scores reads. A round costs what the desks it touches cost
 * (each once), so a long backlog is best read in few rounds.
 */
const SCORE_BATCH = 200_000;
/**
 * A round of scores is followed by a rest this many times as long as it ran: under a
 * stream of ratings the statistics take at most a tenth of the time, and ratings keep the rest.
 */
const SCORES_REST_FACTOR = 9;
/** How often a rule that sweeps daily is swept within the day (settings and targets change). */
const DAILY_SWEEP_REPEAT_MS = 15 * 60_000;

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
 * Background work run on request, never twice at once, with a rest after each run of
 * `restFactor` times its length (at least `minGapMs`): requests while it runs or rests
 * make one more run, not one per request.
 */
class PacedTask {
  readonly #work: () => Promise<boolean>;
  readonly #restFactor: number;
  readonly #minGapMs: number;
  #again = false;
  #pause: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #stopped = false;
  #idleWaiters: (() => void)[] = [];

  /** `work` resolves true when it left work behind (a backlog), to be run again after its rest. */
  constructor(work: () => Promise<boolean>, restFactor: number, minGapMs: number) {
    this.#work = work;
    this.#restFactor = restFactor;
    this.#minGapMs = minGapMs;
  }

  wake(): void {
    if (this.#stopped) return;
    if (this.#running || this.#pause) {
      this.#again = true;
      return;
    }
    const started = performance.now();
    this.#running = this.#work()
      .then((backlog) => {
        if (backlog) this.#again = true;
      })
      .finally(() => {
        this.#running = undefined;
        if (this.#again && !this.#stopped) {
          this.#again = false;
          const rest = Math.max(this.#minGapMs, this.#restFactor * (performance.now() - started));
          this.#pause = setTimeout(() => {
            this.#pause = undefined;
            this.wake();
          }, rest);
        } else for (const resolve of this.#idleWaiters.splice(0)) resolve();
      });
  }

  get isIdle(): boolean {
    return !this.#running && !this.#pause;
  }

  idle(): Promise<void> {
    if (this.isIdle) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#pause);
    this.#pause = undefined;
    await this.#running;
    for (const resolve of this.#idleWaiters.splice(0)) resolve();
  }
}

/**
 * Runs alert rules and deliveries in the background, off the path of ratings, in two
 * paced tasks: comments (read within a second or two, then whatever is due delivered), and
 * the scores of ratings (desks at once, units and domains every few minutes, the sweeps),
 * whose rounds rest nine times as long as they ran, so that evaluating thousands of desks
 * takes at most a tenth of the time from the ratings themselves. `wake()` is
 * called after each commit of ratings; a poll catches ratings written by other processes
 * and deliveries whose retry is due.
 */
export class AlertMonitor {
  readonly #db: Db;
  readonly #options: Required<Omit<AlertMonitorOptions, 'logger' | 'transport'>> & AlertMonitorOptions;
  readonly #faults: FaultLog;
  readonly #comments: PacedTask;
  readonly #scores: PacedTask;
  #stopped = false;
  // Counted from the start: a process just started (or restarted under load) evaluates
  // the new ratings' desks first, and units and sweeps after their interval.
  #lastSweep: number;
  #lastDailySweep: number;
  #dailySweepDay = '';
  #lastUnits: number;
  /** Units and (unit, domain) pairs with ratings not yet evaluated. */
  readonly #dueUnits = new Set<number>();
  readonly #dueDomains = new Map<string, { unitId: number; domainId: number }>();
  readonly #timer: NodeJS.Timeout;

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
    this.#lastSweep = this.#lastDailySweep = this.#lastUnits = this.#options.clock().getTime();
    this.#comments = new PacedTask(() => this.#guarded(() => this.#commentsRound()), 2, this.#options.minGapMs);
    this.#scores = new PacedTask(
      () => this.#guarded(() => this.#scoresRound()),
      SCORES_REST_FACTOR,
      this.#options.minGapMs,
    );
    this.#timer = setInterval(() => this.wake(), this.#options.pollMs);
    this.#timer.unref();
  }

  /** Asks for an evaluation of new ratings (and due deliveries) as soon as possible. */
  wake(): void {
    this.#comments.wake();
    this.#scores.wake();
  }

  /** Resolves once no round runs or is asked for: what was committed before is evaluated and sent. */
  async idle(): Promise<void> {
    // A round of scores ends by waking the comments' task, which delivers what it opened.
    while (!this.#comments.isIdle || !this.#scores.isIdle)
      await Promise.all([this.#comments.idle(), this.#scores.idle()]);
  }

  async #guarded(round: () => Promise<boolean>): Promise<boolean> {
    try {
      return await round();
    } catch (error) {
      this.#faults.log(
        'warn',
        `alerts:${String((error as { code?: unknown })?.code)}`,
        { err: error },
        'alert evaluation or delivery failed; will retry',
      );
      return false;
    }
  }

  /** New comments evaluated, then what is due delivered, so that a serious comment goes out at once. */
  async #commentsRound(): Promise<boolean> {
    const evaluated = await evaluateNewComments(this.#db, this.#options.clock(), { limit: COMMENT_BATCH });
    await this.#deliver();
    return evaluated.ratings >= COMMENT_BATCH;
  }

  /** One batch of new scores evaluated; units, domains and sweeps when due; the comments' task delivers. */
  async #scoresRound(): Promise<boolean> {
    const now = this.#options.clock();
    const evaluated = await evaluateNewScores(this.#db, now, { limit: SCORE_BATCH, deferUnits: true });
    for (const unitId of evaluated.deferred?.unitIds ?? []) this.#dueUnits.add(unitId);
    for (const pair of evaluated.deferred?.unitDomains ?? [])
      this.#dueDomains.set(`${pair.unitId}:${pair.domainId}`, pair);
    if (now.getTime() - this.#lastUnits >= this.#options.unitsEveryMs && this.#dueUnits.size > 0) {
      await evaluateUnits(this.#db, now, { unitIds: [...this.#dueUnits], unitDomains: [...this.#dueDomains.values()] });
      this.#dueUnits.clear();
      this.#dueDomains.clear();
      this.#lastUnits = now.getTime();
    }
    const rules = this.#rulesToSweep(now);
    if (rules.length > 0 && (await sweepAlerts(this.#db, now, { rules })) !== null) {
      this.#lastSweep = now.getTime();
      if (rules.some((rule) => rule.sweepsDaily)) {
        this.#lastDailySweep = now.getTime();
        this.#dailySweepDay = vietnamDate(now);
      }
    }
    this.#comments.wake();
    return evaluated.ratings >= SCORE_BATCH;
  }

  /** Every minute the sweeps; those of daily rules when the day changed, or a quarter of an hour passed. */
  #rulesToSweep(now: Date): AlertRuleDefinition[] {
    if (now.getTime() - this.#lastSweep < this.#options.sweepMs) return [];
    const daily =
      this.#dailySweepDay !== vietnamDate(now) || now.getTime() - this.#lastDailySweep >= DAILY_SWEEP_REPEAT_MS;
    return ALERT_RULES.filter((rule) => rule.sweep && (daily || !rule.sweepsDaily));
  }

  async #deliver(): Promise<void> {
    for (let rounds = 0; rounds < 10 && !this.#stopped; rounds++) {
      const sent = await deliverDue(this.#db, this.#options.clock(), {
        transport: this.#options.transport,
        publicBaseUrl: this.#options.publicBaseUrl,
      });
      if (sent.sent + sent.failed + sent.retried === 0) break;
    }
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearInterval(this.#timer);
    await Promise.all([this.#comments.stop(), this.#scores.stop()]);
  }
}

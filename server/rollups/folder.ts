import { pruneAbuseState } from '../abuse/rate-limit.ts';
import { pruneExpiredSessions } from '../auth/session.ts';
import { pruneExports } from '../reports/export.ts';
import type { Db } from '../db/database.ts';
import type { Logger } from '../logger.ts';
import { foldAll } from './fold.ts';

/**
 * Runs the rollup folding (and the pruning of expired abuse-control state, sessions and
 * exports) in the background. Any number of processes may run one: the advisory lock lets one fold.
 */
export function startRollupFolder(db: Db, options: { intervalMs: number; logger: Logger }): { stop(): Promise<void> } {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let stopped = false;
  let lastPrune = 0;

  const tick = async () => {
    try {
      await foldAll(db);
      if (Date.now() - lastPrune > 600_000) {
        await pruneAbuseState(db, new Date());
        await pruneExpiredSessions(db);
        await pruneExports(db);
        lastPrune = Date.now();
      }
    } catch (error) {
      // Pending ratings stay pending and are still counted by readers; try next tick.
      options.logger.warn({ err: error }, 'rollup folding failed; will retry');
    }
  };
  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => {
      running = tick().finally(schedule);
    }, options.intervalMs);
  };
  schedule();

  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}

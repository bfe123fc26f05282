import type { Db } from '../db/database.ts';
import { FaultLog } from '../errors.ts';
import type { Logger } from '../logger.ts';
import { vietnamDate } from '../time/vietnam-time.ts';
import { foldAll, pruneRecentRollups } from './fold.ts';

/** A task repeated in the background until stopped; a failed run is logged and tried again next time. */
export function repeatInBackground(
  task: () => Promise<void>,
  options: { intervalMs: number; logger: Logger; failure: string },
): { stop(): Promise<void> } {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let stopped = false;
  // While the database is down every run fails alike: one line a minute says so.
  const faults = new FaultLog(options.logger);
  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => {
      running = task()
        .catch((error: unknown) =>
          faults.log(
            'warn',
            `${options.failure}:${String((error as { code?: unknown })?.code)}`,
            { err: error },
            options.failure,
          ),
        )
        .finally(schedule);
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

/**
 * Folds pending ratings into the rollups in the background, and once a day drops the day
 * and hour rollups no window reaches any more. Any number of processes may run one: the
 * advisory lock lets one fold at a time. A failed fold leaves ratings
 * pending, still counted by readers, and is tried again next time.
 */
export function startRollupFolder(db: Db, options: { intervalMs: number; logger: Logger }): { stop(): Promise<void> } {
  let prunedOn = '';
  const foldAndPrune = async () => {
    await foldAll(db);
    const today = vietnamDate(new Date());
    if (today === prunedOn) return;
    await pruneRecentRollups(db, today);
    prunedOn = today;
  };
  return repeatInBackground(foldAndPrune, {
    ...options,
    failure: 'rollup folding failed; will retry',
  });
}

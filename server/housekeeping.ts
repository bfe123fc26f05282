import { pruneAbuseState } from './abuse/rate-limit.ts';
import { pruneExpiredSessions } from './auth/session.ts';
import type { Db } from './db/database.ts';
import type { Logger } from './logger.ts';
import { pruneExports } from './reports/export.ts';
import { repeatInBackground } from './rollups/folder.ts';
import { releaseDue } from './scorecard/release.ts';

/**
 * Deletes what is kept only for a while: abuse-control secrets and counters past their
 * window, expired sessions, exports past their hour; releases the public scorecards of a
 * quarter once it is due. Every ten minutes, in any process.
 */
export function startHousekeeping(db: Db, logger: Logger): { stop(): Promise<void> } {
  return repeatInBackground(
    async () => {
      await pruneAbuseState(db, new Date());
      await pruneExpiredSessions(db);
      await pruneExports(db);
      await releaseDue(db);
    },
    { intervalMs: 600_000, logger, failure: 'housekeeping failed; will retry' },
  );
}

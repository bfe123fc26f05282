import { pruneAbuseState } from './abuse/rate-limit.ts';
import { escalateOverdue } from './comments/follow-up.repository.ts';
import { pruneExpiredSessions } from './auth/session.ts';
import type { Db } from './db/database.ts';
import type { Logger } from './logger.ts';
import { pruneExports } from './reports/export.ts';
import { repeatInBackground } from './rollups/folder.ts';
import { releaseDue } from './scorecard/release.ts';

/**
 * Deletes what is kept only for a while: abuse-control secrets and counters past their
 * window, expired sessions, exports past their hour; releases the public scorecards of a
 * quarter once it is due; passes overdue follow-ups to the parent unit's managers. Every ten
 * minutes, in any process (each step is one statement that two processes may run alike).
 */
export function startHousekeeping(
  db: Db,
  logger: Logger,
  clock: () => Date = () => new Date(),
): { stop(): Promise<void> } {
  return repeatInBackground(
    async () => {
      const now = clock();
      await pruneAbuseState(db, now);
      const escalated = await escalateOverdue(db, now);
      if (escalated > 0) logger.info({ escalated }, 'overdue follow-ups passed to the parent units');
      await pruneExpiredSessions(db);
      await pruneExports(db);
      await releaseDue(db);
    },
    { intervalMs: 600_000, logger, failure: 'housekeeping failed; will retry' },
  );
}

import type { HttpBindings } from '@hono/node-server';

import type { Config } from './config.ts';
import type { Db } from './db/database.ts';
import type { Logger } from './logger.ts';
import type { ExportQueue } from './reports/export-queue.ts';
import type { PlanReaders } from './targets/plan-readers.ts';
import type { RatingWriter } from './responses/rating-writer.ts';

/** What every request handler can reach through `c.get(...)`. */
export interface AppServices {
  db: Db;
  config: Config;
  logger: Logger;
  ratingWriter: RatingWriter;
  exports: ExportQueue;
  /** Reads plans in worker threads, off the event loop, each within a time budget. */
  planReaders: PlanReaders;
}

export interface AppEnv {
  Bindings: HttpBindings;
  Variables: AppServices & { requestId: string };
}

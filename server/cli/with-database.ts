import { loadConfigOrExit, type Config } from '../config.ts';
import { connectDatabase } from '../db/connect.ts';
import type { Db } from '../db/database.ts';
import { migrateToLatest } from '../db/migrate.ts';
import { startDatabase } from '../db/start-database.ts';
import { createLogger, type Logger } from '../logger.ts';

export interface TaskContext {
  config: Config;
  logger: Logger;
  /** Connection string, for tasks that need a plain `pg` client (COPY). */
  url: string;
}

/**
 * Runs a command-line task against the configured database (the embedded one is started,
 * or shared when the platform is already running), migrated to the latest schema unless
 * the task migrates it itself.
 */
export async function withDatabase(
  task: (db: Db, context: TaskContext) => Promise<void>,
  options: { migrate: boolean } = { migrate: true },
) {
  const config = loadConfigOrExit();
  const logger = createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel);
  const server = await startDatabase(config, logger);
  const db = connectDatabase(server.url, { max: 5, applicationName: 'sipas-cli' });
  try {
    if (options.migrate) await migrateToLatest(db);
    await task(db, { config, logger, url: server.url });
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  } finally {
    await db.destroy();
    await server.stop();
  }
}

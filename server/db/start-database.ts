import type { Config } from '../config.ts';
import type { Logger } from '../logger.ts';
import { startEmbeddedPostgres } from './embedded-postgres.ts';

export interface DatabaseServer {
  url: string;
  /** True for a fresh embedded database, to decide whether to load demo data. */
  embedded: boolean;
  /** Stops restarting the embedded server should it die: the platform is stopping. */
  endSupervision(): Promise<void>;
  stop(): Promise<void>;
}

export const APPLICATION_DATABASE = 'sipas';

export interface StartDatabaseOptions {
  /**
   * Keeps the embedded server running: started again whenever it dies. Called when it
   * could not be, after repeated attempts, for the caller to stop.
   */
  onDatabaseLost?: (error: Error) => void;
}

/** Uses DATABASE_URL when set; otherwise starts (or reuses) the embedded PostgreSQL. */
export async function startDatabase(
  config: Config,
  logger: Logger,
  options: StartDatabaseOptions = {},
): Promise<DatabaseServer> {
  if (config.databaseUrl) {
    return { url: config.databaseUrl, embedded: false, endSupervision: async () => {}, stop: async () => {} };
  }
  const { onDatabaseLost } = options;
  const server = await startEmbeddedPostgres({
    dataDir: config.pgDataDir,
    database: APPLICATION_DATABASE,
    log: (message, level = 'info') => logger[level](message),
    ...(onDatabaseLost ? { supervise: { onGiveUp: onDatabaseLost } } : {}),
  });
  return {
    url: server.url,
    embedded: true,
    endSupervision: () => server.endSupervision(),
    stop: () => server.stop(),
  };
}

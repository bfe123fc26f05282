import type { Config } from '../config.ts';
import type { Logger } from '../logger.ts';
import { startEmbeddedPostgres } from './embedded-postgres.ts';

export interface DatabaseServer {
  url: string;
  /** True for a fresh embedded database, to decide whether to load demo data. */
  embedded: boolean;
  stop(): Promise<void>;
}

export const APPLICATION_DATABASE = 'sipas';

/** Uses DATABASE_URL when set; otherwise starts (or reuses) the embedded PostgreSQL. */
export async function startDatabase(config: Config, logger: Logger): Promise<DatabaseServer> {
  if (config.databaseUrl) {
    return { url: config.databaseUrl, embedded: false, stop: async () => {} };
  }
  const server = await startEmbeddedPostgres({
    dataDir: config.pgDataDir,
    database: APPLICATION_DATABASE,
    log: (message) => logger.info(message),
  });
  return { url: server.url, embedded: true, stop: () => server.stop() };
}

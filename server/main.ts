import { loadConfigOrExit } from './config.ts';
import { createLogger } from './logger.ts';
import { startPlatform, type RunningPlatform } from './platform.ts';

const config = loadConfigOrExit();
const logger = createLogger(config.logLevel);

let platform: RunningPlatform;
try {
  platform = await startPlatform(config, logger);
} catch (error) {
  logger.fatal({ err: error }, 'the platform could not start');
  console.error(`Could not start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}

const base = platform.publicBaseUrl;
console.log(`SIPAS platform listening on ${platform.url}`);
console.log(`  Home:            ${base}/`);
console.log(`  Health:          ${base}/healthz`);
console.log(`  API (OpenAPI):   ${base}/api/openapi.json`);
console.log(
  `  Database:        ${platform.database.embedded ? `embedded PostgreSQL, data in ${config.pgDataDir}` : 'DATABASE_URL'}`,
);
console.log('Press Ctrl-C to stop.');

let exiting = false;
function shutDown(exitCode: number): void {
  if (exiting) return;
  exiting = true;
  platform.stop().then(
    () => {
      logger.info('stopped');
      process.exit(exitCode);
    },
    (error: unknown) => {
      logger.error({ err: error }, 'shutdown failed');
      process.exit(1);
    },
  );
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    logger.info({ signal }, 'shutting down: finishing requests in flight');
    shutDown(0);
  });
}
// Faults no code expected are logged like any other error. A promise nobody awaited
// failed in some background task, and ratings keep coming in; an uncaught exception may
// have left the process half-way through something, so the platform stops as cleanly as
// it can, for its supervisor to restart.
process.on('unhandledRejection', (error: unknown) => logger.error({ err: error }, 'unhandled rejection'));
process.on('uncaughtException', (error: unknown) => {
  logger.fatal({ err: error }, 'uncaught exception: stopping');
  shutDown(1);
});

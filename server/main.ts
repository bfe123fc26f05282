import { loadConfigOrExit } from './config.ts';
import { createLogger } from './logger.ts';
import { startPlatform, type RunningPlatform } from './platform.ts';

const config = loadConfigOrExit();
const logger = createLogger(config.logLevel);

// Beyond the grace period, the platform's own stop is bounded (the pool, then the embedded
// database's fast and immediate shutdowns); this is the last resort should anything hang.
const STOP_BOUND_MS = config.shutdownGraceMs + 45_000;

let platform: RunningPlatform | undefined;
let stopRequested = false;
let exitCode = 0;
function shutDown(code: number): void {
  exitCode = Math.max(exitCode, code);
  if (stopRequested) return;
  stopRequested = true;
  setTimeout(() => {
    logger.fatal({ seconds: STOP_BOUND_MS / 1000 }, 'the platform did not stop in time: exiting now');
    process.exit(1);
  }, STOP_BOUND_MS).unref();
  // A stop asked for during start-up happens once the start is done.
  if (platform) stopPlatform(platform);
}
function stopPlatform(running: RunningPlatform): void {
  running.stop().then(
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

try {
  platform = await startPlatform(config, logger);
} catch (error) {
  logger.fatal({ err: error }, 'the platform could not start');
  console.error(`Could not start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
if (stopRequested) {
  stopPlatform(platform);
} else {
  const base = platform.publicBaseUrl;
  console.log(`SIPAS platform listening on ${platform.url}`);
  console.log(`  Home:            ${base}/`);
  console.log(`  Health:          ${base}/healthz`);
  console.log(`  API (OpenAPI):   ${base}/api/openapi.json`);
  console.log(
    `  Database:        ${platform.database.embedded ? `embedded PostgreSQL, data in ${config.pgDataDir}` : 'DATABASE_URL'}`,
  );
  console.log('Press Ctrl-C to stop.');
}
// The embedded database died and could not be started again: the platform stops with an
// error, for systemd, Docker or a person to act.
void platform.failed.then(() => shutDown(1));

import { loadConfigOrExit } from './config.ts';
import { createLogger } from './logger.ts';
import { startPlatform } from './platform.ts';

const config = loadConfigOrExit();
const logger = createLogger(config.logLevel);

let platform;
try {
  platform = await startPlatform(config, logger);
} catch (error) {
  logger.fatal({ err: error }, 'the platform could not start');
  console.error(`Could not start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}

const base = config.publicBaseUrl;
console.log(`SIPAS platform listening on ${platform.url}`);
console.log(`  Home:            ${base}/`);
console.log(`  Health:          ${base}/healthz`);
console.log(`  API (OpenAPI):   ${base}/api/openapi.json`);
console.log(
  `  Database:        ${platform.database.embedded ? `embedded PostgreSQL, data in ${config.pgDataDir}` : 'DATABASE_URL'}`,
);
console.log('Press Ctrl-C to stop.');

let exiting = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (exiting) return;
    exiting = true;
    logger.info({ signal }, 'shutting down: finishing requests in flight');
    platform.stop().then(
      () => {
        logger.info('stopped');
        process.exit(0);
      },
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  });
}

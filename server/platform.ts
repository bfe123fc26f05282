import { serve } from '@hono/node-server';
import type { Server } from 'node:http';
import type { Hono } from 'hono';
import type { AddressInfo } from 'node:net';
import type { AppEnv } from './app-env.ts';
import { AlertMonitor } from './alerts/alert-monitor.ts';
import { networkTransport } from './alerts/transport.ts';
import { createApp } from './app.ts';
import type { Config } from './config.ts';
import { connectDatabase } from './db/connect.ts';
import type { Db } from './db/database.ts';
import { migrateToLatest } from './db/migrate.ts';
import { startDatabase, type DatabaseServer } from './db/start-database.ts';
import { demoAccountsInUse } from './demo/demo-accounts.ts';
import { printDemoAccounts, printDemoSummary } from './demo/demo-summary.ts';
import { seedDemo } from './demo/seed-demo.ts';
import type { Logger } from './logger.ts';
import { startHousekeeping } from './housekeeping.ts';
import { answerClientError } from './response-headers.ts';
import { ExportQueue } from './reports/export-queue.ts';
import { PlanReaders } from './targets/plan-readers.ts';
import { RatingWriter } from './responses/rating-writer.ts';
import { releaseDue } from './scorecard/release.ts';
import { startRollupFolder } from './rollups/folder.ts';
import { recordPublicAddress } from './settings/public-address.ts';

export interface RunningPlatform {
  url: string;
  /** The address people and QR codes use. */
  publicBaseUrl: string;
  database: DatabaseServer;
  db: Db;
  /**
   * Resolves if the platform cannot go on: its embedded database died and could not be
   * started again. The caller should stop it, for an outer supervisor to act.
   */
  failed: Promise<Error>;
  /**
   * Stops taking requests and finishes those in flight, for at most the grace period
   * (`SHUTDOWN_GRACE_SECONDS`); then closes the connections still open, whatever they
   * wait for, and stops the database. Resolves in a bounded time.
   */
  stop(): Promise<void>;
}

/** How long the pool may take to close its connections, before and after the database stops. */
const POOL_END_MS = 5_000;

/** Whether `promise` settles (either way) within `ms`. */
async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  try {
    return await Promise.race([
      promise.then(
        () => true,
        () => true,
      ),
      late,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * With PORT=0 a free port is chosen when listening; the default public address (which
 * links, QR codes and the same-origin check use) then names the port actually bound.
 */
function withBoundPort(config: Config, port: number): Config {
  const base = new URL(config.publicBaseUrl);
  if (config.port !== 0 || base.port !== '0') return config;
  base.port = String(port);
  return { ...config, publicBaseUrl: base.origin };
}

/**
 * Starts everything: the database (embedded or DATABASE_URL), migrations, demo data on a
 * fresh embedded database, the rating writer, the rollup folder and the HTTP server.
 * Whatever started is stopped again if a later step fails.
 */
export async function startPlatform(config: Config, logger: Logger): Promise<RunningPlatform> {
  const cleanups: (() => Promise<void>)[] = [];
  const undo = async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
  };
  try {
    let reportFailure!: (error: Error) => void;
    const failed = new Promise<Error>((resolve) => (reportFailure = resolve));
    const database = await startDatabase(config, logger, {
      onDatabaseLost: (error) => {
        logger.fatal({ err: error }, 'the embedded PostgreSQL stopped and could not be started again');
        reportFailure(error);
      },
    });
    cleanups.push(() => database.stop());
    const db = connectDatabase(database.url);
    cleanups.push(() => db.destroy());
    await migrateToLatest(db);

    const isEmpty = (await db.selectFrom('unit').select('id').limit(1).execute()).length === 0;
    if (config.seedDemo && database.embedded && isEmpty) {
      logger.info('empty embedded database: loading the demo data (SEED_DEMO=false skips this)');
      printDemoSummary(await seedDemo(db), config.publicBaseUrl);
    }

    if (database.embedded) printDemoAccounts(await demoAccountsInUse(db), config.publicBaseUrl);
    // Public scorecards of quarters that ended while the platform was stopped, without
    // waiting for the first housekeeping round.
    await releaseDue(db).catch((error: unknown) =>
      logger.warn({ err: error }, 'releasing the public scorecards failed; housekeeping will retry'),
    );

    const ratingWriter = new RatingWriter(db, { rateLimit: config.rateLimit, logger });
    const folder = startRollupFolder(db, { intervalMs: config.foldIntervalMs, logger });
    cleanups.push(() => folder.stop());
    const housekeeping = startHousekeeping(db, logger);
    cleanups.push(() => housekeeping.stop());
    const exports = new ExportQueue(db, logger);
    const planReaders = new PlanReaders();
    // The application is made once the port is bound, since its public address may name it.
    const bound: { app?: Hono<AppEnv> } = {};

    const server = await new Promise<Server>((resolve, reject) => {
      const started = serve(
        {
          fetch: (request, env) => bound.app!.fetch(request, env),
          port: config.port,
          hostname: config.host,
          // A client that sends its request slowly, or never finishes it, is cut off.
          serverOptions: {
            requestTimeout: config.requestTimeoutMs,
            headersTimeout: Math.min(config.requestTimeoutMs, 10_000),
            connectionsCheckingInterval: Math.min(config.requestTimeoutMs / 2, 5_000),
          },
        },
        () => resolve(started as Server),
      ) as Server;
      started.once('error', reject);
    });
    const address = server.address() as AddressInfo;
    const served = withBoundPort(config, address.port);
    await recordPublicAddress(db, served.publicBaseUrl);
    bound.app = createApp({ db, config: served, logger, ratingWriter, exports, planReaders });
    const transport = networkTransport({ smtpUrl: config.smtpUrl, from: config.alertEmailFrom });
    const alerts = config.alerts
      ? new AlertMonitor(db, { logger, transport, publicBaseUrl: served.publicBaseUrl })
      : undefined;
    if (alerts) ratingWriter.afterEachCommit(() => alerts.wake());
    server.on('clientError', answerClientError({ https: served.publicBaseUrl.startsWith('https://') }));

    let stopping: Promise<void> | undefined;
    const stop = () =>
      (stopping ??= (async () => {
        // A database that stops now is not started again: an outer supervisor (systemd's
        // control group) may be stopping it too.
        await database.endSupervision();
        // New connections are refused; idle keep-alive ones close now, busy ones after their response.
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        const finished = Promise.all([
          ratingWriter.close(),
          closed,
          exports.close(),
          planReaders.close(),
          folder.stop(),
          housekeeping.stop(),
          (alerts?.stop() ?? Promise.resolve()).then(() => transport.close()),
        ]);
        const forced = !(await settlesWithin(finished, config.shutdownGraceMs));
        if (forced) {
          logger.warn(
            { graceSeconds: config.shutdownGraceMs / 1000 },
            'grace period over: closing the connections still open and stopping the database under the work still running',
          );
          server.closeAllConnections();
        }
        // Ending the pool waits for the queries still running; stopping the embedded database
        // ends them. An external database sees the connections close when the process exits.
        const poolEnded = db.destroy();
        if (!forced) await settlesWithin(poolEnded, POOL_END_MS);
        await database.stop();
        await settlesWithin(poolEnded, POOL_END_MS);
      })());
    return {
      url: `http://${address.address}:${address.port}`,
      publicBaseUrl: served.publicBaseUrl,
      database,
      db,
      failed,
      stop,
    };
  } catch (error) {
    await undo();
    throw error;
  }
}

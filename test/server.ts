import { serve } from '@hono/node-server';
import { createServer, type AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { afterAll } from 'vitest';
import { createApp } from '../server/app.ts';
import { loadConfig, type Config } from '../server/config.ts';
import type { Db } from '../server/db/database.ts';
import { createLogger } from '../server/logger.ts';
import { answerClientError } from '../server/response-headers.ts';
import { ExportQueue } from '../server/reports/export-queue.ts';
import { RatingWriter } from '../server/responses/rating-writer.ts';
import { PlanReaders } from '../server/targets/plan-readers.ts';

export interface TestServer {
  baseUrl: string;
  config: Config;
  /** The server's plan readers, whose `start` and `end` events tests can wait for. */
  planReaders: PlanReaders;
  post(path: string, body: unknown, headers?: Record<string, string>): Promise<Response>;
  get(path: string, headers?: Record<string, string>): Promise<Response>;
  /** Any request, sent with the platform's own Origin as a browser page would. */
  request(
    method: string,
    path: string,
    options?: { body?: unknown; headers?: Record<string, string> },
  ): Promise<Response>;
  close(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

/**
 * The real HTTP server on 127.0.0.1 and a free port, over the test file's database;
 * stopped when the file ends. Each call is an independent "server process".
 */
export async function startTestServer(db: Db, env: Record<string, string> = {}): Promise<TestServer> {
  const port = await freePort();
  // QR codes and links point at this very server, so tests can follow them.
  const config = loadConfig({
    LOG_LEVEL: 'silent',
    SEED_DEMO: 'false',
    PUBLIC_BASE_URL: `http://127.0.0.1:${port}`,
    SIGN_IN_ATTEMPTS_PER_SOURCE: '100000',
    ...env,
  });
  const logger = createLogger(config.logLevel);
  const ratingWriter = new RatingWriter(db, { rateLimit: config.rateLimit, logger });
  const exports = new ExportQueue(db, logger);
  const planReaders = new PlanReaders();
  const app = createApp({ db, config, logger, ratingWriter, exports, planReaders });
  const server = await new Promise<Server>((resolve) => {
    const started = serve({ fetch: app.fetch, port, hostname: '127.0.0.1' }, () =>
      resolve(started as Server),
    ) as Server;
  });
  server.on('clientError', answerClientError({ https: false }));
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await ratingWriter.close();
    await exports.close();
    await planReaders.close();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  };
  afterAll(close);
  return {
    baseUrl,
    config,
    planReaders,
    close,
    get: (path, headers = {}) => fetch(`${baseUrl}${path}`, { headers }),
    request: (method, path, options = {}) =>
      fetch(`${baseUrl}${path}`, {
        method,
        headers: {
          origin: baseUrl,
          ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}),
          ...options.headers,
        },
        ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
      }),
    post: (path, body, headers = {}) =>
      fetch(`${baseUrl}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      }),
  };
}

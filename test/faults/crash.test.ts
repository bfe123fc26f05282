import fs from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectDatabase } from '../../server/db/connect.ts';
import type { Db } from '../../server/db/database.ts';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../../server/db/embedded-postgres.ts';
import { migrateToLatest } from '../../server/db/migrate.ts';
import { pairKioskDevice } from '../../server/kiosks/kiosk-device.repository.ts';
import { launchChromium, tablet } from '../browser/chromium.ts';
import { makeDesk, quickRating } from '../factories.ts';
import { startServerProcess, type ServerProcess } from '../server-process.ts';
import { expectEveryRatingOnce } from './every-rating-once.ts';
import { startRatingLoad, type RatingLoad } from './rating-load.ts';

/*
 * The platform under faults: the real server as its own process, on a PostgreSQL server
 * of this file (durable, as in production), killed and restarted while clients keep
 * sending ratings and retrying them with their idempotency keys.
 */

const workDir = await fs.mkdtemp(path.join(os.tmpdir(), 'sipas-faults-'));
await fs.chmod(workDir, 0o755);
const pgDataDir = path.join(workDir, 'pg');

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

/** How long a fault lasts before the platform is started again: a deliberate outage, not a wait. */
const outage = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const pgPort = await freePort();
const startPostgres = () => startEmbeddedPostgres({ dataDir: pgDataDir, database: 'sipas', port: pgPort });
let postgres: EmbeddedPostgres = await startPostgres();
const db: Db = connectDatabase(postgres.url, { max: 4 });
await migrateToLatest(db);

const serverPort = await freePort();
const servers: ServerProcess[] = [];
async function startServer(): Promise<ServerProcess> {
  const server = await startServerProcess('server/main.ts', {
    DATABASE_URL: postgres.url,
    PORT: String(serverPort),
    PUBLIC_BASE_URL: `http://127.0.0.1:${serverPort}`,
    SEED_DEMO: 'false',
    LOG_LEVEL: 'warn',
    RATE_LIMIT_PER_SOURCE: '1000000000',
    FOLD_INTERVAL_MS: '200',
  });
  servers.push(server);
  return server;
}
const baseUrl = () => `http://127.0.0.1:${serverPort}`;

async function killServer(server: ServerProcess): Promise<void> {
  server.child.kill('SIGKILL');
  await server.exited;
}

/**
 * Waits until the clients have had `count` more ratings acknowledged: the platform is
 * taking ratings (again), however long that takes on a busy machine.
 */
async function acknowledgedMore(load: RatingLoad, count: number): Promise<void> {
  const target = load.acknowledged.size + count;
  await expect.poll(() => load.acknowledged.size, { timeout: 60_000 }).toBeGreaterThanOrEqual(target);
}

/** Stops PostgreSQL the way a crash or a power cut would: no checkpoint, recovery from the WAL. */
async function crashPostgres(): Promise<void> {
  const pid = Number((await fs.readFile(path.join(pgDataDir, 'postmaster.pid'), 'utf8')).split('\n')[0]);
  process.kill(pid, 'SIGQUIT');
  await expect
    .poll(() =>
      fs.stat(path.join(pgDataDir, 'postmaster.pid')).then(
        () => true,
        () => false,
      ),
    )
    .toBe(false);
}

const desks: { code: string; domain: string }[] = [];
let browser: Browser | undefined;

beforeAll(async () => {
  for (let index = 0; index < 4; index++) {
    const { desk } = await makeDesk(db, { domains: ['land'] });
    desks.push({ code: desk.code, domain: 'land' });
  }
});

afterAll(async () => {
  await browser?.close();
  for (const server of servers) if (server.child.exitCode === null) server.child.kill('SIGKILL');
  await db.destroy();
  await postgres.stop();
  await fs.rm(workDir, { recursive: true, force: true });
});

describe('crash safety under load', () => {
  it('the server killed with SIGKILL twice and started again: every acknowledged rating is stored once', async () => {
    let server = await startServer();
    const load = startRatingLoad(baseUrl, desks, { workers: 24, keyPrefix: 'kill' });
    for (let crash = 0; crash < 2; crash++) {
      await acknowledgedMore(load, 50);
      const before = load.acknowledged.size;
      expect(before, load.unexpected.slice(0, 3).join('\n')).toBeGreaterThan(0);
      await killServer(server);
      await outage(300);
      server = await startServer();
    }
    await acknowledgedMore(load, 50);
    await load.stop();
    expect(load.acknowledged.size).toBeGreaterThan(100);
    await expectEveryRatingOnce(db, load, 'kill');
    expect(await server.stop()).toBe(0);
  }, 120_000);

  it('PostgreSQL stopped and crashed mid-load: the server recovers by itself, nothing lost or doubled', async () => {
    const server = await startServer();
    const load = startRatingLoad(baseUrl, desks, { workers: 24, keyPrefix: 'pg' });
    await acknowledgedMore(load, 50);
    // A clean restart (as after an upgrade), then a crash with recovery from the WAL.
    await postgres.stop();
    await outage(1000);
    postgres = await startPostgres();
    await acknowledgedMore(load, 50);
    const beforeCrash = load.acknowledged.size;
    await crashPostgres();
    await outage(1000);
    postgres = await startPostgres();
    await acknowledgedMore(load, 50);
    await load.stop();
    expect(load.acknowledged.size).toBeGreaterThan(beforeCrash);
    await expectEveryRatingOnce(db, load, 'pg');
    expect(await server.stop()).toBe(0);
  }, 120_000);

  it('a kiosk with ratings queued offline, while the server crashes: each is stored exactly once', async () => {
    let server = await startServer();
    const { desk } = await makeDesk(db, { domains: ['land'] });
    const { key } = await pairKioskDevice(db, { deskId: desk.id });
    browser = await launchChromium();
    const page = await (await tablet(browser)).newPage();
    await page.goto(`${baseUrl()}/kiosk/${desk.code}#key=${key}`);
    await expect.poll(() => page.locator('html').getAttribute('data-offline-ready'), { timeout: 15_000 }).toBe('true');
    const tap = async (word: string) => {
      const face = page.getByRole('button', { name: word, exact: true });
      await face.waitFor();
      await face.click();
      await page.getByText('Cảm ơn Ông/Bà đã đánh giá!').waitFor();
      await face.waitFor({ timeout: 10_000 });
    };

    await page.context().setOffline(true);
    for (const word of ['Rất hài lòng', 'Hài lòng', 'Rất hài lòng']) await tap(word);
    await killServer(server);
    // Back online with the server down: sending fails and the queue is kept.
    await page.context().setOffline(false);
    await tap('Hài lòng');
    await expect.poll(() => page.getByRole('status').last().textContent()).toContain('4 đánh giá chờ gửi');

    server = await startServer();
    const stored = () =>
      db
        .selectFrom('response')
        .innerJoin('response_answer', 'response_answer.response_id', 'response.id')
        .select(['response.idempotency_key', 'response_answer.score'])
        .where('response.desk_id', '=', desk.id)
        .orderBy('response.id')
        .execute();
    await expect.poll(async () => (await stored()).length, { timeout: 40_000 }).toBe(4);
    await expect.poll(() => page.getByRole('status').last().textContent()).not.toContain('chờ gửi');
    const rows = await stored();
    expect(rows.map((row) => row.score)).toEqual([5, 4, 5, 4]);
    expect(new Set(rows.map((row) => row.idempotency_key)).size).toBe(4);
    expect(await server.stop()).toBe(0);
  }, 120_000);
});

describe('graceful shutdown', () => {
  it('SIGTERM finishes the ratings in flight, refuses new ones, stops the embedded database and exits 0', async () => {
    const dataDir = path.join(workDir, 'embedded');
    const server = await startServerProcess('server/main.ts', {
      DATABASE_URL: '',
      PG_DATA_DIR: dataDir,
      SEED_DEMO: 'false',
      LOG_LEVEL: 'warn',
      RATE_LIMIT_PER_SOURCE: '1000000000',
    });
    const shared = await startEmbeddedPostgres({ dataDir, database: 'sipas' });
    expect(shared.owned).toBe(false);
    const ownDb = connectDatabase(shared.url, { max: 2 });
    const { desk } = await makeDesk(ownDb, { domains: ['land'] });
    await ownDb.destroy();

    type Answer = { id?: number; error?: { code: string } };
    type Result = { status: number; body: Answer } | { failed: true };
    let firstAnswer!: () => void;
    const firstAnswered = new Promise<void>((resolve) => (firstAnswer = resolve));
    const sent = Array.from({ length: 150 }, (): Promise<Result> =>
      fetch(`${server.url}/api/v1/public/responses`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(quickRating({ deskCode: desk.code })),
      }).then(
        async (response) => {
          firstAnswer();
          return { status: response.status, body: (await response.json()) as Answer };
        },
        () => ({ failed: true }),
      ),
    );
    // The first answers are in: the others are being read, checked or committed.
    await firstAnswered;
    const exitCode = server.stop();
    const results = await Promise.all(sent);
    expect(await exitCode).toBe(0);
    await expect(fetch(`${server.url}/healthz`)).rejects.toThrow();
    // The database was stopped with the platform.
    await expect(fs.stat(path.join(dataDir, 'postmaster.pid'))).rejects.toThrow();

    for (const result of results)
      if ('status' in result && result.status !== 201)
        expect(result).toMatchObject({ status: 503, body: { error: { code: 'shutting_down' } } });
    const acknowledged = results.flatMap((result) =>
      'status' in result && result.status === 201 ? [result.body.id!] : [],
    );
    expect(acknowledged.length).toBeGreaterThan(0);

    const again = await startEmbeddedPostgres({ dataDir, database: 'sipas' });
    const check = connectDatabase(again.url, { max: 2 });
    try {
      const stored = await check.selectFrom('response').select('id').where('desk_id', '=', desk.id).execute();
      // Every rating that was committed was answered, and every answered one was committed.
      expect(stored.map((row) => Number(row.id)).sort((a, b) => a - b)).toEqual(acknowledged.sort((a, b) => a - b));
    } finally {
      await check.destroy();
      await again.stop();
    }
  }, 120_000);
});

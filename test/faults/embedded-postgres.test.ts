import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectDatabase } from '../../server/db/connect.ts';
import type { Db } from '../../server/db/database.ts';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../../server/db/embedded-postgres.ts';
import { makeDesk } from '../factories.ts';
import { startServerProcess, type ServerProcess } from '../server-process.ts';
import { expectEveryRatingOnce } from './every-rating-once.ts';
import { startRatingLoad } from './rating-load.ts';

/*
 * The platform on its own embedded PostgreSQL, as `npm start` runs it, with the database's
 * postmaster killed with SIGKILL while clients keep sending ratings: the platform starts
 * it again by itself, and nothing acknowledged is lost or doubled.
 */

const workDir = await fs.mkdtemp(path.join(os.tmpdir(), 'sipas-faults-embedded-'));
await fs.chmod(workDir, 0o755);
const dataDir = path.join(workDir, 'pg');

const servers: ServerProcess[] = [];
const startPlatform = async () => {
  const server = await startServerProcess('server/main.ts', {
    DATABASE_URL: '',
    PG_DATA_DIR: dataDir,
    SEED_DEMO: 'false',
    LOG_LEVEL: 'warn',
    RATE_LIMIT_PER_SOURCE: '1000000000',
    FOLD_INTERVAL_MS: '200',
  });
  servers.push(server);
  return server;
};

let server: ServerProcess;
/** This process's own connection to the platform's database, which it shares. */
let shared: EmbeddedPostgres;
let db: Db;
const desks: { code: string; domain: string }[] = [];

beforeAll(async () => {
  server = await startPlatform();
  shared = await startEmbeddedPostgres({ dataDir, database: 'sipas' });
  expect(shared.owned).toBe(false);
  db = connectDatabase(shared.url, { max: 4 });
  for (let index = 0; index < 4; index++) {
    const { desk } = await makeDesk(db, { domains: ['land'] });
    desks.push({ code: desk.code, domain: 'land' });
  }
});

afterAll(async () => {
  for (const one of servers) if (one.child.exitCode === null) one.child.kill('SIGKILL');
  await db?.destroy();
  // Should a test have failed half-way, the database may still run, owned by nobody.
  const left = await startEmbeddedPostgres({ dataDir, database: 'sipas' }).catch(() => undefined);
  await left?.stop();
  await fs.rm(workDir, { recursive: true, force: true });
});

/** The postmaster's pid and port, from its lock file. */
async function postmaster(): Promise<{ pid: number; port: number }> {
  const lines = (await fs.readFile(path.join(dataDir, 'postmaster.pid'), 'utf8')).split('\n');
  return { pid: Number(lines[0]), port: Number(lines[3]) };
}

const healthy = () =>
  fetch(`${server.url}/healthz`).then(
    (response) => response.status,
    () => 0,
  );

describe('the embedded PostgreSQL killed under load', () => {
  it('is started again on the same port; /healthz recovers and every acknowledged rating is stored once', async () => {
    const load = startRatingLoad(() => server.url, desks, { workers: 24, keyPrefix: 'pgkill' });
    for (let kill = 1; kill <= 2; kill++) {
      const before = load.acknowledged.size;
      await expect.poll(() => load.acknowledged.size, { timeout: 30_000, interval: 50 }).toBeGreaterThan(before + 200);
      const killed = await postmaster();
      process.kill(killed.pid, 'SIGKILL');
      const killedAt = performance.now();
      await expect.poll(healthy, { timeout: 60_000, interval: 50 }).toBe(200);
      console.log(`kill ${kill}: /healthz answered 200 again after ${Math.round(performance.now() - killedAt)} ms`);
      const restarted = await postmaster();
      expect(restarted.pid).not.toBe(killed.pid);
      expect(restarted.port).toBe(killed.port);
      // Ratings carry on, through the pool's new connections.
      const recovered = load.acknowledged.size;
      await expect
        .poll(() => load.acknowledged.size, { timeout: 30_000, interval: 50 })
        .toBeGreaterThan(recovered + 200);
    }
    await load.stop();
    expect(server.output()).toMatch(/embedded PostgreSQL \(pid \d+\) stopped unexpectedly \(SIGKILL\)/);
    expect(server.output()).toMatch(/embedded PostgreSQL running again/);
    await expectEveryRatingOnce(db, load, 'pgkill');

    expect(await server.stop()).toBe(0);
    // The platform stopped the server it had started again.
    await expect(fs.stat(path.join(dataDir, 'postmaster.pid'))).rejects.toThrow();
  }, 180_000);

  it('a server that cannot be started again: the platform gives up after its attempts and exits 1, saying why', async () => {
    if (server.child.exitCode === null) expect(await server.stop()).toBe(0);
    server = await startPlatform();
    expect(await healthy()).toBe(200);
    // The running server does not read PG_VERSION again; a new one refuses the folder without it.
    const version = path.join(dataDir, 'PG_VERSION');
    await fs.rename(version, `${version}.aside`);
    try {
      const exited = new Promise<number | null>((resolve) => server.child.once('exit', resolve));
      process.kill((await postmaster()).pid, 'SIGKILL');
      expect(await exited).toBe(1);
      const output = server.output();
      expect(output).toMatch(/start attempt 1 of \d+ failed: .*is not a valid data directory/);
      expect(output).toContain('the embedded PostgreSQL stopped and could not be started again');
      expect(output).toMatch(/could not be kept running \(\d+ failures in a row\): .*is not a valid data directory/);
    } finally {
      await fs.rename(`${version}.aside`, version);
    }
  }, 180_000);
});

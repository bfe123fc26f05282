import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { connectDatabase } from '../../server/db/connect.ts';
import { startEmbeddedPostgres } from '../../server/db/embedded-postgres.ts';
import { makeDesk, quickRating } from '../factories.ts';
import { startServerProcess } from '../server-process.ts';

const workDir = await fs.mkdtemp(path.join(os.tmpdir(), 'sipas-shutdown-'));
await fs.chmod(workDir, 0o755);
afterAll(() => fs.rm(workDir, { recursive: true, force: true }));

const GRACE_SECONDS = 2;

describe('bounded shutdown', () => {
  it('SIGTERM with requests stuck in the database and a client that never finishes: exit 0 soon after the grace period', async () => {
    const dataDir = path.join(workDir, 'pg');
    const server = await startServerProcess('server/main.ts', {
      DATABASE_URL: '',
      PG_DATA_DIR: dataDir,
      SEED_DEMO: 'false',
      LOG_LEVEL: 'warn',
      SHUTDOWN_GRACE_SECONDS: String(GRACE_SECONDS),
    });
    const shared = await startEmbeddedPostgres({ dataDir, database: 'sipas' });
    const db = connectDatabase(shared.url, { max: 2 });
    const locker = new pg.Client({ connectionString: shared.url });
    // The platform's stop ends this session too.
    locker.on('error', () => {});
    try {
      const { desk } = await makeDesk(db, { domains: ['land'] });

      // Another session holds the ratings' table: every rating waits in the database.
      await locker.connect();
      await locker.query('begin');
      await locker.query('lock table response in access exclusive mode');
      const ratings = Array.from({ length: 3 }, () =>
        fetch(`${server.url}/api/v1/public/responses`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(quickRating({ deskCode: desk.code })),
        }).then(
          (response) => response.status,
          () => 'cut off' as const,
        ),
      );
      await expect
        .poll(
          async () =>
            (
              await sql<{ n: number }>`
                select count(*)::int as n from pg_stat_activity
                where wait_event_type = 'Lock' and application_name = 'sipas'
              `.execute(db)
            ).rows[0]!.n,
          { timeout: 20_000 },
        )
        .toBeGreaterThan(0);

      // And a client that starts a request and never ends its headers.
      const { port } = new URL(server.url);
      const slow = net.connect(Number(port), '127.0.0.1', () => slow.write('GET /healthz HTTP/1.1\r\nHost: x\r\n'));
      slow.on('error', () => {});
      const slowClosed = new Promise((resolve) => slow.once('close', resolve));
      await new Promise((resolve) => slow.once('connect', resolve));

      const signalledAt = performance.now();
      const exitCode = await server.stop();
      const seconds = (performance.now() - signalledAt) / 1000;

      expect(exitCode, server.output()).toBe(0);
      // The work in flight had its grace period, then was cut off: the stop is bounded.
      expect(seconds).toBeGreaterThanOrEqual(GRACE_SECONDS);
      expect(seconds).toBeLessThan(GRACE_SECONDS + 20);
      expect(server.output()).toContain('grace period over');
      // No rating was acknowledged: each client sees its connection closed (or a 503) and retries.
      for (const outcome of await Promise.all(ratings)) expect(['cut off', 503]).toContain(outcome);
      await slowClosed;
      // The embedded database was stopped with the platform.
      await expect(fs.access(path.join(dataDir, 'postmaster.pid'))).rejects.toThrow();
    } finally {
      await locker.end().catch(() => {});
      await db.destroy().catch(() => {});
    }
  }, 120_000);
});

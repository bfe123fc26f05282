import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { connectDatabase } from '../server/db/connect.ts';
import { startEmbeddedPostgres } from '../server/db/embedded-postgres.ts';
import { makeDesk } from '../test/factories.ts';
import { startRatingLoad } from '../test/faults/rating-load.ts';
import { startServerProcess } from '../test/server-process.ts';
import type { Budget } from './run.ts';

export interface Recovery {
  /** Seconds from kill -9 of the postmaster to the first 200 of /healthz, for each kill. */
  seconds: number[];
  acknowledged: number;
  lost: number;
  duplicated: number;
}

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The platform as `npm start` runs it, on its own embedded PostgreSQL (bench/data/recovery),
 * with 24 clients sending ratings and retrying them: the postmaster is killed with SIGKILL
 * `kills` times, and each time the platform must start it again by itself.
 */
export async function measureRecovery(kills = 3): Promise<Recovery> {
  const dataDir = path.join(root, 'bench/data/recovery/pg');
  await fs.rm(path.dirname(dataDir), { recursive: true, force: true });
  const server = await startServerProcess('server/main.ts', {
    DATABASE_URL: '',
    PG_DATA_DIR: dataDir,
    SEED_DEMO: 'false',
    LOG_LEVEL: 'fatal',
    RATE_LIMIT_PER_SOURCE: '1000000000',
  });
  const shared = await startEmbeddedPostgres({ dataDir, database: 'sipas' });
  const db = connectDatabase(shared.url, { max: 2 });
  let recovery: Recovery;
  let exitCode: number | null;
  try {
    const desks = [];
    for (let index = 0; index < 4; index++)
      desks.push({ code: (await makeDesk(db, { domains: ['land'] })).desk.code, domain: 'land' });
    const load = startRatingLoad(() => server.url, desks, { workers: 24, keyPrefix: 'recovery' });
    const untilAcknowledged = async (count: number) => {
      while (load.acknowledged.size < count) await sleep(20);
    };
    const seconds: number[] = [];
    for (let kill = 0; kill < kills; kill++) {
      await untilAcknowledged(load.acknowledged.size + 500);
      const pid = Number((await fs.readFile(path.join(dataDir, 'postmaster.pid'), 'utf8')).split('\n')[0]);
      process.kill(pid, 'SIGKILL');
      const killedAt = performance.now();
      for (;;) {
        const status = await fetch(`${server.url}/healthz`).then(
          (response) => response.status,
          () => 0,
        );
        if (status === 200) break;
        if (performance.now() - killedAt > 120_000) throw new Error('/healthz did not recover within 2 minutes');
        await sleep(20);
      }
      seconds.push((performance.now() - killedAt) / 1000);
    }
    await untilAcknowledged(load.acknowledged.size + 500);
    await load.stop();
    if (load.unexpected.length > 0) throw new Error(`unexpected answers: ${load.unexpected.slice(0, 3).join('; ')}`);

    const ids = [...load.acknowledged.values()];
    const { found, rows, keys } = (
      await sql<{ found: number; rows: number; keys: number }>`
        select
          (select count(*)::int from response where id = any(${ids}::bigint[])) as found,
          count(*)::int as rows, count(distinct idempotency_key)::int as keys
        from response where idempotency_key like 'recovery-%'
      `.execute(db)
    ).rows[0]!;
    recovery = {
      seconds,
      acknowledged: ids.length,
      lost: ids.length - found,
      duplicated: rows - keys + load.conflicting.length,
    };
  } finally {
    await db.destroy();
    exitCode = await server.stop();
  }
  if (exitCode !== 0) throw new Error(`the server exited with ${exitCode} on SIGTERM:\n${server.output()}`);
  return recovery;
}

export function describeRecovery(recovery: Recovery): string {
  return (
    `  /healthz 200 again ${median(recovery.seconds).toFixed(1)} s after kill -9 of the embedded PostgreSQL under load ` +
    `(median of ${recovery.seconds.length}, max ${Math.max(...recovery.seconds).toFixed(1)} s); ` +
    `${recovery.acknowledged.toLocaleString('en')} ratings acknowledged, ${recovery.lost} lost, ${recovery.duplicated} duplicated`
  );
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

export function recoveryBudgets(recovery: Recovery): Budget[] {
  const seconds = median(recovery.seconds);
  return [
    {
      name: 'recovery: kill -9 of the embedded PostgreSQL to /healthz 200',
      measured: `${seconds.toFixed(1)} s`,
      limit: '≤ 10 s',
      met: seconds <= 10,
    },
    {
      name: 'recovery: lost or duplicated ratings',
      measured: String(recovery.lost + recovery.duplicated),
      limit: '0',
      met: recovery.lost + recovery.duplicated === 0,
    },
  ];
}

// `npx tsx bench/recovery.ts`: this measurement alone.
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  console.log(describeRecovery(await measureRecovery()));
}

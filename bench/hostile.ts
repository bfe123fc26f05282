import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Db } from '../server/db/database.ts';
import { pairKioskDevice } from '../server/kiosks/kiosk-device.repository.ts';
import { makeOfficial, signIn } from '../test/officials.ts';
import { processClient, startServerProcess } from '../test/server-process.ts';
import { loadRatings, type LoadResult } from './ingestion.ts';
import type { NationalUnits } from './national-data.ts';
import type { Budget } from './run.ts';

export interface Hostile {
  /** Honest ratings per second alone, and while five poison senders each repeat a bad rating (median of three rounds). */
  honestAlone: number;
  honestWithPoison: number;
  /** Requests the poison senders made, and how they were answered. */
  poisonRequests: number;
  poisonStatuses: Record<string, number>;
  /** /healthz latency (ms) idle and while every official's exports are being built. */
  healthIdle: { p50: number; p99: number };
  healthDuringExports: { p50: number; p99: number };
  exportsStarted: number;
  exportsRefused: number;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
const percentile = (values: number[], p: number) =>
  [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor((p / 100) * values.length))] ?? 0;

/** Starts the poison senders (bench/poison-senders.ts) in a process of their own. */
function startPoisonSenders(orders: { url: string; desk: { code: string; domain: string }; receiptKey: string }) {
  const child = fork(fileURLToPath(new URL('./poison-senders.ts', import.meta.url)), [JSON.stringify(orders)], {
    execArgv: ['--import', 'tsx'],
  });
  const statuses = new Promise<Record<string, number>>((resolve, reject) => {
    child.once('message', (message) => resolve(message as Record<string, number>));
    child.once('exit', (code) => reject(new Error(`the poison senders stopped early (exit ${code})`)));
  });
  return {
    stop: async () => {
      child.send('stop');
      return statuses;
    },
  };
}

async function sampleHealth(url: string, until: () => boolean): Promise<{ p50: number; p99: number }> {
  const latencies: number[] = [];
  while (!until()) {
    const started = performance.now();
    await fetch(`${url}/healthz`).then((response) => response.arrayBuffer());
    latencies.push(performance.now() - started);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return { p50: Math.round(percentile(latencies, 50) * 10) / 10, p99: Math.round(percentile(latencies, 99) * 10) / 10 };
}

/**
 * The platform as deployed behind a proxy (TRUST_PROXY) with the default allowance of 30
 * ratings per network: honest ratings come from many networks, five poison senders each
 * from one, repeating a rating the schema refuses (year 0), one for a desk that does not
 * exist, and a kiosk rating with a receipt printer's key. Then every official of a
 * province starts exports at once while /healthz is timed.
 */
export async function measureHostile(db: Db, url: string, units: NationalUnits, seconds: number): Promise<Hostile> {
  const desks = units.desks.flatMap((desk) =>
    desk.domains.map((domain) => ({ code: desk.code, domain: units.domainCodes.get(domain)! })),
  );
  const server = await startServerProcess('server/main.ts', {
    DATABASE_URL: url,
    SEED_DEMO: 'false',
    LOG_LEVEL: 'warn',
    TRUST_PROXY: 'true',
  });
  try {
    let address = 0;
    const honestNetwork = () => `10.${(address >> 16) & 255}.${(address >> 8) & 255}.${address++ & 255}`;
    const honest = (keyPrefix: string): Promise<LoadResult> =>
      loadRatings(server.url, { connections: 50, seconds, desks, keyPrefix, forwardedFor: honestNetwork }, () => {});
    await honest('hostile-warm');

    // Rounds alone and with the senders alternate, and the median of each counts: the
    // machine's other work then weighs on both alike.
    const receiptKey = (await pairKioskDevice(db, { deskId: units.desks[0]!.id, purpose: 'receipts' })).key;
    const rounds = { alone: [] as number[], withPoison: [] as number[] };
    const poisonStatuses: Record<string, number> = {};
    for (let round = 0; round < 3; round++) {
      rounds.alone.push((await honest(`hostile-alone-${round}`)).requestsPerSecond);
      const senders = startPoisonSenders({ url: server.url, desk: desks[0]!, receiptKey });
      rounds.withPoison.push((await honest(`hostile-poison-${round}`)).requestsPerSecond);
      for (const [status, count] of Object.entries(await senders.stop()))
        poisonStatuses[status] = (poisonStatuses[status] ?? 0) + count;
    }
    const poisonRequests = Object.values(poisonStatuses).reduce((sum, count) => sum + count, 0);

    // Exports: every official of a province asks for the province's year at once, twice.
    const province = units.provinces[0]!;
    const officials = await Promise.all(
      Array.from({ length: 5 }, () => makeOfficial(db, 'viewer', { id: province.id } as never)),
    );
    const sessions = await Promise.all(officials.map((official) => signIn(processClient(server), official.username)));
    let idleDone = false;
    const idleSampling = sampleHealth(server.url, () => idleDone);
    await new Promise((resolve) => setTimeout(resolve, 3000));
    idleDone = true;
    const healthIdle = await idleSampling;
    const started = await Promise.all(
      sessions.flatMap((session) =>
        Array.from({ length: 3 }, () =>
          session.request('POST', '/reports/exports', { unitId: province.id, period: '2026', format: 'xlsx' }),
        ),
      ),
    );
    const accepted = started.filter((answer) => answer.status === 202).length;
    const running = async () =>
      Number(
        (
          await db
            .selectFrom('report_export')
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .where('status', '=', 'running')
            .executeTakeFirstOrThrow()
        ).n,
      );
    let exportsDone = false;
    const busySampling = sampleHealth(server.url, () => exportsDone);
    while ((await running()) > 0) await new Promise((resolve) => setTimeout(resolve, 100));
    exportsDone = true;
    return {
      honestAlone: median(rounds.alone),
      honestWithPoison: median(rounds.withPoison),
      poisonRequests,
      poisonStatuses,
      healthIdle,
      healthDuringExports: await busySampling,
      exportsStarted: accepted,
      exportsRefused: started.length - accepted,
    };
  } finally {
    await server.stop();
  }
}

export function hostileBudgets(hostile: Hostile): Budget[] {
  const kept = hostile.honestWithPoison / Math.max(1, hostile.honestAlone);
  return [
    {
      name: 'honest ratings kept with 5 poison senders',
      measured: `${hostile.honestWithPoison} / ${hostile.honestAlone} req/s = ${Math.round(kept * 100)}%`,
      limit: '≥ 90%',
      met: kept >= 0.9,
    },
    {
      name: '/healthz p99 while exports are built',
      measured: `${hostile.healthDuringExports.p99} ms (idle ${hostile.healthIdle.p99} ms)`,
      limit: '≤ 250 ms',
      met: hostile.healthDuringExports.p99 <= 250,
    },
  ];
}

export function describeHostile(hostile: Hostile): string {
  const statuses = Object.entries(hostile.poisonStatuses)
    .map(([status, count]) => `${count.toLocaleString('en')}× ${status}`)
    .join(', ');
  return [
    `Hostile senders: honest ratings ${hostile.honestAlone} req/s alone, ${hostile.honestWithPoison} req/s with five poison senders`,
    `  (${hostile.poisonRequests.toLocaleString('en')} poison requests: ${statuses}).`,
    `  /healthz p50/p99 ${hostile.healthIdle.p50}/${hostile.healthIdle.p99} ms idle, ${hostile.healthDuringExports.p50}/${hostile.healthDuringExports.p99} ms while ${hostile.exportsStarted} exports were built (${hostile.exportsRefused} refused: two per official at most).`,
  ].join('\n');
}

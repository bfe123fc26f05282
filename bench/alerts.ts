import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { evaluateNewRatings, evaluateUnits, sweepAlerts } from '../server/alerts/alert-engine.ts';
import type { Db } from '../server/db/database.ts';
import { writeBatch, type Submission } from '../server/responses/write-batch.ts';
import { startServerProcess } from '../test/server-process.ts';
import { loadRatings } from './ingestion.ts';
import type { NationalUnits } from './national-data.ts';
import type { Budget } from './run.ts';
import { cpuSeconds, postgresCpuSeconds } from './cpu.ts';

export interface AlertCost {
  /** Desks that got a rating since the last evaluation, all evaluated in one go. */
  desks: number;
  /** One evaluation of every rule on those desks and their comments (ms). */
  evaluationMs: number;
  /** Then their units and domains, up to the country, as the evaluator does every five minutes (ms). */
  unitsMs: number;
  units: number;
  /** One sweep: every kiosk, and every open alert re-checked (ms). */
  sweepMs: number;
  openAlerts: number;
  /**
   * Ratings per second taken by a server without alerts, and by one evaluating them as
   * they arrive (medians of three alternating rounds), with the CPU each rating cost the
   * server and PostgreSQL (µs, medians).
   */
  ratingsWithout: number;
  ratingsWith: number;
  /** Seconds of each round at saturation, and each round's ratings per second. */
  loadSeconds: number;
  rounds: { without: number[]; with: number[] };
  cpuWithout: { server: number; database: number };
  cpuWith: { server: number; database: number };
  /** Rating latency at a steady `OFFERED_RATE` (ms, medians of the rounds' p50 and p99), without and with alerts. */
  steadyWithout: { p50: number; p99: number };
  steadyWith: { p50: number; p99: number };
  /** From posting a rating with a serious comment to its signed webhook arriving, under that load (ms). */
  latency: Latency;
  /** From the last of a burst of unhappy ratings at a quiet desk to its spike's webhook, under that load (ms). */
  spikeLatency: Latency;
}

interface Latency {
  samples: number;
  p50: number;
  p99: number;
  max: number;
  posted: number;
  undelivered: number;
}

const percentile = (values: number[], p: number) =>
  [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor((p / 100) * values.length))] ?? 0;

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

const ALL = { rateLimit: { perSource: 1e9, perKiosk: 1e9, windowSeconds: 600 } };

const ROUNDS = 3;
/** Ratings per second of the steady load: several times the country's busiest hour (~140/s). */
export const OFFERED_RATE = 500;
/** How long after the load a probe's webhook may still arrive (and count). */
const SETTLE_MS = 60_000;

/**
 * The cost of alerts at national scale: a rating at each of 5,000 desks evaluated at once
 * (every rule, units and domains up to the country), one sweep, and the ratings a server
 * takes per second with and without evaluating alerts as they arrive; meanwhile a rating
 * with a serious comment is posted every half second and timed until its webhook arrives.
 */
export async function measureAlerts(
  db: Db,
  url: string,
  pgDataDir: string,
  units: NationalUnits,
  seconds: number,
): Promise<AlertCost> {
  // Ratings loaded in bulk are history, not news: the evaluator starts after them.
  const evaluateFromNow = () =>
    sql`
      insert into alert_cursor (name, last_id) select 'ratings', coalesce(max(id), 0) from response
      on conflict (name) do update set last_id = excluded.last_id
    `.execute(db);
  await evaluateFromNow();
  const desks = units.desks.slice(0, 5000);
  const now = new Date();
  const submissions: Submission[] = desks.map((desk) => ({
    body: {
      deskCode: desk.code,
      domain: units.domainCodes.get(desk.domains[0]!)!,
      questionnaireId: 'quick-1',
      answers: { overall: 1 + (desk.id % 5) },
      language: 'vi',
      channel: 'qr',
      clientTime: now.toISOString(),
      idempotencyKey: `alerts-bench-${randomUUID()}`,
    },
    bucket: Buffer.from('alerts-bench'),
    receivedAt: now,
  }));
  for (let start = 0; start < submissions.length; start += 250)
    await writeBatch(db, submissions.slice(start, start + 250), ALL);
  const evaluationStart = performance.now();
  const evaluated = await evaluateNewRatings(db, new Date(), { deferUnits: true });
  const evaluationMs = performance.now() - evaluationStart;
  const unitsStart = performance.now();
  await evaluateUnits(db, new Date(), evaluated.deferred!);
  const unitsMs = performance.now() - unitsStart;
  const sweepStart = performance.now();
  await sweepAlerts(db, new Date());
  const sweepMs = performance.now() - sweepStart;
  const openAlerts = Number(
    (
      await db
        .selectFrom('alert')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('cleared_at', 'is', null)
        .executeTakeFirstOrThrow()
    ).n,
  );

  // The probes' desks get no load of their own: the comment desk, and for a spike one new
  // desk per round beside it, without a rating on record (an alert stays open while its
  // window holds the burst, and the bench's earlier loads leave the other desks' open).
  const commentDesk = units.desks[0]!;
  const spikeDesks = await addProbeDesks(db, commentDesk, ROUNDS);
  const driven = units.desks
    .filter((desk) => desk.id !== commentDesk.id)
    .flatMap((desk) => desk.domains.map((domain) => ({ code: desk.code, domain: units.domainCodes.get(domain)! })));
  const receiver = await startReceiver(db, [commentDesk, ...spikeDesks]);
  const round = async (alerts: boolean, index: number) => {
    // The run without alerts leaves its ratings unevaluated: a platform that evaluates as
    // ratings arrive never has such a backlog, so the run with alerts starts after it.
    if (alerts) await evaluateFromNow();
    const server = await startServerProcess('server/main.ts', {
      DATABASE_URL: url,
      SEED_DEMO: 'false',
      LOG_LEVEL: 'warn',
      // Every request comes from 127.0.0.1: the limit is counted as always, and never reached.
      RATE_LIMIT_PER_SOURCE: '1000000000',
      ...(alerts ? {} : { ALERTS: 'false' }),
    });
    try {
      await loadRatings(server.url, { connections: 50, seconds: 2, desks: driven, keyPrefix: 'alerts-warm' }, () => {});
      let stop = false;
      const probing = alerts
        ? Promise.all([
            probeComments(server.url, units, commentDesk, receiver, () => stop),
            probeSpike(server.url, units, spikeDesks[index]!, receiver, seconds / 3),
          ])
        : undefined;
      const cpu = () => ({ server: cpuSeconds(server.pid), database: postgresCpuSeconds(pgDataDir) });
      const before = cpu();
      const load = await loadRatings(
        server.url,
        { connections: 50, seconds, desks: driven, keyPrefix: `alerts-${alerts ? 'with' : 'without'}-${index}` },
        () => {},
      );
      const after = cpu();
      stop = true;
      const steady = await loadRatings(
        server.url,
        {
          connections: 20,
          seconds: Math.max(5, seconds / 2),
          rate: OFFERED_RATE,
          desks: driven,
          keyPrefix: `alerts-steady-${alerts ? 'with' : 'without'}-${index}`,
        },
        () => {},
      );
      await probing;
      // The last probes' webhooks, for at most a minute after the load.
      if (alerts) await receiver.settled(SETTLE_MS);
      const ratings = Math.max(1, load.requestsPerSecond * seconds);
      return {
        requestsPerSecond: load.requestsPerSecond,
        server: Math.round(((after.server - before.server) / ratings) * 1e6),
        database: Math.round(((after.database - before.database) / ratings) * 1e6),
        steadyP50: steady.p50,
        steadyP99: steady.p99,
      };
    } finally {
      await server.stop();
    }
  };
  const without: Awaited<ReturnType<typeof round>>[] = [];
  const withAlerts: Awaited<ReturnType<typeof round>>[] = [];
  try {
    // Rounds alternate and the median of each counts: the machine's drift hits both alike.
    for (let index = 0; index < ROUNDS; index++) {
      without.push(await round(false, index));
      withAlerts.push(await round(true, index));
    }
  } finally {
    await receiver.close();
  }
  const medianOf = (
    rounds: typeof without,
    key: 'requestsPerSecond' | 'server' | 'database' | 'steadyP50' | 'steadyP99',
  ) => median(rounds.map((measured) => measured[key]));
  return {
    desks: desks.length,
    evaluationMs: Math.round(evaluationMs),
    unitsMs: Math.round(unitsMs),
    units: evaluated.deferred!.unitIds.length,
    sweepMs: Math.round(sweepMs),
    openAlerts,
    loadSeconds: seconds,
    rounds: {
      without: without.map((measured) => measured.requestsPerSecond),
      with: withAlerts.map((measured) => measured.requestsPerSecond),
    },
    ratingsWithout: medianOf(without, 'requestsPerSecond'),
    ratingsWith: medianOf(withAlerts, 'requestsPerSecond'),
    cpuWithout: { server: medianOf(without, 'server'), database: medianOf(without, 'database') },
    cpuWith: { server: medianOf(withAlerts, 'server'), database: medianOf(withAlerts, 'database') },
    steadyWithout: { p50: medianOf(without, 'steadyP50'), p99: medianOf(without, 'steadyP99') },
    steadyWith: { p50: medianOf(withAlerts, 'steadyP50'), p99: medianOf(withAlerts, 'steadyP99') },
    latency: receiver.latency('serious_comment'),
    spikeLatency: receiver.latency('unhappy_spike'),
  };
}

type BenchDesk = NationalUnits['desks'][number];

/** New desks in the unit of `beside`, with its first domain. */
async function addProbeDesks(db: Db, beside: BenchDesk, count: number): Promise<BenchDesk[]> {
  const suffix = randomUUID().replace(/-/g, '').slice(0, 6);
  const desks = await db
    .insertInto('desk')
    .values(
      Array.from({ length: count }, (_, index) => ({
        unit_id: beside.unitId,
        code: `probe${index}${suffix}`,
        name: `Quầy thử ${index + 1}`,
      })),
    )
    .returning(['id', 'code'])
    .execute();
  await db
    .insertInto('desk_domain')
    .values(desks.map((desk) => ({ desk_id: desk.id, domain_id: beside.domains[0]! })))
    .execute();
  return desks.map((desk) => ({
    ...desk,
    unitId: beside.unitId,
    domains: [beside.domains[0]!],
    provinceIndex: beside.provinceIndex,
  }));
}

/**
 * A webhook receiver for the probes' units: each probe notes when its rating was posted
 * (by rating id for a comment, by desk for a spike), and the receiver when the alert arrived.
 */
async function startReceiver(db: Db, desks: BenchDesk[]) {
  const sentAt = { serious_comment: new Map<number, number>(), unhappy_spike: new Map<number, number>() };
  const latencies = { serious_comment: [] as number[], unhappy_spike: [] as number[] };
  const posted = { serious_comment: 0, unhappy_spike: 0 };
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const arrived = performance.now();
      const { event, alert } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
        event: string;
        alert: { rule: string; ratingId: number | null; deskId: number | null };
      };
      const probe =
        alert.rule === 'serious_comment' ? alert.ratingId : alert.rule === 'unhappy_spike' ? alert.deskId : null;
      const rule = alert.rule as keyof typeof sentAt;
      const sent = probe === null ? undefined : sentAt[rule]?.get(probe);
      if (event === 'alert.fired' && sent !== undefined) {
        latencies[rule].push(arrived - sent);
        sentAt[rule].delete(probe!);
      }
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const hooks = await db
    .insertInto('alert_webhook')
    .values(
      [...new Set(desks.map((desk) => desk.unitId))].map((unitId) => ({
        unit_id: unitId,
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
        secret: 'bench',
        created_by: null,
      })),
    )
    .returning('id')
    .execute();
  return {
    sent(rule: keyof typeof sentAt, probe: number, at: number) {
      sentAt[rule].set(probe, at);
      posted[rule]++;
    },
    async settled(withinMs: number) {
      const deadline = performance.now() + withinMs;
      while (sentAt.serious_comment.size + sentAt.unhappy_spike.size > 0 && performance.now() < deadline)
        await new Promise((resolve) => setTimeout(resolve, 50));
    },
    latency(rule: keyof typeof sentAt): Latency {
      const values = latencies[rule];
      return {
        samples: values.length,
        p50: Math.round(percentile(values, 50)),
        p99: Math.round(percentile(values, 99)),
        max: Math.round(Math.max(0, ...values)),
        posted: posted[rule],
        undelivered: posted[rule] - values.length,
      };
    },
    async close() {
      await db
        .updateTable('alert_webhook')
        .set({ active: false })
        .where(
          'id',
          'in',
          hooks.map((hook) => hook.id),
        )
        .execute();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

type Receiver = Awaited<ReturnType<typeof startReceiver>>;

function ratingBody(units: NationalUnits, desk: BenchDesk, overall: number, comment?: string) {
  return JSON.stringify({
    deskCode: desk.code,
    domain: units.domainCodes.get(desk.domains[0]!),
    questionnaireId: 'quick-1',
    answers: { overall },
    ...(comment ? { comment } : {}),
    language: 'vi',
    channel: 'qr',
    idempotencyKey: `alerts-probe-${randomUUID()}`,
  });
}

async function postRating(baseUrl: string, body: string): Promise<number | null> {
  const response = await fetch(`${baseUrl}/api/v1/public/responses`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
  });
  if (response.status !== 201) {
    await response.arrayBuffer();
    return null;
  }
  return ((await response.json()) as { id: number }).id;
}

/** Posts a rating with a serious comment every half second until stopped. */
async function probeComments(
  baseUrl: string,
  units: NationalUnits,
  desk: BenchDesk,
  receiver: Receiver,
  stopped: () => boolean,
): Promise<void> {
  while (!stopped()) {
    const started = performance.now();
    const id = await postRating(baseUrl, ratingBody(units, desk, 1, 'Cán bộ nhũng nhiễu, đòi bồi dưỡng'));
    if (id !== null) receiver.sent('serious_comment', id, started);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

/**
 * After `delaySeconds` of load, posts a burst of fifteen unhappy ratings at a desk that
 * gets no other ratings: far above any desk's baseline, so its spike alert must fire.
 */
async function probeSpike(
  baseUrl: string,
  units: NationalUnits,
  desk: BenchDesk,
  receiver: Receiver,
  delaySeconds: number,
): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, delaySeconds * 1000));
  for (let count = 0; count < 15; count++) await postRating(baseUrl, ratingBody(units, desk, 1));
  receiver.sent('unhappy_spike', desk.id, performance.now());
}

const latencyMeasured = (latency: Latency) =>
  latency.undelivered > 0
    ? `${latency.undelivered} of ${latency.posted} not within ${SETTLE_MS / 1000} s`
    : `${latency.p99} ms (${latency.samples} samples)`;

const latencyMet = (latency: Latency, limitMs: number) =>
  latency.samples > 0 && latency.undelivered === 0 && latency.p99 <= limitMs;

export function alertBudgets(cost: AlertCost): Budget[] {
  const kept = cost.ratingsWith / Math.max(1, cost.ratingsWithout);
  return [
    {
      name: `alert rules on ${cost.desks.toLocaleString('en')} desks at once`,
      measured: `${cost.evaluationMs} ms`,
      limit: '≤ 5,000 ms',
      met: cost.evaluationMs <= 5000,
    },
    {
      name: 'ratings kept while alerts are evaluated',
      measured: `${cost.ratingsWith} / ${cost.ratingsWithout} req/s = ${Math.round(kept * 100)}%`,
      limit: '≥ 90%',
      met: kept >= 0.9,
    },
    {
      name: `rating p99 at ${OFFERED_RATE} req/s, with alerts vs without`,
      measured: `${cost.steadyWith.p99} / ${cost.steadyWithout.p99} ms`,
      limit: '≤ 1.5 × without + 20 ms',
      met: cost.steadyWith.p99 <= 1.5 * cost.steadyWithout.p99 + 20,
    },
    {
      name: 'serious comment in → webhook out, p99 under load',
      measured: latencyMeasured(cost.latency),
      limit: '≤ 15,000 ms',
      met: latencyMet(cost.latency, 15_000),
    },
    {
      name: 'unhappy burst in → spike webhook out, under load',
      measured: latencyMeasured(cost.spikeLatency),
      limit: '≤ 60,000 ms',
      met: latencyMet(cost.spikeLatency, 60_000),
    },
  ];
}

export function describeAlerts(cost: AlertCost): string {
  const latency = (figures: Latency) =>
    `p50 ${figures.p50} ms, p99 ${figures.p99} ms, max ${figures.max} ms (${figures.samples} of ${figures.posted} arrived within ${SETTLE_MS / 1000} s of the load's end)`;
  return [
    `Alerts: every rule on ${cost.desks.toLocaleString('en')} desks in ${cost.evaluationMs} ms; their ${cost.units.toLocaleString('en')} units with their domains in ${cost.unitsMs} ms (every five minutes); a sweep in ${cost.sweepMs} ms (${cost.openAlerts} alerts open).`,
    `  Ratings ${cost.ratingsWith} req/s with alerts evaluated as they arrive, ${cost.ratingsWithout} req/s without (${Math.round((100 * cost.ratingsWith) / Math.max(1, cost.ratingsWithout))}%; medians of ${ROUNDS} alternating rounds of ${cost.loadSeconds} s: ${cost.rounds.with.join(', ')} with, ${cost.rounds.without.join(', ')} without).`,
    `  At a steady ${OFFERED_RATE} ratings/s: p50 ${cost.steadyWith.p50} ms, p99 ${cost.steadyWith.p99} ms with alerts; p50 ${cost.steadyWithout.p50} ms, p99 ${cost.steadyWithout.p99} ms without.`,
    `  CPU per rating at saturation, server + PostgreSQL: ${cost.cpuWith.server} + ${cost.cpuWith.database} µs with alerts, ${cost.cpuWithout.server} + ${cost.cpuWithout.database} µs without.`,
    `  Under that load, serious comment in → signed webhook out: ${latency(cost.latency)}.`,
    `  Burst of unhappy ratings in → spike webhook out: ${latency(cost.spikeLatency)}.`,
  ].join('\n');
}

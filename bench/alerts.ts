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
  /** Ratings per second taken by a server without alerts, and by one evaluating them as they arrive. */
  ratingsWithout: number;
  ratingsWith: number;
  /** From posting a rating with a serious comment to its signed webhook arriving, under that load (ms). */
  latency: { samples: number; p50: number; p99: number; max: number; posted: number; undelivered: number };
}

const percentile = (values: number[], p: number) =>
  [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor((p / 100) * values.length))] ?? 0;

const ALL = { rateLimit: { perSource: 1e9, perKiosk: 1e9, windowSeconds: 600 } };

/**
 * The cost of alerts at national scale: a rating at each of 5,000 desks evaluated at once
 * (every rule, units and domains up to the country), one sweep, and the ratings a server
 * takes per second with and without evaluating alerts as they arrive; meanwhile a rating
 * with a serious comment is posted every half second and timed until its webhook arrives.
 */
export async function measureAlerts(db: Db, url: string, units: NationalUnits, seconds: number): Promise<AlertCost> {
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

  const driven = units.desks.flatMap((desk) =>
    desk.domains.map((domain) => ({ code: desk.code, domain: units.domainCodes.get(domain)! })),
  );
  const drive = async (env: Record<string, string>, probe: boolean) => {
    // The run without alerts leaves its ratings unevaluated: a platform that evaluates as
    // ratings arrive never has such a backlog, so the run with alerts starts after it.
    if (probe) await evaluateFromNow();
    const server = await startServerProcess('server/main.ts', {
      DATABASE_URL: url,
      SEED_DEMO: 'false',
      LOG_LEVEL: 'warn',
      // Every request comes from 127.0.0.1: the limit is counted as always, and never reached.
      RATE_LIMIT_PER_SOURCE: '1000000000',
      ...env,
    });
    try {
      await loadRatings(server.url, { connections: 50, seconds: 2, desks: driven, keyPrefix: 'alerts-warm' }, () => {});
      let stop = false;
      const probing = probe
        ? probeLatency(db, server.url, units, () => stop)
        : Promise.resolve({ latencies: [], posted: 0 });
      const load = await loadRatings(
        server.url,
        { connections: 50, seconds, desks: driven, keyPrefix: `alerts-${probe ? 'with' : 'without'}` },
        () => {},
      );
      stop = true;
      return { requestsPerSecond: load.requestsPerSecond, probes: await probing };
    } finally {
      await server.stop();
    }
  };
  const without = await drive({ ALERTS: 'false' }, false);
  const withAlerts = await drive({}, true);
  const { latencies, posted } = withAlerts.probes;
  return {
    desks: desks.length,
    evaluationMs: Math.round(evaluationMs),
    unitsMs: Math.round(unitsMs),
    units: evaluated.deferred!.unitIds.length,
    sweepMs: Math.round(sweepMs),
    openAlerts,
    ratingsWithout: without.requestsPerSecond,
    ratingsWith: withAlerts.requestsPerSecond,
    latency: {
      samples: latencies.length,
      p50: Math.round(percentile(latencies, 50)),
      p99: Math.round(percentile(latencies, 99)),
      max: Math.round(Math.max(0, ...latencies)),
      posted,
      undelivered: posted - latencies.length,
    },
  };
}

/**
 * Posts serious comments every half second until stopped; resolves with each one's time to
 * its webhook (ms) among those that arrived within 30 s of the load's end, and how many were posted.
 */
async function probeLatency(
  db: Db,
  baseUrl: string,
  units: NationalUnits,
  stopped: () => boolean,
): Promise<{ latencies: number[]; posted: number }> {
  const sentAt = new Map<number, number>();
  const latencies: number[] = [];
  let posted = 0;
  const receiver = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const arrived = performance.now();
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
        event: string;
        alert: { rule: string; ratingId: number | null };
      };
      const sent = body.alert.ratingId === null ? undefined : sentAt.get(body.alert.ratingId);
      if (body.event === 'alert.fired' && body.alert.rule === 'serious_comment' && sent !== undefined) {
        latencies.push(arrived - sent);
        sentAt.delete(body.alert.ratingId!);
      }
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', () => resolve()));
  const desk = units.desks[0]!;
  const hook = await db
    .insertInto('alert_webhook')
    .values({
      unit_id: desk.unitId,
      url: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/`,
      secret: 'bench',
      created_by: null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  try {
    while (!stopped()) {
      const started = performance.now();
      const response = await fetch(`${baseUrl}/api/v1/public/responses`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          deskCode: desk.code,
          domain: units.domainCodes.get(desk.domains[0]!),
          questionnaireId: 'quick-1',
          answers: { overall: 1 },
          comment: 'Cán bộ nhũng nhiễu, đòi bồi dưỡng',
          language: 'vi',
          channel: 'qr',
          idempotencyKey: `alerts-probe-${randomUUID()}`,
        }),
      });
      if (response.status === 201) {
        sentAt.set(((await response.json()) as { id: number }).id, started);
        posted++;
      } else await response.arrayBuffer();
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    // The last probes' webhooks, for at most 30 seconds.
    const deadline = performance.now() + 30_000;
    while (sentAt.size > 0 && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    return { latencies, posted };
  } finally {
    await db.updateTable('alert_webhook').set({ active: false }).where('id', '=', hook.id).execute();
    await new Promise((resolve) => receiver.close(resolve));
  }
}

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
      name: 'rating in → webhook out, p99 under load',
      measured:
        cost.latency.undelivered > 0
          ? `${cost.latency.undelivered} of ${cost.latency.posted} not within 30 s`
          : `${cost.latency.p99} ms (${cost.latency.samples} samples)`,
      limit: '≤ 15,000 ms',
      met: cost.latency.samples > 0 && cost.latency.undelivered === 0 && cost.latency.p99 <= 15_000,
    },
  ];
}

export function describeAlerts(cost: AlertCost): string {
  return [
    `Alerts: every rule on ${cost.desks.toLocaleString('en')} desks in ${cost.evaluationMs} ms; their ${cost.units.toLocaleString('en')} units with their domains in ${cost.unitsMs} ms (every five minutes); a sweep in ${cost.sweepMs} ms (${cost.openAlerts} alerts open).`,
    `  Ratings ${cost.ratingsWith} req/s with alerts evaluated as they arrive, ${cost.ratingsWithout} req/s without (${Math.round((100 * cost.ratingsWith) / Math.max(1, cost.ratingsWithout))}%).`,
    `  Rating in → signed webhook out, under that load: p50 ${cost.latency.p50} ms, p99 ${cost.latency.p99} ms, max ${cost.latency.max} ms (${cost.latency.samples} of ${cost.latency.posted} serious comments arrived within 30 s of the load's end).`,
  ].join('\n');
}

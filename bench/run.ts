import { SingleBar } from 'cli-progress';
import { spawn } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { sql } from 'kysely';
import { connectDatabase } from '../server/db/connect.ts';
import type { Db } from '../server/db/database.ts';
import { startEmbeddedPostgres } from '../server/db/embedded-postgres.ts';
import { migrateToLatest } from '../server/db/migrate.ts';
import { rebuildRollups } from '../server/rollups/fold.ts';
import { vietnamMidnight, vietnamMonth } from '../server/time/vietnam-time.ts';
import { chooseBrowser } from '../test/browser/browser.ts';
import { startServerProcess, type ServerProcess } from '../test/server-process.ts';
import { cpuSeconds, ownCpuSeconds, postgresCpuSeconds } from './cpu.ts';
import { loadRatings as driveRatings, type LoadOptions, type LoadResult } from './ingestion.ts';
import { createNationalUnits, loadRatings, type NationalUnits } from './national-data.ts';
import { SLOW_PHONE, timeCitizenPage, type PageTimings } from './page.ts';
import { alertBudgets, describeAlerts, measureAlerts } from './alerts.ts';
import { describeHostile, hostileBudgets, measureHostile } from './hostile.ts';
import { describeRecovery, measureRecovery, recoveryBudgets, type Recovery } from './recovery.ts';
import { timeDocuments, type DocumentTimings } from './documents.ts';
import { measurePlanReading, planReadingBudgets, printPlanReading } from './plan-reading.ts';
import { timeReports, type ReportTimings } from './reports.ts';
import {
  measureScorecardCost,
  measureScorecardThroughput,
  type ScorecardCost,
  type ScorecardThroughput,
} from './scorecard.ts';

type Timings = ReportTimings & DocumentTimings;

/**
 * `npm run bench [-- --quick]`: the platform's speed at national scale, on its own
 * embedded PostgreSQL in bench/data. Every machine-dependent figure is set against a
 * baseline measured in the same run; the budgets are printed as met or not, and the
 * whole result is written to bench/results/.
 */

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const quick = process.argv.includes('--quick');
/** `--only=alerts`: the national data, then the alerts' figures alone (while working on them). */
const onlyAlerts = process.argv.includes('--only=alerts');
const plan = quick
  ? { scales: [1_000_000], ingestSeconds: 10, warmUpSeconds: 2, reportRuns: 30, pageRuns: 7 }
  : { scales: [1_000_000, 10_000_000], ingestSeconds: 20, warmUpSeconds: 3, reportRuns: 100, pageRuns: 7 };
const CONNECTIONS = [50, 200];
const PG_DATA_DIR = path.join(root, 'bench/data/pg');

const started = performance.now();
const elapsed = () => `${((performance.now() - started) / 1000).toFixed(0)} s`;
const say = (message: string) => console.log(`[${elapsed()}] ${message}`);

function progressBar(title: string, unit: string): SingleBar {
  return new SingleBar({
    format: `  ${title.padEnd(26)} [{bar}] {percentage}% | {value}/{total} ${unit} | {duration_formatted}`,
    barsize: 30,
    hideCursor: true,
    noTTYOutput: true,
    notTTYSchedule: 10_000,
  });
}

function run(command: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`${command} ${args.join(' ')} failed:\n${output}`)),
    );
  });
}

/** A fresh, empty database on the bench's own embedded server. */
async function freshDatabase() {
  const server = await startEmbeddedPostgres({ dataDir: PG_DATA_DIR, database: 'postgres' });
  const admin = new pg.Client({ connectionString: server.adminUrl });
  await admin.connect();
  await admin.query('drop database if exists sipas_bench with (force)');
  await admin.query('create database sipas_bench');
  await admin.end();
  const url = new URL(server.url);
  url.pathname = '/sipas_bench';
  return { server, url: url.toString() };
}

async function loadScale(
  db: Db,
  pool: pg.Pool,
  units: NationalUnits,
  from: number,
  to: number,
): Promise<{ loadSeconds: number; rebuildSeconds: number }> {
  const loadStart = performance.now();
  const bar = progressBar(`ratings ${from.toLocaleString('en')}→${to.toLocaleString('en')}`, 'rows');
  bar.start((to - from) * 2, 0);
  let responses = 0;
  await loadRatings(db, pool, units, to - from, (phase, done) => {
    if (phase === 'responses') responses = done;
    bar.update(phase === 'responses' ? done : responses + done);
  });
  bar.stop();
  const loadSeconds = (performance.now() - loadStart) / 1000;
  say(`loaded in ${loadSeconds.toFixed(1)} s (COPY); recomputing the rollups`);
  const rebuildStart = performance.now();
  await rebuildRollups(db);
  await sql`vacuum analyze`.execute(db);
  return { loadSeconds, rebuildSeconds: (performance.now() - rebuildStart) / 1000 };
}

async function timeScale(db: Db, units: NationalUnits, ratings: number): Promise<Timings> {
  say(`timing the reports on ${ratings.toLocaleString('en')} ratings`);
  const reports = await timeReports(db, units, { runs: plan.reportRuns });
  say('timing the report documents of a province and of the country');
  return { ...reports, ...(await timeDocuments(db, units)) };
}

/** A load run with the CPU it cost per request, in µs, on each side. */
interface Measured extends LoadResult {
  cpuPerRequest: { server: number; database: number; loadGenerator: number };
}

interface Ingestion {
  bare: Measured[];
  full: Measured[];
  peakRssBytes: number;
  acknowledged: number;
  lost: number;
  duplicated: number;
  /** Committed, but the load generator had stopped listening when the answer came. */
  committedUnanswered: number;
  rollupsMatch: boolean;
  foldSeconds: number;
}

async function drive(
  server: ServerProcess,
  options: LoadOptions,
  label: string,
  withDatabase: boolean,
): Promise<Measured> {
  const bar = progressBar(label, 's');
  bar.start(options.seconds, 0);
  const cpu = () => ({
    server: cpuSeconds(server.pid),
    database: withDatabase ? postgresCpuSeconds(PG_DATA_DIR) : 0,
    loadGenerator: ownCpuSeconds(),
  });
  const before = cpu();
  const result = await driveRatings(server.url, options, (second) => bar.update(Math.min(second, options.seconds)));
  const after = cpu();
  bar.update(options.seconds);
  bar.stop();
  const requests = result.requestsPerSecond * options.seconds;
  const perRequest = (key: keyof typeof before) =>
    Math.round(((after[key] - before[key]) / Math.max(1, requests)) * 1e6);
  return {
    ...result,
    cpuPerRequest: {
      server: perRequest('server'),
      database: perRequest('database'),
      loadGenerator: perRequest('loadGenerator'),
    },
  };
}

async function measureIngestion(
  db: Db,
  url: string,
  units: NationalUnits,
  page: (server: ServerProcess) => Promise<PageTimings>,
): Promise<{ ingestion: Ingestion; page: PageTimings }> {
  const desks = units.desks.flatMap((desk) =>
    desk.domains.map((domain) => ({ code: desk.code, domain: units.domainCodes.get(domain)! })),
  );
  const full = await startServerProcess('server/main.ts', {
    DATABASE_URL: url,
    SEED_DEMO: 'false',
    LOG_LEVEL: 'warn',
    // Every request comes from 127.0.0.1: the limit is counted as always, and never reached.
    RATE_LIMIT_PER_SOURCE: '1000000000',
  });
  const bare = await startServerProcess('bench/bare-server.ts', {});
  const result: Pick<Ingestion, 'bare' | 'full'> = { bare: [], full: [] };
  const acknowledged: number[] = [];
  let measured: { ingestion: Ingestion; page: PageTimings };
  let exitCode: number | null;
  try {
    for (const connections of CONNECTIONS) {
      say(`ingestion at ${connections} connections: bare route, then the full path`);
      const load = (keyPrefix: string, seconds: number): LoadOptions => ({ connections, seconds, desks, keyPrefix });
      await drive(bare, load('warm', plan.warmUpSeconds), 'bare warm-up', false);
      const bareRun = await drive(bare, load('bare', plan.ingestSeconds), `bare route ×${connections}`, false);
      if (bareRun.errors > 0)
        throw new Error(`the bare route answered ${bareRun.errors} requests with errors: the baseline is not valid`);
      result.bare.push(bareRun);
      const warm = await drive(full, load(`live-w${connections}`, plan.warmUpSeconds), 'full warm-up', true);
      const fullRun = await drive(
        full,
        load(`live-${connections}`, plan.ingestSeconds),
        `full path ×${connections}`,
        true,
      );
      for (const id of [warm, fullRun].flatMap((run) => run.acknowledgedIds)) acknowledged.push(id);
      result.full.push(fullRun);
    }
    const peakRssBytes = full.peakRss();
    const counted = await countIngested(db, acknowledged);
    say('timing the citizen page on a throttled phone');
    measured = { ingestion: { ...result, peakRssBytes, ...counted }, page: await page(full) };
  } finally {
    await bare.stop();
    exitCode = await full.stop();
  }
  if (exitCode !== 0) throw new Error(`the server exited with ${exitCode} on SIGTERM:\n${full.output()}`);
  return measured;
}

/** Every acknowledged rating must be in the database exactly once, and in the rollups. */
async function countIngested(db: Db, acknowledgedIds: number[]) {
  const unique = new Set(acknowledgedIds);
  let found = 0;
  const ids = [...unique];
  for (let start = 0; start < ids.length; start += 50_000) {
    const chunk = ids.slice(start, start + 50_000);
    const row = await sql<{
      n: number;
    }>`select count(*)::int as n from response where id = any(${chunk}::bigint[])`.execute(db);
    found += row.rows[0]!.n;
  }
  const rows = await sql<{ rows: number; keys: number }>`
    select count(*)::int as rows, count(distinct idempotency_key)::int as keys from response where idempotency_key like 'live-%'
  `.execute(db);
  const { rows: total, keys } = rows.rows[0]!;

  const foldStart = performance.now();
  while ((await sql<{ n: number }>`select count(*)::int as n from rollup_pending`.execute(db)).rows[0]!.n > 0) {
    if (performance.now() - foldStart > 120_000) break;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  const foldSeconds = (performance.now() - foldStart) / 1000;
  const month = vietnamMonth(new Date());
  const check = await sql<{ raw: number; rolled: number }>`
    select
      (select count(*)::int from response where rated_at >= ${vietnamMidnight(month)}) as raw,
      (select coalesce(sum(n1 + n2 + n3 + n4 + n5), 0)::int from rollup_desk_month d join question q on q.id = d.question_id
        where q.role = 'overall' and d.month = ${month}) as rolled
  `.execute(db);
  return {
    acknowledged: unique.size,
    lost: unique.size - found,
    duplicated: acknowledgedIds.length - unique.size + (total - keys),
    committedUnanswered: total - found,
    rollupsMatch: check.rows[0]!.raw === check.rows[0]!.rolled,
    foldSeconds,
  };
}

export interface Budget {
  name: string;
  measured: string;
  limit: string;
  met: boolean;
}

function budgets(ingestion: Ingestion, page: PageTimings, reports: { ratings: number; timings: Timings }[]): Budget[] {
  const at50 = { bare: ingestion.bare[0]!, full: ingestion.full[0]! };
  const share = at50.full.requestsPerSecond / at50.bare.requestsPerSecond;
  const largest = reports.at(-1)!;
  const smallest = reports[0]!;
  const t = largest.timings;
  const list: Budget[] = [
    {
      name: 'ingestion ×50: share of bare-route throughput',
      measured: percent(share),
      limit: '≥ 70%',
      met: share >= 0.7,
    },
    { name: 'ingestion ×50: p99 latency', measured: `${at50.full.p99} ms`, limit: '≤ 30 ms', met: at50.full.p99 <= 30 },
    {
      name: 'ingestion: errors',
      measured: String(ingestion.full.reduce((sum, one) => sum + one.errors, 0)),
      limit: '0',
      met: ingestion.full.every((one) => one.errors === 0),
    },
    {
      name: 'ingestion: lost or duplicated ratings',
      measured: String(ingestion.lost + ingestion.duplicated),
      limit: '0',
      met: ingestion.lost + ingestion.duplicated === 0,
    },
    {
      name: 'server peak RSS under ingestion',
      measured: `${mb(ingestion.peakRssBytes)} MB`,
      limit: '≤ 250 MB',
      met: ingestion.peakRssBytes <= 250 * 1024 * 1024,
    },
  ];
  const scale = `${largest.ratings / 1_000_000}M`;
  const speedup = t.rawProvinceYearByDomain.p50 / t.provinceYearByDomain.p50;
  const countrySpeedup = t.rawCountryByProvince.p50 / t.countryByProvince.p50;
  list.push(
    {
      name: `reports ${scale}: province year vs raw scan`,
      measured: `${speedup.toFixed(0)}×`,
      limit: '≥ 20×',
      met: speedup >= 20,
    },
    {
      name: `reports ${scale}: country by province vs raw scan`,
      measured: `${countrySpeedup.toFixed(0)}×`,
      limit: '≥ 20×',
      met: countrySpeedup >= 20,
    },
    {
      name: `reports ${scale}: province year summary p95`,
      measured: `${t.provinceYearByDomain.p95} ms`,
      limit: '≤ 10 ms',
      met: t.provinceYearByDomain.p95 <= 10,
    },
    {
      name: `reports ${scale}: country by province p95`,
      measured: `${t.countryByProvince.p95} ms`,
      limit: '≤ 50 ms',
      met: t.countryByProvince.p95 <= 50,
    },
    {
      // Built in the background with progress; an official waits for it, so it must stay short.
      name: `reports ${scale}: the country's report document (DOCX) p50`,
      measured: `${(t.countryDocument.p50 / 1000).toFixed(1)} s`,
      limit: '≤ 30 s',
      met: t.countryDocument.p50 <= 30_000,
    },
  );
  if (largest !== smallest) {
    for (const key of ['provinceYearByDomain', 'countryByProvince', 'communeMonthlyTrend', 'provinceExport'] as const) {
      const growth = largest.timings[key].p50 / smallest.timings[key].p50;
      list.push({
        name: `reports: ${key} ${scale} vs 1M`,
        measured: `${growth.toFixed(2)}×`,
        limit: '< 2×',
        met: growth < 2,
      });
    }
  }
  const faceRatio = page.surveyFirstFace / page.staticFirstPaint;
  list.push(
    {
      name: 'survey page: gzipped JS',
      measured: `${kb(page.bytes.jsGzip)} KB`,
      limit: '≤ 30 KB',
      met: page.bytes.jsGzip <= 30 * 1024,
    },
    {
      name: 'survey page: first face vs static first paint',
      measured: `${faceRatio.toFixed(2)}×`,
      limit: '≤ 1.5×',
      met: faceRatio <= 1.5,
    },
  );
  return list;
}

const percent = (value: number) => `${(value * 100).toFixed(0)}%`;
const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(0);
const kb = (bytes: number) => (bytes / 1024).toFixed(1);

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  return rows
    .map(
      (row) =>
        `  ${row.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join('  ')}`,
    )
    .join('\n');
}

function scorecardBudgets(costs: ScorecardCost[], throughput: ScorecardThroughput): Budget[] {
  const largest = costs.at(-1)!;
  const share = throughput.page.requestsPerSecond / throughput.staticFile.requestsPerSecond;
  return [
    {
      name: 'scorecard page ×50: share of a static file of the same bytes',
      measured: percent(share),
      limit: '≥ 50%',
      met: share >= 0.5,
    },
    {
      name: `scorecard: province page computed ${largest.ratings / 1_000_000}M p95`,
      measured: `${largest.page.p95} ms`,
      limit: '≤ 50 ms',
      met: largest.page.p95 <= 50,
    },
  ];
}

function report(
  ingestion: Ingestion,
  page: PageTimings,
  reports: { ratings: number; timings: Timings }[],
  recovery: Recovery,
  list: Budget[],
  scorecard: { costs: ScorecardCost[]; throughput: ScorecardThroughput },
) {
  console.log(
    '\nIngestion: POST /api/v1/public/responses, full path vs a bare Hono route with the same zod validation',
  );
  console.log(
    table([
      [
        'connections',
        'bare req/s',
        'full req/s',
        'full/bare',
        'bare p50/p99',
        'full p50/p99',
        'errors',
        'CPU µs/request: bare',
        'full server',
        'database',
        'load generator',
      ],
      ...CONNECTIONS.map((connections, index) => {
        const bare = ingestion.bare[index]!;
        const full = ingestion.full[index]!;
        return [
          String(connections),
          String(bare.requestsPerSecond),
          String(full.requestsPerSecond),
          percent(full.requestsPerSecond / bare.requestsPerSecond),
          `${bare.p50}/${bare.p99} ms`,
          `${full.p50}/${full.p99} ms`,
          String(full.errors),
          String(bare.cpuPerRequest.server),
          String(full.cpuPerRequest.server),
          String(full.cpuPerRequest.database),
          String(full.cpuPerRequest.loadGenerator),
        ];
      }),
    ]),
  );
  console.log(
    `  ${ingestion.acknowledged.toLocaleString('en')} ratings acknowledged, ${ingestion.lost} lost, ${ingestion.duplicated} duplicated; ` +
      `${ingestion.committedUnanswered} more committed while the load generator was stopping; rollups ${ingestion.rollupsMatch ? 'match' : 'DO NOT match'} the rows (folded within ${ingestion.foldSeconds.toFixed(1)} s); peak RSS ${mb(ingestion.peakRssBytes)} MB`,
  );

  console.log('\nReports (ms, p50 / p95), against the same slice computed from the raw ratings');
  const names: [keyof Timings, string, keyof Timings | undefined][] = [
    ['provinceYearByDomain', 'province year by domain, with targets', 'rawProvinceYearByDomain'],
    ['countryByProvince', 'country by province', 'rawCountryByProvince'],
    ['communeMonthlyTrend', "one commune's monthly trend", undefined],
    ['provinceExport', "a province's XLSX export", undefined],
    ['countryExport', "the country's XLSX export", undefined],
    ['provinceDocument', "a province's report document (DOCX)", undefined],
    ['countryDocument', "the country's report document (DOCX)", undefined],
  ];
  console.log(
    table([
      ['query', ...reports.flatMap(({ ratings }) => [`${ratings / 1_000_000}M p50/p95`, `raw scan`, `raw/rollup`])],
      ...names.map(([key, label, raw]) => [
        label,
        ...reports.flatMap(({ timings }) => [
          `${timings[key].p50} / ${timings[key].p95}`,
          raw ? String(timings[raw].p50) : '',
          raw ? `${(timings[raw].p50 / timings[key].p50).toFixed(0)}×` : '',
        ]),
      ]),
    ]),
  );

  console.log(
    `\nCitizen page on a phone: CPU ${SLOW_PHONE.cpuSlowdown}× slower, ${SLOW_PHONE.latencyMs} ms latency, ${SLOW_PHONE.downloadKbps} kbit/s down (median of ${page.runs})`,
  );
  console.log(
    table([
      ['page', 'JS gz', 'CSS gz', 'HTML gz', 'on the wire', 'first paint', 'first face', 'vs static paint'],
      [
        `static page, same bytes (the limit; ${kb(page.staticRawBytes)} KB of text)`,
        '',
        '',
        '',
        `${kb(page.staticTransferred)} KB`,
        `${page.staticFirstPaint} ms`,
        '',
        '1.00×',
      ],
      [
        'static page of one paragraph (latency alone)',
        '',
        '',
        '',
        '',
        `${page.floorFirstPaint} ms`,
        '',
        `${(page.floorFirstPaint / page.staticFirstPaint).toFixed(2)}×`,
      ],
      [
        'survey of a desk',
        `${kb(page.bytes.jsGzip)} KB`,
        `${kb(page.bytes.cssGzip)} KB`,
        `${kb(page.bytes.htmlGzip)} KB`,
        `${kb(page.surveyTransferred)} KB`,
        `${page.surveyFirstPaint} ms`,
        `${page.surveyFirstFace} ms`,
        `${(page.surveyFirstFace / page.staticFirstPaint).toFixed(2)}×`,
      ],
    ]),
  );

  const { costs, throughput } = scorecard;
  console.log(
    `\nPublic scorecard of a province with its ${costs[0]!.units - 1} communes opted in: ${throughput.rawBytes.toLocaleString('en')} bytes of HTML, ${throughput.wireBytes.toLocaleString('en')} on the wire (brotli)`,
  );
  console.log(
    table([
      ['×50 connections, same server', 'req/s', 'p50/p99', 'errors'],
      ...(
        [
          ['page /p/<province>', throughput.page],
          ['static file, same bytes', throughput.staticFile],
          ['page revalidated (304)', throughput.revalidation],
        ] as const
      ).map(([label, run]) => [label, String(run.requestsPerSecond), `${run.p50}/${run.p99} ms`, String(run.errors)]),
    ]),
  );
  console.log(
    table([
      ['ratings', 'quarters released', 'release (s)', 'page computed p50 / p95 (ms)'],
      ...costs.map((cost) => [
        cost.ratings.toLocaleString('en'),
        String(cost.quarters),
        cost.releaseSeconds.toFixed(1),
        `${cost.page.p50} / ${cost.page.p95}`,
      ]),
    ]),
  );

  console.log(
    '\nRecovery: the embedded PostgreSQL killed with SIGKILL under retrying load, started again by the platform',
  );
  console.log(describeRecovery(recovery));

  console.log('\nBudgets');
  console.log(
    table([
      ['budget', 'measured', 'limit', ''],
      ...list.map((budget) => [budget.name, budget.measured, budget.limit, budget.met ? 'met' : 'NOT MET']),
    ]),
  );
}

async function main() {
  say(`${quick ? 'quick' : 'full'} run on ${os.cpus().length} cores, Node ${process.version}`);
  // Chosen (and the npm one unpacked) now rather than after minutes of loading data.
  say(`the citizen page is timed in ${(await chooseBrowser()).description}`);
  say('building the web app');
  await run('npm', ['run', 'build', '--silent']);
  say('starting the bench database (bench/data/pg)');
  const { server: postgres, url } = await freshDatabase();
  const db = connectDatabase(url);
  const pool = new pg.Pool({ connectionString: url, max: 2 });
  try {
    await migrateToLatest(db);
    say('creating 34 provinces, their communes, agencies and desks');
    const units = await createNationalUnits(db);
    say(`${units.desks.length.toLocaleString('en')} desks in ${units.provinces.length} provinces`);

    const reports: { ratings: number; timings: Timings; loadSeconds: number; rebuildSeconds: number }[] = [];
    const scorecards: ScorecardCost[] = [];
    let loaded = 0;
    const loadAndTime = async (ratings: number) => {
      const times = await loadScale(db, pool, units, loaded, ratings);
      loaded = ratings;
      reports.push({ ratings, ...times, timings: await timeScale(db, units, ratings) });
      say(`releasing a province's public scorecards on ${ratings.toLocaleString('en')} ratings`);
      scorecards.push(await measureScorecardCost(db, units, ratings, plan.reportRuns));
    };
    if (onlyAlerts) {
      await loadScale(db, pool, units, 0, plan.scales[0]!);
      say('alert rules on 5,000 desks, ratings with and without alerts, rating in → webhook out');
      const alerts = await measureAlerts(db, url, PG_DATA_DIR, units, 2 * plan.ingestSeconds);
      console.log(
        table([
          ['budget', 'measured', 'limit', ''],
          ...alertBudgets(alerts).map((budget) => [
            budget.name,
            budget.measured,
            budget.limit,
            budget.met ? 'met' : 'NOT MET',
          ]),
        ]),
      );
      console.log(describeAlerts(alerts));
      return;
    }
    await loadAndTime(plan.scales[0]!);
    say('driving a public scorecard page and a static file of the same bytes');
    const scorecardThroughput = await measureScorecardThroughput(url, units, db, quick ? 4 : 8);

    const { ingestion, page } = await measureIngestion(db, url, units, (server) => {
      const bar = progressBar('page loads', 'pairs');
      bar.start(plan.pageRuns, 0);
      // A desk with one domain, such as a hospital's, opens on the faces.
      const desk = units.desks.find((candidate) => candidate.domains.length === 1)!;
      return timeCitizenPage(server.url, desk.code, plan.pageRuns, (done) => bar.update(done)).finally(() =>
        bar.stop(),
      );
    });

    say('killing the embedded PostgreSQL of a platform under load, three times');
    const recovery = await measureRecovery();

    say('poison senders beside honest ratings, then exports while /healthz is timed');
    const hostile = await measureHostile(db, url, units, plan.ingestSeconds);

    say('alert rules on 5,000 desks, ratings with and without alerts, rating in → webhook out');
    const alerts = await measureAlerts(db, url, PG_DATA_DIR, units, 2 * plan.ingestSeconds);

    say('timing plan extraction, and /healthz while plans are read');
    const planReading = await measurePlanReading(db, url);

    for (const ratings of plan.scales.slice(1)) await loadAndTime(ratings);

    const list = [
      ...budgets(ingestion, page, reports),
      ...scorecardBudgets(scorecards, scorecardThroughput),
      ...recoveryBudgets(recovery),
      ...hostileBudgets(hostile),
      ...alertBudgets(alerts),
      ...planReadingBudgets(planReading),
    ];
    report(ingestion, page, reports, recovery, list, { costs: scorecards, throughput: scorecardThroughput });
    console.log(describeHostile(hostile));
    console.log(describeAlerts(alerts));
    printPlanReading(planReading);
    const file = path.join(
      root,
      'bench/results',
      `${new Date().toISOString().replace(/[:.]/g, '-')}${quick ? '-quick' : ''}.json`,
    );
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(
      file,
      `${JSON.stringify({ mode: quick ? 'quick' : 'full', at: new Date().toISOString(), machine: { cores: os.cpus().length, model: os.cpus()[0]?.model, memoryBytes: os.totalmem(), node: process.version }, ingestion, reports, page, scorecard: { costs: scorecards, throughput: scorecardThroughput }, recovery, hostile, alerts, planReading, budgets: list }, (key, value: unknown) => (key === 'acknowledgedIds' ? undefined : value), 2)}\n`,
    );
    say(
      `written to ${path.relative(root, file)}; ${list.filter((budget) => !budget.met).length} of ${list.length} budgets not met`,
    );
  } finally {
    await db.destroy();
    await pool.end();
    await postgres.stop();
  }
}

await main();

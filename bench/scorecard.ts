import autocannon from 'autocannon';
import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { sql } from 'kysely';
import type { Db } from '../server/db/database.ts';
import { releaseDue } from '../server/scorecard/release.ts';
import {
  buildScorecard,
  findPublicUnit,
  latestQuarter,
  releasedPeriods,
  yearOfQuarter,
} from '../server/scorecard/scorecard.ts';
import { webRoot } from '../server/web-app/web-app.routes.ts';
import { startServerProcess } from '../test/server-process.ts';
import type { NationalUnits } from './national-data.ts';
import { time, type Timing } from './reports.ts';

/**
 * The public scorecard under public traffic: what a province's page costs to compute from
 * the releases at the loaded scale, what releasing every quarter costs for a province
 * whose communes all opted in, and how many requests a second the page sustains against
 * a static file of the same bytes served by the same server.
 */

export interface ScorecardCost {
  ratings: number;
  /** Opted-in units in the province's family. */
  units: number;
  quarters: number;
  /** Releasing every quarter of the loaded years, the first time. */
  releaseSeconds: number;
  /** Building the page's figures (the quarter and the year so far) without the cache. */
  page: Timing;
}

export interface Throughput {
  requestsPerSecond: number;
  p50: number;
  p99: number;
  errors: number;
}

export interface ScorecardThroughput {
  /** The page's HTML as sent (brotli), and as written. */
  wireBytes: number;
  rawBytes: number;
  page: Throughput;
  staticFile: Throughput;
  /** A client revalidating with the page's ETag: 304 without a body. */
  revalidation: Throughput;
}

/** The province whose scorecard is measured, with all its communes opted in. */
const provinceOf = (units: NationalUnits) => units.provinces[5]!;

export async function measureScorecardCost(
  db: Db,
  units: NationalUnits,
  ratings: number,
  runs: number,
): Promise<ScorecardCost> {
  const province = provinceOf(units);
  const family = [province.id, ...province.communes];
  // Each scale is released from scratch, as a platform upgraded onto that much history would.
  await sql`truncate scorecard_figure, scorecard_release`.execute(db);
  await db.updateTable('unit').set({ public_scorecard: true }).where('id', 'in', family).execute();
  const start = performance.now();
  const quarters = await releaseDue(db);
  const releaseSeconds = (performance.now() - start) / 1000;
  const code = await db.selectFrom('unit').select('code').where('id', '=', province.id).executeTakeFirstOrThrow();
  const unit = (await findPublicUnit(db, code.code))!;
  const page = await time(async () => {
    const periods = await releasedPeriods(db, unit.id);
    const quarter = latestQuarter(periods)!;
    const year = yearOfQuarter(quarter, periods);
    await Promise.all([
      buildScorecard(db, unit, quarter, 'http://bench'),
      year ? buildScorecard(db, unit, year, 'http://bench') : undefined,
    ]);
  }, runs);
  return { ratings, units: family.length, quarters: quarters.length, releaseSeconds, page };
}

async function drive(url: string, seconds: number, headers: Record<string, string>): Promise<Throughput> {
  const result = await autocannon({ url, connections: 50, duration: seconds, headers });
  return {
    requestsPerSecond: Math.round(result.requests.average),
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.non2xx + result.errors + result.timeouts - (headers['if-none-match'] ? result['3xx'] : 0),
  };
}

/**
 * Serves the province's page and a static file holding the very same HTML (written among
 * the built assets with its precompressed copies, as the platform serves its assets) from
 * one platform process, and drives each with 50 connections, three rounds each.
 */
export async function measureScorecardThroughput(
  databaseUrl: string,
  units: NationalUnits,
  db: Db,
  seconds: number,
): Promise<ScorecardThroughput> {
  const code = await db
    .selectFrom('unit')
    .select('code')
    .where('id', '=', provinceOf(units).id)
    .executeTakeFirstOrThrow();
  const server = await startServerProcess('server/main.ts', {
    DATABASE_URL: databaseUrl,
    SEED_DEMO: 'false',
    LOG_LEVEL: 'warn',
  });
  const file = path.join(webRoot, 'assets', 'bench-scorecard-static.html');
  try {
    const pageUrl = `${server.url}/p/${code.code}`;
    const answer = await fetch(pageUrl, { headers: { 'accept-encoding': 'br' } });
    const html = await answer.text();
    if (answer.status !== 200) throw new Error(`the scorecard page answered ${answer.status}: ${html.slice(0, 200)}`);
    const etag = answer.headers.get('etag')!;
    const brotli = brotliCompressSync(html, { params: { [constants.BROTLI_PARAM_QUALITY]: 9 } });
    await writeFile(file, html);
    await writeFile(`${file}.br`, brotli);
    await writeFile(`${file}.gz`, gzipSync(html, { level: 9 }));
    const headers = { 'accept-encoding': 'br' };
    // Rounds alternate between the three, so that a noisy neighbour on the machine weighs
    // on each alike; the median round of each counts.
    const runs: Record<'page' | 'staticFile' | 'revalidation', Throughput[]> = {
      page: [],
      staticFile: [],
      revalidation: [],
    };
    for (let round = 0; round < 3; round++) {
      runs.page.push(await drive(pageUrl, seconds, headers));
      runs.staticFile.push(await drive(`${server.url}/assets/bench-scorecard-static.html`, seconds, headers));
      runs.revalidation.push(await drive(pageUrl, seconds, { ...headers, 'if-none-match': etag }));
    }
    const median = (list: Throughput[]) =>
      [...list].sort((a, b) => a.requestsPerSecond - b.requestsPerSecond)[Math.floor(list.length / 2)]!;
    return {
      wireBytes: brotli.length,
      rawBytes: Buffer.byteLength(html),
      page: median(runs.page),
      staticFile: median(runs.staticFile),
      revalidation: median(runs.revalidation),
    };
  } finally {
    await Promise.all([file, `${file}.br`, `${file}.gz`].map((name) => rm(name, { force: true })));
    await server.stop();
  }
}

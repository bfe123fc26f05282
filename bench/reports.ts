import { sql } from 'kysely';
import type { Db } from '../server/db/database.ts';
import { exportWorkbook } from '../server/reports/export.ts';
import { parsePeriod } from '../server/reports/periods.ts';
import { breakdown, trend } from '../server/reports/report.ts';
import { vietnamMidnight } from '../server/time/vietnam-time.ts';
import type { NationalUnits } from './national-data.ts';

export interface Timing {
  p50: number;
  p95: number;
  runs: number;
}

/** Runs `task` after a warm-up and gives the median and 95th percentile in milliseconds. */
export async function time(task: () => Promise<unknown>, runs: number): Promise<Timing> {
  await task();
  const samples: number[] = [];
  for (let run = 0; run < runs; run++) {
    const start = performance.now();
    await task();
    samples.push(performance.now() - start);
  }
  samples.sort((a, b) => a - b);
  const at = (q: number) => samples[Math.min(samples.length - 1, Math.ceil(q * samples.length) - 1)]!;
  return { p50: round(at(0.5)), p95: round(at(0.95)), runs };
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}

/**
 * The same slice as the province's year by domain, computed the way it would be without
 * rollups: by scanning the raw ratings of every unit of the province.
 */
export function rawProvinceYearByDomain(db: Db, provinceId: number, year: number) {
  const period = parsePeriod(String(year))!;
  return sql`
    select r.domain_id, count(*) filter (where a.score >= 4) as satisfied, count(*) as n
    from unit_closure c
    join response r on r.unit_id = c.unit_id and r.rated_at >= ${vietnamMidnight(period.from)} and r.rated_at < ${vietnamMidnight(period.to)}
    join response_answer a on a.response_id = r.id
    join question q on q.id = a.question_id and q.role = 'overall'
    where c.ancestor_id = ${provinceId}
    group by r.domain_id
  `.execute(db);
}

export interface ReportTimings {
  provinceYearByDomain: Timing;
  rawProvinceYearByDomain: Timing;
  countryByProvince: Timing;
  rawCountryByProvince: Timing;
  communeMonthlyTrend: Timing;
  provinceExport: Timing;
}

/** Times the main report queries on the loaded data, for the year before this one (full). */
export async function timeReports(db: Db, units: NationalUnits, options: { runs: number }): Promise<ReportTimings> {
  const year = new Date().getFullYear() - 1;
  const period = parsePeriod(String(year))!;
  const province = units.provinces[5]!;
  const commune = province.communes[10]!;
  // Summed per unit first, then per province: the planner's best shape for a whole-country scan.
  const rawCountry = () =>
    sql`
    select c.ancestor_id, sum(per_unit.satisfied), sum(per_unit.n)
    from (
      select r.unit_id, count(*) filter (where a.score >= 4) as satisfied, count(*) as n
      from response r
      join response_answer a on a.response_id = r.id
      join question q on q.id = a.question_id and q.role = 'overall'
      where r.rated_at >= ${vietnamMidnight(period.from)} and r.rated_at < ${vietnamMidnight(period.to)}
      group by r.unit_id
    ) per_unit
    join unit_closure c on c.unit_id = per_unit.unit_id
    join unit u on u.id = c.ancestor_id
    where u.parent_id = ${units.countryId}
    group by c.ancestor_id
  `.execute(db);
  return {
    provinceYearByDomain: await time(() => breakdown(db, province.id, period, 'domain'), options.runs),
    rawProvinceYearByDomain: await time(
      () => rawProvinceYearByDomain(db, province.id, year),
      Math.max(3, Math.floor(options.runs / 5)),
    ),
    countryByProvince: await time(() => breakdown(db, units.countryId, period, 'subunit'), options.runs),
    rawCountryByProvince: await time(rawCountry, 3),
    communeMonthlyTrend: await time(() => trend(db, commune, period), options.runs),
    provinceExport: await time(
      () => exportWorkbook(db, province.id, period),
      Math.max(3, Math.floor(options.runs / 5)),
    ),
  };
}

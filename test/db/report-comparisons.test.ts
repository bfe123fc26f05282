import { beforeAll, describe, expect, it } from 'vitest';
import type { Desk } from '../../server/desks/desk.table.ts';
import { parsePeriod } from '../../server/reports/periods.ts';
import { breakdown, ranking, summary, trend } from '../../server/reports/report.ts';
import { foldAll } from '../../server/rollups/fold.ts';
import { mergeUnit } from '../../server/units/unit.repository.ts';
import type { Unit } from '../../server/units/unit.table.ts';
import { createTestDatabase } from '../database.ts';
import { domainIds, makeDesk, makeUnit, scoresOf, writeRatings } from '../factories.ts';

/**
 * Targets that flow down, peers ranked apart, and changes between periods, on a tree of a
 * country, a province with a commune, a ward, a special zone, a merged commune, an agency,
 * a hospital and a school, and a second province.
 */

const { db } = await createTestDatabase();
const q2 = parsePeriod('2026-Q2')!;

/** `satisfied` ratings of 4 and the rest of 2, out of `total`, all at `at` (Vietnam time). */
const rate = (desk: Desk, satisfied: number, total: number, at: string, domain = 'land') =>
  writeRatings(db, desk, { scores: scoresOf(satisfied, total), at, domain });

let country: Unit;
let province: Unit;
let commune: Unit;
let ward: Unit;
let zone: Unit;
let merged: Unit;
let agency: Unit;
let hospital: Unit;
let school: Unit;

beforeAll(async () => {
  country = await makeUnit(db, { kind: 'country', name: 'Toàn quốc' });
  province = await makeUnit(db, { kind: 'province', name: 'Tỉnh P', parent_id: country.id });
  await makeUnit(db, { kind: 'province', name: 'Tỉnh Q', parent_id: country.id });
  commune = await makeUnit(db, { kind: 'commune', name: 'Xã A', parent_id: province.id });
  ward = await makeUnit(db, { kind: 'ward', name: 'Phường W', parent_id: province.id });
  zone = await makeUnit(db, { kind: 'special_zone', name: 'Đặc khu Z', parent_id: province.id });
  merged = await makeUnit(db, { kind: 'commune', name: 'Xã M (cũ)', parent_id: province.id });
  agency = await makeUnit(db, { kind: 'agency', name: 'Sở Tài nguyên', parent_id: province.id });
  hospital = await makeUnit(db, {
    kind: 'agency',
    agency_sector: 'health',
    name: 'Bệnh viện tỉnh',
    parent_id: province.id,
  });
  school = await makeUnit(db, {
    kind: 'agency',
    agency_sector: 'education',
    name: 'Trường THPT',
    parent_id: province.id,
  });
  const desk = async (unit: Unit, domains = ['land']) => (await makeDesk(db, { unit, domains })).desk;

  // Xã A: 2025-Q2 330 of 400 (82.5%); 2026-Q1 300 of 400 (75%); 2026-Q2 324 of 400 (81%).
  const deskA = await desk(commune);
  await rate(deskA, 330, 400, '2025-05-10T09:00:00+07:00');
  await rate(deskA, 300, 400, '2026-02-10T09:00:00+07:00');
  await rate(deskA, 324, 400, '2026-05-10T09:00:00+07:00');
  // Phường W: 2026-Q1 300 of 400; 2026-Q2 323 of 400 (80.75%).
  const deskW = await desk(ward);
  await rate(deskW, 300, 400, '2026-02-11T09:00:00+07:00');
  await rate(deskW, 323, 400, '2026-05-11T09:00:00+07:00');
  // Đặc khu Z: 2026-Q2 360 of 400 (90%).
  await rate(await desk(zone), 360, 400, '2026-05-12T09:00:00+07:00');
  // Xã M, 2026-Q1 only, then merged into A from 1 April 2026.
  await rate(await desk(merged), 200, 400, '2026-01-20T09:00:00+07:00');
  // Agencies: the Sở 380 of 400 (95%), the hospital 300 of 400 (75%) and 400 more, the school 9 of 10.
  await rate(await desk(agency), 380, 400, '2026-05-13T09:00:00+07:00');
  await rate(await desk(hospital, ['health']), 600, 800, '2026-05-14T09:00:00+07:00', 'health');
  await rate(await desk(school, ['education']), 9, 10, '2026-05-15T09:00:00+07:00', 'education');
  await foldAll(db);
  await db.transaction().execute((trx) => mergeUnit(trx, merged.id, commune.id, '2026-04-01'));

  const [land, health] = await domainIds(db, ['land', 'health']);
  await db
    .insertInto('target')
    .values([
      { unit_id: country.id, year: 2026, metric: 'agency_service', domain_id: null, threshold: 80 },
      { unit_id: province.id, year: 2026, metric: 'tthc', domain_id: null, threshold: 80 },
      { unit_id: province.id, year: 2026, metric: 'domain', domain_id: land!, threshold: 85 },
      { unit_id: province.id, year: 2026, metric: 'domain', domain_id: health!, threshold: 90 },
      { unit_id: commune.id, year: 2026, metric: 'tthc', domain_id: null, threshold: 95 },
      // The merged commune's own plan ended with it: its successor never takes it.
      { unit_id: merged.id, year: 2026, metric: 'domain', domain_id: land!, threshold: 70 },
    ])
    .execute();
});

const byMetric = <T extends { metric: string; domain: { code: string } | null }>(targets: T[]) =>
  Object.fromEntries(targets.map((target) => [`${target.metric}:${target.domain?.code ?? ''}`, target]));

describe('targets flow down the tree', () => {
  it('a commune keeps its own target and takes the province’s and the country’s where it has none', async () => {
    const targets = byMetric((await summary(db, commune.id, q2)).targets);
    expect(Object.keys(targets).sort()).toEqual(['agency_service:', 'domain:health', 'domain:land', 'tthc:']);
    // Its own TTHC target, 95: 324 of 400 = 81%, Wilson [76.87, 84.54], wholly below → not met.
    expect(targets['tthc:']).toMatchObject({ threshold: 95, inheritedFrom: null, result: { status: 'not_met' } });
    // Land from the province (not the merged commune's 70): 81%, upper bound 84.54 < 85 → not met.
    expect(targets['domain:land']).toMatchObject({
      threshold: 85,
      inheritedFrom: { unitId: province.id, name: 'Tỉnh P', kind: 'province' },
      result: { status: 'not_met', gap: -4 },
    });
    // Agency service from the country, through the province.
    expect(targets['agency_service:']).toMatchObject({
      threshold: 80,
      inheritedFrom: { unitId: country.id, name: 'Toàn quốc', kind: 'country' },
    });
  });

  it('a ward, an agency and a hospital are held to the province’s targets; the province to its own', async () => {
    for (const unit of [ward, agency, hospital]) {
      const targets = byMetric((await summary(db, unit.id, q2)).targets);
      expect(targets['tthc:'], unit.name).toMatchObject({ threshold: 80, inheritedFrom: { unitId: province.id } });
    }
    const own = byMetric((await summary(db, province.id, q2)).targets);
    expect(own['tthc:']).toMatchObject({ threshold: 80, inheritedFrom: null });
    // A unit of another province is held to nothing of P's.
    const elsewhere = await makeUnit(db, { kind: 'commune', parent_id: country.id });
    expect(byMetric((await summary(db, elsewhere.id, q2)).targets)['tthc:']).toBeUndefined();
  });

  it('a merged commune is held, for its own history, to the targets of the tree it belonged to', async () => {
    const q1 = parsePeriod('2026-Q1')!;
    const targets = byMetric((await summary(db, merged.id, q1)).targets);
    // Its own land target, the province's TTHC target — not its successor's 95.
    expect(targets['domain:land']).toMatchObject({ threshold: 70, inheritedFrom: null });
    expect(targets['tthc:']).toMatchObject({ threshold: 80, inheritedFrom: { unitId: province.id } });
  });

  it('domains, sub-units and desks say whose target each is held to', async () => {
    const domains = await breakdown(db, commune.id, q2, 'domain');
    expect(domains.find((row) => row.key === 'land')!.target).toMatchObject({
      metric: 'domain',
      threshold: 85,
      inheritedFrom: { name: 'Tỉnh P' },
    });
    const subunits = await breakdown(db, province.id, q2, 'subunit');
    const of = (unit: Unit) => subunits.find((row) => row.key === String(unit.id))!;
    expect(of(commune).target).toMatchObject({ metric: 'tthc', threshold: 95, inheritedFrom: null });
    expect(of(ward).target).toMatchObject({ threshold: 80, inheritedFrom: { unitId: province.id } });
    const desks = await breakdown(db, province.id, q2, 'desk');
    expect(desks.find((row) => row.parent === 'Xã A')!.target).toMatchObject({ threshold: 95, inheritedFrom: null });
    expect(desks.find((row) => row.parent === 'Phường W')!.target).toMatchObject({ threshold: 80 });
  });

  it('a domain without a target of its own is held to the unit’s TTHC target, and said to be', async () => {
    // Nobody set a target for education; the province's TTHC target of 80% flows down to the
    // school. Its 9 satisfied of 10 are far from enough ballots to be compared.
    const domains = await breakdown(db, school.id, q2, 'domain');
    expect(domains.find((row) => row.key === 'education')!.target).toMatchObject({
      metric: 'tthc',
      threshold: 80,
      inheritedFrom: { unitId: province.id },
      result: { status: 'not_enough_data' },
    });
  });

  it('the trend marks each month’s target with whose it is', async () => {
    const months = await trend(db, ward.id, q2);
    expect(months.map((month) => month.target)).toEqual(
      Array(3).fill({
        threshold: 80,
        comparison: 'gte',
        inheritedFrom: { unitId: province.id, name: 'Tỉnh P', kind: 'province' },
      }),
    );
  });
});

describe('rankings among peers', () => {
  it('ranks communes, wards and special zones together, agencies, hospitals and schools each apart', async () => {
    const rows = await ranking(db, province.id, q2);
    const line = (row: (typeof rows)[number]) => [row.name.vi, row.peerGroup, row.rank, row.peers];
    expect(rows.map(line)).toEqual([
      // Z 90% [86.67, 92.57], A 81% [76.87, 84.54], W 80.75% [76.60, 84.31]. M, closed before
      // the quarter, is not listed.
      ['Đặc khu Z', 'commune', 1, 3],
      ['Xã A', 'commune', 2, 3],
      ['Phường W', 'commune', 3, 3],
      ['Sở Tài nguyên', 'agency', 1, 1],
      ['Bệnh viện tỉnh', 'health', 1, 1],
      // 10 ballots: not enough to rank, and no school to rank it against.
      ['Trường THPT', 'education', null, 0],
    ]);
  });
});

describe('changes since the previous period and cùng kỳ, through the report', () => {
  it('the summary: rose since last quarter, no real change since the same quarter last year', async () => {
    const report = await summary(db, commune.id, q2);
    expect(report.comparedWith.previous!.key).toBe('2026-Q1');
    expect(report.comparedWith.lastYear!.key).toBe('2025-Q2');
    // A's Q1 holds the merged commune's history too: 300 + 200 = 500 of 800 = 62.5%.
    // 81% against 62.5%: d = 18.5 points; Wilson 324/400 [76.8676, 84.5426], 500/800 [59.0937, 65.7832]
    // low = 18.5 − √(4.1324² + 3.2832²) = 18.5 − 5.2778 = 13.22 → rose.
    expect(report.compared.overall.previous).toMatchObject({
      other: { share: 62.5, n: 800, enough: true },
      points: 18.5,
      verdict: 'rose',
    });
    expect(report.compared.overall.previous!.interval!.low).toBeCloseTo(13.22, 1);
    // 81% against 330/400 = 82.5%: −1.5 points, the interval holds zero.
    expect(report.compared.overall.lastYear).toMatchObject({ points: -1.5, verdict: 'no_change' });
    // The targets' figures carry the same changes.
    expect(byMetric(report.targets)['tthc:']!.compared.previous!.verdict).toBe('rose');
  });

  it('a sub-unit whose change interval just holds zero has no real change; one absent before has nothing to compare with', async () => {
    const rows = await breakdown(db, province.id, q2, 'subunit');
    // W: 323 of 400 against 300 of 400: low −0.0076 → no real change.
    const w = rows.find((row) => row.key === String(ward.id))!;
    expect(w.compared!.previous).toMatchObject({ points: 5.75, verdict: 'no_change' });
    expect(w.compared!.previous!.exact!.low).toBeCloseTo(-0.0076, 4);
    // A unit absent last period compares with nothing: not enough data.
    const z = rows.find((row) => row.key === String(zone.id))!;
    expect(z.compared!.previous).toMatchObject({ points: null, verdict: 'not_enough_data', other: { n: 0 } });
  });

  it('the trend marks the same month of last year', async () => {
    const [april, may] = await trend(db, commune.id, q2);
    expect(april!.figure.n).toBe(0);
    expect(may!.compared.lastYear).toMatchObject({ other: { share: 82.5, n: 400 }, points: -1.5 });
    expect(may!.compared.previous).toMatchObject({ other: { n: 0 }, verdict: 'not_enough_data' });
  });
});

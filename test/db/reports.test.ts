import fc from 'fast-check';
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Desk } from '../../server/desks/desk.table.ts';
import { parsePeriod } from '../../server/reports/periods.ts';
import { exportCsv } from '../../server/reports/export.ts';
import { breakdown, ranking, reasons, summary, trend } from '../../server/reports/report.ts';
import { figureOf } from '../../server/reports/statistics.ts';
import { writeBatch, type Submission } from '../../server/responses/write-batch.ts';
import { foldAll, foldPending } from '../../server/rollups/fold.ts';
import { scoreCounts } from '../../server/rollups/score-counts.ts';
import type { Unit } from '../../server/units/unit.table.ts';
import { mergeUnit } from '../../server/units/unit.repository.ts';
import { createTestDatabase } from '../database.ts';
import { domainIds, makeDesk, makeUnit, writeRatings } from '../factories.ts';

const { db } = await createTestDatabase();
const unlimited = { rateLimit: { perSource: 1e9, perKiosk: 1e9, windowSeconds: 600 } };
const q1 = parsePeriod('2026-Q1')!;

/** Writes ratings through the real path: one per score, all at `at` (Vietnam time). */
const rate = (desk: Desk, domain: string, scores: number[], at: string, extra: Partial<Submission['body']> = {}) =>
  writeRatings(db, desk, { scores, at, domain, body: extra });

const times = (count: number, score: number) => Array<number>(count).fill(score);

let province: Unit;
let communeA: Unit;
let communeB: Unit;
let deskA: Desk;

beforeAll(async () => {
  province = await makeUnit(db, { kind: 'province', name: 'Tỉnh P' });
  communeA = await makeUnit(db, { parent_id: province.id, name: 'Xã A' });
  communeB = await makeUnit(db, { parent_id: province.id, name: 'Xã B' });
  deskA = (await makeDesk(db, { unit: communeA, domains: ['land', 'health', 'education'] })).desk;
  const deskB = (await makeDesk(db, { unit: communeB, domains: ['land'] })).desk;

  // A, land: 380 × 5 and 20 × 2 → 95% satisfied. A, health: 342 × 4 and 58 × 1 → 85.5%.
  await rate(deskA, 'land', [...times(380, 5), ...times(20, 2)], '2026-01-15T09:00:00+07:00');
  await rate(deskA, 'health', [...times(342, 4), ...times(58, 1)], '2026-02-10T09:00:00+07:00');
  // B, land: 360 × 4 and 40 × 3 → 90%. A, education: 9 × 5 and 1 × 1 → 90% of only 10.
  await rate(deskB, 'land', [...times(360, 4), ...times(40, 3)], '2026-03-05T09:00:00+07:00');
  await rate(deskA, 'education', [...times(9, 5), 1], '2026-03-20T09:00:00+07:00');
  // Half of it folded into the rollups, half still pending: figures must not care.
  await foldAll(db);

  const [land, health, education, construction] = await domainIds(db, ['land', 'health', 'education', 'construction']);
  await db
    .insertInto('target')
    .values([
      { unit_id: province.id, year: 2026, metric: 'tthc', domain_id: null, threshold: 90 },
      { unit_id: province.id, year: 2026, metric: 'domain', domain_id: land!, threshold: 92 },
      { unit_id: province.id, year: 2026, metric: 'domain', domain_id: construction!, threshold: 85 },
      { unit_id: communeA.id, year: 2026, metric: 'domain', domain_id: land!, threshold: 90 },
      { unit_id: communeA.id, year: 2026, metric: 'domain', domain_id: health!, threshold: 90 },
      { unit_id: communeA.id, year: 2026, metric: 'domain', domain_id: education!, threshold: 80 },
      { unit_id: communeA.id, year: 2026, metric: 'tthc', domain_id: null, comparison: 'gt', threshold: 85 },
    ])
    .execute();
  // The province handled 1,000 dossiers a month in the first quarter.
  await db
    .insertInto('dossier_volume')
    .values(
      ['2026-01-01', '2026-02-01', '2026-03-01'].map((month) => ({ unit_id: province.id, month, dossiers: 1000 })),
    )
    .execute();
});

describe('report figures, worked out by hand', () => {
  it('the province summary against its targets', async () => {
    const report = await summary(db, province.id, q1);
    // All answers: 400 + 400 + 400 + 10 = 1210; satisfied 380 + 342 + 360 + 9 = 1091 → 90.17%.
    // N = 3 × 1000 = 3000 dossiers → n needed = 3000 / (1 + 3000 × 0.0025) = 352.9 → 353.
    // Wilson 1091 of 1210: [88.36, 91.72].
    expect(report.dossiers).toEqual({ count: 3000, missingMonths: [] });
    expect(report.overall).toMatchObject({ n: 1210, satisfied: 1091, share: 90.17, required: 353, enough: true });
    expect(report.overall.interval).toEqual({ low: 88.36, high: 91.72 });
    // Mean: (380·5 + 20·2 + 342·4 + 58·1 + 360·4 + 40·3 + 9·5 + 1·1) / 1210 = 4972 / 1210 = 4.11.
    expect(report.overall.mean).toBe(4.11);
    const byMetric = Object.fromEntries(
      report.targets.map((target) => [`${target.metric}:${target.domain?.code ?? ''}`, target]),
    );
    // TTHC ≥ 90: 90 lies inside [88.36, 91.72] → uncertain, gap +0.17.
    expect(byMetric['tthc:']!.result).toEqual({ status: 'uncertain', gap: 0.17 });
    // Land ≥ 92: A 380 + B 360 = 740 of 800 = 92.5%, Wilson [90.46, 94.13] → uncertain, gap +0.5.
    expect(byMetric['domain:land']!.figure).toMatchObject({
      n: 800,
      share: 92.5,
      interval: { low: 90.46, high: 94.13 },
    });
    expect(byMetric['domain:land']!.result).toEqual({ status: 'uncertain', gap: 0.5 });
    // Construction: no answers at all.
    expect(byMetric['domain:construction']!.result).toEqual({ status: 'not_enough_data', gap: null });
  });

  it('the commune split by domain: met, not met, not enough data', async () => {
    const rows = await breakdown(db, communeA.id, q1, 'domain');
    const byDomain = Object.fromEntries(rows.map((row) => [row.key, row]));
    // Land: 380 of 400 = 95%, Wilson [92.40, 96.74] ≥ 90 → met, +5 points.
    expect(byDomain.land!.figure).toMatchObject({
      n: 400,
      share: 95,
      mean: 4.85,
      interval: { low: 92.4, high: 96.74 },
      enough: true,
    });
    expect(byDomain.land!.target!.result).toEqual({ status: 'met', gap: 5 });
    // Health: 342 of 400 = 85.5%, [81.71, 88.61] < 90 → not met, −4.5 points.
    expect(byDomain.health!.target!.result).toEqual({ status: 'not_met', gap: -4.5 });
    // Education: 9 of 10 = 90%, far below the 400 answers needed: never compared.
    expect(byDomain.education!.figure).toMatchObject({ n: 10, share: 90, enough: false, required: 400 });
    expect(byDomain.education!.target!.result).toEqual({ status: 'not_enough_data', gap: 10 });
  });

  it('a domain is held to its unit’s N: the province’s 3,000 dossiers need 353 ballots, not 400', async () => {
    // Land, province: 800 ballots; health: 400 of 353 needed → enough, though under 400.
    const rows = await breakdown(db, province.id, q1, 'domain');
    const health = rows.find((row) => row.key === 'health')!;
    expect(health.figure).toMatchObject({ n: 400, required: 353, enough: true });
  });

  it('an "above 85%" target: 810 answers, 731 satisfied → 90.25%, whose interval lies above 85', async () => {
    const report = await summary(db, communeA.id, q1);
    // 400 + 400 + 10 = 810; 380 + 342 + 9 = 731 → 90.25%. No dossier count for A: 400 needed.
    const tthc = report.targets.find((target) => target.metric === 'tthc')!;
    expect(tthc.figure).toMatchObject({ n: 810, satisfied: 731, share: 90.25, enough: true });
    expect(tthc.result.status).toBe('met');
  });

  it('sub-units, desks, channels and the ranking by the lower bound', async () => {
    const subunits = await breakdown(db, province.id, q1, 'subunit');
    expect(subunits.map((row) => [row.name.vi, row.figure.n, row.figure.share])).toEqual([
      ['Xã A', 810, 90.25],
      ['Xã B', 400, 90],
    ]);
    // A: 731 of 810 has a lower bound above B's [86.67, …]: A ranks first.
    const ranked = await ranking(db, province.id, q1);
    expect(ranked.map((row) => [row.name.vi, row.rank])).toEqual([
      ['Xã A', 1],
      ['Xã B', 2],
    ]);
    const desks = await breakdown(db, province.id, q1, 'desk');
    expect(desks.map((row) => [row.parent, row.figure.n])).toEqual([
      ['Xã A', 810],
      ['Xã B', 400],
    ]);
    const channels = await breakdown(db, province.id, q1, 'channel');
    expect(channels.map((row) => [row.key, row.figure.n])).toEqual([['qr', 1210]]);
  });

  it('a small unit does not outrank a large one on luck', async () => {
    const region = await makeUnit(db, { kind: 'province' });
    const small = await makeUnit(db, { parent_id: region.id, name: 'Nhỏ' });
    const large = await makeUnit(db, { parent_id: region.id, name: 'Lớn' });
    const tiny = await makeUnit(db, { parent_id: region.id, name: 'Rất nhỏ' });
    const deskOf = async (unit: Unit) => (await makeDesk(db, { unit, domains: ['land'] })).desk;
    // Small: 390 of 402 = 97.01%, Wilson [94.86, 98.28]. Large: 1920 of 2000 = 96.00%, [95.05, 96.77].
    // The small unit has the higher share, but the large one the higher lower bound: it ranks first.
    await rate(await deskOf(small), 'land', [...times(390, 5), ...times(12, 2)], '2026-01-10T09:00:00+07:00');
    await rate(await deskOf(large), 'land', [...times(1920, 5), ...times(80, 2)], '2026-01-10T09:00:00+07:00');
    // Tiny: 12 of 12 = 100%, far from the 400 answers needed: listed after, unranked.
    await rate(await deskOf(tiny), 'land', times(12, 5), '2026-01-10T09:00:00+07:00');
    const ranked = await ranking(db, region.id, q1);
    expect(ranked.map((row) => [row.name.vi, row.rank, row.figure.share])).toEqual([
      ['Lớn', 1, 96],
      ['Nhỏ', 2, 97.01],
      ['Rất nhỏ', null, 100],
    ]);
  });

  it('counts a rating at 23:59:59 Vietnam time in its day, and one at midnight in the next', async () => {
    const unit = await makeUnit(db);
    const { desk } = await makeDesk(db, { unit, domains: ['land'] });
    await rate(desk, 'land', [5], '2026-03-31T23:59:59+07:00');
    await rate(desk, 'land', [1], '2026-04-01T00:00:00+07:00'); // = 2026-03-31T17:00:00Z
    await rate(desk, 'land', [4], '2026-03-31T16:59:59Z'); // = 23:59:59 in Vietnam
    expect((await summary(db, unit.id, q1)).overall).toMatchObject({ n: 2, satisfied: 2 });
    expect((await summary(db, unit.id, parsePeriod('2026-04')!)).overall).toMatchObject({ n: 1, satisfied: 0 });
    expect((await summary(db, unit.id, parsePeriod('2026-03-31..2026-03-31')!)).overall).toMatchObject({ n: 2 });
    expect((await summary(db, unit.id, parsePeriod('2026-04-01..2026-04-01')!)).overall).toMatchObject({ n: 1 });
    const months = await trend(db, unit.id, parsePeriod('2026-H1')!);
    expect(months.map((month) => month.figure.n)).toEqual([0, 0, 2, 1, 0, 0]);
  });

  it('a merged unit reports its history under the new unit and its own, never twice above them', async () => {
    const parent = await makeUnit(db, { kind: 'province' });
    const old = await makeUnit(db, { parent_id: parent.id, name: 'Xã cũ' });
    const successor = await makeUnit(db, { parent_id: parent.id, name: 'Xã mới' });
    await rate(
      (await makeDesk(db, { unit: old, domains: ['land'] })).desk,
      'land',
      [...times(8, 5), ...times(2, 2)],
      '2026-01-20T09:00:00+07:00',
    );
    await db.transaction().execute((trx) => mergeUnit(trx, old.id, successor.id, '2026-02-01'));
    await rate(
      (await makeDesk(db, { unit: successor, domains: ['land'] })).desk,
      'land',
      [...times(5, 4), ...times(5, 1)],
      '2026-02-20T09:00:00+07:00',
    );
    // The new commune's quarter: 8 + 5 = 13 of 20 = 65%, Wilson [43.29, 81.88].
    expect((await summary(db, successor.id, q1)).overall).toMatchObject({
      n: 20,
      satisfied: 13,
      share: 65,
      interval: { low: 43.29, high: 81.88 },
    });
    // The old commune's own history: 8 of 10 = 80%, Wilson [49.02, 94.33].
    expect((await summary(db, old.id, q1)).overall).toMatchObject({
      n: 10,
      share: 80,
      interval: { low: 49.02, high: 94.33 },
    });
    // The province counts each rating once: 20, not 30.
    expect((await summary(db, parent.id, q1)).overall.n).toBe(20);
  });

  it('reasons chosen after low ratings, most frequent first', async () => {
    const unit = await makeUnit(db);
    const { desk } = await makeDesk(db, { unit, domains: ['land'] });
    await rate(desk, 'land', [1, 2], '2026-02-02T09:00:00+07:00', { reasons: ['wait_long', 'harassment'] });
    await rate(desk, 'land', [3], '2026-02-03T09:00:00+07:00', { reasons: ['wait_long'] });
    await rate(desk, 'land', [5], '2026-02-03T10:00:00+07:00');
    const result = await reasons(db, unit.id, q1);
    expect(result.lowRatings).toBe(3);
    expect(result.reasons.map((reason) => [reason.code, reason.count])).toEqual([
      ['wait_long', 3],
      ['harassment', 2],
    ]);
  });
});

describe('statuses on exact bounds', () => {
  it('367 satisfied of 415 against "at least 85%": shown as 85.00, yet uncertain, not met', async () => {
    const unit = await makeUnit(db);
    const { desk } = await makeDesk(db, { unit, domains: ['land'] });
    await rate(desk, 'land', [...times(367, 5), ...times(48, 1)], '2026-02-03T09:00:00+07:00');
    await db
      .insertInto('target')
      .values({ unit_id: unit.id, year: 2026, metric: 'tthc', domain_id: null, threshold: 85 })
      .execute();
    const [tthc] = (await summary(db, unit.id, q1)).targets;
    // Wilson 367 of 415: [84.998, 91.164], shown [85.00, 91.16]; 415 ≥ 400 ballots: enough.
    expect(tthc!.figure.interval).toEqual({ low: 85, high: 91.16 });
    expect(tthc!.figure.exact!.low).toBeCloseTo(84.998, 3);
    // Share 88.43%: gap +3.43 points, but the target lies inside the interval.
    expect(tthc!.result).toEqual({ status: 'uncertain', gap: 3.43 });
  });

  it('the ranking orders lower bounds of 82.9030 and 82.8987 rightly, though both show 82.90', async () => {
    const region = await makeUnit(db, { kind: 'province' });
    const first = await makeUnit(db, { parent_id: region.id, name: 'Ít phiếu hơn' });
    const second = await makeUnit(db, { parent_id: region.id, name: 'Nhiều phiếu hơn' });
    // 1012 of 1190 → lower bound 82.90297; 1184 of 1395 → 82.89872.
    const deskOf = async (unit: Unit) => (await makeDesk(db, { unit, domains: ['land'] })).desk;
    await rate(await deskOf(first), 'land', [...times(1012, 4), ...times(178, 2)], '2026-03-10T09:00:00+07:00');
    await rate(await deskOf(second), 'land', [...times(1184, 4), ...times(211, 2)], '2026-03-10T09:00:00+07:00');
    const ranked = await ranking(db, region.id, q1);
    expect(ranked.map((row) => [row.name.vi, row.rank, row.figure.interval!.low])).toEqual([
      ['Ít phiếu hơn', 1, 82.9],
      ['Nhiều phiếu hơn', 2, 82.9],
    ]);
  });
});

/** A full-questionnaire rating: criteria by code (absent or null: no opinion). */
async function rateFull(desk: Desk, criteria: Record<string, number>, at: string) {
  const outcomes = await writeBatch(
    db,
    [
      {
        body: {
          deskCode: desk.code,
          domain: 'land',
          questionnaireId: 'full-1',
          answers: { overall: 4, ...criteria },
          language: 'vi',
          channel: 'qr',
          clientTime: at,
          idempotencyKey: randomUUID(),
        },
        bucket: Buffer.from('report-test'),
        receivedAt: new Date(Date.parse(at) + 60_000),
      },
    ],
    unlimited,
  );
  expect(outcomes.every((outcome) => outcome.ok)).toBe(true);
}

describe('indices pooling several questions count ballots', () => {
  let unit: Unit;
  beforeAll(async () => {
    unit = await makeUnit(db, { name: 'Xã Phiếu Đầy Đủ' });
    const { desk } = await makeDesk(db, { unit, domains: ['land'], questionnaire: 'full' });
    // Four ballots; access criteria (signage, seating, equipment) and one procedure criterion:
    //   ballot  access     procedure   all criteria: m, a
    //   1       5, 5, 4    5           4, 4
    //   2       4, 5, 5    2           4, 3
    //   3       4, 1, 3    —           3, 1
    //   4       5, 3, —    4           3, 2
    const ballots: [number | null, number | null, number | null, number | null][] = [
      [5, 5, 4, 5],
      [4, 5, 5, 2],
      [4, 1, 3, null],
      [5, 3, null, 4],
    ];
    for (const [index, [signage, seating, equipment, posted]] of ballots.entries()) {
      const criteria: Record<string, number> = {};
      if (signage !== null) criteria['access.signage'] = signage;
      if (seating !== null) criteria['access.seating'] = seating;
      if (equipment !== null) criteria['access.equipment'] = equipment;
      if (posted !== null) criteria['procedure.posted'] = posted;
      await rateFull(desk, criteria, `2026-02-0${index + 1}T09:00:00+07:00`);
    }
    // Two folded, two still pending: the ballot sums must not care.
    await foldPending(db, 2);
  });

  it('agency service: n = 4 ballots of 14 answers, the pooled share, a ballot-level interval', async () => {
    const report = await summary(db, unit.id, q1);
    // Σa = 10, Σm = 14: p = 5/7 = 71.43%. Σa² = 16 + 9 + 1 + 4 = 30; Σam = 16 + 12 + 3 + 6 = 37;
    // Σm² = 16 + 16 + 9 + 9 = 50. Σ(a − p·m)² = 30 − 2·(5/7)·37 + (25/49)·50 = 130/49 = 2.653061.
    // m̄ = 3.5; v = 2.653061 / (4·3·3.5²) = 0.018048; p(1−p) = 10/49 = 0.204082;
    // n_eff = 0.204082 / 0.018048 = 1470/130 = 11.3077 (within [4, 14]).
    // Wilson on p = 0.714286, n = 11.3077: z²/n = 0.339721; centre = 0.659948, half = 0.233886
    // → [42.61, 89.38] (answers taken as independent would give 10 of 14: [45.35, 88.28]).
    expect(report.elements).toMatchObject({
      n: 4,
      answers: 14,
      satisfied: 10,
      share: 71.43,
      interval: { low: 42.61, high: 89.38 },
      required: 400,
      enough: false,
    });
    expect(report.elements.exact!.sampleSize).toBeCloseTo(1470 / 130, 6);
    // The overall question is one answer per ballot: 4 of 4.
    expect(report.overall).toMatchObject({ n: 4, answers: 4 });
  });

  it('each element pools its own criteria per ballot', async () => {
    const rows = await breakdown(db, unit.id, q1, 'element');
    const byKey = Object.fromEntries(rows.map((row) => [row.key, row.figure]));
    // Access: the four ballots (a, m) = (3, 3), (3, 3), (1, 3), (1, 2): p = 8/11 = 72.73%;
    // Σ(a − p·m)² = 356/121; v = (356/121) / (4·3·2.75²) = 0.032420; n_eff = (24/121) / v = 6.1180
    // → Wilson [34.95, 92.98].
    expect(byKey.access).toMatchObject({ n: 4, answers: 11, share: 72.73, interval: { low: 34.95, high: 92.98 } });
    // Procedure: one answer from each of three ballots, 2 satisfied: the plain Wilson 2 of 3,
    // [20.77, 93.85].
    expect(byKey.procedure).toMatchObject({ n: 3, answers: 3, share: 66.67, interval: { low: 20.77, high: 93.85 } });
    expect(byKey.result).toMatchObject({ n: 0, answers: 0, share: null, interval: null });
  });

  it('the export calls ballots “Số phiếu hợp lệ” and answers by their name', async () => {
    const response = await exportCsv(db, unit.id, q1, 'summary');
    const lines = response.content
      .toString('utf8')
      .replace(/^\ufeff/, '')
      .split('\r\n');
    const header = lines[0]!.split(',');
    // The label holds a ";", so it is quoted (a spreadsheet splitting on ";" keeps it whole).
    const pooled = lines.find((line) => line.startsWith('"Hài lòng theo 5 yếu tố SIPAS'))!.split(',');
    expect(pooled[header.indexOf('Số phiếu hợp lệ (n)')]).toBe('4');
    expect(pooled[header.indexOf('Số câu trả lời hợp lệ')]).toBe('14');
  });
});

describe('the sample-size rule uses each row’s own N', () => {
  let region: Unit;
  let counted: Unit;
  let partly: Unit;
  beforeAll(async () => {
    region = await makeUnit(db, { kind: 'province', name: 'Tỉnh Cỡ Mẫu' });
    counted = await makeUnit(db, { parent_id: region.id, name: 'Xã Đủ Số Hồ Sơ' });
    partly = await makeUnit(db, { parent_id: region.id, name: 'Xã Thiếu Tháng' });
    // Each commune: 200 ratings in the quarter, 180 satisfied.
    for (const unit of [counted, partly]) {
      const { desk } = await makeDesk(db, { unit, domains: ['land'] });
      await rate(desk, 'land', [...times(60, 5), ...times(7, 2)], '2026-01-12T09:00:00+07:00');
      await rate(desk, 'land', [...times(60, 5), ...times(6, 2)], '2026-02-12T09:00:00+07:00');
      await rate(desk, 'land', [...times(60, 5), ...times(7, 2)], '2026-03-12T09:00:00+07:00');
    }
    await foldAll(db);
    // The first commune handled 100 dossiers a month; the second entered January only (50).
    await db
      .insertInto('dossier_volume')
      .values([
        { unit_id: counted.id, month: '2026-01-01', dossiers: 100 },
        { unit_id: counted.id, month: '2026-02-01', dossiers: 100 },
        { unit_id: counted.id, month: '2026-03-01', dossiers: 100 },
        { unit_id: partly.id, month: '2026-01-01', dossiers: 50 },
      ])
      .execute();
  });

  it('the sub-unit table and the ranking hold each commune to its own N', async () => {
    const rows = await breakdown(db, region.id, q1, 'subunit');
    const byName = Object.fromEntries(rows.map((row) => [row.name.vi, row]));
    // N = 300 → 300 / (1 + 0.75) = 171.4 → 172 needed; 200 ballots: enough.
    expect(byName['Xã Đủ Số Hồ Sơ']!.dossiers).toEqual({ count: 300, missingMonths: [] });
    expect(byName['Xã Đủ Số Hồ Sơ']!.figure).toMatchObject({ n: 200, required: 172, enough: true });
    // January only: 50 in 31 days, at that rate over the quarter's 90 days = 145.16 → 145;
    // 145 / (1 + 0.3625) = 106.4 → 107 needed; February and March named as missing.
    expect(byName['Xã Thiếu Tháng']!.dossiers).toEqual({ count: 145, missingMonths: ['2026-02', '2026-03'] });
    expect(byName['Xã Thiếu Tháng']!.figure).toMatchObject({ required: 107, enough: true });
    // The commune's own dashboard says the same as its province's table.
    const own = await summary(db, counted.id, q1);
    expect(own.overall).toMatchObject({ required: 172, enough: true });
    const ranked = await ranking(db, region.id, q1);
    expect(ranked.every((row) => row.rank !== null)).toBe(true);
  });

  it('the province without a count of its own adds up its communes’; its own count covers them', async () => {
    // January 100 + 50, February 100 (+ nothing), March 100 (+ nothing): 350, every month known.
    expect((await summary(db, region.id, q1)).dossiers).toEqual({ count: 350, missingMonths: [] });
    // The province enters March itself, 500 (its communes included): 150 + 100 + 500 = 750.
    await db.insertInto('dossier_volume').values({ unit_id: region.id, month: '2026-03-01', dossiers: 500 }).execute();
    expect((await summary(db, region.id, q1)).dossiers).toEqual({ count: 750, missingMonths: [] });
    await db.deleteFrom('dossier_volume').where('unit_id', '=', region.id).execute();
  });

  it('the trend holds each month to that month’s N, and desks to their unit’s', async () => {
    const months = await trend(db, partly.id, q1);
    // January: N = 50 → 50 / 1.125 = 44.4 → 45 needed, 67 ballots: enough. February: no count → 400.
    expect(months.map((month) => [month.dossiers, month.figure.required, month.figure.enough])).toEqual([
      [50, 45, true],
      [null, 400, false],
      [null, 400, false],
    ]);
    const desks = await breakdown(db, region.id, q1, 'desk');
    expect(Object.fromEntries(desks.map((desk) => [desk.parent, desk.figure.required]))).toEqual({
      'Xã Thiếu Tháng': 107,
      'Xã Đủ Số Hồ Sơ': 172,
    });
  });

  it('a merged unit’s N joins its successor’s for the months before the merge', async () => {
    const parent = await makeUnit(db, { kind: 'province' });
    const old = await makeUnit(db, { parent_id: parent.id, name: 'Xã Cũ Có Hồ Sơ' });
    const successor = await makeUnit(db, { parent_id: parent.id, name: 'Xã Mới Có Hồ Sơ' });
    await db
      .insertInto('dossier_volume')
      .values([
        { unit_id: old.id, month: '2026-01-01', dossiers: 40 },
        { unit_id: old.id, month: '2026-02-01', dossiers: 40 },
        // Entered after the merge by mistake: the old commune handled nothing then.
        { unit_id: old.id, month: '2026-03-01', dossiers: 40 },
        { unit_id: successor.id, month: '2026-01-01', dossiers: 60 },
        { unit_id: successor.id, month: '2026-02-01', dossiers: 60 },
        { unit_id: successor.id, month: '2026-03-01', dossiers: 100 },
      ])
      .execute();
    await db.transaction().execute((trx) => mergeUnit(trx, old.id, successor.id, '2026-03-01'));
    // Successor: (60 + 40) + (60 + 40) + 100 = 300.
    expect((await summary(db, successor.id, q1)).dossiers).toEqual({ count: 300, missingMonths: [] });
    // The old commune: its quarter ended on 1 March: 40 + 40 = 80, nothing missing.
    expect((await summary(db, old.id, q1)).dossiers).toEqual({ count: 80, missingMonths: [] });
    // The province, with no count of its own: each commune once, 300.
    expect((await summary(db, parent.id, q1)).dossiers).toEqual({ count: 300, missingMonths: [] });
  });
});

describe('merged units in the sub-unit table', () => {
  it('the predecessor is listed under its successor, marked, unranked, and left out of the sum', async () => {
    const parent = await makeUnit(db, { kind: 'province' });
    const old = await makeUnit(db, { parent_id: parent.id, name: 'Xã A Cũ' });
    const successor = await makeUnit(db, { parent_id: parent.id, name: 'Xã B Mới' });
    const other = await makeUnit(db, { parent_id: parent.id, name: 'Xã C' });
    const deskOf = async (unit: Unit) => (await makeDesk(db, { unit, domains: ['land'] })).desk;
    // A: 8 ratings in January; merged into B on 1 February; B: 10 in February; C: 5 in March.
    await rate(await deskOf(old), 'land', [...times(6, 5), ...times(2, 1)], '2026-01-20T09:00:00+07:00');
    await db.transaction().execute((trx) => mergeUnit(trx, old.id, successor.id, '2026-02-01'));
    await rate(await deskOf(successor), 'land', [...times(7, 4), ...times(3, 2)], '2026-02-20T09:00:00+07:00');
    await rate(await deskOf(other), 'land', times(5, 5), '2026-03-20T09:00:00+07:00');

    const rows = await breakdown(db, parent.id, q1, 'subunit');
    // B already holds A's 8 ratings (8 + 10 = 18): A comes right after it, marked.
    expect(rows.map((row) => [row.name.vi, row.figure.n, row.includedIn ?? null])).toEqual([
      ['Xã B Mới', 18, null],
      ['Xã A Cũ', 8, String(successor.id)],
      ['Xã C', 5, null],
    ]);
    expect(rows[1]!.merged).toEqual({ into: { id: successor.id, name: 'Xã B Mới' }, from: '2026-02-01' });
    // The rows that are not included elsewhere add up to the province: 18 + 5 = 23.
    const total = rows.filter((row) => !row.includedIn).reduce((sum, row) => sum + row.figure.n, 0);
    expect(total).toBe((await summary(db, parent.id, q1)).overall.n);
    expect(total).toBe(23);
    // The ranking never ranks the merged unit; it comes last.
    const ranked = await ranking(db, parent.id, q1);
    expect(ranked.at(-1)).toMatchObject({ key: String(old.id), rank: null });
    // The export's sub-unit sheet says the same in words.
    const csv = (await exportCsv(db, parent.id, q1, 'subunit')).content.toString('utf8');
    expect(csv).toContain('Đã sáp nhập vào Xã B Mới từ 01/02/2026; số liệu đã tính trong Xã B Mới, không cộng thêm');
    // A period that starts after the merge does not list it at all.
    const q2 = await breakdown(db, parent.id, parsePeriod('2026-Q2')!, 'subunit');
    expect(q2.map((row) => row.name.vi)).toEqual(['Xã B Mới', 'Xã C']);
  });

  it('a unit merged into one outside the province stays a row of its own, marked', async () => {
    const parent = await makeUnit(db, { kind: 'province' });
    const elsewhere = await makeUnit(db, { kind: 'province' });
    const leaving = await makeUnit(db, { parent_id: parent.id, name: 'Xã Chuyển Đi' });
    const receiving = await makeUnit(db, { parent_id: elsewhere.id, name: 'Phường Nhận' });
    await rate(
      (await makeDesk(db, { unit: leaving, domains: ['land'] })).desk,
      'land',
      [5, 5, 1],
      '2026-01-05T09:00:00+07:00',
    );
    await db.transaction().execute((trx) => mergeUnit(trx, leaving.id, receiving.id, '2026-02-01'));
    const rows = await breakdown(db, parent.id, q1, 'subunit');
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ figure: { n: 3 }, merged: { into: { name: 'Phường Nhận' }, from: '2026-02-01' } });
    expect(rows[0]!.includedIn).toBeUndefined();
  });
});

describe('a range across two years', () => {
  it('compares each year’s part with that year’s own target', async () => {
    const unit = await makeUnit(db);
    const { desk } = await makeDesk(db, { unit, domains: ['land'] });
    // December 2025: 450 ratings, 405 satisfied (90%). January 2026: 450, 378 satisfied (84%).
    await rate(desk, 'land', [...times(405, 5), ...times(45, 2)], '2025-12-10T09:00:00+07:00');
    await rate(desk, 'land', [...times(378, 5), ...times(72, 2)], '2026-01-10T09:00:00+07:00');
    const [land] = await domainIds(db, ['land']);
    await db
      .insertInto('target')
      .values([
        { unit_id: unit.id, year: 2025, metric: 'tthc', domain_id: null, threshold: 85 },
        { unit_id: unit.id, year: 2026, metric: 'tthc', domain_id: null, threshold: 90 },
        { unit_id: unit.id, year: 2026, metric: 'domain', domain_id: land!, threshold: 80 },
      ])
      .execute();
    const period = parsePeriod('2025-12-01..2026-01-31')!;
    const report = await summary(db, unit.id, period);
    // The whole range: 783 of 900 = 87%.
    expect(report.overall).toMatchObject({ n: 900, share: 87 });
    const results = report.targets.map((target) => [
      target.year,
      target.metric,
      target.period.key,
      target.figure.n,
      target.figure.share,
      target.result.status,
    ]);
    // 2025 (≥ 85) against December only: 405 of 450 = 90%, Wilson [86.88, 92.44] → met.
    // 2026 (≥ 90) against January only: 378 of 450 = 84%, Wilson [80.33, 87.10] → not met.
    // 2026 land (≥ 80): the same 450 January ballots → met (80.33 ≥ 80).
    expect(results).toEqual([
      [2025, 'tthc', '2025-12-01..2025-12-31', 450, 90, 'met'],
      [2026, 'tthc', '2026-01-01..2026-01-31', 450, 84, 'not_met'],
      [2026, 'domain', '2026-01-01..2026-01-31', 450, 84, 'met'],
    ]);
    // The domain table has no one year's target to show for the whole range.
    const domains = await breakdown(db, unit.id, period, 'domain');
    expect(domains.map((row) => [row.key, row.target ?? null])).toEqual([['land', null]]);
  });
});

describe('a slice without answers', () => {
  it('has counts of zero, not null', async () => {
    const unit = await makeUnit(db);
    const { desk } = await makeDesk(db, { unit, domains: ['land'] });
    await rate(desk, 'land', [4], '2026-01-10T09:00:00+07:00');
    // Only the quick questionnaire: no criterion answers at all.
    const report = await summary(db, unit.id, q1);
    expect(report.elements).toMatchObject({ n: 0, answers: 0, share: null, interval: null, exact: null });
    expect(report.elements.counts).toEqual({ n1: 0, n2: 0, n3: 0, n4: 0, n5: 0 });
    const [criteria] = await scoreCounts(db, {
      unitIds: [unit.id],
      from: q1.from,
      to: q1.to,
      groupBy: [],
      questionRole: 'criterion',
    });
    expect(criteria).toEqual({ n1: 0, n2: 0, n3: 0, n4: 0, n5: 0 });
    expect((await reasons(db, unit.id, q1)).lowRatings).toBe(0);
  });
});

describe('report figures equal a recount of the raw ratings (property)', () => {
  it('for any ratings, folds and periods', async () => {
    const unit = await makeUnit(db, { kind: 'province' });
    const child = await makeUnit(db, { parent_id: unit.id });
    const desks = [
      (await makeDesk(db, { unit, domains: ['land', 'health'] })).desk,
      (await makeDesk(db, { unit: child, domains: ['land', 'health'] })).desk,
    ];
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            desk: fc.nat({ max: 1 }),
            domain: fc.constantFrom('land', 'health'),
            score: fc.integer({ min: 1, max: 5 }),
            day: fc.integer({ min: 0, max: 180 }),
            second: fc.integer({ min: 0, max: 86_399 }),
          }),
          { maxLength: 30 },
        ),
        fc.boolean(),
        fc.constantFrom('2026-Q1', '2026-Q2', '2026-H1', '2026-02', '2026-01-10..2026-04-20', '2026-9M'),
        async (ratings, fold, periodKey) => {
          for (const rating of ratings) {
            const at = new Date(Date.UTC(2026, 0, 1) - 7 * 3_600_000 + rating.day * 86_400_000 + rating.second * 1000);
            await rate(desks[rating.desk]!, rating.domain, [rating.score], at.toISOString());
          }
          if (fold) await foldAll(db);
          const period = parsePeriod(periodKey)!;
          const recount = await sql<{ domain: string; n1: number; n2: number; n3: number; n4: number; n5: number }>`
            select d.code as domain,
              count(*) filter (where a.score = 1)::integer as n1, count(*) filter (where a.score = 2)::integer as n2,
              count(*) filter (where a.score = 3)::integer as n3, count(*) filter (where a.score = 4)::integer as n4,
              count(*) filter (where a.score = 5)::integer as n5
            from response r
            join response_answer a on a.response_id = r.id
            join domain d on d.id = r.domain_id
            where r.unit_id in (${unit.id}, ${child.id})
              and (r.rated_at at time zone 'Asia/Ho_Chi_Minh')::date >= ${period.from}::date
              and (r.rated_at at time zone 'Asia/Ho_Chi_Minh')::date < ${period.to}::date
            group by d.code
          `.execute(db);
          const rows = await breakdown(db, unit.id, period, 'domain');
          for (const row of recount.rows) {
            const { domain, ...counts } = row;
            expect(rows.find((candidate) => candidate.key === domain)?.figure).toEqual(figureOf(counts));
          }
          const total = recount.rows.reduce((sum, row) => sum + row.n1 + row.n2 + row.n3 + row.n4 + row.n5, 0);
          expect((await summary(db, unit.id, period)).overall.n).toBe(total);
        },
      ),
      { numRuns: 25 },
    );
  });
});

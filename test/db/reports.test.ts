import fc from 'fast-check';
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Desk } from '../../server/desks/desk.table.ts';
import { parsePeriod } from '../../server/reports/periods.ts';
import { breakdown, ranking, reasons, summary, trend } from '../../server/reports/report.ts';
import { figureOf } from '../../server/reports/statistics.ts';
import { writeBatch, type Submission } from '../../server/responses/write-batch.ts';
import { foldAll } from '../../server/rollups/fold.ts';
import type { Unit } from '../../server/units/unit.table.ts';
import { mergeUnit } from '../../server/units/unit.repository.ts';
import { createTestDatabase } from '../database.ts';
import { domainIds, makeDesk, makeUnit } from '../factories.ts';

const { db } = await createTestDatabase();
const unlimited = { rateLimit: { perSource: 1e9, perKiosk: 1e9, windowSeconds: 600 } };
const q1 = parsePeriod('2026-Q1')!;

/** Writes ratings through the real path: one per score, all at `at` (Vietnam time). */
async function rate(desk: Desk, domain: string, scores: number[], at: string, extra: Partial<Submission['body']> = {}) {
  const submissions: Submission[] = scores.map((score) => ({
    body: {
      deskCode: desk.code,
      domain,
      questionnaireId: 'quick-1',
      answers: { overall: score },
      language: 'vi',
      channel: 'qr',
      clientTime: at,
      idempotencyKey: randomUUID(),
      ...extra,
    },
    bucket: Buffer.from('report-test'),
    receivedAt: new Date(Date.parse(at) + 60_000),
  }));
  for (let start = 0; start < submissions.length; start += 250) {
    const outcomes = await writeBatch(db, submissions.slice(start, start + 250), unlimited);
    expect(outcomes.every((outcome) => outcome.ok)).toBe(true);
  }
}

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
    expect(report.dossiers).toBe(3000);
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

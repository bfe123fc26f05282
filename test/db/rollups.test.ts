import fc from 'fast-check';
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Desk } from '../../server/desks/desk.table.ts';
import {
  findQuestionnaire,
  type QuestionnaireDefinition,
} from '../../server/questionnaires/questionnaire.repository.ts';
import { pairKioskDevice } from '../../server/kiosks/kiosk-device.repository.ts';
import { writeBatch, type Submission } from '../../server/responses/write-batch.ts';
import { foldAll, foldPending, rebuildRollups } from '../../server/rollups/fold.ts';
import {
  ballotSums,
  scoreCounts,
  type BallotDimension,
  type BallotRow,
  type CountRow,
  type Dimension,
} from '../../server/rollups/score-counts.ts';
import type { Unit } from '../../server/units/unit.table.ts';
import { mergeUnit } from '../../server/units/unit.repository.ts';
import { vietnamDate } from '../../server/time/vietnam-time.ts';
import { createTestDatabase } from '../database.ts';
import { domainIds, makeDesk, makeUnit } from '../factories.ts';
import { unitRollupsAndRecount } from '../rollups.ts';

const { db } = await createTestDatabase();
const unlimited = { rateLimit: { perSource: 1_000_000, perKiosk: 1_000_000, windowSeconds: 600 } };

interface Rated {
  unitId: number;
  deskId: number;
  domainId: number;
  channel: string;
  /** Vietnam calendar day, computed independently of the database. */
  day: string;
  answers: { questionId: number; role: 'overall' | 'criterion'; element: string | null; score: number }[];
}

/** What every count must equal: a model of the ratings kept in memory by the test. */
const model: Rated[] = [];

let country: Unit;
let province: Unit;
let communeA: Unit;
let communeB: Unit;
let hospital: Unit;
let desks: { desk: Desk; unit: Unit; domains: string[]; questionnaire: QuestionnaireDefinition; kioskKey?: string }[];
let ancestorsOf: Map<number, number[]>;
let domainIdByCode: Map<string, number>;

beforeAll(async () => {
  country = await makeUnit(db, { kind: 'country' });
  province = await makeUnit(db, { kind: 'province', parent_id: country.id });
  communeA = await makeUnit(db, { parent_id: province.id });
  communeB = await makeUnit(db, { parent_id: province.id });
  hospital = await makeUnit(db, { kind: 'agency', parent_id: province.id });
  const quick = (await findQuestionnaire(db, 'quick-1'))!;
  const full = (await findQuestionnaire(db, 'full-1'))!;
  desks = [
    {
      ...(await makeDesk(db, { unit: communeA, domains: ['land', 'civil_status'] })),
      domains: ['land', 'civil_status'],
      questionnaire: quick,
    },
    {
      ...(await makeDesk(db, { unit: communeA, domains: ['land'], questionnaire: 'full' })),
      domains: ['land'],
      questionnaire: full,
    },
    {
      ...(await makeDesk(db, { unit: communeB, domains: ['land', 'construction'] })),
      domains: ['land', 'construction'],
      questionnaire: quick,
    },
    {
      ...(await makeDesk(db, { unit: hospital, domains: ['health'], questionnaire: 'full' })),
      domains: ['health'],
      questionnaire: full,
    },
  ];
  for (const entry of desks) entry.kioskKey = (await pairKioskDevice(db, { deskId: entry.desk.id })).key;
  const ids = await domainIds(db, ['land', 'civil_status', 'construction', 'health']);
  domainIdByCode = new Map(
    ['land', 'civil_status', 'construction', 'health'].map((code, index) => [code, ids[index]!]),
  );
  ancestorsOf = new Map([
    [communeA.id, [communeA.id, province.id, country.id]],
    [communeB.id, [communeB.id, province.id, country.id]],
    [hospital.id, [hospital.id, province.id, country.id]],
  ]);
});

const ratingArbitrary = fc.record({
  desk: fc.nat({ max: 3 }),
  domain: fc.nat({ max: 1 }),
  channel: fc.constantFrom('qr', 'kiosk', 'portal'),
  overall: fc.integer({ min: 1, max: 5 }),
  criteria: fc.array(fc.option(fc.integer({ min: 1, max: 5 }), { nil: null }), { minLength: 14, maxLength: 14 }),
  // Jan–Jun 2026, with extra weight on the minutes around Vietnam midnight at month ends.
  at: fc.oneof(
    fc.integer({ min: Date.UTC(2026, 0, 1) - 7 * 3_600_000, max: Date.UTC(2026, 6, 1) - 7 * 3_600_000 - 1 }),
    fc.constantFrom(
      ...[1, 2, 3, 4, 5, 6].flatMap((month) => {
        const midnight = Date.UTC(2026, month, 1) - 7 * 3_600_000;
        return [midnight - 1000, midnight, midnight + 1000];
      }),
    ),
  ),
});

type RatingDraw = typeof ratingArbitrary extends fc.Arbitrary<infer T> ? T : never;

async function record(ratings: RatingDraw[]): Promise<void> {
  const submissions: Submission[] = [];
  for (const rating of ratings) {
    const target = desks[rating.desk]!;
    const domain = target.domains[rating.domain % target.domains.length]!;
    const answers: Record<string, number | null> = { overall: rating.overall };
    const criteria = target.questionnaire.questions.filter((question) => question.role === 'criterion');
    criteria.forEach((question, index) => (answers[question.code] = rating.criteria[index] ?? null));
    const ratedAt = new Date(rating.at);
    submissions.push({
      body: {
        deskCode: target.desk.code,
        domain,
        questionnaireId: target.questionnaire.questionnaire.id,
        answers,
        language: 'vi',
        channel: rating.channel as 'qr',
        clientTime: ratedAt.toISOString(),
        idempotencyKey: randomUUID(),
      },
      bucket: Buffer.from('test'),
      receivedAt: new Date(rating.at + 60_000),
      ...(rating.channel === 'kiosk' ? { kioskKey: target.kioskKey! } : {}),
    });
    model.push({
      unitId: target.unit.id,
      deskId: target.desk.id,
      domainId: domainIdByCode.get(domain)!,
      channel: rating.channel,
      day: new Date(rating.at + 7 * 3_600_000).toISOString().slice(0, 10),
      answers: target.questionnaire.questions.flatMap((question) => {
        const score = answers[question.code];
        return score === null || score === undefined
          ? []
          : [{ questionId: question.id, role: question.role, element: question.element_code, score }];
      }),
    });
  }
  const outcomes = await writeBatch(db, submissions, unlimited);
  expect(outcomes.every((outcome) => outcome.ok)).toBe(true);
}

function expected(query: {
  unitIds: number[];
  from: string;
  to: string;
  groupBy: Dimension[];
  questionRole?: string;
}): CountRow[] {
  const rows = new Map<string, CountRow>();
  for (const rating of model) {
    if (rating.day < query.from || rating.day >= query.to) continue;
    for (const unit of query.unitIds) {
      if (!ancestorsOf.get(rating.unitId)!.includes(unit)) continue;
      for (const answer of rating.answers) {
        if (query.questionRole && answer.role !== query.questionRole) continue;
        const dims: Record<Dimension, string | number> = {
          unit,
          month: `${rating.day.slice(0, 7)}-01`,
          domain: rating.domainId,
          question: answer.questionId,
          desk: rating.deskId,
          channel: rating.channel,
        };
        const key = query.groupBy.map((dimension) => dims[dimension]).join('|');
        const row: CountRow = rows.get(key) ?? {
          ...Object.fromEntries(query.groupBy.map((d) => [d, dims[d]])),
          n1: 0,
          n2: 0,
          n3: 0,
          n4: 0,
          n5: 0,
        };
        row[`n${answer.score}` as 'n1'] += 1;
        rows.set(key, row);
      }
    }
  }
  return sortRows([...rows.values()], query.groupBy);
}

function sortRows<Row extends object>(rows: Row[], groupBy: string[]): Row[] {
  const key = (row: Row) => groupBy.map((dimension) => String((row as Record<string, unknown>)[dimension])).join('|');
  return [...rows].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

/**
 * The ballot sums of the model: each rating is one ballot of each pool it answered (every
 * element with a valid criterion answer, and `all`), with m valid and a satisfied answers.
 */
function expectedBallots(query: {
  unitIds: number[];
  from: string;
  to: string;
  groupBy: BallotDimension[];
}): BallotRow[] {
  const rows = new Map<string, BallotRow>();
  for (const rating of model) {
    if (rating.day < query.from || rating.day >= query.to) continue;
    const criteria = rating.answers.filter((answer) => answer.role === 'criterion');
    const pools = new Map<string, typeof criteria>();
    for (const answer of criteria) {
      for (const pool of [answer.element!, 'all']) pools.set(pool, [...(pools.get(pool) ?? []), answer]);
    }
    for (const unit of query.unitIds) {
      if (!ancestorsOf.get(rating.unitId)!.includes(unit)) continue;
      for (const [pool, answers] of pools) {
        const dims: Record<BallotDimension, string | number> = {
          unit,
          month: `${rating.day.slice(0, 7)}-01`,
          domain: rating.domainId,
          pool,
        };
        const key = query.groupBy.map((dimension) => dims[dimension]).join('|');
        const row: BallotRow = rows.get(key) ?? {
          ...Object.fromEntries(query.groupBy.map((d) => [d, dims[d]])),
          ballots: 0,
          n1: 0,
          n2: 0,
          n3: 0,
          n4: 0,
          n5: 0,
          satisfiedSquared: 0,
          satisfiedTimesAnswered: 0,
          answeredSquared: 0,
        };
        const m = answers.length;
        const a = answers.filter((answer) => answer.score >= 4).length;
        row.ballots += 1;
        for (const answer of answers) row[`n${answer.score}` as 'n1'] += 1;
        row.satisfiedSquared += a * a;
        row.satisfiedTimesAnswered += a * m;
        row.answeredSquared += m * m;
        rows.set(key, row);
      }
    }
  }
  return sortRows([...rows.values()], query.groupBy);
}

const queryArbitrary = fc.record({
  units: fc.subarray([0, 1, 2, 3, 4], { minLength: 1 }),
  from: fc.integer({ min: 0, max: 181 }),
  length: fc.integer({ min: 1, max: 200 }),
  groupBy: fc.subarray<Dimension>(['unit', 'month', 'domain', 'question', 'desk', 'channel']),
  role: fc.constantFrom(undefined, 'overall' as const, 'criterion' as const),
  ballotGroupBy: fc.subarray<BallotDimension>(['unit', 'month', 'domain', 'pool']),
});

function dayOf2026(offset: number): string {
  return new Date(Date.UTC(2026, 0, 1) + offset * 86_400_000).toISOString().slice(0, 10);
}

describe('rollups', () => {
  it('reports from rollups plus the unfolded tail equal a recount of every rating, for any slice and date range, answers and ballots', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(ratingArbitrary, { minLength: 1, maxLength: 40 }),
        fc.integer({ min: 0, max: 60 }),
        fc.array(queryArbitrary, { minLength: 3, maxLength: 3 }),
        async (ratings, foldLimit, queries) => {
          await record(ratings);
          // Fold only part of what is pending, so some ratings are read from raw rows.
          if (foldLimit > 0) await foldPending(db, foldLimit);
          const units = [country, province, communeA, communeB, hospital];
          for (const query of queries) {
            const countQuery = {
              unitIds: query.units.map((index) => units[index]!.id),
              from: dayOf2026(query.from),
              to: dayOf2026(query.from + query.length),
              groupBy: query.groupBy,
              ...(query.role ? { questionRole: query.role } : {}),
            };
            const actual = sortRows(
              (await scoreCounts(db, countQuery)).filter((row) => row.n1 + row.n2 + row.n3 + row.n4 + row.n5 > 0),
              query.groupBy,
            );
            expect(actual).toEqual(expected(countQuery));

            const ballotQuery = { ...countQuery, groupBy: query.ballotGroupBy };
            const ballots = sortRows(
              (await ballotSums(db, ballotQuery)).filter((row) => row.ballots > 0),
              query.ballotGroupBy,
            );
            expect(ballots).toEqual(expectedBallots(ballotQuery));
          }
        },
      ),
      { numRuns: 40 },
    );
  });

  it('the rollup tables equal a recount of the raw rows once everything is folded', async () => {
    await foldAll(db);
    const { rollup, recount } = await unitRollupsAndRecount(db);
    expect(rollup).toEqual(recount);
    expect(rollup.length).toBeGreaterThan(10);
    const pending = await db
      .selectFrom('rollup_pending')
      .select(sql<number>`count(*)`.as('n'))
      .executeTakeFirstOrThrow();
    expect(Number(pending.n)).toBe(0);
  });

  it('only one process folds at a time; the other skips', async () => {
    await record([{ desk: 0, domain: 0, channel: 'qr', overall: 4, criteria: [], at: Date.UTC(2026, 2, 3) }]);
    const results = await Promise.all([foldPending(db), foldPending(db), foldPending(db)]);
    expect(results.reduce((sum, folded) => sum + folded, 0)).toBe(1);
  });
});

describe('merged units', () => {
  it('history stays reportable under the old tree and counts under the new one, before and after the merge', async () => {
    const root = await makeUnit(db, { kind: 'province' });
    const oldDistrict = await makeUnit(db, { kind: 'district', parent_id: root.id, valid_until: null });
    const oldCommune = await makeUnit(db, { parent_id: oldDistrict.id });
    const newCommune = await makeUnit(db, { parent_id: root.id, valid_from: '2026-03-01' });
    const { desk: oldDesk } = await makeDesk(db, { unit: oldCommune, domains: ['land'] });
    const { desk: newDesk } = await makeDesk(db, { unit: newCommune, domains: ['land'] });

    const rate = (desk: Desk, score: number, at: string) =>
      writeBatch(
        db,
        [
          {
            body: {
              deskCode: desk.code,
              domain: 'land',
              questionnaireId: 'quick-1',
              answers: { overall: score },
              language: 'vi',
              channel: 'qr',
              clientTime: at,
              idempotencyKey: randomUUID(),
            },
            bucket: Buffer.from('merge'),
            receivedAt: new Date(Date.parse(at) + 1000),
          },
        ],
        unlimited,
      );
    // Before the merge: two ratings folded, one still pending at the old commune.
    await rate(oldDesk, 5, '2026-01-10T09:00:00+07:00');
    await rate(oldDesk, 2, '2026-02-10T09:00:00+07:00');
    await foldAll(db);
    await rate(oldDesk, 4, '2026-02-20T09:00:00+07:00');

    await db.transaction().execute((trx) => mergeUnit(trx, oldCommune.id, newCommune.id, '2026-03-01'));
    await rate(newDesk, 1, '2026-03-05T09:00:00+07:00');

    const overall = async (unitId: number, from: string, to: string) => {
      const [row] = await scoreCounts(db, { unitIds: [unitId], from, to, groupBy: [], questionRole: 'overall' });
      return row ? [row.n1, row.n2, row.n3, row.n4, row.n5] : [0, 0, 0, 0, 0];
    };
    // The new commune's year includes its predecessor's history.
    expect(await overall(newCommune.id, '2026-01-01', '2027-01-01')).toEqual([1, 1, 0, 1, 1]);
    // The old commune and old district still report what happened under them.
    expect(await overall(oldCommune.id, '2026-01-01', '2027-01-01')).toEqual([0, 1, 0, 1, 1]);
    expect(await overall(oldDistrict.id, '2026-01-01', '2026-03-01')).toEqual([0, 1, 0, 1, 1]);
    // The province, an ancestor under both trees, counts each rating once.
    expect(await overall(root.id, '2026-01-01', '2027-01-01')).toEqual([1, 1, 0, 1, 1]);

    await foldAll(db);
    expect(await overall(newCommune.id, '2026-01-01', '2027-01-01')).toEqual([1, 1, 0, 1, 1]);
    expect(await overall(root.id, '2026-01-01', '2027-01-01')).toEqual([1, 1, 0, 1, 1]);
    const merged = await db
      .selectFrom('unit')
      .select(['merged_into_id', 'valid_until'])
      .where('id', '=', oldCommune.id)
      .executeTakeFirstOrThrow();
    expect(merged).toEqual({ merged_into_id: newCommune.id, valid_until: '2026-03-01' });
    // Its desks no longer take ratings once it is closed.
    const late = await rate(oldDesk, 5, new Date().toISOString());
    expect(late[0]).toMatchObject({ ok: false, error: { code: 'desk_inactive' } });
    expect(vietnamDate(new Date()) >= '2026-03-01').toBe(true);
  });

  it('refuses a merge into one of the unit’s own sub-units', async () => {
    const parent = await makeUnit(db, { kind: 'district' });
    const child = await makeUnit(db, { parent_id: parent.id });
    await expect(
      db.transaction().execute((trx) => mergeUnit(trx, parent.id, child.id, '2026-07-01')),
    ).rejects.toMatchObject({
      code: 'merge_cycle',
    });
  });
});

describe('ballot sums of pooled indices', () => {
  /** A full-questionnaire rating whose criteria get `scores` in order (null: no opinion). */
  const rateFull = async (desk: Desk, scores: (number | null)[], at: string) => {
    const full = (await findQuestionnaire(db, 'full-1'))!;
    const criteria = full.questions.filter((question) => question.role === 'criterion');
    const answers: Record<string, number | null> = { overall: 4 };
    criteria.forEach((question, index) => (answers[question.code] = scores[index] ?? null));
    const [outcome] = await writeBatch(
      db,
      [
        {
          body: {
            deskCode: desk.code,
            domain: 'land',
            questionnaireId: 'full-1',
            answers,
            language: 'vi',
            channel: 'qr',
            clientTime: at,
            idempotencyKey: randomUUID(),
          },
          bucket: Buffer.from('ballots'),
          receivedAt: new Date(Date.parse(at) + 1000),
        },
      ],
      unlimited,
    );
    expect(outcome).toMatchObject({ ok: true });
  };
  const allCriteria = async (unitId: number) => {
    const [row] = await ballotSums(db, {
      unitIds: [unitId],
      from: '2026-01-01',
      to: '2027-01-01',
      groupBy: [],
      pools: ['all'],
    });
    return row;
  };

  it('follow a merge: the successor gains the predecessor’s ballots, folded or pending, once', async () => {
    const root = await makeUnit(db, { kind: 'province' });
    const old = await makeUnit(db, { parent_id: root.id });
    const successor = await makeUnit(db, { parent_id: root.id });
    const { desk: oldDesk } = await makeDesk(db, { unit: old, domains: ['land'], questionnaire: 'full' });
    const { desk: newDesk } = await makeDesk(db, { unit: successor, domains: ['land'], questionnaire: 'full' });
    // Old commune: ballot 1 answers three criteria (5, 4, 2): m = 3, a = 2, folded.
    await rateFull(oldDesk, [5, 4, 2], '2026-01-10T09:00:00+07:00');
    await foldAll(db);
    // Ballot 2 answers two (1, null, 5): m = 2, a = 1, still pending at the merge.
    await rateFull(oldDesk, [1, null, 5], '2026-02-10T09:00:00+07:00');
    await db.transaction().execute((trx) => mergeUnit(trx, old.id, successor.id, '2026-03-01'));
    // Successor: ballot 3 answers one criterion (4): m = 1, a = 1.
    await rateFull(newDesk, [4], '2026-03-05T09:00:00+07:00');

    // Successor: 3 ballots; Σa² = 4 + 1 + 1 = 6; Σam = 6 + 2 + 1 = 9; Σm² = 9 + 4 + 1 = 14.
    const expected = {
      ballots: 3,
      n1: 1,
      n2: 1,
      n3: 0,
      n4: 2,
      n5: 2,
      satisfiedSquared: 6,
      satisfiedTimesAnswered: 9,
      answeredSquared: 14,
    };
    expect(await allCriteria(successor.id)).toEqual(expected);
    // The province, above both trees, counts each ballot once.
    expect(await allCriteria(root.id)).toEqual(expected);
    // The old commune keeps its own two ballots: Σa² = 4 + 1, Σam = 6 + 2, Σm² = 9 + 4.
    const own = { ballots: 2, n1: 1, n2: 1, n3: 0, n4: 1, n5: 2, satisfiedSquared: 5 };
    expect(await allCriteria(old.id)).toMatchObject({ ...own, satisfiedTimesAnswered: 8, answeredSquared: 13 });
    await foldAll(db);
    expect(await allCriteria(successor.id)).toEqual(expected);
    expect(await allCriteria(root.id)).toEqual(expected);
    const { rollup, recount } = await unitRollupsAndRecount(db);
    expect(rollup).toEqual(recount);
  });

  it('the migration that adds them backfills the folded ratings and leaves pending ones to the folder', async () => {
    const unit = await makeUnit(db);
    const { desk } = await makeDesk(db, { unit, domains: ['land'], questionnaire: 'full' });
    await rateFull(desk, [5, 5, 1], '2026-04-02T09:00:00+07:00');
    await foldAll(db);
    await rateFull(desk, [3, 4], '2026-04-03T09:00:00+07:00');
    const migration = await import('../../migrations/2026_11_27_0001_ballot_rollup.ts');
    await migration.down(db);
    await migration.up(db);
    // The pending rating is not in the backfill: only ballot 1 (m = 3, a = 2).
    const backfilled = await db
      .selectFrom('rollup_ballot_month')
      .select(['ballots', 'satisfied_sq', 'satisfied_answered', 'answered_sq'])
      .where('unit_id', '=', unit.id)
      .where('pool', '=', 'all')
      .execute();
    expect(backfilled).toEqual([{ ballots: 1, satisfied_sq: 4, satisfied_answered: 6, answered_sq: 9 }]);
    // Readers add the pending ballot 2 (m = 2, a = 1) from raw rows until it is folded.
    const [read] = await ballotSums(db, {
      unitIds: [unit.id],
      from: '2026-04-01',
      to: '2026-05-01',
      groupBy: [],
      pools: ['all'],
    });
    expect(read).toMatchObject({ ballots: 2, satisfiedSquared: 4 + 1, satisfiedTimesAnswered: 6 + 2 });
    await foldAll(db);
    const { rollup, recount } = await unitRollupsAndRecount(db);
    expect(rollup).toEqual(recount);
  });
});

describe('rebuilding the rollups', () => {
  it('gives the same rollups as folding rating by rating', async () => {
    await foldAll(db);
    const snapshot = async () =>
      (
        await sql<Record<string, unknown>>`
          select 'unit' as kind, unit_id, month, domain_id, question_id, n1, n2, n3, n4, n5 from rollup_unit_month
          union all select 'desk', desk_id, month, domain_id, question_id, n1, n2, n3, n4, n5 from rollup_desk_month
          union all select 'ballot:' || pool, unit_id, month, domain_id, ballots, n1, n2, n3, n4, n5 from rollup_ballot_month
          union all select 'ballot sums:' || pool, unit_id, month, domain_id, null,
            satisfied_sq, satisfied_answered, answered_sq, null, null from rollup_ballot_month
          order by 1, 2, 3, 4, 5, 6, 7, 8, 9, 10
        `.execute(db)
      ).rows;
    const folded = await snapshot();
    await rebuildRollups(db);
    expect(await snapshot()).toEqual(folded);
    expect(folded.length).toBeGreaterThan(10);
  });
});

import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { seedDemo, hasDemoData, DEMO_PROVINCE_CODE } from '../../server/demo/seed-demo.ts';
import { scoreCounts } from '../../server/rollups/score-counts.ts';
import { createTestDatabase } from '../database.ts';

const { db } = await createTestDatabase();

describe('demo data', () => {
  it('loads a province with communes, agencies, desks, plan targets and a year of ratings', async () => {
    expect(await hasDemoData(db)).toBe(false);
    const now = new Date('2026-11-20T03:00:00Z');
    const summary = await seedDemo(db, { now });
    expect(await hasDemoData(db)).toBe(true);
    expect(summary.ratings).toBeGreaterThan(20_000);

    const province = await db
      .selectFrom('unit')
      .selectAll()
      .where('code', '=', DEMO_PROVINCE_CODE)
      .executeTakeFirstOrThrow();
    const children = await db
      .selectFrom('unit')
      .select(['kind', 'name'])
      .where('parent_id', '=', province.id)
      .execute();
    expect(children.filter((unit) => unit.kind === 'agency').map((unit) => unit.name)).toEqual(
      expect.arrayContaining([expect.stringMatching(/Bệnh viện/), expect.stringMatching(/Trường/)]),
    );
    expect(children.filter((unit) => unit.kind === 'commune' || unit.kind === 'ward').length).toBeGreaterThanOrEqual(3);

    const targets = await db.selectFrom('target').selectAll().execute();
    expect(targets.map((target) => Number(target.threshold))).toEqual(expect.arrayContaining([80, 90, 95]));
    expect(targets.every((target) => target.plan_sentence && /hài lòng/.test(target.plan_sentence))).toBe(true);
    // Each year's target cites that year's plan of the demo province or its commune, issued
    // at the turn of the year, never a plan of another province or of years before.
    for (const target of targets) {
      expect(target.plan_number).toMatch(/^\d+\/KH-UBND$/);
      expect(Number(target.plan_date!.slice(0, 4))).toBeGreaterThanOrEqual(target.year - 1);
      expect(target.plan_sentence).not.toMatch(/Long Mỹ|Thành Trực|Hậu Giang/);
    }

    // Satisfaction differs by domain: some above the 90% target, some below.
    const domains = await db.selectFrom('domain').select(['id', 'code']).execute();
    const rows = await scoreCounts(db, {
      unitIds: [province.id],
      from: '2026-01-01',
      to: '2027-01-01',
      groupBy: ['domain'],
      questionRole: 'overall',
    });
    const share = new Map(
      rows.map((row) => [
        domains.find((domain) => domain.id === row.domain)!.code,
        (row.n4 + row.n5) / (row.n1 + row.n2 + row.n3 + row.n4 + row.n5),
      ]),
    );
    expect(share.get('land')!).toBeLessThan(0.85);
    expect(share.get('certification')!).toBeGreaterThan(0.9);
    expect([...share.values()].some((value) => value < 0.9) && [...share.values()].some((value) => value >= 0.9)).toBe(
      true,
    );

    // Everything is folded, and the rollups equal a recount.
    const pending = await db
      .selectFrom('rollup_pending')
      .select(sql<number>`count(*)`.as('n'))
      .executeTakeFirstOrThrow();
    expect(Number(pending.n)).toBe(0);
    const mismatch = await sql<{ n: number }>`
      select count(*)::integer as n from (
        (select c.ancestor_id, vn_month(r.rated_at), r.domain_id, a.question_id,
          count(*) filter (where a.score = 1)::integer, count(*) filter (where a.score = 2)::integer,
          count(*) filter (where a.score = 3)::integer, count(*) filter (where a.score = 4)::integer,
          count(*) filter (where a.score = 5)::integer
         from response r join response_answer a on a.response_id = r.id join unit_closure c on c.unit_id = r.unit_id
         group by 1, 2, 3, 4
         except select unit_id, month, domain_id, question_id, n1, n2, n3, n4, n5 from rollup_unit_month)
        union all
        (select unit_id, month, domain_id, question_id, n1, n2, n3, n4, n5 from rollup_unit_month
         except select c.ancestor_id, vn_month(r.rated_at), r.domain_id, a.question_id,
          count(*) filter (where a.score = 1)::integer, count(*) filter (where a.score = 2)::integer,
          count(*) filter (where a.score = 3)::integer, count(*) filter (where a.score = 4)::integer,
          count(*) filter (where a.score = 5)::integer
         from response r join response_answer a on a.response_id = r.id join unit_closure c on c.unit_id = r.unit_id
         group by 1, 2, 3, 4)
      ) as difference
    `.execute(db);
    expect(mismatch.rows[0]!.n).toBe(0);
    // No rating lies in the future of the moment the data was made for.
    const latest = await db
      .selectFrom('response')
      .select(sql<Date>`max(rated_at)`.as('at'))
      .executeTakeFirstOrThrow();
    expect(latest.at.getTime()).toBeLessThanOrEqual(now.getTime());
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parsePeriod } from '../../server/reports/periods.ts';
import { releaseQuarter } from '../../server/scorecard/release.ts';
import type { Unit } from '../../server/units/unit.table.ts';
import { createTestDatabase } from '../database.ts';
import { auditDisclosure, type AuditCell } from '../disclosure-audit.ts';
import { domainIds, makeDesk, makeUnit } from '../factories.ts';

/*
 * Whatever the counts, the tree and the moment each unit opted in, no group of fewer than
 * the minimum number of ratings can be derived from everything the releases of a year
 * published — by any sum or difference of figures, across domains, months, quarters,
 * cumulatives and units. The counts are written straight into the month rollup (the
 * releases read them with the report functions), and the published figures are checked
 * by an independent attacker (test/disclosure-audit.ts) against the true cells.
 */

const { db } = await createTestDatabase();
const DOMAINS = ['land', 'health', 'civil_status'];
const YEAR = 2025;
const MONTHS = Array.from({ length: 12 }, (_, index) => `${YEAR}-${String(index + 1).padStart(2, '0')}`);

/** Mostly small counts, some empty, some large: where protection has work to do. */
const count = fc.oneof(
  { weight: 3, arbitrary: fc.constant(0) },
  { weight: 4, arbitrary: fc.integer({ min: 1, max: 12 }) },
  { weight: 3, arbitrary: fc.integer({ min: 13, max: 45 }) },
);

/**
 * A province with its own desk, communes, and one commune's sub-unit; which of them opted
 * in, and whether the province opted in once the others' year was released (a unit with no
 * opted-in unit above it gets the year's released quarters when it opts in).
 */
const world = fc.record({
  communes: fc.integer({ min: 2, max: 3 }),
  member: fc.array(fc.boolean(), { minLength: 5, maxLength: 5 }),
  provinceLate: fc.boolean(),
  counts: fc.array(count, { minLength: 5 * 12 * DOMAINS.length, maxLength: 5 * 12 * DOMAINS.length }),
  satisfied: fc.array(fc.double({ min: 0.5, max: 1, noNaN: true }), { minLength: 5, maxLength: 5 }),
  min: fc.constantFrom(10, 20),
});

async function overallQuestion(): Promise<number> {
  const row = await db
    .selectFrom('question')
    .select('id')
    .where('questionnaire_id', '=', 'quick-1')
    .where('role', '=', 'overall')
    .executeTakeFirstOrThrow();
  return row.id;
}

describe('what the releases of a year publish', () => {
  it('never lets a group under the minimum be derived, by any sum or difference of published figures', async () => {
    const question = await overallQuestion();
    const domainIdOf = new Map(DOMAINS.map((code, index) => [code, index]));
    const ids = await domainIds(db, DOMAINS);
    let audited = 0;
    let published = 0;
    await fc.assert(
      fc.asyncProperty(world, async (scenario) => {
        const province = await makeUnit(db, { kind: 'province' });
        const units: Unit[] = [province];
        for (let index = 0; index < scenario.communes; index++)
          units.push(await makeUnit(db, { parent_id: province.id }));
        units.push(await makeUnit(db, { parent_id: units[1]!.id, kind: 'agency' }));
        await db
          .updateTable('unit')
          .set({ scorecard_min_ratings: scenario.min })
          .where(
            'id',
            'in',
            units.map((unit) => unit.id),
          )
          .execute();

        const cells: AuditCell[] = [];
        const rollup = [];
        for (const [u, unit] of units.entries()) {
          const { desk } = await makeDesk(db, { unit, domains: DOMAINS });
          for (const [m, month] of MONTHS.entries()) {
            for (const [d, code] of DOMAINS.entries()) {
              const n = scenario.counts[(u * 12 + m) * DOMAINS.length + d]!;
              cells.push({ key: `${unit.id}|${month}|${code}`, count: n });
              if (n === 0) continue;
              const happy = Math.round(n * scenario.satisfied[u]!);
              rollup.push({
                unit_id: unit.id,
                month: `${month}-01`,
                desk_id: desk.id,
                domain_id: ids[domainIdOf.get(code)!]!,
                channel: 'qr',
                question_id: question,
                n1: n - happy,
                n2: 0,
                n3: 0,
                n4: 0,
                n5: happy,
              });
            }
          }
        }
        if (rollup.length > 0) await db.insertInto('rollup_desk_month').values(rollup).execute();

        const members = units.filter((_, index) => scenario.member[index]);
        const late = scenario.provinceLate ? members.filter((unit) => unit.id === province.id) : [];
        for (const group of [members.filter((unit) => !late.includes(unit)), late]) {
          for (let quarter = 1; quarter <= 4; quarter++) {
            const ids = group.map((unit) => unit.id);
            await db.transaction().execute((trx) => releaseQuarter(trx, `${YEAR}-Q${quarter}`, ids));
          }
        }

        const figures = await db
          .selectFrom('scorecard_figure')
          .selectAll()
          .where(
            'unit_id',
            'in',
            units.map((unit) => unit.id),
          )
          .where('published', '=', true)
          .execute();
        const closure = await db
          .selectFrom('unit_closure')
          .select(['unit_id', 'ancestor_id'])
          .where(
            'ancestor_id',
            'in',
            units.map((unit) => unit.id),
          )
          .execute();
        const codeOf = new Map(ids.map((id, index) => [id, DOMAINS[index]!]));
        const sets = figures.map((figure) => {
          const period = parsePeriod(figure.period)!;
          const months = MONTHS.filter((month) => `${month}-01` >= period.from && `${month}-01` < period.to);
          const sources = closure.filter((row) => row.ancestor_id === figure.unit_id).map((row) => row.unit_id);
          const domains = figure.domain_id === null ? DOMAINS : [codeOf.get(figure.domain_id)!];
          const ratings = figure.n1 + figure.n2 + figure.n3 + figure.n4 + figure.n5;
          expect(ratings, `${figure.unit_id} ${figure.period} ${figure.domain_id}`).toBeGreaterThanOrEqual(
            scenario.min,
          );
          return sources.flatMap((source) =>
            months.flatMap((month) => domains.map((domain) => `${source}|${month}|${domain}`)),
          );
        });
        // A page says "no ratings" where a member's figure is empty: the attacker knows those cells are empty.
        const countOf = new Map(cells.map((cell) => [cell.key, cell.count]));
        const quarters = [0, 1, 2, 3].map((quarter) => MONTHS.slice(quarter * 3, quarter * 3 + 3));
        for (const unit of members) {
          const sources = closure.filter((row) => row.ancestor_id === unit.id).map((row) => row.unit_id);
          const slices = [
            ...MONTHS.map((month) => ({ months: [month], domains: DOMAINS })),
            ...quarters.flatMap((months) => DOMAINS.map((domain) => ({ months, domains: [domain] }))),
          ];
          for (const slice of slices) {
            const keys = sources.flatMap((source) =>
              slice.months.flatMap((month) => slice.domains.map((domain) => `${source}|${month}|${domain}`)),
            );
            if (keys.every((key) => (countOf.get(key) ?? 0) === 0)) sets.push(keys);
          }
        }
        published += sets.length;
        const { leak } = auditDisclosure(cells, sets, scenario.min);
        expect(leak, JSON.stringify({ leak, scenario: { ...scenario, counts: undefined } })).toBeUndefined();
        audited++;
      }),
      { numRuns: 40 },
    );
    // The runs published something to attack, not only suppressed everything.
    expect(audited).toBe(40);
    expect(published).toBeGreaterThan(200);
  }, 240_000);
});

import { sql } from 'kysely';
import type { Db } from '../db/database.ts';
import type { TargetComparison, TargetMetric } from '../targets/target.table.ts';
import type { UnitKind } from '../units/unit.table.ts';

/**
 * Targets flow down the tree (DESIGN §4): a unit without a target of its own for a metric
 * (and domain) in a year is held to its nearest ancestor's — its parent's, else its
 * grandparent's, and so on up to the country — and every report says whose target it is.
 *
 * The chain is the tree's (`parent_id`), never the merges': a unit merged into another is
 * reported on, for its own history, under the plan of the tree it belonged to (its old
 * parent's), and its successor, whose figures hold that history, is held to its own or its
 * own ancestors' targets. A successor does not take a predecessor's target: a merged
 * commune's plan ended with it.
 */

export interface EffectiveTarget {
  id: number;
  year: number;
  metric: TargetMetric;
  domain: { id: number; code: string; name: { vi: string; en: string } } | null;
  comparison: TargetComparison;
  threshold: number;
  planNumber: string | null;
  planDate: string | null;
  planSentence: string | null;
  /** The unit whose target this is, when not the unit's own: the nearest ancestor that set one. */
  inheritedFrom: { unitId: number; name: string; kind: UnitKind } | null;
}

/**
 * The targets each of `unitIds` is held to in `years`: its own, and for every (year, metric,
 * domain) it has none of, its nearest ancestor's. One statement for any number of units.
 *
 * @example (await effectiveTargets(db, [communeId], [2026])).get(communeId) // [{ metric: 'tthc', threshold: 90, inheritedFrom: { name: 'Tỉnh P', … } }, …]
 */
export async function effectiveTargets(
  db: Db,
  unitIds: number[],
  years: number[],
  metric?: TargetMetric,
): Promise<Map<number, EffectiveTarget[]>> {
  const found = new Map<number, EffectiveTarget[]>(unitIds.map((id) => [id, []]));
  if (unitIds.length === 0 || years.length === 0) return found;
  const rows = await sql<{
    for_unit: number;
    depth: number;
    id: number;
    year: number;
    metric: TargetMetric;
    domain_id: number | null;
    domain_code: string | null;
    name_vi: string | null;
    name_en: string | null;
    comparison: TargetComparison;
    threshold: number;
    plan_number: string | null;
    plan_date: string | null;
    plan_sentence: string | null;
    owner_id: number;
    owner_name: string;
    owner_kind: UnitKind;
  }>`
    with recursive chain (for_unit, ancestor_id, depth) as (
      select id, id, 0 from unit where id = any(${unitIds}::integer[])
      union all
      select chain.for_unit, unit.parent_id, chain.depth + 1
      from chain join unit on unit.id = chain.ancestor_id
      where unit.parent_id is not null
    )
    select distinct on (chain.for_unit, target.year, target.metric, target.domain_id)
      chain.for_unit, chain.depth, target.id, target.year, target.metric, target.domain_id,
      domain.code as domain_code, domain.name_vi, domain.name_en, target.comparison,
      target.threshold::float8 as threshold, target.plan_number,
      to_char(target.plan_date, 'YYYY-MM-DD') as plan_date, target.plan_sentence,
      owner.id as owner_id, owner.name as owner_name, owner.kind as owner_kind
    from chain
    join target on target.unit_id = chain.ancestor_id and target.year = any(${years}::smallint[])
      ${metric ? sql`and target.metric = ${metric}` : sql``}
    join unit owner on owner.id = target.unit_id
    left join domain on domain.id = target.domain_id
    order by chain.for_unit, target.year, target.metric, target.domain_id, chain.depth
  `.execute(db);
  // TTHC first, as the plans list them: the headline target of the year.
  const metricOrder: TargetMetric[] = ['tthc', 'agency_service', 'domain'];
  const positions = await domainPositions(db, rows.rows);
  const sorted = [...rows.rows].sort(
    (a, b) =>
      a.year - b.year ||
      metricOrder.indexOf(a.metric) - metricOrder.indexOf(b.metric) ||
      (positions.get(a.domain_id ?? -1) ?? 0) - (positions.get(b.domain_id ?? -1) ?? 0),
  );
  for (const row of sorted) {
    found.get(row.for_unit)!.push({
      id: row.id,
      year: row.year,
      metric: row.metric,
      domain:
        row.domain_id !== null
          ? { id: row.domain_id, code: row.domain_code!, name: { vi: row.name_vi!, en: row.name_en! } }
          : null,
      comparison: row.comparison,
      threshold: row.threshold,
      planNumber: row.plan_number,
      planDate: row.plan_date,
      planSentence: row.plan_sentence,
      inheritedFrom: row.depth === 0 ? null : { unitId: row.owner_id, name: row.owner_name, kind: row.owner_kind },
    });
  }
  return found;
}

async function domainPositions(db: Db, rows: { domain_id: number | null }[]): Promise<Map<number, number>> {
  const ids = [...new Set(rows.map((row) => row.domain_id).filter((id): id is number => id !== null))];
  if (ids.length === 0) return new Map();
  const domains = await db.selectFrom('domain').select(['id', 'position']).where('id', 'in', ids).execute();
  return new Map(domains.map((domain) => [domain.id, domain.position]));
}

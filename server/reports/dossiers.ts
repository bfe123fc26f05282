import { sql } from 'kysely';
import type { Db } from '../db/database.ts';
import { addMonths, monthOf } from '../time/vietnam-time.ts';
import type { Period } from './periods.ts';

/**
 * N for the sample-size rule (DESIGN §4): the dossiers a unit handled in a period, from the
 * monthly counts officials enter per unit (`dossier_volume`). A unit's count covers its
 * sub-units, so N for a unit and month is
 *
 * - its own count, when it entered one;
 * - otherwise the sum over its subtree, each count taken once: the counts of units none
 *   of whose tree ancestors within the subtree entered one for that month;
 * - in both cases plus the counts of units merged into it (and their subtrees) for the
 *   months before the merge: a successor's own count before the merge cannot hold them.
 *
 * A unit's counts for months after it was closed are ignored (it handled nothing then).
 */

export interface DossierCount {
  /**
   * N for the period: the months with a count, extended to the months without one at the
   * same daily rate; null when no month of the period has a count.
   */
  count: number | null;
  /** Months of the period (`YYYY-MM`) with no count for the unit or any unit under it. */
  missingMonths: string[];
}

/** What N is built from, for the units asked about: known N per month, and when each closed. */
export interface DossierBook {
  /** Known N per unit and month (`YYYY-MM-01`). */
  months: Map<number, Map<string, number>>;
  /** The day each unit closed (merged or dissolved), or null while it exists. */
  closedOn: Map<number, string | null>;
}

/**
 * Reads the monthly dossier counts that add up to N for each of `unitIds` over `period`,
 * with the units' closing days. One statement, and a second only when counts were entered.
 */
export async function dossierBook(db: Db, unitIds: number[], period: Period): Promise<DossierBook> {
  const book: DossierBook = { months: new Map(unitIds.map((unitId) => [unitId, new Map()])), closedOn: new Map() };
  if (unitIds.length === 0) return book;
  const rows = await sql<{
    unit: number;
    closed_on: string | null;
    member: number | null;
    month: string | null;
    dossiers: number | null;
  }>`
    select asked.id as unit, asked.valid_until as closed_on, entry.member, entry.month, entry.dossiers
    from unit asked
    left join lateral (
      select v.unit_id as member, v.month, v.dossiers
      from unit_closure c
      join dossier_volume v on v.unit_id = c.unit_id
        and v.month >= ${monthOf(period.from)}::date and v.month < ${period.to}::date
      join unit u on u.id = v.unit_id
      where c.ancestor_id = asked.id and (u.valid_until is null or v.month < u.valid_until)
    ) entry on true
    where asked.id = any(${unitIds}::integer[])
  `.execute(db);
  const entries: { unit: number; member: number; month: string; dossiers: number }[] = [];
  for (const row of rows.rows) {
    book.closedOn.set(row.unit, row.closed_on);
    if (row.member !== null)
      entries.push({ unit: row.unit, member: row.member, month: row.month!, dossiers: row.dossiers! });
  }
  if (entries.length === 0) return book;

  // Tree ancestors (parents, grandparents, …; not merge successors) of every unit with a count.
  const members = [...new Set(entries.map((row) => row.member))];
  const chains = await sql<{ unit_id: number; ancestor_id: number }>`
    with recursive chain (unit_id, ancestor_id) as (
      select id, parent_id from unit where id = any(${members}::integer[]) and parent_id is not null
      union
      select chain.unit_id, u.parent_id from chain join unit u on u.id = chain.ancestor_id where u.parent_id is not null
    )
    select unit_id, ancestor_id from chain
  `.execute(db);
  const treeAncestors = new Map<number, number[]>();
  for (const row of chains.rows)
    treeAncestors.set(row.unit_id, [...(treeAncestors.get(row.unit_id) ?? []), row.ancestor_id]);

  // Per unit asked about and month: the counts of its members, then those not covered by
  // a tree ancestor's count within the same unit.
  const byUnitMonth = new Map<string, Map<number, number>>();
  for (const row of entries) {
    const key = `${row.unit}|${row.month}`;
    const counts = byUnitMonth.get(key) ?? new Map<number, number>();
    counts.set(row.member, row.dossiers);
    byUnitMonth.set(key, counts);
  }
  for (const [key, counts] of byUnitMonth) {
    const [unit, month] = key.split('|') as [string, string];
    let total = 0;
    for (const [member, dossiers] of counts) {
      const covered = (treeAncestors.get(member) ?? []).some((ancestor) => counts.has(ancestor));
      if (!covered) total += dossiers;
    }
    book.months.get(Number(unit))!.set(month, total);
  }
  return book;
}

function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

/**
 * N over the days [from, to) from a unit's known months: a month the range cuts through
 * counts in proportion to its days inside; months without a count are filled at the rate
 * of those with one, and listed.
 *
 * @example dossierCount(new Map([['2026-01-01', 300], ['2026-02-01', 280]]), '2026-01-01', '2026-04-01')
 * // { count: 885, missingMonths: ['2026-03'] }: 580 dossiers in 59 days, at that rate over 90 days
 */
export function dossierCount(known: Map<string, number> | undefined, from: string, to: string): DossierCount {
  let knownDossiers = 0;
  let knownDays = 0;
  let allDays = 0;
  const missingMonths: string[] = [];
  for (let month = monthOf(from); month < to; month = addMonths(month, 1)) {
    const next = addMonths(month, 1);
    const days = daysBetween(month < from ? from : month, next > to ? to : next);
    const dossiers = known?.get(month);
    allDays += days;
    if (dossiers === undefined) {
      missingMonths.push(month.slice(0, 7));
      continue;
    }
    knownDossiers += (dossiers * days) / daysBetween(month, next);
    knownDays += days;
  }
  if (knownDays === 0) return { count: null, missingMonths };
  return { count: Math.round((knownDossiers * allDays) / knownDays), missingMonths };
}

/** N of one unit of the book over a period, ended early when the unit closed within it. */
export function dossiersOf(book: DossierBook, unitId: number, period: { from: string; to: string }): DossierCount {
  const closedOn = book.closedOn.get(unitId) ?? null;
  const to = closedOn !== null && closedOn < period.to ? closedOn : period.to;
  if (to <= period.from) return { count: null, missingMonths: [] };
  return dossierCount(book.months.get(unitId), period.from, to);
}

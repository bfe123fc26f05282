import { sql } from 'kysely';
import type { Db, Trx } from '../db/database.ts';
import { inScope } from '../auth/access.ts';
import { AppError } from '../errors.ts';
import type { Official } from '../officials/official.table.ts';
import { addMergedBallotHistory, lockRollups } from '../rollups/fold.ts';
import type { NewUnit, Unit } from './unit.table.ts';

/** Creates a unit and its closure rows (itself and every unit its parent counts towards). */
export async function createUnit(trx: Trx, unit: NewUnit): Promise<Unit> {
  const created = await trx.insertInto('unit').values(unit).returningAll().executeTakeFirstOrThrow();
  await sql`
    insert into unit_closure (unit_id, ancestor_id)
    select ${created.id}::integer, ${created.id}::integer
    union all
    select ${created.id}::integer, ancestor_id from unit_closure where unit_id = ${unit.parent_id ?? null}::integer
  `.execute(trx);
  return created;
}

/** The units of the official's scope, with how many desks each has. */
export function listUnits(db: Db, official: Official) {
  return db
    .selectFrom('unit')
    .select([
      'unit.id',
      'unit.code',
      'unit.name',
      'unit.kind',
      'unit.parent_id',
      'unit.valid_from',
      'unit.valid_until',
      'unit.merged_into_id',
      'unit.hotline',
      'unit.complaint_url',
      'unit.agency_sector',
      'unit.public_scorecard',
      'unit.follow_up_days',
    ])
    .select(sql<number>`(select count(*) from desk where desk.unit_id = unit.id)::integer`.as('desk_count'))
    .where(inScope(official, sql.ref('unit.id')))
    .orderBy('unit.id')
    .execute();
}

/**
 * Where a citizen of this unit turns after rating: the unit's own hotline and complaint
 * channel, or those of the nearest unit above it that has any (a commune without its own
 * shows its province's).
 */
export async function unitContact(
  db: Db,
  unitId: number,
): Promise<{ hotline: string | null; complaintUrl: string | null }> {
  const { rows } = await sql<{ hotline: string | null; complaint_url: string | null }>`
    with recursive up (id, parent_id, hotline, complaint_url, depth) as (
      select id, parent_id, hotline, complaint_url, 0 from unit where id = ${unitId}::integer
      union all
      select unit.id, unit.parent_id, unit.hotline, unit.complaint_url, up.depth + 1
      from unit join up on unit.id = up.parent_id
      where up.depth < 32
    )
    select hotline, complaint_url from up
    where hotline is not null or complaint_url is not null
    order by depth
    limit 1
  `.execute(db);
  return { hotline: rows[0]?.hotline ?? null, complaintUrl: rows[0]?.complaint_url ?? null };
}

/** Whether the unit is a root of the tree (the country), which is never closed or merged. */
export async function isRootUnit(db: Db, id: number): Promise<boolean> {
  const unit = await db.selectFrom('unit').select('parent_id').where('id', '=', id).executeTakeFirst();
  return unit !== undefined && unit.parent_id === null;
}

/** When a unit started (if known) and whether it was merged away. */
export function unitLifetime(db: Db, id: number) {
  return db.selectFrom('unit').select(['valid_from', 'merged_into_id']).where('id', '=', id).executeTakeFirstOrThrow();
}

/**
 * Merges `unitId` into `successorId` from `effectiveDate` (a Vietnam calendar day): the
 * unit is closed that day, and its whole history (and its sub-units') now also counts
 * towards the successor and the successor's ancestors, so reports under the new tree
 * include it, while reports under the old tree are unchanged.
 */
export async function mergeUnit(trx: Trx, unitId: number, successorId: number, effectiveDate: string): Promise<void> {
  // The folder must not fold ratings with the old closure while it changes.
  await lockRollups(trx);
  const [unit, successor] = await Promise.all([
    trx.selectFrom('unit').selectAll().where('id', '=', unitId).forUpdate().executeTakeFirst(),
    trx.selectFrom('unit').selectAll().where('id', '=', successorId).executeTakeFirst(),
  ]);
  if (!unit || !successor) throw new AppError('unit_not_found');
  if (unit.merged_into_id !== null) throw new AppError('unit_already_merged');
  const successorCountsTowardsUnit = await trx
    .selectFrom('unit_closure')
    .select('unit_id')
    .where('unit_id', '=', successorId)
    .where('ancestor_id', '=', unitId)
    .executeTakeFirst();
  if (successorCountsTowardsUnit) {
    throw new AppError('merge_cycle');
  }
  if (unit.valid_from !== null && effectiveDate <= unit.valid_from) {
    throw new AppError('merge_date_before_start');
  }

  await trx
    .updateTable('unit')
    .set({ merged_into_id: successorId, valid_until: effectiveDate })
    .where('id', '=', unitId)
    .execute();

  // New closure pairs: every unit that counts towards the merged unit now also counts
  // towards whatever the successor counts towards.
  const added = await sql<{ unit_id: number; ancestor_id: number }>`
    insert into unit_closure (unit_id, ancestor_id)
    select member.unit_id, target.ancestor_id
    from unit_closure member
    cross join unit_closure target
    where member.ancestor_id = ${unitId} and target.unit_id = ${successorId}
    on conflict do nothing
    returning unit_id, ancestor_id
  `.execute(trx);
  if (added.rows.length === 0) return;

  // Already-folded history of those units is copied into their new ancestors; ratings
  // still pending are folded later with the new closure.
  const pairs = sql.join(added.rows.map((pair) => sql`(${pair.unit_id}::integer, ${pair.ancestor_id}::integer)`));
  await sql`
    insert into rollup_unit_month (unit_id, month, domain_id, question_id, n1, n2, n3, n4, n5)
    select pair.ancestor_id, r.month, r.domain_id, r.question_id, sum(r.n1), sum(r.n2), sum(r.n3), sum(r.n4), sum(r.n5)
    from (values ${pairs}) as pair (unit_id, ancestor_id)
    join rollup_desk_month r on r.unit_id = pair.unit_id
    group by pair.ancestor_id, r.month, r.domain_id, r.question_id
    on conflict (unit_id, month, domain_id, question_id) do update set
      n1 = rollup_unit_month.n1 + excluded.n1, n2 = rollup_unit_month.n2 + excluded.n2,
      n3 = rollup_unit_month.n3 + excluded.n3, n4 = rollup_unit_month.n4 + excluded.n4,
      n5 = rollup_unit_month.n5 + excluded.n5
  `.execute(trx);
  await sql`
    insert into rollup_reason_month (unit_id, month, domain_id, reason_id, n)
    select pair.ancestor_id, vn_month(r.rated_at), r.domain_id, rr.reason_id, count(*)
    from (values ${pairs}) as pair (unit_id, ancestor_id)
    join response r on r.unit_id = pair.unit_id
    join response_reason rr on rr.response_id = r.id
    where not exists (select 1 from rollup_pending p where p.response_id = r.id)
    group by pair.ancestor_id, vn_month(r.rated_at), r.domain_id, rr.reason_id
    on conflict (unit_id, month, domain_id, reason_id) do update set n = rollup_reason_month.n + excluded.n
  `.execute(trx);
  await addMergedBallotHistory(trx, added.rows);
}

/** The national root unit (code VN): the scope of platform administrators. */
export async function findOrCreateCountryRoot(trx: Trx): Promise<Unit> {
  const existing = await trx.selectFrom('unit').selectAll().where('code', '=', 'VN').executeTakeFirst();
  return (
    existing ??
    createUnit(trx, {
      code: 'VN',
      name: 'Việt Nam',
      kind: 'country',
      parent_id: null,
      valid_from: null,
      valid_until: null,
      merged_into_id: null,
    })
  );
}

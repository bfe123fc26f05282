import { sql, type Expression, type SqlBool } from 'kysely';
import type { Db } from '../db/database.ts';
import { notFound } from '../errors.ts';
import type { Official } from '../officials/official.table.ts';

/**
 * Who may reach what: an official sees the units of their subtree (merged predecessors
 * included, through the closure), and everything that belongs to those units. This
 * module is the only place that decides it; routes call `assertAccess` for an id they
 * were given and filter lists with `inScope`.
 */

/**
 * Whether the unit in `unitColumn` lies under `unitId` (itself included, and the units
 * merged into it).
 *
 * @example db.selectFrom('desk').where(underUnit(sql.ref('desk.unit_id'), 42))
 */
export function underUnit(unitColumn: Expression<number>, unitId: number): Expression<SqlBool> {
  return sql<SqlBool>`exists (
    select 1 from unit_closure scope where scope.unit_id = ${unitColumn} and scope.ancestor_id = ${unitId}
  )`;
}

/**
 * Whether the unit in `unitColumn` is within the official's scope. Administrators see
 * every unit.
 *
 * @example db.selectFrom('desk').where(inScope(official, sql.ref('desk.unit_id')))
 */
export function inScope(official: Official, unitColumn: Expression<number>): Expression<SqlBool> {
  if (official.role === 'admin') return sql<SqlBool>`true`;
  return underUnit(unitColumn, official.unit_id);
}

/** How each kind of resource finds the unit it belongs to. */
const unitOf = {
  unit: (db: Db, id: number) => db.selectFrom('unit').select('unit.id as unit_id').where('unit.id', '=', id),
  desk: (db: Db, id: number) => db.selectFrom('desk').select('desk.unit_id').where('desk.id', '=', id),
  device: (db: Db, id: number) =>
    db
      .selectFrom('kiosk_device')
      .innerJoin('desk', 'desk.id', 'kiosk_device.desk_id')
      .select('desk.unit_id')
      .where('kiosk_device.id', '=', id),
  target: (db: Db, id: number) => db.selectFrom('target').select('target.unit_id').where('target.id', '=', id),
  rating: (db: Db, id: number) => db.selectFrom('response').select('response.unit_id').where('response.id', '=', id),
  official: (db: Db, id: number) => db.selectFrom('official').select('official.unit_id').where('official.id', '=', id),
};

export type Resource = keyof typeof unitOf;

/**
 * Resolves with the unit the resource belongs to when it exists and is in the official's
 * scope; otherwise throws the same 404 as for an id that does not exist, so that guessing
 * ids reveals nothing.
 *
 * @example const unitId = await assertAccess(db, official, 'desk', deskId)
 */
export async function assertAccess(db: Db, official: Official, resource: Resource, id: number): Promise<number> {
  const found = await db
    .selectFrom(unitOf[resource](db, id).as('owner'))
    .select('owner.unit_id')
    .where(inScope(official, sql.ref('owner.unit_id')))
    .executeTakeFirst();
  if (!found) throw notFound();
  return found.unit_id;
}

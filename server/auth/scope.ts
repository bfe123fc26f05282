import { sql, type Expression, type SqlBool } from 'kysely';
import type { Db } from '../db/database.ts';
import { AppError } from '../errors.ts';
import type { Official } from '../officials/official.table.ts';

/**
 * Whether the unit in `unitColumn` lies in the official's subtree (merged predecessors
 * included, through the closure). Administrators see everything.
 *
 * @example db.selectFrom('desk').where(inScope(official, sql.ref('desk.unit_id')))
 */
export function inScope(official: Official, unitColumn: Expression<number>): Expression<SqlBool> {
  if (official.role === 'admin') return sql<SqlBool>`true`;
  return sql<SqlBool>`exists (
    select 1 from unit_closure scope
    where scope.unit_id = ${unitColumn} and scope.ancestor_id = ${official.unit_id}
  )`;
}

/**
 * The one answer for anything outside the official's scope, the same as for an id that
 * does not exist, so that guessing ids reveals nothing.
 */
export function notFound(): AppError {
  return new AppError(404, 'not_found', 'Not found');
}

export async function assertUnitInScope(db: Db, official: Official, unitId: number): Promise<void> {
  const found = await db
    .selectFrom('unit')
    .select('id')
    .where('id', '=', unitId)
    .where(inScope(official, sql.ref('unit.id')))
    .executeTakeFirst();
  if (!found) throw notFound();
}

/** The desk's unit, when the desk is in scope. */
export async function deskUnitInScope(db: Db, official: Official, deskId: number): Promise<number> {
  const found = await db
    .selectFrom('desk')
    .select('unit_id')
    .where('id', '=', deskId)
    .where(inScope(official, sql.ref('desk.unit_id')))
    .executeTakeFirst();
  if (!found) throw notFound();
  return found.unit_id;
}

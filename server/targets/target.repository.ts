import { sql } from 'kysely';
import { inScope } from '../auth/access.ts';
import type { Db } from '../db/database.ts';
import type { Official } from '../officials/official.table.ts';
import type { Target } from './target.table.ts';

/** Targets of the official's scope, newest year first, for one unit or year when given. */
export function listTargets(db: Db, official: Official, filter: { unitId?: number; year?: number }) {
  const { unitId, year } = filter;
  return db
    .selectFrom('target')
    .innerJoin('unit', 'unit.id', 'target.unit_id')
    .leftJoin('domain', 'domain.id', 'target.domain_id')
    .select([
      'target.id',
      'target.unit_id',
      'unit.name as unit_name',
      'target.year',
      'target.metric',
      'domain.code as domain',
      'target.comparison',
      'target.threshold',
      'target.plan_number',
      'target.plan_date',
      'target.plan_sentence',
    ])
    .where(inScope(official, sql.ref('target.unit_id')))
    .$if(unitId !== undefined, (query) => query.where('target.unit_id', '=', unitId!))
    .$if(year !== undefined, (query) => query.where('target.year', '=', year!))
    .orderBy('target.year', 'desc')
    .orderBy('unit.name')
    .orderBy('target.metric')
    .execute();
}

export type TargetChanges = Partial<
  Pick<Target, 'comparison' | 'threshold' | 'plan_number' | 'plan_date' | 'plan_sentence'>
>;

export async function updateTarget(db: Db, id: number, changes: TargetChanges): Promise<void> {
  const columns = Object.fromEntries(Object.entries(changes).filter(([, value]) => value !== undefined));
  if (Object.keys(columns).length > 0) await db.updateTable('target').set(columns).where('id', '=', id).execute();
}

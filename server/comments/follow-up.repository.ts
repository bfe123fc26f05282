import { sql, type Expression, type SqlBool } from 'kysely';
import { inScope, underUnit } from '../auth/access.ts';
import type { Db } from '../db/database.ts';
import type { Official } from '../officials/official.table.ts';
import { LOW_RATING_MAX } from '../questionnaires/scale.ts';

export type FollowUpStatus = 'received' | 'in_progress' | 'answered';

export interface FollowUpFilter {
  unitId?: number;
  status?: FollowUpStatus;
  /** `comment`: with a comment; `low`: an overall rating of LOW_RATING_MAX or lower. */
  kind?: 'comment' | 'low';
  /** Keyset paging: items older than this rating id. */
  before?: number;
  limit: number;
}

/** Whether the rating `r` had a low overall score. */
const lowOverall = sql<SqlBool>`exists (
  select 1 from response_answer a join question q on q.id = a.question_id
  where a.response_id = r.id and q.role = 'overall' and a.score <= ${LOW_RATING_MAX}
)`;

/** Whether the rating `r` needs following up: it has a comment or a low overall score. */
const needsFollowUp: Expression<SqlBool> = sql<SqlBool>`(
  exists (select 1 from comment where comment.response_id = r.id) or ${lowOverall}
)`;

const statusOf = sql<FollowUpStatus>`coalesce(f.status, 'received')`;

/** Comments and low ratings of the official's scope, newest first. */
export function listFollowUps(db: Db, official: Official, filter: FollowUpFilter) {
  return db
    .selectFrom('response as r')
    .innerJoin('unit', 'unit.id', 'r.unit_id')
    .innerJoin('desk', 'desk.id', 'r.desk_id')
    .innerJoin('domain', 'domain.id', 'r.domain_id')
    .leftJoin('comment', 'comment.response_id', 'r.id')
    .leftJoin('follow_up as f', 'f.response_id', 'r.id')
    .select([
      'r.id',
      'r.rated_at',
      'r.channel',
      'unit.id as unit_id',
      'unit.name as unit_name',
      'desk.name as desk_name',
      'domain.code as domain',
      'comment.body as comment',
      'f.note',
      'f.updated_at',
      statusOf.as('status'),
      sql<number | null>`(
        select a.score from response_answer a join question q on q.id = a.question_id
        where a.response_id = r.id and q.role = 'overall')`.as('overall'),
      sql<string[]>`coalesce((
        select array_agg(reason.code order by reason.position)
        from response_reason rr join reason on reason.id = rr.reason_id
        where rr.response_id = r.id), '{}')`.as('reasons'),
    ])
    .where(inScope(official, sql.ref('r.unit_id')))
    .where(needsFollowUp)
    .$if(filter.unitId !== undefined, (q) => q.where(underUnit(sql.ref('r.unit_id'), filter.unitId!)))
    .$if(filter.status !== undefined, (q) => q.where(statusOf, '=', filter.status!))
    .$if(filter.kind === 'comment', (q) => q.where('comment.body', 'is not', null))
    .$if(filter.kind === 'low', (q) => q.where(lowOverall))
    .$if(filter.before !== undefined, (q) => q.where('r.id', '<', filter.before!))
    .orderBy('r.id', 'desc')
    .limit(filter.limit)
    .execute();
}

/** Whether the rating is one to follow up (a comment or a low score); others have no follow-up. */
export async function isFollowUp(db: Db, ratingId: number): Promise<boolean> {
  const found = await db
    .selectFrom('response as r')
    .select('r.id')
    .where('r.id', '=', ratingId)
    .where(needsFollowUp)
    .executeTakeFirst();
  return found !== undefined;
}

/** Sets a follow-up's status, and its internal note when given. */
export async function saveFollowUp(
  db: Db,
  ratingId: number,
  change: { status: FollowUpStatus; note?: string | null; by: number },
): Promise<void> {
  await db
    .insertInto('follow_up')
    .values({ response_id: ratingId, status: change.status, note: change.note ?? null, updated_by: change.by })
    .onConflict((oc) =>
      oc.column('response_id').doUpdateSet({
        status: change.status,
        ...(change.note !== undefined ? { note: change.note } : {}),
        updated_at: sql`now()`,
        updated_by: change.by,
      }),
    )
    .execute();
}

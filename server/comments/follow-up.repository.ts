import { sql, type Expression, type SqlBool } from 'kysely';
import { inScope, underUnit } from '../auth/access.ts';
import type { Db } from '../db/database.ts';
import type { Official } from '../officials/official.table.ts';
import { LOW_RATING_MAX } from '../questionnaires/scale.ts';
import type { Period } from '../reports/periods.ts';
import { vietnamMidnight } from '../time/vietnam-time.ts';

export type FollowUpStatus = 'received' | 'in_progress' | 'answered';

export const FOLLOW_UP_STATUSES = ['received', 'in_progress', 'answered'] as const satisfies FollowUpStatus[];

/** Which follow-ups to list: all of them narrow the list, and the counts per status. */
export interface FollowUpScope {
  unitId?: number;
  deskId?: number;
  /** A domain code. */
  domain?: string;
  /** Ratings made in this period (Vietnam time). */
  period?: Period;
  /** `comment`: with a comment; `low`: an overall rating of LOW_RATING_MAX or lower. */
  kind?: 'comment' | 'low';
}

export interface FollowUpFilter extends FollowUpScope {
  status?: FollowUpStatus;
  /**
   * Keyset paging: the items after this one in the list's order — rated earlier, or at
   * the same instant with a smaller id — so a page never repeats or skips an item.
   */
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

/** The comments and low ratings of the official's scope that a filter keeps, whatever their status. */
function followUpsIn(db: Db, official: Official, scope: FollowUpScope) {
  return db
    .selectFrom('response as r')
    .innerJoin('unit', 'unit.id', 'r.unit_id')
    .innerJoin('desk', 'desk.id', 'r.desk_id')
    .innerJoin('domain', 'domain.id', 'r.domain_id')
    .leftJoin('comment', 'comment.response_id', 'r.id')
    .leftJoin('follow_up as f', 'f.response_id', 'r.id')
    .where(inScope(official, sql.ref('r.unit_id')))
    .where(needsFollowUp)
    .$if(scope.unitId !== undefined, (q) => q.where(underUnit(sql.ref('r.unit_id'), scope.unitId!)))
    .$if(scope.deskId !== undefined, (q) => q.where('r.desk_id', '=', scope.deskId!))
    .$if(scope.domain !== undefined, (q) => q.where('domain.code', '=', scope.domain!))
    .$if(scope.period !== undefined, (q) =>
      q
        .where('r.rated_at', '>=', vietnamMidnight(scope.period!.from))
        .where('r.rated_at', '<', vietnamMidnight(scope.period!.to)),
    )
    .$if(scope.kind === 'comment', (q) => q.where('comment.body', 'is not', null))
    .$if(scope.kind === 'low', (q) => q.where(lowOverall));
}

/** Comments and low ratings of the official's scope, newest first by the time they were rated. */
export function listFollowUps(db: Db, official: Official, filter: FollowUpFilter) {
  return (
    followUpsIn(db, official, filter)
      .select([
        'r.id',
        'r.rated_at',
        'r.channel',
        'unit.id as unit_id',
        'unit.name as unit_name',
        'desk.name as desk_name',
        'desk.id as desk_id',
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
      .$if(filter.status !== undefined, (q) => q.where(statusOf, '=', filter.status!))
      // Ratings arrive out of order (a kiosk sends what it kept offline days later), so the
      // list follows the time of rating; the id breaks ties, and the page's last item is the cursor.
      .$if(filter.before !== undefined, (q) =>
        q.where(sql<SqlBool>`(r.rated_at, r.id) < (select rated_at, id from response where id = ${filter.before!})`),
      )
      .orderBy('r.rated_at', 'desc')
      .orderBy('r.id', 'desc')
      .limit(filter.limit)
      .execute()
  );
}

/** How many follow-ups the filter keeps in each status. */
export async function countFollowUps(
  db: Db,
  official: Official,
  scope: FollowUpScope,
): Promise<Record<FollowUpStatus, number>> {
  const rows = await followUpsIn(db, official, scope)
    .select([statusOf.as('status'), sql<number>`count(*)::integer`.as('count')])
    .groupBy(statusOf)
    .execute();
  return Object.fromEntries(
    FOLLOW_UP_STATUSES.map((status) => [status, rows.find((row) => row.status === status)?.count ?? 0]),
  ) as Record<FollowUpStatus, number>;
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

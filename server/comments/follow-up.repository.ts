import { sql, type Expression, type RawBuilder, type SqlBool } from 'kysely';
import { inScope, underUnit } from '../auth/access.ts';
import type { Db } from '../db/database.ts';
import type { Official } from '../officials/official.table.ts';
import { LOW_RATING_MAX } from '../questionnaires/scale.ts';
import type { Period } from '../reports/periods.ts';
import { vietnamDate, vietnamMidnight } from '../time/vietnam-time.ts';
import { ELEMENT_ORDER } from './comment-elements.ts';

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

/** Narrower lists: what is late, what went up to the parent unit, what is one's own. */
export interface FollowUpFocus {
  /** Not answered and past its due day (Vietnam date `today`). */
  overdue?: boolean;
  /** Passed to the managers of the parent unit, being overdue. */
  escalated?: boolean;
  /** Assigned to this official. */
  assignedTo?: number;
  /** A SIPAS element the comment speaks about. */
  element?: string;
}

export interface FollowUpFilter extends FollowUpScope, FollowUpFocus {
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

/** Whether the follow-up `f` is past its due day and not answered; the due day itself is on time. */
function overdueOn(today: string): RawBuilder<SqlBool> {
  return sql<SqlBool>`(f.status is distinct from 'answered' and f.due_on < ${today}::date)`;
}

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

/** Applies the narrower lists of `FollowUpFocus` to a query over `followUpsIn`. */
function focused<Q extends { where: (expression: Expression<SqlBool>) => Q }>(
  query: Q,
  focus: FollowUpFocus,
  today: string,
): Q {
  let narrowed = query;
  if (focus.overdue) narrowed = narrowed.where(overdueOn(today));
  if (focus.escalated) narrowed = narrowed.where(sql<SqlBool>`f.escalated_at is not null`);
  if (focus.assignedTo !== undefined) narrowed = narrowed.where(sql<SqlBool>`f.assigned_to = ${focus.assignedTo}`);
  if (focus.element !== undefined) narrowed = narrowed.where(sql<SqlBool>`${focus.element} = any(comment.elements)`);
  return narrowed;
}

/** Comments and low ratings of the official's scope, newest first by the time they were rated. */
export function listFollowUps(db: Db, official: Official, filter: FollowUpFilter, today: string) {
  return (
    focused(followUpsIn(db, official, filter), filter, today)
      .leftJoin('official as owner', 'owner.id', 'f.assigned_to')
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
        sql<string[]>`coalesce(comment.elements, '{}')`.as('elements'),
        'f.note',
        'f.updated_at',
        'f.due_on',
        'f.escalated_at',
        'f.public_reply',
        'f.replied_at',
        'owner.id as owner_id',
        'owner.display_name as owner_name',
        overdueOn(today).as('overdue'),
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

/** How many follow-ups of the scope are overdue, and how many of those went up to a parent unit. */
export async function countOverdue(
  db: Db,
  official: Official,
  scope: FollowUpScope,
  today: string,
): Promise<{ overdue: number; escalated: number }> {
  return followUpsIn(db, official, scope)
    .where(overdueOn(today))
    .select([
      sql<number>`count(*)::integer`.as('overdue'),
      sql<number>`(count(*) filter (where f.escalated_at is not null))::integer`.as('escalated'),
    ])
    .executeTakeFirstOrThrow();
}

/**
 * How many comments of the official's scope speak about each SIPAS element (a comment may
 * speak about several, or none), with the number of comments.
 */
export async function countCommentElements(
  db: Db,
  official: Official,
  scope: FollowUpScope,
): Promise<{ comments: number; elements: { element: string; comments: number }[] }> {
  const base = followUpsIn(db, official, { ...scope, kind: 'comment' });
  // One pass over the comments: each gives a row per element it is tagged with.
  const [total, tagged] = await Promise.all([
    base.select(sql<number>`count(*)::integer`.as('comments')).executeTakeFirstOrThrow(),
    sql<{ element: string; comments: number }>`
      select element, count(*)::integer as comments
      from (select unnest(c.elements) as element from (${base.select('comment.elements')}) c) tags
      group by element
    `.execute(db),
  ]);
  const perElement = ELEMENT_ORDER.map((element) => ({
    element,
    comments: tagged.rows.find((row) => row.element === element)?.comments ?? 0,
  }));
  return { comments: total.comments, elements: perElement };
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

export interface FollowUpChange {
  status: FollowUpStatus;
  note?: string | null;
  /** The official who answers it; null takes the assignment back. */
  assignedTo?: number | null;
  dueOn?: string;
  /** What the citizen reads with the code; null withdraws it. */
  publicReply?: string | null;
  by: number;
}

/**
 * Sets a follow-up's status, and whatever else the change names. A new due day that is not
 * past any more takes the follow-up back from the parent unit (its escalation ends).
 */
export async function saveFollowUp(db: Db, ratingId: number, change: FollowUpChange, today: string): Promise<void> {
  const named = {
    ...(change.note !== undefined ? { note: change.note } : {}),
    ...(change.assignedTo !== undefined ? { assigned_to: change.assignedTo } : {}),
    ...(change.dueOn !== undefined ? { due_on: change.dueOn } : {}),
    ...(change.publicReply !== undefined
      ? { public_reply: change.publicReply, replied_at: change.publicReply === null ? null : sql<Date>`now()` }
      : {}),
  };
  await db
    .insertInto('follow_up')
    .values({ response_id: ratingId, status: change.status, updated_by: change.by, ...named })
    .onConflict((oc) =>
      oc.column('response_id').doUpdateSet({
        status: change.status,
        ...named,
        // The reply keeps the time it was written while its words stay the same.
        ...(change.publicReply !== undefined && change.publicReply !== null
          ? {
              replied_at: sql<Date>`case when follow_up.public_reply is not distinct from excluded.public_reply
                then follow_up.replied_at else now() end`,
            }
          : {}),
        ...(change.dueOn !== undefined && change.dueOn >= today ? { escalated_at: null } : {}),
        updated_at: sql`now()`,
        updated_by: change.by,
      }),
    )
    .execute();
}

/**
 * Whether an official may be given a follow-up of a unit: an active manager or administrator
 * who sees the unit (a viewer could not answer it).
 */
export async function canAnswer(db: Db, officialId: number, unitId: number): Promise<boolean> {
  const found = await db
    .selectFrom('official')
    .select('official.id')
    .where('official.id', '=', officialId)
    .where('official.active', '=', true)
    .where('official.role', 'in', ['admin', 'manager'])
    .where(
      sql<SqlBool>`(official.role = 'admin' or exists (
        select 1 from unit_closure scope where scope.unit_id = ${unitId} and scope.ancestor_id = official.unit_id))`,
    )
    .executeTakeFirst();
  return found !== undefined;
}

/**
 * Passes every follow-up that is past its due day, not answered and not yet passed on, to the
 * managers of its unit's parent: it is marked with the time, and shows as escalated in their
 * follow-up list (they see their sub-units' follow-ups already). A unit without a parent has
 * nobody above it, so its follow-ups are only overdue. Resolves with how many were passed on.
 */
export async function escalateOverdue(db: Db, now: Date): Promise<number> {
  const today = vietnamDate(now);
  const escalated = await db
    .updateTable('follow_up as f')
    .set({ escalated_at: now })
    .where('f.escalated_at', 'is', null)
    .where('f.status', '<>', 'answered')
    .where('f.due_on', '<', today)
    .where(({ exists, selectFrom }) =>
      exists(
        selectFrom('response as r')
          .innerJoin('unit', 'unit.id', 'r.unit_id')
          .select('r.id')
          .whereRef('r.id', '=', 'f.response_id')
          .where('unit.parent_id', 'is not', null),
      ),
    )
    .executeTakeFirst();
  return Number(escalated.numUpdatedRows);
}

/**
 * What the citizen may read with a follow-up code or the receipt code of the rating: the
 * unit, the status and the unit's public reply. Never the comment, the internal note, or who
 * handled it. A code given to two comments (clients choose them) opens neither.
 */
export async function publicFollowUp(db: Db, lookup: { followUpCode: string } | { tokenHash: Buffer }) {
  const rows = await db
    .selectFrom('response as r')
    .innerJoin('unit', 'unit.id', 'r.unit_id')
    .leftJoin('comment', 'comment.response_id', 'r.id')
    .leftJoin('follow_up as f', 'f.response_id', 'r.id')
    .select([
      'unit.name as unit_name',
      'r.rated_at',
      statusOf.as('status'),
      'f.public_reply',
      'f.replied_at',
      'f.due_on',
    ])
    .$if('followUpCode' in lookup, (q) =>
      q.where('comment.follow_up_code', '=', (lookup as { followUpCode: string }).followUpCode),
    )
    .$if('tokenHash' in lookup, (q) =>
      q
        .innerJoin('dossier_token as t', 't.id', 'r.dossier_token_id')
        .where('t.token_hash', '=', (lookup as { tokenHash: Buffer }).tokenHash)
        .where(needsFollowUp),
    )
    .limit(2)
    .execute();
  return rows.length === 1 ? rows[0]! : undefined;
}

import { sql } from 'kysely';
import type { Db } from '../server/db/database.ts';

/**
 * The unit rollups as stored, and as a recount of every raw rating gives them, in the same
 * order: the answer counts of `rollup_unit_month`, then the ballot sums of
 * `rollup_ballot_month` (each rating one ballot per element it answered, and of `all`).
 */
export async function unitRollupsAndRecount(db: Db) {
  const recount = await sql<Record<string, unknown>>`
    select c.ancestor_id as unit_id, vn_month(r.rated_at) as month, r.domain_id, a.question_id,
      count(*) filter (where a.score = 1)::integer as n1, count(*) filter (where a.score = 2)::integer as n2,
      count(*) filter (where a.score = 3)::integer as n3, count(*) filter (where a.score = 4)::integer as n4,
      count(*) filter (where a.score = 5)::integer as n5
    from response r join response_answer a on a.response_id = r.id join unit_closure c on c.unit_id = r.unit_id
    group by 1, 2, 3, 4 order by 1, 2, 3, 4
  `.execute(db);
  const rollup = await sql<Record<string, unknown>>`
    select unit_id, month, domain_id, question_id, n1, n2, n3, n4, n5 from rollup_unit_month order by 1, 2, 3, 4
  `.execute(db);
  const ballotRecount = await sql<Record<string, unknown>>`
    with per_ballot as (
      select r.id, r.unit_id, vn_month(r.rated_at) as month, r.domain_id, pool,
        count(*) as m, count(*) filter (where a.score >= 4) as a,
        count(*) filter (where a.score = 1) as n1, count(*) filter (where a.score = 2) as n2,
        count(*) filter (where a.score = 3) as n3, count(*) filter (where a.score = 4) as n4,
        count(*) filter (where a.score = 5) as n5
      from response r
      join response_answer a on a.response_id = r.id
      join question q on q.id = a.question_id and q.role = 'criterion',
      unnest(array[q.element_code, 'all']) as pool
      group by r.id, r.unit_id, vn_month(r.rated_at), r.domain_id, pool
    )
    select c.ancestor_id as unit_id, b.month, b.domain_id, b.pool, count(*)::integer as ballots,
      sum(b.n1)::integer as n1, sum(b.n2)::integer as n2, sum(b.n3)::integer as n3, sum(b.n4)::integer as n4,
      sum(b.n5)::integer as n5, sum(b.a * b.a)::bigint as satisfied_sq, sum(b.a * b.m)::bigint as satisfied_answered,
      sum(b.m * b.m)::bigint as answered_sq
    from per_ballot b join unit_closure c on c.unit_id = b.unit_id
    group by 1, 2, 3, 4 order by 1, 2, 3, 4
  `.execute(db);
  const ballotRollup = await sql<Record<string, unknown>>`
    select unit_id, month, domain_id, pool, ballots, n1, n2, n3, n4, n5, satisfied_sq, satisfied_answered, answered_sq
    from rollup_ballot_month order by 1, 2, 3, 4
  `.execute(db);
  return { rollup: [...rollup.rows, ...ballotRollup.rows], recount: [...recount.rows, ...ballotRecount.rows] };
}

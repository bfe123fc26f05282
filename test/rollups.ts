import { sql } from 'kysely';
import type { Db } from '../server/db/database.ts';

/** The unit rollups as stored, and as a recount of every raw rating gives them, in the same order. */
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
  return { rollup: rollup.rows, recount: recount.rows };
}

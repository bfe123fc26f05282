import { sql, type RawBuilder } from 'kysely';

/**
 * The overall answer (`a.score`) of each rating `id`, looked up by its key: a lateral
 * subquery that `offset 0` keeps from being flattened into a join, which the planner,
 * misjudging how few ratings come in, turns into a scan of every answer ever given.
 */
export const overallAnswerOf = (id: RawBuilder<unknown>) => sql`
  cross join lateral (
    select score from response_answer
    where response_id = ${id} and question_id in (select id from question where role = 'overall')
    offset 0
  ) a
`;

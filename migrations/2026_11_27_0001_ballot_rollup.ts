import { sql, type Kysely } from 'kysely';

// Frozen. An index that pools several questions of one ballot (each SIPAS element, all
// five together) counts ballots, not answers, and its interval treats the ballot as the
// unit of sampling. That needs, per slice, the ballots and sums over them of aᵢ², aᵢmᵢ
// and mᵢ² (mᵢ valid answers of ballot i to the pooled questions, aᵢ satisfied ones):
// additive, so they are kept per unit (every unit a rating counts towards), month, domain
// and pool (an element code, or 'all' for every criterion). Ratings still pending are left
// to the folder, which adds them to this rollup as to the others.

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create table rollup_ballot_month (
      unit_id integer not null,
      month date not null check (month = date_trunc('month', month)),
      domain_id smallint not null,
      pool text not null,
      ballots integer not null,
      n1 integer not null,
      n2 integer not null,
      n3 integer not null,
      n4 integer not null,
      n5 integer not null,
      satisfied_sq bigint not null,
      satisfied_answered bigint not null,
      answered_sq bigint not null,
      primary key (unit_id, month, domain_id, pool)
    );

    insert into rollup_ballot_month (unit_id, month, domain_id, pool, ballots, n1, n2, n3, n4, n5,
      satisfied_sq, satisfied_answered, answered_sq)
    select c.ancestor_id, own.month, own.domain_id, own.pool, sum(own.ballots), sum(own.n1), sum(own.n2),
      sum(own.n3), sum(own.n4), sum(own.n5), sum(own.satisfied_sq), sum(own.satisfied_answered), sum(own.answered_sq)
    from (
      select ballot.unit_id, ballot.month, ballot.domain_id, ballot.pool, count(*) as ballots,
        sum(ballot.n1) as n1, sum(ballot.n2) as n2, sum(ballot.n3) as n3, sum(ballot.n4) as n4, sum(ballot.n5) as n5,
        sum(ballot.satisfied * ballot.satisfied) as satisfied_sq, sum(ballot.satisfied * ballot.valid) as satisfied_answered,
        sum(ballot.valid * ballot.valid) as answered_sq
      from (
        select r.id, r.unit_id, vn_month(r.rated_at) as month, r.domain_id, pool.code as pool,
          count(*) as valid, count(*) filter (where a.score >= 4) as satisfied,
          count(*) filter (where a.score = 1) as n1, count(*) filter (where a.score = 2) as n2,
          count(*) filter (where a.score = 3) as n3, count(*) filter (where a.score = 4) as n4,
          count(*) filter (where a.score = 5) as n5
        from response r
        join response_answer a on a.response_id = r.id
        join question q on q.id = a.question_id and q.role = 'criterion'
        cross join lateral (values (q.element_code), ('all')) as pool (code)
        where not exists (select 1 from rollup_pending p where p.response_id = r.id)
        group by r.id, r.unit_id, vn_month(r.rated_at), r.domain_id, pool.code
      ) ballot
      group by ballot.unit_id, ballot.month, ballot.domain_id, ballot.pool
    ) own
    join unit_closure c on c.unit_id = own.unit_id
    group by c.ancestor_id, own.month, own.domain_id, own.pool;
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop table rollup_ballot_month`.execute(db);
}

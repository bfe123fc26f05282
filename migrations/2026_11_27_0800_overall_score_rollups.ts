import { sql, type Kysely } from 'kysely';

// Frozen. Overall-question counts per desk and domain by Vietnam day (kept 40 days) and by
// hour (kept 8 days): the windows alerts judge desks and units over (this month, the last
// 30 days, the last hours of a spike) are read from a few rows per desk rather than from
// every rating. Filled from the ratings already folded; those still pending are folded
// into them as usual.

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create table rollup_overall_day (
      unit_id integer not null,
      desk_id integer not null,
      day date not null,
      domain_id smallint not null,
      n1 integer not null,
      n2 integer not null,
      n3 integer not null,
      n4 integer not null,
      n5 integer not null,
      primary key (unit_id, desk_id, day, domain_id)
    );
    create table rollup_overall_hour (
      unit_id integer not null,
      desk_id integer not null,
      hour timestamptz not null,
      domain_id smallint not null,
      n1 integer not null,
      n2 integer not null,
      n3 integer not null,
      n4 integer not null,
      n5 integer not null,
      primary key (unit_id, desk_id, hour, domain_id)
    );
    create temporary table recent_overall on commit drop as
    select r.unit_id, r.desk_id, r.domain_id, r.rated_at, a.score
    from response r
    join response_answer a on a.response_id = r.id
    join question q on q.id = a.question_id and q.role = 'overall'
    where r.rated_at >= vn_midnight(vn_date(now()) - 40)
      and not exists (select 1 from rollup_pending p where p.response_id = r.id);
    insert into rollup_overall_day (unit_id, desk_id, day, domain_id, n1, n2, n3, n4, n5)
    select unit_id, desk_id, vn_date(rated_at), domain_id,
      count(*) filter (where score = 1), count(*) filter (where score = 2), count(*) filter (where score = 3),
      count(*) filter (where score = 4), count(*) filter (where score = 5)
    from recent_overall
    group by 1, 2, 3, 4;
    insert into rollup_overall_hour (unit_id, desk_id, hour, domain_id, n1, n2, n3, n4, n5)
    select unit_id, desk_id, date_bin('1 hour', rated_at, timestamptz '2000-01-01 00:00:00+00'), domain_id,
      count(*) filter (where score = 1), count(*) filter (where score = 2), count(*) filter (where score = 3),
      count(*) filter (where score = 4), count(*) filter (where score = 5)
    from recent_overall
    where rated_at >= now() - interval '8 days'
    group by 1, 2, 3, 4;
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop table rollup_overall_hour, rollup_overall_day`.execute(db);
}

import { sql, type Kysely } from 'kysely';

// Frozen. Public scorecards: a unit's manager may publish the unit's figures (opt-in,
// off by default), with a smallest number of ratings behind any published figure.
// Figures are released once per quarter, for every opted-in unit at once, and never
// change afterwards: a published figure that moved with late ratings could be compared
// with its earlier value to learn about those few ratings.

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    alter table unit
      add column public_scorecard boolean not null default false,
      add column scorecard_min_ratings smallint not null default 30
        check (scorecard_min_ratings between 10 and 1000);

    -- Quarters whose figures have been released, for every unit that took part.
    create table scorecard_release (
      quarter text primary key check (quarter ~ '^[0-9]{4}-Q[1-4]$'),
      released_at timestamptz not null default now()
    );

    -- What a release computed for a unit (with its sub-units) and period: the answers of the
    -- overall question per level, for all domains (domain_id null) or one; and the same
    -- slice of the unit's own part (ratings no opted-in unit below it holds), and whether
    -- that part shows it. Every figure is kept, published or not: later releases are
    -- decided against it.
    create table scorecard_figure (
      unit_id integer not null references unit (id),
      period text not null check (period ~ '^[0-9]{4}(-(0[1-9]|1[0-2])|-Q[1-4]|-H1|-9M)?$'),
      domain_id smallint references domain (id),
      n1 integer not null check (n1 >= 0),
      n2 integer not null check (n2 >= 0),
      n3 integer not null check (n3 >= 0),
      n4 integer not null check (n4 >= 0),
      n5 integer not null check (n5 >= 0),
      published boolean not null,
      part_ratings integer not null check (part_ratings >= 0),
      part_shown boolean not null,
      -- Ratings also held by an opted-in unit outside the unit's branch (after a merge).
      shared_ratings integer not null default 0 check (shared_ratings >= 0),
      min_ratings smallint not null check (min_ratings between 10 and 1000),
      -- On a quarter's or cumulative's total: its ratings with a comment, those answered by
      -- the release, and the median days from the rating to its answer.
      comments integer check (comments >= 0),
      comments_answered integer check (comments_answered >= 0),
      answer_days_median real,
      released_at timestamptz not null default now()
    );
    create unique index scorecard_figure_key on scorecard_figure (unit_id, period, coalesce(domain_id, 0));
    -- Who took part in a period: the units with its total row.
    create index scorecard_figure_taking_part on scorecard_figure (period, unit_id) where domain_id is null;
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`
    drop table scorecard_figure, scorecard_release;
    alter table unit drop column scorecard_min_ratings, drop column public_scorecard;
  `.execute(db);
}

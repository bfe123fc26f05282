import { sql, type Kysely } from 'kysely';

// Frozen: this file must never import application code or change once released.

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    -- Vietnam has kept UTC+7 without daylight saving since 1975, so a fixed offset is
    -- exact and lets these functions be IMMUTABLE (usable in indexes and GROUP BY).
    create function vn_date(at timestamptz) returns date
      language sql immutable parallel safe
      return ((at at time zone 'UTC') + interval '7 hours')::date;

    create function vn_month(at timestamptz) returns date
      language sql immutable parallel safe
      return date_trunc('month', (at at time zone 'UTC') + interval '7 hours')::date;

    create function vn_midnight(day date) returns timestamptz
      language sql immutable parallel safe
      return (day::timestamp - interval '7 hours') at time zone 'UTC';

    create table unit (
      id integer generated always as identity primary key,
      code text not null unique check (code ~ '^[A-Za-z0-9._-]{1,40}$'),
      name text not null check (char_length(name) between 1 and 200),
      kind text not null check (kind in ('country', 'province', 'district', 'commune', 'ward', 'special_zone', 'agency')),
      parent_id integer references unit (id),
      valid_from date,
      valid_until date,
      merged_into_id integer references unit (id),
      created_at timestamptz not null default now(),
      check (parent_id <> id),
      check (merged_into_id <> id),
      check (valid_until is null or valid_from is null or valid_until > valid_from),
      check (merged_into_id is null or valid_until is not null)
    );
    create index unit_parent on unit (parent_id);

    -- Every unit a rating at unit_id counts towards: the unit itself, its ancestors, and,
    -- after a merge, the unit it was merged into with that unit's ancestors, so that
    -- history stays reportable under both the old and the new tree.
    create table unit_closure (
      unit_id integer not null references unit (id),
      ancestor_id integer not null references unit (id),
      primary key (unit_id, ancestor_id)
    );
    create index unit_closure_by_ancestor on unit_closure (ancestor_id, unit_id);

    create table domain (
      id smallint generated always as identity primary key,
      code text not null unique check (code ~ '^[a-z][a-z0-9_]{1,39}$'),
      name_vi text not null,
      name_en text not null,
      position smallint not null default 100,
      active boolean not null default true
    );

    create table desk (
      id integer generated always as identity primary key,
      unit_id integer not null references unit (id),
      code text not null unique check (code ~ '^[a-z0-9]{4,16}$'),
      name text not null check (char_length(name) between 1 and 200),
      questionnaire_code text not null default 'quick',
      kiosk_idle_seconds smallint not null default 20 check (kiosk_idle_seconds between 5 and 600),
      active boolean not null default true,
      created_at timestamptz not null default now()
    );
    create index desk_unit on desk (unit_id);

    create table desk_domain (
      desk_id integer not null references desk (id) on delete cascade,
      domain_id smallint not null references domain (id),
      primary key (desk_id, domain_id)
    );

    create table sipas_element (
      code text primary key,
      position smallint not null,
      name_vi text not null,
      name_en text not null
    );

    -- A questionnaire version is immutable once published: answers refer to its questions.
    create table questionnaire (
      id text primary key check (id = code || '-' || version),
      code text not null check (code ~ '^[a-z][a-z0-9_]{1,29}$'),
      version integer not null check (version > 0),
      title_vi text not null,
      title_en text not null,
      published_at timestamptz not null default now(),
      retired_at timestamptz,
      unique (code, version)
    );

    create table question (
      id integer generated always as identity primary key,
      questionnaire_id text not null references questionnaire (id),
      code text not null check (code ~ '^[a-z][a-z0-9_.]{1,59}$'),
      role text not null check (role in ('overall', 'criterion')),
      element_code text references sipas_element (code),
      position smallint not null,
      text_vi text not null,
      text_en text not null,
      unique (questionnaire_id, code),
      check ((role = 'overall') = (element_code is null))
    );
    create unique index question_one_overall on question (questionnaire_id) where role = 'overall';

    -- Tap-to-choose reasons offered after a low overall rating, each tied to one element.
    create table reason (
      id integer generated always as identity primary key,
      questionnaire_id text not null references questionnaire (id),
      code text not null check (code ~ '^[a-z][a-z0-9_.]{1,59}$'),
      element_code text not null references sipas_element (code),
      position smallint not null,
      text_vi text not null,
      text_en text not null,
      unique (questionnaire_id, code)
    );

    -- One-time codes printed on a dossier receipt. Only a hash of the code is stored.
    create table dossier_token (
      id bigint generated always as identity primary key,
      token_hash bytea not null unique,
      desk_id integer not null references desk (id),
      domain_id smallint not null references domain (id),
      issued_at timestamptz not null default now(),
      expires_at timestamptz not null,
      used_at timestamptz,
      check (expires_at > issued_at)
    );
    create index dossier_token_desk on dossier_token (desk_id, issued_at);

    create table response (
      id bigint generated always as identity primary key,
      idempotency_key text not null unique,
      request_hash bytea not null,
      desk_id integer not null references desk (id),
      unit_id integer not null references unit (id),
      domain_id smallint not null references domain (id),
      questionnaire_id text not null references questionnaire (id),
      channel text not null check (channel in ('qr', 'kiosk', 'dossier', 'portal')),
      language text not null check (language in ('vi', 'en')),
      dossier_token_id bigint unique references dossier_token (id),
      client_time timestamptz,
      rated_at timestamptz not null,
      received_at timestamptz not null default now(),
      check ((channel = 'dossier') = (dossier_token_id is not null))
    );
    create index response_unit_rated_at on response (unit_id, rated_at);
    create index response_desk_rated_at on response (desk_id, rated_at);

    create table response_answer (
      response_id bigint not null references response (id),
      question_id integer not null references question (id),
      score smallint not null check (score between 1 and 5),
      primary key (response_id, question_id)
    );

    create table response_reason (
      response_id bigint not null references response (id),
      reason_id integer not null references reason (id),
      primary key (response_id, reason_id)
    );

    create table comment (
      id bigint generated always as identity primary key,
      response_id bigint not null unique references response (id),
      body text not null check (char_length(body) between 1 and 2000),
      status text not null default 'received' check (status in ('received', 'in_progress', 'answered')),
      note text,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    );

    create table target (
      id integer generated always as identity primary key,
      unit_id integer not null references unit (id),
      year smallint not null check (year between 2000 and 2100),
      metric text not null check (metric in ('tthc', 'agency_service', 'domain')),
      domain_id smallint references domain (id),
      comparison text not null default 'gte' check (comparison in ('gte', 'gt')),
      threshold numeric(5, 2) not null check (threshold > 0 and threshold <= 100),
      plan_number text,
      plan_date date,
      plan_sentence text,
      created_at timestamptz not null default now(),
      check ((metric = 'domain') = (domain_id is not null))
    );
    create unique index target_per_metric on target (unit_id, year, metric, coalesce(domain_id, 0));

    -- Responses committed but not yet folded into the rollups. Readers add this tail
    -- from raw rows, so every committed rating is counted while the rollup rows are
    -- updated in batches by one folder at a time (no hot-row contention at ingestion).
    create table rollup_pending (
      response_id bigint primary key references response (id)
    );

    -- Month rollup at the finest grain: the desk, with channel and every question.
    create table rollup_desk_month (
      unit_id integer not null references unit (id),
      month date not null,
      desk_id integer not null references desk (id),
      domain_id smallint not null references domain (id),
      channel text not null,
      question_id integer not null references question (id),
      n1 integer not null,
      n2 integer not null,
      n3 integer not null,
      n4 integer not null,
      n5 integer not null,
      primary key (unit_id, month, desk_id, domain_id, channel, question_id),
      check (month = date_trunc('month', month))
    );
    create index rollup_desk_month_desk on rollup_desk_month (desk_id, month);

    -- Month rollup kept for every unit a rating counts towards (see unit_closure), so a
    -- subtree's summary is a lookup of a few rows.
    create table rollup_unit_month (
      unit_id integer not null references unit (id),
      month date not null,
      domain_id smallint not null references domain (id),
      question_id integer not null references question (id),
      n1 integer not null,
      n2 integer not null,
      n3 integer not null,
      n4 integer not null,
      n5 integer not null,
      primary key (unit_id, month, domain_id, question_id),
      check (month = date_trunc('month', month))
    );

    create table rollup_reason_month (
      unit_id integer not null references unit (id),
      month date not null,
      domain_id smallint not null references domain (id),
      reason_id integer not null references reason (id),
      n integer not null,
      primary key (unit_id, month, domain_id, reason_id)
    );

    -- Abuse control keys: the source of a request is a keyed hash of its address under
    -- the day's secret; secrets are deleted after two days, so hashes cannot be linked
    -- back or across days. Shared by every server process through the database.
    create table abuse_secret (
      day date primary key,
      secret bytea not null
    );

    -- Counters need no durability: losing them in a crash only forgives a window.
    create unlogged table rate_limit_counter (
      bucket bytea not null,
      window_start timestamptz not null,
      hits integer not null,
      primary key (bucket, window_start)
    );
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`
    drop table rate_limit_counter, abuse_secret, rollup_reason_month, rollup_unit_month, rollup_desk_month,
      rollup_pending, target, comment, response_reason, response_answer, response, dossier_token, reason,
      question, questionnaire, sipas_element, desk_domain, desk, domain, unit_closure, unit;
    drop function vn_midnight(date), vn_month(timestamptz), vn_date(timestamptz);
  `.execute(db);
}

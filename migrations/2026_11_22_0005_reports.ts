import { sql, type Kysely } from 'kysely';

// Frozen: the number of dossiers a unit handled per month (for the sample-size check of
// DESIGN §4), and report exports, built in the background and picked up by any process.

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create table dossier_volume (
      unit_id integer not null references unit (id),
      month date not null check (month = date_trunc('month', month)),
      dossiers integer not null check (dossiers >= 0),
      updated_at timestamptz not null default now(),
      primary key (unit_id, month)
    );

    create table report_export (
      id uuid primary key default gen_random_uuid(),
      official_id integer not null references official (id) on delete cascade,
      unit_id integer not null references unit (id),
      period text not null,
      format text not null check (format in ('xlsx', 'csv')),
      status text not null default 'running' check (status in ('running', 'done', 'failed')),
      progress smallint not null default 0 check (progress between 0 and 100),
      filename text,
      content_type text,
      file bytea,
      created_at timestamptz not null default now(),
      finished_at timestamptz
    );
    create index report_export_created on report_export (created_at);
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop table report_export, dossier_volume`.execute(db);
}

import { sql, type Kysely } from 'kysely';

// Frozen: officials and their sessions, the follow-up of comments and low ratings, and
// devices that are not kiosks (receipt printers that issue one-time dossier codes).

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create table official (
      id integer generated always as identity primary key,
      username text not null unique check (username ~ '^[a-z0-9][a-z0-9._-]{2,39}$'),
      display_name text not null check (char_length(display_name) between 1 and 100),
      password_hash text not null,
      role text not null check (role in ('admin', 'manager', 'viewer')),
      -- The root of the unit subtree the official may see (and, as manager, manage).
      unit_id integer not null references unit (id),
      active boolean not null default true,
      created_at timestamptz not null default now(),
      password_changed_at timestamptz not null default now()
    );
    create index official_unit on official (unit_id);

    -- Sessions after Lucia's design: the token is "<id>.<secret>"; only a hash of the
    -- secret is stored, so a copy of this table opens no session.
    create table official_session (
      id text primary key,
      secret_hash bytea not null,
      official_id integer not null references official (id) on delete cascade,
      created_at timestamptz not null default now(),
      expires_at timestamptz not null,
      refreshed_at timestamptz not null default now()
    );
    create index official_session_official on official_session (official_id);

    -- Follow-up of a comment or a low rating; a rating without a row is "received".
    create table follow_up (
      response_id bigint primary key references response (id),
      status text not null check (status in ('received', 'in_progress', 'answered')),
      note text check (char_length(note) <= 2000),
      updated_at timestamptz not null default now(),
      updated_by integer references official (id)
    );
    insert into follow_up (response_id, status, note, updated_at)
      select response_id, status, note, updated_at from comment where status <> 'received' or note is not null;
    alter table comment drop column status, drop column note, drop column updated_at;

    alter table kiosk_device add column purpose text not null default 'kiosk' check (purpose in ('kiosk', 'receipts'));
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`
    alter table kiosk_device drop column purpose;
    alter table comment
      add column status text not null default 'received' check (status in ('received', 'in_progress', 'answered')),
      add column note text,
      add column updated_at timestamptz not null default now();
    update comment set status = f.status, note = f.note, updated_at = f.updated_at
      from follow_up f where f.response_id = comment.response_id;
    drop table follow_up, official_session, official;
  `.execute(db);
}

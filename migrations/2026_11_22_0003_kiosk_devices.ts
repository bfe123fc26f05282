import { sql, type Kysely } from 'kysely';

// Frozen: tablets paired with a desk. A kiosk rating is accepted only with the key of an
// unrevoked device of that desk; only a hash of the key is stored.

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create table kiosk_device (
      id integer generated always as identity primary key,
      desk_id integer not null references desk (id),
      key_hash bytea not null unique,
      label text not null default '' check (char_length(label) <= 100),
      paired_at timestamptz not null default now(),
      revoked_at timestamptz,
      last_rating_at timestamptz,
      last_status_at timestamptz,
      queue_length integer check (queue_length >= 0)
    );
    create index kiosk_device_desk on kiosk_device (desk_id);
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop table kiosk_device`.execute(db);
}

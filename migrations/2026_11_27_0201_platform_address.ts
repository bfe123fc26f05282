import { sql, type Kysely } from 'kysely';

// Frozen. The running platform records the public address it serves on, so that command-
// line tasks run from another shell (pairing a kiosk prints a link) name the same address.

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create table platform_setting (
      name text primary key check (name ~ '^[a-z_]{1,40}$'),
      value text not null check (char_length(value) <= 2000),
      updated_at timestamptz not null default now()
    );
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop table platform_setting`.execute(db);
}

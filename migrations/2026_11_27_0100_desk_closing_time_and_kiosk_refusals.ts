import { sql, type Kysely } from 'kysely';

// Frozen. A desk that stops taking ratings keeps the instant it stopped, so that a rating
// made while it was open (on a kiosk that was offline, say) is still accepted afterwards.
// Kiosk tablets report the ratings the server refused for good, so that staff see them.

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    alter table desk add column inactive_since timestamptz;
    update desk set inactive_since = now() where not active;
    alter table desk add constraint desk_inactive_since check (active = (inactive_since is null));

    create table kiosk_refusal (
      device_id integer not null references kiosk_device (id),
      idempotency_key text not null check (idempotency_key ~ '^[A-Za-z0-9_-]{16,128}$'),
      code text not null check (code ~ '^[a-z0-9_]{1,60}$'),
      rated_at timestamptz,
      reported_at timestamptz not null default now(),
      primary key (device_id, idempotency_key)
    );
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`
    drop table kiosk_refusal;
    alter table desk drop constraint desk_inactive_since, drop column inactive_since;
  `.execute(db);
}

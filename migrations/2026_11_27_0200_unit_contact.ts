import { sql, type Kysely } from 'kysely';

// Frozen. A unit may publish a hotline and the address of its official channel for
// complaints; the thank-you screen of its surveys shows them, never asking who the citizen is.

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    alter table unit
      add column hotline text
        check (hotline ~ '^[0-9+(][0-9 .()+-]{1,28}[0-9]$' and hotline ~ '([0-9][^0-9]*){3}'),
      add column complaint_url text
        check (complaint_url ~ '^https?://[^[:space:]]+$' and char_length(complaint_url) <= 500);
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter table unit drop column hotline, drop column complaint_url`.execute(db);
}

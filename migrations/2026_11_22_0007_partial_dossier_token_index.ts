import { sql, type Kysely } from 'kysely';

// Frozen. Most ratings come without a receipt code; a unique index that skips the empty
// codes saves an index entry on every one of them.

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    alter table response drop constraint response_dossier_token_id_key;
    create unique index response_dossier_token_id on response (dossier_token_id) where dossier_token_id is not null;
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`
    drop index response_dossier_token_id;
    alter table response add constraint response_dossier_token_id_key unique (dossier_token_id);
  `.execute(db);
}

import { sql, type Kysely } from 'kysely';

// Frozen. Rollups are derived from ratings whose own foreign keys already hold; checking
// them again on every folded row tripled the cost of folding and of rebuilding rollups.

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    alter table rollup_desk_month
      drop constraint rollup_desk_month_unit_id_fkey,
      drop constraint rollup_desk_month_desk_id_fkey,
      drop constraint rollup_desk_month_domain_id_fkey,
      drop constraint rollup_desk_month_question_id_fkey;
    alter table rollup_unit_month
      drop constraint rollup_unit_month_unit_id_fkey,
      drop constraint rollup_unit_month_domain_id_fkey,
      drop constraint rollup_unit_month_question_id_fkey;
    alter table rollup_reason_month
      drop constraint rollup_reason_month_unit_id_fkey,
      drop constraint rollup_reason_month_domain_id_fkey,
      drop constraint rollup_reason_month_reason_id_fkey;
    alter table rollup_pending drop constraint rollup_pending_response_id_fkey;
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`
    alter table rollup_pending add foreign key (response_id) references response (id);
    alter table rollup_reason_month
      add foreign key (unit_id) references unit (id),
      add foreign key (domain_id) references domain (id),
      add foreign key (reason_id) references reason (id);
    alter table rollup_unit_month
      add foreign key (unit_id) references unit (id),
      add foreign key (domain_id) references domain (id),
      add foreign key (question_id) references question (id);
    alter table rollup_desk_month
      add foreign key (unit_id) references unit (id),
      add foreign key (desk_id) references desk (id),
      add foreign key (domain_id) references domain (id),
      add foreign key (question_id) references question (id);
  `.execute(db);
}

import { sql, type Kysely } from 'kysely';

// Frozen. A subtree's desk figures read every desk rollup row of its units for the
// period, scattered over the table as months were folded: carrying the counts in the
// key lets those reads come from the index alone, a few pages instead of one per row.

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    alter table rollup_desk_month
      drop constraint rollup_desk_month_pkey,
      add constraint rollup_desk_month_pkey
        primary key (unit_id, month, desk_id, domain_id, channel, question_id) include (n1, n2, n3, n4, n5);
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`
    alter table rollup_desk_month
      drop constraint rollup_desk_month_pkey,
      add constraint rollup_desk_month_pkey primary key (unit_id, month, desk_id, domain_id, channel, question_id);
  `.execute(db);
}

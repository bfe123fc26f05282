import { sql, type Kysely } from 'kysely';

// Frozen. Report exports may also be the periodic report document, as DOCX.

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    alter table report_export drop constraint report_export_format_check;
    alter table report_export add constraint report_export_format_check check (format in ('xlsx', 'csv', 'docx'));
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`
    delete from report_export where format = 'docx';
    alter table report_export drop constraint report_export_format_check;
    alter table report_export add constraint report_export_format_check check (format in ('xlsx', 'csv'));
  `.execute(db);
}

import { sql, type Kysely } from 'kysely';

// Frozen. Overdue follow-ups become an alert rule of their own, on unless a unit turns it off.

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    alter table alert_setting add column overdue_follow_up boolean not null default true;
    alter table alert drop constraint alert_rule_check;
    alter table alert add constraint alert_rule_check
      check (rule in ('below_target', 'unhappy_spike', 'serious_comment', 'silent_kiosk', 'overdue_follow_up'));
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`
    delete from alert where rule = 'overdue_follow_up';
    alter table alert drop constraint alert_rule_check;
    alter table alert add constraint alert_rule_check
      check (rule in ('below_target', 'unhappy_spike', 'serious_comment', 'silent_kiosk'));
    alter table alert_setting drop column overdue_follow_up;
  `.execute(db);
}

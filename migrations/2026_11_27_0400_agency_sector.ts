import { sql, type Kysely } from 'kysely';

// Frozen. Sub-units are ranked only against their peers (DESIGN §4): communes, wards and
// special zones together, provinces apart, and agencies apart — but a hospital is not the
// peer of a land registry office, nor a school. `agency_sector` tells them apart: 'health'
// (hospitals, health centres), 'education' (schools), or null for every other agency and
// every territorial unit. Agencies that exist already are classified by the domains their
// desks serve: only health, or only education; the others stay general.

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    alter table unit add column agency_sector text
      check (agency_sector in ('health', 'education')),
      add constraint unit_agency_sector_of_agencies check (agency_sector is null or kind = 'agency');

    update unit set agency_sector = served.sector
    from (
      select desk.unit_id, min(domain.code) as sector
      from desk
      join desk_domain on desk_domain.desk_id = desk.id
      join domain on domain.id = desk_domain.domain_id
      group by desk.unit_id
      having count(distinct domain.code) = 1 and min(domain.code) in ('health', 'education')
    ) served
    where unit.id = served.unit_id and unit.kind = 'agency';
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter table unit drop constraint unit_agency_sector_of_agencies, drop column agency_sector`.execute(db);
}

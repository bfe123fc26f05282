import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { migrateToEmpty, migrateToLatest } from '../../server/db/migrate.ts';
import { createTestDatabase } from '../database.ts';

const { db } = await createTestDatabase();

describe('migrations', () => {
  it('revert to an empty schema and apply again', async () => {
    await migrateToEmpty(db);
    const left = await sql<{ n: number }>`
      select count(*)::integer as n from information_schema.tables where table_schema = 'public' and table_name not like 'kysely_%'
    `.execute(db);
    expect(left.rows[0]!.n).toBe(0);
    const result = await migrateToLatest(db);
    expect(result.results?.every((migration) => migration.status === 'Success')).toBe(true);
    const domains = await db.selectFrom('domain').select('code').orderBy('position').execute();
    expect(domains.map((domain) => domain.code)).toEqual(
      expect.arrayContaining([
        'land',
        'construction',
        'health',
        'education',
        'civil_status',
        'certification',
        'business_investment',
        'labour_social',
        'other',
      ]),
    );
  });

  it('the schema computes periods in Vietnam time, whatever the session time zone', async () => {
    await sql`set time zone 'America/New_York'`.execute(db);
    const result = await sql<{ day: string; month: string; midnight: Date }>`
      select vn_date('2026-03-31T17:00:00Z') as day, vn_month('2026-03-31T16:59:59Z') as month,
        vn_midnight('2026-04-01') as midnight
    `.execute(db);
    expect(result.rows[0]).toEqual({
      day: '2026-04-01',
      month: '2026-03-01',
      midnight: new Date('2026-03-31T17:00:00Z'),
    });
  });
});

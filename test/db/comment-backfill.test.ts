import { describe, expect, it } from 'vitest';
import { migrateTo, migrateToLatest } from '../../server/db/migrate.ts';
import { createTestDatabase } from '../database.ts';
import { makeDesk, writeRatings } from '../factories.ts';

const { db } = await createTestDatabase();

describe('comments stored before masking and tagging', () => {
  it('are masked and tagged by the migration, and nothing else changes', async () => {
    const { desk } = await makeDesk(db, { domains: ['land'] });
    const [first, second] = await writeRatings(db, desk, { scores: [2, 5], at: new Date().toISOString() });
    await migrateTo(db, '2026_11_27_0600_follow_up_owners');
    // As the rating path stored comments before: the citizen's words as written.
    await db
      .insertInto('comment')
      .values([
        { response_id: first!, body: 'Cán bộ gây khó dễ. SĐT 0912.345.678, email x.y@gmail.com', follow_up_code: null },
        {
          response_id: second!,
          body: 'Hẹn ngày 12/03/2026, hồ sơ H56.22-260315-0012, phí 2.500.000 đồng',
          follow_up_code: null,
        },
      ])
      .execute();
    await migrateToLatest(db);
    const stored = await db.selectFrom('comment').select(['response_id', 'body', 'elements']).execute();
    expect(stored).toHaveLength(2);
    expect(stored).toEqual(
      expect.arrayContaining([
        {
          response_id: first,
          body: 'Cán bộ gây khó dễ. SĐT [số điện thoại], email [email]',
          elements: ['civil_servant'],
        },
        {
          response_id: second,
          body: 'Hẹn ngày 12/03/2026, hồ sơ H56.22-260315-0012, phí 2.500.000 đồng',
          elements: ['procedure'],
        },
      ]),
    );
  });
});

import { sql } from 'kysely';
import { expect } from 'vitest';
import type { Db } from '../../server/db/database.ts';
import { unitRollupsAndRecount } from '../rollups.ts';
import type { RatingLoad } from './rating-load.ts';

/** Every acknowledged rating exactly once, and rollups that equal a recount of the rows. */
export async function expectEveryRatingOnce(db: Db, load: RatingLoad, keyPrefix: string): Promise<void> {
  expect(load.unexpected).toEqual([]);
  expect(load.conflicting).toEqual([]);
  const rows = await db
    .selectFrom('response')
    .select(['id', 'idempotency_key'])
    .where('idempotency_key', 'like', `${keyPrefix}-%`)
    .execute();
  const stored = new Map(rows.map((row) => [row.idempotency_key, Number(row.id)]));
  expect(rows.length).toBe(stored.size);
  expect(stored.size).toBe(load.acknowledged.size);
  for (const [key, id] of load.acknowledged) expect(stored.get(key), key).toBe(id);

  await expect
    .poll(
      async () =>
        Number(
          (
            await db
              .selectFrom('rollup_pending')
              .select(sql<number>`count(*)`.as('n'))
              .executeTakeFirstOrThrow()
          ).n,
        ),
      { timeout: 30_000 },
    )
    .toBe(0);
  const { rollup, recount } = await unitRollupsAndRecount(db);
  expect(rollup).toEqual(recount);
}

import { sql } from 'kysely';
import type { Db } from '../server/db/database.ts';

// Counters of attempts change on refused requests by design; every other table must not.
const COUNTERS = new Set(['rate_limit_counter', 'abuse_secret', 'kysely_migration', 'kysely_migration_lock']);

/**
 * A function that reads the rows and the newest row version of every table of the
 * database: any insert, update or delete changes what it returns, so a request that was
 * refused can be shown to have changed nothing.
 *
 * @example const fingerprint = await tableFingerprint(db); const before = await fingerprint();
 */
export async function tableFingerprint(db: Db): Promise<() => Promise<string>> {
  const { rows } = await sql<{ name: string }>`
    select tablename as name from pg_tables where schemaname = 'public' order by 1
  `.execute(db);
  const query = `select concat_ws(' ', ${rows
    .filter((row) => !COUNTERS.has(row.name))
    .map((row) => `(select count(*) || ':' || coalesce(max(xmin::text::bigint), 0) from "${row.name}")`)
    .join(', ')}) as state`;
  return async () => (await sql.raw<{ state: string }>(query).execute(db)).rows[0]!.state;
}

import { sql } from 'kysely';
import type { Config } from '../config.ts';
import type { Db } from '../db/database.ts';

const PUBLIC_ADDRESS = 'public_base_url';

/** Records the address the platform serves on (called once it has bound its port). */
export async function recordPublicAddress(db: Db, publicBaseUrl: string): Promise<void> {
  await db
    .insertInto('platform_setting')
    .values({ name: PUBLIC_ADDRESS, value: publicBaseUrl })
    .onConflict((oc) => oc.column('name').doUpdateSet({ value: publicBaseUrl, updated_at: sql`now()` }))
    .execute();
}

/**
 * The address citizens and tablets reach the platform on, for a command-line task: the
 * one its own environment sets (PUBLIC_BASE_URL, or PORT), else the one the platform
 * recorded when it last started — a task run from another shell does not know the port
 * the platform was started on — else the default.
 */
export async function publicAddressForTask(db: Db, config: Config, env: NodeJS.ProcessEnv): Promise<string> {
  if (env.PUBLIC_BASE_URL || env.PORT) return config.publicBaseUrl;
  const recorded = await db
    .selectFrom('platform_setting')
    .select('value')
    .where('name', '=', PUBLIC_ADDRESS)
    .executeTakeFirst();
  return recorded?.value ?? config.publicBaseUrl;
}

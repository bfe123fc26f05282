import { promises as fs } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Database } from './database.ts';
import { Migrator, type Kysely, type Migration, type MigrationProvider, type MigrationResultSet } from 'kysely';

export const migrationFolder = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../migrations');

/**
 * Reads `migrations/` like Kysely's FileMigrationProvider, but imports from this module,
 * so TypeScript migrations load under every runner that loads this file (tsx, Vitest).
 */
const folderProvider: MigrationProvider = {
  async getMigrations() {
    const migrations: Record<string, Migration> = {};
    for (const file of (await fs.readdir(migrationFolder)).sort()) {
      if (!/^\d{4}_\d{2}_\d{2}_\d{4}_[a-z0-9_]+\.ts$/.test(file)) continue;
      migrations[file.replace(/\.ts$/, '')] = (await import(
        pathToFileURL(path.join(migrationFolder, file)).href
      )) as Migration;
    }
    return migrations;
  },
};

/** Applies every pending migration from `migrations/`; throws on the first failure. */
export async function migrateToLatest(db: Kysely<Database>): Promise<MigrationResultSet> {
  const result = await new Migrator({ db, provider: folderProvider }).migrateToLatest();
  if (result.error) {
    const failed = result.results?.find((migration) => migration.status === 'Error');
    const reason = result.error instanceof Error ? result.error.message : String(result.error);
    throw new Error(`migration ${failed?.migrationName ?? '(unknown)'} failed: ${reason}`, { cause: result.error });
  }
  return result;
}

/** Migrates up or down to exactly `name`; throws when this version does not know it. */
export async function migrateTo(db: Kysely<Database>, name: string): Promise<void> {
  const migrator = new Migrator({ db, provider: folderProvider });
  if (!(await migrator.getMigrations()).some((migration) => migration.name === name))
    throw new Error(`migration ${name} is unknown to this version of the platform`);
  const result = await migrator.migrateTo(name);
  if (result.error) throw result.error;
}

/** The name of the last migration applied to the database, if any. */
export async function currentMigration(db: Kysely<Database>): Promise<string | undefined> {
  const migrations = await new Migrator({ db, provider: folderProvider }).getMigrations();
  return migrations.filter((migration) => migration.executedAt).at(-1)?.name;
}

/** Reverts migrations one by one down to an empty schema (used to prove that `down` works). */
export async function migrateToEmpty(db: Kysely<Database>): Promise<void> {
  const migrator = new Migrator({ db, provider: folderProvider });
  for (;;) {
    const result = await migrator.migrateDown();
    if (result.error) throw result.error;
    if (!result.results?.length) return;
  }
}

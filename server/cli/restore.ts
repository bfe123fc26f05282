import { createReadStream } from 'node:fs';
import { createGunzip } from 'node:zlib';
import pg from 'pg';
import { backupLines, holdsPlatformData, readHeader, restoreBackup } from '../backup/backup.ts';
import { migrateTo, migrateToLatest } from '../db/migrate.ts';
import { rebuildRollups } from '../rollups/fold.ts';
import { withDatabase } from './with-database.ts';

// `npm run restore -- file`: loads a backup into an empty database (embedded or DATABASE_URL).
const file = process.argv[2];
if (!file) {
  console.error('Usage: npm run restore -- <backup file>');
  process.exit(2);
}

await withDatabase(
  async (db, { url }) => {
    const lines = backupLines(createReadStream(file).pipe(createGunzip()));
    const header = await readHeader(lines);
    const client = new pg.Client({ connectionString: url, application_name: 'sipas-restore' });
    await client.connect();
    try {
      if (await holdsPlatformData(client))
        throw new Error(
          'This database already holds units, accounts or ratings: a backup is restored only into an empty one ' +
            '(a new PG_DATA_DIR, or an empty database in DATABASE_URL).',
        );
      // The rows go into the schema they were taken from; later migrations then carry them forward.
      await migrateTo(db, header.migration);
      const started = performance.now();
      const rows = await restoreBackup(client, header, lines, (table, count) =>
        console.log(`  ${table.padEnd(28)} ${count.toLocaleString('en').padStart(12)} rows`),
      );
      await migrateToLatest(db);
      // Rollups are data derived from the ratings: recounted, they match whatever the file held.
      await rebuildRollups(db);
      const total = Object.values(rows).reduce((sum, count) => sum + count, 0);
      console.log(
        `Restored ${total.toLocaleString('en')} rows from ${file} (taken ${header.createdAt}) in ${((performance.now() - started) / 1000).toFixed(1)} s.`,
      );
    } finally {
      await client.end();
    }
  },
  { migrate: false },
);

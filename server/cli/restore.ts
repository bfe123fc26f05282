import { createReadStream } from 'node:fs';
import { pipeline } from 'node:stream';
import { createGunzip } from 'node:zlib';
import pg from 'pg';
import { BackupReader, holdsPlatformData, readHeader, restoreBackup, verifyBackup } from '../backup/backup.ts';
import { migrateTo, migrateToLatest } from '../db/migrate.ts';
import { rebuildRollups } from '../rollups/fold.ts';
import { withDatabase } from './with-database.ts';

// `npm run restore -- file`: loads a backup into an empty database (embedded or DATABASE_URL).
const file = process.argv[2];
if (!file) {
  console.error('Usage: npm run restore -- <backup file>');
  process.exit(2);
}

/** The backup's text, read from the start; a missing or damaged file fails the reading. */
const open = () => new BackupReader(pipeline(createReadStream(file), createGunzip(), () => {}));

await withDatabase(
  async (db, { url }) => {
    const client = new pg.Client({ connectionString: url, application_name: 'sipas-restore' });
    await client.connect();
    try {
      if (await holdsPlatformData(client))
        throw new Error(
          'This database already holds units, accounts or ratings: a backup is restored only into an empty one ' +
            '(a new PG_DATA_DIR, or an empty database in DATABASE_URL).',
        );
      // The whole file is checked before the database is touched: a file cut short or altered
      // is refused with a message that says so, rather than with whatever row it breaks.
      const { checked } = await verifyBackup(open());
      if (!checked)
        console.warn(
          'This backup was written before backups carried a checksum: it is restored, but its content cannot be verified.',
        );
      const reader = open();
      const header = await readHeader(reader);
      // The rows go into the schema they were taken from; later migrations then carry them forward.
      await migrateTo(db, header.migration);
      const started = performance.now();
      const rows = await restoreBackup(client, header, reader, (table, count) =>
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

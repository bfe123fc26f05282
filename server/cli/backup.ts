import { createWriteStream } from 'node:fs';
import { rename } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { PassThrough } from 'node:stream';
import { createGzip } from 'node:zlib';
import pg from 'pg';
import { writeBackup } from '../backup/backup.ts';
import { currentMigration } from '../db/migrate.ts';
import { withDatabase } from './with-database.ts';

// `npm run backup [-- file]`: every table of the configured database, from one snapshot.
const file =
  process.argv[2] ?? `sipas-backup-${new Date().toISOString().slice(0, 19).replace(/[-:]/g, '').replace('T', '-')}.gz`;

await withDatabase(async (db, { url }) => {
  const migration = (await currentMigration(db))!;
  const client = new pg.Client({ connectionString: url, application_name: 'sipas-backup' });
  await client.connect();
  // Written under a temporary name, so a backup cut off half-way never looks complete.
  const partial = `${file}.partial`;
  try {
    const text = new PassThrough();
    // Readable by its owner only: it holds comments, accounts and password hashes.
    const saved = pipeline(text, createGzip(), createWriteStream(partial, { mode: 0o600 }));
    const started = performance.now();
    const { rows } = await writeBackup(client, migration, text, (table, count) =>
      console.log(`  ${table.padEnd(28)} ${count.toLocaleString('en').padStart(12)} rows`),
    );
    text.end();
    await saved;
    await rename(partial, file);
    const total = Object.values(rows).reduce((sum, count) => sum + count, 0);
    console.log(
      `Backup written to ${file}: ${total.toLocaleString('en')} rows in ${((performance.now() - started) / 1000).toFixed(1)} s, schema ${migration}.`,
    );
  } finally {
    await client.end();
  }
});

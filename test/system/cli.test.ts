import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { gunzipSync, gzipSync } from 'node:zlib';
import pg from 'pg';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { connectDatabase } from '../../server/db/connect.ts';
import { parsePeriod } from '../../server/reports/periods.ts';
import { breakdown, reasons, summary, trend } from '../../server/reports/report.ts';
import { withDatabase } from '../global-setup.ts';

const execFileAsync = promisify(execFile);
const adminUrl = inject('adminDatabaseUrl');
const name = `sipas_cli_${inject('templateDatabase').replace('sipas_template_', '')}_${randomBytes(3).toString('hex')}`;
const url = withDatabase(adminUrl, name);

async function admin(statement: string) {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

await admin(`create database "${name}"`);
afterAll(() => admin(`drop database if exists "${name}" with (force)`));

/**
 * Each test runs the scripts as the processes they are (a year of demo data, a new
 * embedded cluster, backups and restores): seconds on an idle machine, minutes on a busy one.
 */
const PROCESSES = { timeout: 180_000 };

const run = (script: string, args: string[] = [], env: Record<string, string> = {}) =>
  execFileAsync(process.execPath, ['--import', 'tsx', script, ...args], {
    env: { ...process.env, DATABASE_URL: url, ...env },
  });

describe('command-line scripts against DATABASE_URL', PROCESSES, () => {
  it('npm run migrate creates the schema; npm run seed:demo loads the demo province once', async () => {
    expect((await run('server/cli/migrate.ts')).stdout).toContain('up to date');
    const seeded = await run('server/cli/seed-demo.ts');
    expect(seeded.stdout).toMatch(/Demo data: .*\d+ ratings/);
    expect((await run('server/cli/seed-demo.ts')).stdout).toContain('already loaded');

    const client = new pg.Client({ connectionString: url });
    await client.connect();
    const { rows } = await client.query<{ desks: string; ratings: string }>(
      'select (select count(*) from desk) as desks, (select count(*) from response) as ratings',
    );
    await client.end();
    expect(Number(rows[0]!.desks)).toBeGreaterThanOrEqual(10);
    expect(Number(rows[0]!.ratings)).toBeGreaterThan(20_000);
  });
});

const workDir = await fs.mkdtemp(path.join(os.tmpdir(), 'sipas-backup-'));
await fs.chmod(workDir, 0o755);
afterAll(() => fs.rm(workDir, { recursive: true, force: true }));

/** Every figure the reports show, for every unit, for last year and this year so far. */
async function reportFigures(databaseUrl: string) {
  const db = connectDatabase(databaseUrl, { max: 2 });
  try {
    const units = await db.selectFrom('unit').select('id').orderBy('id').execute();
    const year = new Date().getFullYear();
    const figures: Record<string, unknown> = {};
    for (const period of [parsePeriod(String(year - 1))!, parsePeriod(String(year))!]) {
      for (const { id } of units) {
        const key = `${id}/${period.key}`;
        figures[`${key}/summary`] = await summary(db, id, period);
        for (const kind of ['domain', 'subunit', 'desk', 'element', 'criterion', 'channel'] as const)
          figures[`${key}/${kind}`] = await breakdown(db, id, period, kind);
        figures[`${key}/trend`] = await trend(db, id, period);
        figures[`${key}/reasons`] = await reasons(db, id, period);
      }
    }
    return figures;
  } finally {
    await db.destroy();
  }
}

describe('backup and restore', PROCESSES, () => {
  const backupFile = path.join(workDir, 'external.gz');
  const embeddedBackup = path.join(workDir, 'embedded.gz');
  const movedName = `${name}_moved`;
  const movedUrl = withDatabase(adminUrl, movedName);
  afterAll(() => admin(`drop database if exists "${movedName}" with (force)`));
  const embedded = { DATABASE_URL: '', PG_DATA_DIR: path.join(workDir, 'pg') };

  it('a round trip through the embedded database keeps every report figure, and every awkward character', async () => {
    const db = connectDatabase(url, { max: 2 });
    const awkward = 'tab\there\nnew line \\. back\\slash \\N "quotes" ; drop table unit; -- 🙂 Tiếng Việt';
    const { id: responseId } = await db
      .selectFrom('response')
      .leftJoin('comment', 'comment.response_id', 'response.id')
      .where('comment.id', 'is', null)
      .select('response.id')
      .executeTakeFirstOrThrow();
    await db.insertInto('comment').values({ response_id: responseId, body: awkward }).execute();
    await db.destroy();
    const before = await reportFigures(url);

    // External PostgreSQL → file → the embedded database of a new machine → file → another server.
    expect((await run('server/cli/backup.ts', [backupFile])).stdout).toMatch(/Backup written to .*external\.gz/);
    expect((await run('server/cli/restore.ts', [backupFile], embedded)).stdout).toMatch(/Restored [\d,]+ rows/);
    expect((await run('server/cli/backup.ts', [embeddedBackup], embedded)).stdout).toContain('Backup written');
    await admin(`create database "${movedName}"`);
    await run('server/cli/restore.ts', [embeddedBackup], { DATABASE_URL: movedUrl });

    expect(await reportFigures(movedUrl)).toEqual(before);
    const moved = new pg.Client({ connectionString: movedUrl });
    await moved.connect();
    try {
      const { rows } = await moved.query<{ body: string }>('select body from comment where response_id = $1', [
        responseId,
      ]);
      expect(rows[0]?.body).toBe(awkward);
      // New rows continue after the restored ids.
      const next = await moved.query<{ id: string }>(
        `insert into unit (code, kind, name) values ('after-restore', 'commune', 'Xã mới') returning id`,
      );
      const max = await moved.query<{ max: string }>(`select max(id) as max from unit where code <> 'after-restore'`);
      expect(Number(next.rows[0]!.id)).toBeGreaterThan(Number(max.rows[0]!.max));
    } finally {
      await moved.end();
    }
  });

  it('refuses a database that holds data, and a file cut short, leaving the target as it was', async () => {
    const refused = await run('server/cli/restore.ts', [backupFile], { DATABASE_URL: url }).catch(
      (error: { code: number; stderr: string }) => error,
    );
    expect(refused).toMatchObject({ code: 1, stderr: expect.stringContaining('already holds') });

    const whole = gunzipSync(await fs.readFile(backupFile));
    const cut = path.join(workDir, 'cut.gz');
    // Cut at the end of a line, as a copy interrupted between two writes leaves it.
    await fs.writeFile(cut, gzipSync(whole.subarray(0, whole.lastIndexOf(10, Math.floor(whole.length * 0.6)) + 1)));
    const emptyName = `${name}_empty`;
    await admin(`create database "${emptyName}"`);
    try {
      const emptyUrl = withDatabase(adminUrl, emptyName);
      const failed = await run('server/cli/restore.ts', [cut], { DATABASE_URL: emptyUrl }).catch(
        (error: { code: number; stderr: string }) => error,
      );
      expect(failed).toMatchObject({ code: 1, stderr: expect.stringContaining('ends in the middle of table') });
      const client = new pg.Client({ connectionString: emptyUrl });
      await client.connect();
      const { rows } = await client.query<{ n: string }>('select count(*) as n from unit');
      await client.end();
      expect(Number(rows[0]!.n)).toBe(0);
    } finally {
      await admin(`drop database if exists "${emptyName}" with (force)`);
    }
  });
});

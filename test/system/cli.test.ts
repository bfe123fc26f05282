import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
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
    // A script that hangs fails its test rather than the whole run.
    timeout: 120_000,
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
      // The whole file is read before the database is touched: not even migrated.
      expect(await unitsIn(emptyUrl)).toBeNull();
    } finally {
      await admin(`drop database if exists "${emptyName}" with (force)`);
    }
  });

  /** An empty database of its own, for one restore; dropped when the file ends. */
  async function emptyDatabase(label: string): Promise<string> {
    const emptyName = `${name}_${label}`;
    await admin(`create database "${emptyName}"`);
    afterAll(() => admin(`drop database if exists "${emptyName}" with (force)`));
    return withDatabase(adminUrl, emptyName);
  }

  /** What a failed restore printed, and its exit code. */
  const restoreFails = (file: string, databaseUrl: string) =>
    run('server/cli/restore.ts', [file], { DATABASE_URL: databaseUrl }).then(
      ({ stdout }) => ({ code: 0, stderr: '', stdout }),
      (error: { code: number; stderr: string; stdout: string }) => error,
    );

  /**
   * A copy of the first backup with its lines (header and rows; not the trailer) changed;
   * `resign` recomputes the checksum, as a writer of that content would have.
   */
  async function changedBackup(label: string, change: (lines: string[]) => void, resign: boolean) {
    const lines = gunzipSync(await fs.readFile(backupFile))
      .toString('utf8')
      .split('\n');
    expect(lines.pop()).toBe('');
    const trailer = JSON.parse(lines.pop()!) as { rows: Record<string, number>; sha256?: string };
    expect(trailer.sha256).toBe(
      createHash('sha256')
        .update(lines.map((line) => `${line}\n`).join(''))
        .digest('hex'),
    );
    change(lines);
    if (resign)
      trailer.sha256 = createHash('sha256')
        .update(lines.map((line) => `${line}\n`).join(''))
        .digest('hex');
    const file = path.join(workDir, `${label}.gz`);
    await fs.writeFile(file, gzipSync([...lines, JSON.stringify(trailer), ''].join('\n')));
    return file;
  }

  /** Index of the `row`-th line of `table`'s rows in a backup's lines. */
  function rowLine(lines: string[], table: string, row: number): number {
    const header = JSON.parse(lines[0]!) as { tables: { name: string }[] };
    let at = 1;
    for (const { name: tableName } of header.tables) {
      if (tableName === table) return at + row;
      at = lines.indexOf('\\.', at) + 1;
    }
    throw new Error(`no table ${table}`);
  }

  async function unitsIn(databaseUrl: string): Promise<number | null> {
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    try {
      const { rows } = await client.query<{ present: boolean }>(`select to_regclass('unit') is not null as present`);
      if (!rows[0]!.present) return null;
      return Number((await client.query<{ n: string }>('select count(*) as n from unit')).rows[0]!.n);
    } finally {
      await client.end();
    }
  }

  it("a backup naming a column the schema lacks fails at once with PostgreSQL's message, and restores nothing", async () => {
    const file = await changedBackup(
      'unknown-column',
      (lines) => {
        const header = JSON.parse(lines[0]!) as { tables: { name: string; columns: string[] }[] };
        header.tables.find((table) => table.name === 'unit')!.columns.push('no_such_column');
        lines[0] = JSON.stringify(header);
      },
      true,
    );
    const target = await emptyDatabase('unknown_column');
    const failed = await restoreFails(file, target);
    expect(failed).toMatchObject({
      code: 1,
      stderr: expect.stringContaining('table unit: column "no_such_column" of relation "unit" does not exist'),
    });
    expect(await unitsIn(target)).toBe(0);
  });

  it('a row PostgreSQL refuses half-way through a table is reported in its words, naming the table and line', async () => {
    const file = await changedBackup(
      'bad-row',
      (lines) => {
        const at = rowLine(lines, 'response', 500);
        lines[at] = lines[at]!.replace(/^\d+/, 'garbage');
      },
      true,
    );
    const target = await emptyDatabase('bad_row');
    const failed = await restoreFails(file, target);
    expect(failed).toMatchObject({
      code: 1,
      stderr: expect.stringMatching(
        /table response: invalid input syntax for type bigint: "garbage" \(COPY response, line 501, column id: "garbage"\)/,
      ),
    });
    expect(failed.stderr).not.toContain('Cannot read properties');
    expect(await unitsIn(target)).toBe(0);
  });

  it('a backup whose content was altered is refused by its checksum before the database is touched', async () => {
    // One rating's score changed from what was written: a valid row, that only the checksum catches.
    const file = await changedBackup(
      'altered',
      (lines) => {
        const at = rowLine(lines, 'response_answer', 10);
        const cells = lines[at]!.split('\t');
        const header = JSON.parse(lines[0]!) as { tables: { name: string; columns: string[] }[] };
        const score = header.tables.find((table) => table.name === 'response_answer')!.columns.indexOf('score');
        cells[score] = cells[score] === '1' ? '5' : '1';
        lines[at] = cells.join('\t');
      },
      false,
    );
    const target = await emptyDatabase('altered');
    const failed = await restoreFails(file, target);
    expect(failed).toMatchObject({
      code: 1,
      stderr: expect.stringContaining(
        "the backup's content was altered or damaged: its SHA-256 checksum does not match",
      ),
    });
    // Not even migrated.
    expect(await unitsIn(target)).toBeNull();
  });

  it('a backup of the first format, without a checksum, is still restored, with a warning that it is unverified', async () => {
    const whole = gunzipSync(await fs.readFile(backupFile))
      .toString('utf8')
      .split('\n');
    const header = JSON.parse(whole[0]!) as { format: string };
    const trailer = JSON.parse(whole.at(-2)!) as { rows: Record<string, number>; sha256?: string };
    header.format = 'sipas-backup/1';
    delete trailer.sha256;
    const file = path.join(workDir, 'first-format.gz');
    await fs.writeFile(
      file,
      gzipSync([JSON.stringify(header), ...whole.slice(1, -2), JSON.stringify(trailer), ''].join('\n')),
    );
    const target = await emptyDatabase('first_format');
    const restored = await run('server/cli/restore.ts', [file], { DATABASE_URL: target });
    expect(restored.stderr).toContain('written before backups carried a checksum');
    expect(restored.stdout).toMatch(/Restored [\d,]+ rows/);
    expect(await unitsIn(target)).toBe(await unitsIn(url));
  });
});

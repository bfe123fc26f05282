import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, describe, expect, inject, it } from 'vitest';
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

const run = (script: string) =>
  execFileAsync(process.execPath, ['--import', 'tsx', script], { env: { ...process.env, DATABASE_URL: url } });

describe('command-line scripts against DATABASE_URL', () => {
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

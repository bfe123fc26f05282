import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { startEmbeddedPostgres } from '../../server/db/embedded-postgres.ts';

const execFileAsync = promisify(execFile);
const workDir = await fs.mkdtemp(path.join(os.tmpdir(), 'sipas-embedded-'));
await fs.chmod(workDir, 0o777);
afterAll(() => fs.rm(workDir, { recursive: true, force: true }));

async function query(url: string, text: string) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(text)).rows;
  } finally {
    await client.end();
  }
}

/** Starts and stops the embedded server from another Node process, optionally as `nobody`. */
async function startInAnotherProcess(dataDir: string, asOrdinaryUser: boolean) {
  const script = path.join(workDir, `start-${Math.random().toString(36).slice(2)}.mts`);
  const module = path.resolve('server/db/embedded-postgres.ts');
  await fs.writeFile(
    script,
    `import { startEmbeddedPostgres } from ${JSON.stringify(module)};
     const server = await startEmbeddedPostgres({ dataDir: ${JSON.stringify(dataDir)}, database: 'sipas' });
     console.log(JSON.stringify({ uid: process.getuid(), port: server.port, owned: server.owned }));
     await server.stop();`,
  );
  await fs.chmod(script, 0o644);
  const drop = asOrdinaryUser && process.getuid?.() === 0;
  const command = drop ? 'setpriv' : process.execPath;
  const args = [
    ...(drop ? ['--reuid=nobody', '--regid=nogroup', '--clear-groups', process.execPath] : []),
    '--import',
    path.resolve('node_modules/tsx/dist/loader.mjs'),
    script,
  ];
  const { stdout } = await execFileAsync(command, args, {
    env: { ...process.env, HOME: workDir },
    cwd: path.resolve('.'),
  });
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as { uid: number; port: number; owned: boolean };
}

describe('embedded PostgreSQL', () => {
  it('initialises a cluster in the data folder, serves the database, and stops cleanly', async () => {
    const dataDir = path.join(workDir, 'first', 'pg');
    const server = await startEmbeddedPostgres({ dataDir, database: 'sipas' });
    expect(server.owned).toBe(true);
    expect(await query(server.url, 'select current_database() as name')).toEqual([{ name: 'sipas' }]);
    // Password authentication on the loopback interface only.
    await expect(query(server.url.replace(/:[^:@/]+@/, ':wrong@'), 'select 1')).rejects.toThrow(/password/);
    await server.stop();
    await expect(fs.access(path.join(dataDir, 'postmaster.pid'))).rejects.toThrow();

    // The second start reuses the cluster and its data.
    const again = await startEmbeddedPostgres({ dataDir, database: 'sipas' });
    await query(again.url, 'create table kept (x int)');
    await again.stop();
    const third = await startEmbeddedPostgres({ dataDir, database: 'sipas' });
    expect(await query(third.url, "select to_regclass('kept') is not null as kept")).toEqual([{ kept: true }]);
    await third.stop();
  });

  it('a second process shares a running server instead of starting another, and leaves it running', async () => {
    const dataDir = path.join(workDir, 'shared', 'pg');
    const owner = await startEmbeddedPostgres({ dataDir, database: 'sipas' });
    const guest = await startInAnotherProcess(dataDir, false);
    expect(guest.owned).toBe(false);
    expect(guest.port).toBe(owner.port);
    expect(await query(owner.url, 'select 1 as up')).toEqual([{ up: 1 }]);
    await owner.stop();
  });

  it('runs for an ordinary user too', async () => {
    // As root, the server is started by the unprivileged "nobody"; otherwise this process already is ordinary.
    const dataDir = path.join(workDir, 'ordinary', 'pg');
    const result = await startInAnotherProcess(dataDir, true);
    expect(result.uid).not.toBe(0);
    expect(result.owned).toBe(true);
    expect((await fs.stat(path.join(dataDir, 'PG_VERSION'))).uid).toBe(result.uid);
  });
});

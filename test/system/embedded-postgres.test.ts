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

  it('supervised, a server killed with SIGKILL is started again on the same port, with its data', async () => {
    const dataDir = path.join(workDir, 'supervised', 'pg');
    const restarts: number[] = [];
    let restarted!: () => void;
    const running = new Promise<void>((resolve) => (restarted = resolve));
    const server = await startEmbeddedPostgres({
      dataDir,
      database: 'sipas',
      supervise: {
        onGiveUp: (error) => expect.unreachable(error.message),
        onRestart: (downMs) => {
          restarts.push(downMs);
          restarted();
        },
      },
    });
    try {
      await query(server.url, 'create table kept (x int); insert into kept values (42)');
      const pid = Number((await fs.readFile(path.join(dataDir, 'postmaster.pid'), 'utf8')).split('\n')[0]);
      process.kill(pid, 'SIGKILL');
      await running;
      expect(restarts).toHaveLength(1);
      const lines = (await fs.readFile(path.join(dataDir, 'postmaster.pid'), 'utf8')).split('\n');
      expect(Number(lines[0])).not.toBe(pid);
      expect(Number(lines[3])).toBe(server.port);
      expect(await query(server.url, 'select x from kept')).toEqual([{ x: 42 }]);
    } finally {
      await server.stop();
    }
    // Stopping it is not a crash: it stays stopped.
    await expect(fs.access(path.join(dataDir, 'postmaster.pid'))).rejects.toThrow();
  });

  it("supervised, a server that cannot be started again is given up after its attempts, with PostgreSQL's reason", async () => {
    const dataDir = path.join(workDir, 'given-up', 'pg');
    let gaveUp!: (error: Error) => void;
    const givenUp = new Promise<Error>((resolve) => (gaveUp = resolve));
    const server = await startEmbeddedPostgres({
      dataDir,
      database: 'sipas',
      supervise: { restartDelaysMs: [10, 10, 10], onGiveUp: gaveUp },
    });
    const version = path.join(dataDir, 'PG_VERSION');
    await fs.rename(version, `${version}.aside`);
    try {
      process.kill(Number((await fs.readFile(path.join(dataDir, 'postmaster.pid'), 'utf8')).split('\n')[0]), 'SIGKILL');
      const error = await givenUp;
      expect(error.message).toMatch(
        /could not be kept running \(3 failures in a row\): .*is not a valid data directory/,
      );
    } finally {
      await server.stop();
      await fs.rename(`${version}.aside`, version);
    }
  });
});

import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../database.ts';

const workDir = await fs.mkdtemp(path.join(os.tmpdir(), 'sipas-start-'));
await fs.chmod(workDir, 0o755);
const started: ChildProcess[] = [];
afterAll(async () => {
  for (const child of started) if (child.exitCode === null) child.kill('SIGKILL');
  await fs.rm(workDir, { recursive: true, force: true });
});

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Runs `server/main.ts` as `npm start` does, collecting what it prints. */
function startMain(env: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
    env: { ...process.env, DATABASE_URL: '', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  started.push(child);
  let output = '';
  const waiting = new Set<() => void>();
  const append = (chunk: Buffer) => {
    output += chunk.toString();
    for (const check of waiting) check();
  };
  child.stdout!.on('data', append);
  child.stderr!.on('data', append);
  // `close`, not `exit`: the last lines it printed are read by then.
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  /** Resolves as soon as the process has printed `pattern`; fails if it ends first. */
  const printed = (pattern: RegExp) =>
    new Promise<void>((resolve, reject) => {
      const check = () => {
        if (!pattern.test(output)) return;
        waiting.delete(check);
        resolve();
      };
      waiting.add(check);
      check();
      void exited.then(() => {
        waiting.delete(check);
        reject(new Error(`did not print ${pattern}:\n${output}`));
      });
    });
  return { child, exited, printed, output: () => output };
}

describe('npm start on a fresh machine', () => {
  // Two starts, the first loading a year of demo data: minutes on a busy machine.
  it('starts the embedded database with demo data, takes a rating, and stops cleanly on SIGTERM', async () => {
    const port = await freePort();
    const dataDir = path.join(workDir, 'pg');
    const env = { PORT: String(port), PG_DATA_DIR: dataDir, PUBLIC_BASE_URL: `http://127.0.0.1:${port}` };
    const first = startMain(env);
    await first.printed(/Press Ctrl-C to stop/);
    expect(first.output()).toMatch(/Demo data: .*\d+ desks, \d+ ratings/);
    expect(first.output()).toContain(`http://127.0.0.1:${port}/api/openapi.json`);

    const base = `http://127.0.0.1:${port}`;
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    const survey = (await (await fetch(`${base}/api/v1/public/desks/hacthanh1`)).json()) as {
      questionnaire: { id: string };
    };
    const rating = {
      deskCode: 'hacthanh1',
      domain: 'land',
      questionnaireId: survey.questionnaire.id,
      answers: { overall: 4 },
      language: 'vi',
      channel: 'qr',
      idempotencyKey: randomUUID(),
    };
    const recorded = await fetch(`${base}/api/v1/public/responses`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(rating),
    });
    expect(recorded.status).toBe(201);

    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);
    await expect(fs.access(path.join(dataDir, 'postmaster.pid'))).rejects.toThrow();

    // The second start keeps the data (no second demo load) and the acknowledged rating.
    const second = startMain(env);
    await second.printed(/Press Ctrl-C to stop/);
    expect(second.output()).not.toMatch(/Demo data:/);
    const retry = await fetch(`${base}/api/v1/public/responses`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(rating),
    });
    expect(retry.status).toBe(200);
    second.child.kill('SIGINT');
    expect(await second.exited).toBe(0);
  }, 180_000);

  it('refuses to start with a bad setting, naming it', async () => {
    const bad = startMain({ PORT: 'eighty', PG_DATA_DIR: path.join(workDir, 'unused') });
    expect(await bad.exited).toBe(1);
    expect(bad.output()).toContain('PORT');
    await expect(fs.access(path.join(workDir, 'unused'))).rejects.toThrow();
  });

  it('stops the embedded database again when start-up fails later', async () => {
    const blocker = net.createServer();
    const port = await new Promise<number>((resolve) =>
      blocker.listen(0, '127.0.0.1', () => resolve((blocker.address() as net.AddressInfo).port)),
    );
    const dataDir = path.join(workDir, 'busy-port');
    const failed = startMain({ PORT: String(port), PG_DATA_DIR: dataDir, SEED_DEMO: 'false' });
    expect(await failed.exited).toBe(1);
    blocker.close();
    expect(failed.output()).toMatch(/EADDRINUSE|address already in use/i);
    await expect(fs.access(path.join(dataDir, 'postmaster.pid'))).rejects.toThrow();
  });
});

describe('npm scripts under a supervisor', () => {
  // systemd, Docker or a terminal signal the process they started: npm, which passes the
  // signal on to its script's shell. Unless the shell has been replaced by node (`exec`),
  // node never hears it and keeps the port after npm has gone.
  it('SIGTERM to `npm run serve` reaches node: the platform stops, its port is free, npm exits 0', async () => {
    const { url } = await createTestDatabase();
    const port = await freePort();
    const npm = spawn('npm', ['run', 'serve'], {
      env: {
        ...process.env,
        DATABASE_URL: url,
        PORT: String(port),
        HOST: '127.0.0.1',
        SEED_DEMO: 'false',
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    started.push(npm);
    let output = '';
    const listening = new Promise<void>((resolve, reject) => {
      npm.stdout!.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes('Press Ctrl-C to stop')) resolve();
      });
      npm.once('exit', () => reject(new Error(`npm run serve exited before listening:\n${output}`)));
    });
    npm.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => npm.once('exit', (code) => resolve(code)));
    await listening;
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);

    npm.kill('SIGTERM');
    expect(await exited, output).toBe(0);
    // Nothing answers any more: node did not outlive npm.
    await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow();
  });

  it('npm start ends with the command of npm run serve, so that signals reach node the same way', async () => {
    const { scripts } = JSON.parse(await fs.readFile('package.json', 'utf8')) as { scripts: Record<string, string> };
    expect(scripts.serve).toMatch(/^exec node /);
    expect(scripts.start).toBe(`npm run build && ${scripts.serve}`);
  });
});

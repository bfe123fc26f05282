import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export interface ServerProcess {
  url: string;
  pid: number;
  child: ChildProcess;
  /** Everything the process wrote, for a failure message. */
  output(): string;
  /** Peak resident memory of the process so far, in bytes (Linux). */
  peakRss(): number;
  /**
   * Its exit code once it has exited and its output has been read to the end (`close`:
   * `exit` can come before the last lines written through the pipes).
   */
  exited: Promise<number | null>;
  /** SIGTERM, then waits for the exit and gives its code. */
  stop(): Promise<number | null>;
}

/**
 * Starts a Node script of the project as its own process on 127.0.0.1 and a free port,
 * and resolves once it prints the address it listens on (`http://127.0.0.1:<port>`).
 */
export function startServerProcess(
  script: string,
  env: Record<string, string>,
  nodeArgs: string[] = [],
): Promise<ServerProcess> {
  const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', script], {
    cwd: root,
    env: { ...process.env, HOST: '127.0.0.1', PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1];
      if (!url) return;
      child.stdout!.off('data', onData);
      child.stdout!.on('data', (more: Buffer) => (output += more.toString()));
      resolve({
        url,
        pid: child.pid!,
        child,
        output: () => output,
        exited,
        peakRss: () => Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1]) * 1024,
        stop: () => {
          child.kill('SIGTERM');
          return exited;
        },
      });
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    void exited.then((code) => reject(new Error(`${script} exited with ${code} before listening:\n${output}`)));
  });
}

/** Requests to a server process as the officials' app sends them: with the server's own Origin. */
export function processClient(server: Pick<ServerProcess, 'url'>) {
  return {
    baseUrl: server.url,
    request: (method: string, path: string, options: { body?: unknown; headers?: Record<string, string> } = {}) =>
      fetch(`${server.url}${path}`, {
        method,
        headers: {
          origin: server.url,
          ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}),
          ...options.headers,
        },
        ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
      }),
  };
}

import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../database.ts';
import { startServerProcess, type ServerProcess } from '../server-process.ts';

const { url } = await createTestDatabase();
let server: ServerProcess;

beforeAll(async () => {
  server = await startServerProcess('server/main.ts', {
    DATABASE_URL: url,
    SEED_DEMO: 'false',
    LOG_LEVEL: 'warn',
    REQUEST_TIMEOUT_SECONDS: '2',
  });
});
afterAll(async () => {
  expect(await server.stop()).toBe(0);
});

/** Sends `start` and then nothing more; resolves with what the server answered and when it closed. */
function stall(start: string): Promise<{ answer: string; closedAfterMs: number }> {
  const { port } = new URL(server.url);
  return new Promise((resolve, reject) => {
    const began = Date.now();
    let answer = '';
    const socket = net.connect(Number(port), '127.0.0.1', () => socket.write(start));
    socket.on('data', (chunk) => (answer += chunk.toString()));
    socket.on('error', reject);
    socket.on('close', () => resolve({ answer, closedAfterMs: Date.now() - began }));
    setTimeout(() => reject(new Error('the server kept the stalled connection open')), 20_000).unref();
  });
}

describe('slow clients', () => {
  it('a request whose body never arrives in full is cut off with 408', async () => {
    const { answer, closedAfterMs } = await stall(
      'POST /api/v1/public/responses HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 300\r\n\r\n{"deskCode":',
    );
    expect(answer).toMatch(/^HTTP\/1\.1 408/);
    expect(closedAfterMs).toBeLessThan(10_000);
  });

  it('headers that never end are cut off too, and the server keeps serving', async () => {
    const { closedAfterMs } = await stall('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ');
    expect(closedAfterMs).toBeLessThan(10_000);
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  });
});

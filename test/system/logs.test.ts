import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../database.ts';
import { makeDesk, quickRating } from '../factories.ts';
import { makeOfficial, signIn, type SignedIn } from '../officials.ts';
import { processClient, startServerProcess, type ServerProcess } from '../server-process.ts';

/*
 * What the logs of a real server process hold, and what a client sees, when something
 * breaks underneath: a generic 500 with a request id, and one structured line with that
 * id; never a comment, an address or a session token.
 */

const { db, url } = await createTestDatabase();
let server: ServerProcess;
let session: SignedIn;
let deskCode: string;
const COMMENT = 'Góp ý riêng tư: cán bộ Nguyễn Văn A hẹn lại ba lần';

let client: ReturnType<typeof processClient>;

beforeAll(async () => {
  server = await startServerProcess('server/main.ts', { DATABASE_URL: url, SEED_DEMO: 'false', LOG_LEVEL: 'info' });
  client = processClient(server);
  const { desk, unit } = await makeDesk(db, { domains: ['land'] });
  deskCode = desk.code;
  session = await signIn(client, (await makeOfficial(db, 'manager', unit)).username);
});
afterAll(async () => {
  await sql`alter table if exists comment_moved_away rename to comment`.execute(db);
  if (server.child.exitCode === null) await server.stop();
});

function logLines(): Record<string, unknown>[] {
  return server
    .output()
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('errors and logs', () => {
  it('an unexpected failure answers a generic 500 with a request id, logged as JSON with that id', async () => {
    const lowRating = quickRating({ deskCode, answers: { overall: 1 }, comment: COMMENT });
    expect((await client.request('POST', '/api/v1/public/responses', { body: lowRating })).status).toBe(201);

    // The database loses a table under the running server.
    await sql`alter table comment rename to comment_moved_away`.execute(db);
    const failures = [
      await session.request('GET', '/follow-ups'),
      await client.request('POST', '/api/v1/public/responses', {
        body: quickRating({ deskCode, answers: { overall: 2 }, comment: COMMENT }),
      }),
    ];
    await sql`alter table comment_moved_away rename to comment`.execute(db);

    for (const response of failures) {
      expect(response.status).toBe(500);
      const text = await response.text();
      const body = JSON.parse(text) as { error: { code: string; message: string; requestId: string } };
      expect(body.error.code).toBe('internal_error');
      expect(body.error.requestId).toBe(response.headers.get('x-request-id'));
      // No SQL, table name or stack trace reaches the client.
      expect(text).not.toMatch(/comment|relation|select|\.ts:\d+|\bat \S+:\d+/i);
      const logged = () => logLines().filter((line) => line.requestId === body.error.requestId);
      // The server's output arrives through a pipe, a moment after the answer.
      await expect.poll(() => logged().length).toBeGreaterThan(0);
      expect(logged().every((line) => line.level === 50 && typeof line.time === 'string')).toBe(true);
    }
    // The cause is in the logs, for whoever runs the server.
    await expect.poll(() => JSON.stringify(logLines())).toMatch(/relation \\"comment\\" does not exist/);
  });

  it('hold no comment text, client address or session token', async () => {
    await client.request('POST', '/api/v1/public/responses', {
      body: quickRating({ deskCode, answers: { overall: 1 }, comment: COMMENT }),
      headers: { 'x-forwarded-for': '203.0.113.7' },
    });
    await session.request('GET', '/follow-ups');
    expect(await server.stop()).toBe(0);
    const token = session.cookie.split('=')[1]!;
    const logs = logLines().map((line) => JSON.stringify(line));
    expect(logs.length).toBeGreaterThan(2);
    for (const line of logs) {
      expect(line).not.toContain('Nguyễn Văn A');
      expect(line).not.toContain(token);
      expect(line).not.toMatch(/127\.0\.0\.1|203\.0\.113\.7|::1/);
    }
  });

  it('a failed background promise is logged and the server keeps serving; an uncaught exception stops it cleanly', async () => {
    // Faults injected into a real server process: SIGUSR2 rejects a promise nobody awaits,
    // SIGHUP throws from a callback.
    const faults = [
      `process.on('SIGUSR2', () => { Promise.reject(new Error('background task failed')); });`,
      `process.on('SIGHUP', () => setTimeout(() => { throw new Error('broken invariant'); }));`,
    ].join('');
    const faulty = await startServerProcess(
      'server/main.ts',
      { DATABASE_URL: url, SEED_DEMO: 'false', LOG_LEVEL: 'info' },
      ['--import', `data:text/javascript,${encodeURIComponent(faults)}`],
    );
    const lines = () =>
      faulty
        .output()
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as { level: number; msg: string; err?: { message: string } });
    faulty.child.kill('SIGUSR2');
    await expect
      .poll(() => lines().find((line) => line.err?.message === 'background task failed'))
      .toMatchObject({ level: 50, msg: 'unhandled rejection' });
    expect((await fetch(`${faulty.url}/healthz`)).status).toBe(200);

    faulty.child.kill('SIGHUP');
    expect(await faulty.exited).toBe(1);
    expect(lines().find((line) => line.err?.message === 'broken invariant')).toMatchObject({
      level: 60,
      msg: 'uncaught exception: stopping',
    });
    expect(lines().at(-1)).toMatchObject({ msg: 'stopped' });
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../database.ts';
import { makeDesk, makeDossierToken, quickRating } from '../factories.ts';
import { makeOfficial, signIn } from '../officials.ts';
import { processClient, startServerProcess, type ServerProcess } from '../server-process.ts';

/*
 * Two server processes on one database, as behind a load balancer: nothing that must be
 * shared may live in one process's memory.
 */

const { db, url } = await createTestDatabase();
const RATINGS_PER_SOURCE = 20;
let first: ServerProcess;
let second: ServerProcess;

beforeAll(async () => {
  const env = {
    DATABASE_URL: url,
    SEED_DEMO: 'false',
    LOG_LEVEL: 'warn',
    SIGN_IN_ATTEMPTS_PER_SOURCE: '100000',
    // Each test can then be its own network, with its own allowance.
    TRUST_PROXY: 'true',
    RATE_LIMIT_PER_SOURCE: String(RATINGS_PER_SOURCE),
    RATE_LIMIT_WINDOW_SECONDS: '3600',
  };
  [first, second] = await Promise.all([
    startServerProcess('server/main.ts', env),
    startServerProcess('server/main.ts', env),
  ]);
});
afterAll(async () => {
  expect(await Promise.all([first.stop(), second.stop()])).toEqual([0, 0]);
});

const client = processClient;
let networks = 0;
/** A rating from a network of its own, so that each test has the whole allowance. */
const network = () => ({ 'x-forwarded-for': `198.51.100.${++networks}` });
const rate = (server: ServerProcess, body: Record<string, unknown>, headers: Record<string, string>) =>
  client(server).request('POST', '/api/v1/public/responses', { body, headers });

describe('two server processes, one database', () => {
  it('a rating retried on both at once is stored once, and both answers name it', async () => {
    const { desk } = await makeDesk(db, { domains: ['land'] });
    for (let round = 0; round < 10; round++) {
      const rating = quickRating({ deskCode: desk.code });
      const from = network();
      const answers = await Promise.all([
        rate(first, rating, from),
        rate(second, rating, from),
        rate(first, rating, from),
      ]);
      const bodies = (await Promise.all(answers.map((answer) => answer.json()))) as { id: number }[];
      expect(answers.map((answer) => answer.status).sort()).toEqual([200, 200, 201]);
      expect(new Set(bodies.map((body) => body.id)).size).toBe(1);
    }
    const stored = await db.selectFrom('response').select('id').where('desk_id', '=', desk.id).execute();
    expect(stored).toHaveLength(10);
  });

  it('a receipt code sent to both at once rates exactly once', async () => {
    const { desk } = await makeDesk(db, { domains: ['land'] });
    const from = network();
    for (let round = 0; round < 5; round++) {
      const token = await makeDossierToken(db, desk);
      const answers = await Promise.all(
        [first, second].map((server) =>
          rate(
            server,
            quickRating({ deskCode: undefined, dossierToken: token, domain: undefined, channel: 'dossier' }),
            from,
          ),
        ),
      );
      expect(answers.map((answer) => answer.status).sort()).toEqual([201, 409]);
    }
    const stored = await db.selectFrom('response').select('id').where('desk_id', '=', desk.id).execute();
    expect(stored).toHaveLength(5);
  });

  it('the rate limit of a network is counted once for both', async () => {
    const { desk } = await makeDesk(db, { domains: ['land'] });
    const from = network();
    const statuses: number[] = [];
    for (let index = 0; index < RATINGS_PER_SOURCE + 4; index++) {
      const answer = await rate(index % 2 === 0 ? first : second, quickRating({ deskCode: desk.code }), from);
      statuses.push(answer.status);
      if (answer.status === 429) expect(Number(answer.headers.get('retry-after'))).toBeGreaterThan(0);
    }
    expect(statuses).toEqual([...Array<number>(RATINGS_PER_SOURCE).fill(201), 429, 429, 429, 429]);
  });

  it('a session opened on one is valid on the other, and signing out on one ends it on both', async () => {
    const { unit } = await makeDesk(db);
    const official = await makeOfficial(db, 'manager', unit);
    const session = await signIn(client(first), official.username);
    const onSecond = () =>
      client(second).request('GET', '/api/v1/officials/session', { headers: { cookie: session.cookie } });
    expect((await onSecond()).status).toBe(200);
    const signOut = await client(second).request('DELETE', '/api/v1/officials/session', {
      headers: { cookie: session.cookie },
    });
    expect(signOut.status).toBe(204);
    const onFirst = await client(first).request('GET', '/api/v1/officials/session', {
      headers: { cookie: session.cookie },
    });
    expect(onFirst.status).toBe(401);
  });
});

import { randomUUID } from 'node:crypto';
import net from 'node:net';
import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import { FaultLog } from '../../server/errors.ts';
import { createLogger } from '../../server/logger.ts';
import { pairKioskDevice } from '../../server/kiosks/kiosk-device.repository.ts';
import { RatingWriter } from '../../server/responses/rating-writer.ts';
import type { Submission } from '../../server/responses/write-batch.ts';
import { createTestDatabase } from '../database.ts';
import { makeDesk, quickRating } from '../factories.ts';
import { makeOfficial, signIn } from '../officials.ts';
import { startTestServer, type TestServer } from '../server.ts';
import { errorOf } from '../http.ts';

/*
 * The classes of fault an outside test found, each proved closed: a rating the database
 * refuses, keys used for what they were not issued for, kiosk ratings made before their
 * desk closed, limits overshot by concurrency, and the smaller leaks.
 */

const { db } = await createTestDatabase();
let server: TestServer;

beforeAll(async () => {
  server = await startTestServer(db, { RATE_LIMIT_PER_SOURCE: '100000' });
});

const policy = { perSource: 1000, perKiosk: 1000, windowSeconds: 600 };

function submission(body: Record<string, unknown>, bucket = Buffer.alloc(16, 1)): Submission {
  return { body: body as unknown as Submission['body'], bucket, receivedAt: new Date() };
}

describe('a rating the database refuses', () => {
  it('fails alone, with a 4xx, and costs its sender an attempt, while the honest ratings of its batch commit', async () => {
    const { desk } = await makeDesk(db);
    const writer = new RatingWriter(db, { rateLimit: policy, logger: createLogger('silent') });
    const poisonBucket = Buffer.alloc(16, 9);
    // Past the schemas (which refuse it at the door), year 0 reaches the database.
    const poison = submission(quickRating({ deskCode: desk.code, clientTime: '0000-01-01T00:00:00Z' }), poisonBucket);
    const honest = Array.from({ length: 12 }, () => submission(quickRating({ deskCode: desk.code })));
    const outcomes = await Promise.all(
      [...honest.slice(0, 6), poison, ...honest.slice(6)].map((s) => writer.submit(s)),
    );
    await writer.close();

    const poisonOutcome = outcomes[6]!;
    expect(poisonOutcome.ok).toBe(false);
    expect(poisonOutcome.ok ? null : [poisonOutcome.error.status, poisonOutcome.error.code]).toEqual([
      422,
      'value_refused',
    ]);
    const written = outcomes.filter((outcome) => outcome.ok);
    expect(written).toHaveLength(12);
    const stored = await db.selectFrom('response').select('id').where('desk_id', '=', desk.id).execute();
    expect(stored).toHaveLength(12);
    const counted = await db
      .selectFrom('rate_limit_counter')
      .select('hits')
      .where('bucket', '=', poisonBucket)
      .executeTakeFirst();
    expect(counted?.hits).toBe(1);
  });

  it('is logged once a minute per kind, not once per request', () => {
    const lines: string[] = [];
    const logger = createLogger('warn');
    const faults = new FaultLog(
      Object.assign(Object.create(logger), {
        warn: (fields: { suppressed?: number }, message: string) => lines.push(`${message}:${fields.suppressed ?? 0}`),
      }),
      60_000,
    );
    for (let i = 0; i < 500; i++) faults.log('warn', 'database_refused:22008', {}, 'value refused');
    faults.log('warn', 'database_refused:22003', {}, 'value refused');
    expect(lines).toEqual(['value refused:0', 'value refused:0']);
  });
});

describe('keys are good only for what they were issued for', () => {
  it('a receipt printer’s key is neither a kiosk key for rating nor for reporting status', async () => {
    const { desk } = await makeDesk(db);
    const { key } = await pairKioskDevice(db, { deskId: desk.id, purpose: 'receipts' });
    const rating = await server.post(
      '/api/v1/public/responses',
      quickRating({ deskCode: desk.code, channel: 'kiosk' }),
      { 'x-kiosk-key': key },
    );
    expect(rating.status).toBe(403);
    expect((await errorOf(rating)).code).toBe('kiosk_not_paired');
    const status = await server.post('/api/v1/public/kiosk/status', { queueLength: 0 }, { 'x-kiosk-key': key });
    expect(status.status).toBe(403);
  });

  it('a kiosk’s key issues no receipt codes', async () => {
    const { desk } = await makeDesk(db);
    const { key } = await pairKioskDevice(db, { deskId: desk.id });
    const issued = await server.post('/api/v1/desk/dossier-codes', { domain: 'land' }, { 'x-device-key': key });
    expect(issued.status).toBe(403);
  });
});

describe('kiosk ratings made while the desk was open', () => {
  it('count when they arrive after the desk was stopped, where the desk stood; made after, they are refused', async () => {
    const { desk, unit } = await makeDesk(db);
    const { key } = await pairKioskDevice(db, { deskId: desk.id });
    const madeBefore = new Date(Date.now() - 3_600_000).toISOString();
    await db
      .updateTable('desk')
      .set({ active: false, inactive_since: new Date(Date.now() - 60_000) })
      .where('id', '=', desk.id)
      .execute();
    const late = await server.post(
      '/api/v1/public/responses',
      quickRating({ deskCode: desk.code, channel: 'kiosk', clientTime: madeBefore }),
      { 'x-kiosk-key': key },
    );
    expect(late.status).toBe(201);
    const { id } = (await late.json()) as { id: number };
    const stored = await db
      .selectFrom('response')
      .select(['unit_id', 'rated_at'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(stored.unit_id).toBe(unit.id);
    expect(stored.rated_at.toISOString()).toBe(madeBefore);

    const after = await server.post(
      '/api/v1/public/responses',
      quickRating({ deskCode: desk.code, channel: 'kiosk' }),
      { 'x-kiosk-key': key },
    );
    expect(after.status).toBe(409);
  });

  it('a refusal the tablet reports is listed once on the desk’s page', async () => {
    const { desk, unit } = await makeDesk(db);
    const { key } = await pairKioskDevice(db, { deskId: desk.id, label: 'Máy quầy 1' });
    const refused = { idempotencyKey: randomUUID(), code: 'desk_inactive', ratedAt: new Date().toISOString() };
    for (let i = 0; i < 2; i++) {
      const answer = await server.post(
        '/api/v1/public/kiosk/status',
        { queueLength: 0, refused: [refused] },
        { 'x-kiosk-key': key },
      );
      expect(answer.status).toBe(200);
    }
    const manager = await makeOfficial(db, 'manager', unit);
    const session = await signIn(server, manager.username);
    const listed = await (
      await session.api.desks[':id']['refused-ratings'].$get({ param: { id: String(desk.id) } })
    ).json();
    expect(listed).toEqual([expect.objectContaining({ code: 'desk_inactive', deviceLabel: 'Máy quầy 1' })]);
  });
});

describe('a flood from one network', () => {
  it('past its allowance, is refused without asking the database again until the window ends', async () => {
    const limited = await startTestServer(db, { RATE_LIMIT_PER_SOURCE: '5', RATE_LIMIT_WINDOW_SECONDS: '600' });
    const { desk } = await makeDesk(db);
    await db.deleteFrom('rate_limit_counter').execute();
    const statuses: number[] = [];
    // Refused attempts (an unknown desk) use the allowance as accepted ones do.
    for (let i = 0; i < 8; i++) {
      const body = quickRating({ deskCode: i % 2 === 0 ? desk.code : 'khongco1' });
      statuses.push((await limited.post('/api/v1/public/responses', body)).status);
    }
    expect(statuses.slice(0, 5)).toEqual([201, 404, 201, 404, 201]);
    expect(statuses.slice(5)).toEqual([429, 429, 429]);
    const counted = async () =>
      (await db.selectFrom('rate_limit_counter').select('hits').execute()).map((row) => row.hits);
    const before = await counted();
    for (let i = 0; i < 20; i++) {
      const answer = await limited.post('/api/v1/public/responses', quickRating({ deskCode: desk.code }));
      expect(answer.status).toBe(429);
      expect(Number(answer.headers.get('retry-after'))).toBeGreaterThan(0);
    }
    expect(await counted()).toEqual(before);
  });
  it('counts a request it refuses as malformed like any other attempt, then refuses the sender from memory', async () => {
    const limited = await startTestServer(db, { RATE_LIMIT_PER_SOURCE: '5', RATE_LIMIT_WINDOW_SECONDS: '600' });
    const { desk } = await makeDesk(db);
    await db.deleteFrom('rate_limit_counter').execute();
    const malformed = [
      () =>
        limited.post(
          '/api/v1/public/responses',
          quickRating({ deskCode: desk.code, clientTime: '0000-01-01T00:00:00Z' }),
        ),
      () =>
        limited.request('POST', '/api/v1/public/responses', {
          body: 'deskCode=x',
          headers: { 'content-type': 'text/plain' },
        }),
      () => limited.post('/api/v1/public/responses', quickRating({ deskCode: desk.code, comment: 'x'.repeat(20_000) })),
    ];
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await malformed[i % 3]!()).status);
    expect(statuses).toEqual([400, 415, 413, 400, 415, 413]);
    // The sixth attempt passed the allowance of five: from now on every request, honest or
    // not, is refused before its body is read, and the database is not asked again.
    const hits = async () =>
      (await db.selectFrom('rate_limit_counter').select('hits').execute()).map((row) => row.hits);
    expect(await hits()).toEqual([6]);
    for (const send of [
      ...malformed,
      () => limited.post('/api/v1/public/responses', quickRating({ deskCode: desk.code })),
    ]) {
      const answer = await send();
      expect(answer.status).toBe(429);
      expect(Number(answer.headers.get('retry-after'))).toBeGreaterThan(0);
    }
    expect(await hits()).toEqual([6]);
  });
});

describe('limits that concurrency cannot overshoot', () => {
  it('40 wrong passwords at once for one account get at most 5 password checks', async () => {
    const limited = await startTestServer(db, {
      SIGN_IN_FAILURES_PER_ACCOUNT: '5',
      SIGN_IN_ATTEMPTS_PER_SOURCE: '1000',
    });
    const { unit } = await makeDesk(db);
    const official = await makeOfficial(db, 'viewer', unit);
    const answers = await Promise.all(
      Array.from({ length: 40 }, () =>
        limited.request('POST', '/api/v1/officials/session', {
          body: { username: official.username, password: 'wrong-password-!' },
        }),
      ),
    );
    const statuses = answers.map((answer) => answer.status);
    // 401 means the password was checked; 429 means the attempt was refused before.
    expect(statuses.filter((status) => status === 401).length).toBeLessThanOrEqual(5);
    expect(statuses.filter((status) => status === 429).length).toBeGreaterThanOrEqual(35);
    // The right password is refused too until the window ends: the account is protected.
    const right = await limited.request('POST', '/api/v1/officials/session', {
      body: { username: official.username, password: official.password },
    });
    expect(right.status).toBe(429);
  });
});

describe('the smaller leaks', () => {
  it('Node’s own answer to a request it cannot parse carries the security headers and the error shape', async () => {
    const { port } = new URL(server.baseUrl);
    const answer = await new Promise<string>((resolve, reject) => {
      let text = '';
      const socket = net.connect(Number(port), '127.0.0.1', () => socket.write('GARBAGE / HTTP/1.1\r\n\r\n'));
      socket.on('data', (chunk) => (text += chunk.toString()));
      socket.on('close', () => resolve(text));
      socket.on('error', reject);
    });
    expect(answer).toMatch(/^HTTP\/1\.1 400/);
    expect(answer).toMatch(/content-security-policy: default-src 'self'/i);
    expect(answer).toMatch(/x-content-type-options: nosniff/i);
    expect(answer).toContain('"code":"malformed_request"');
  });

  it('officials’ answers are never stored by a browser or proxy', async () => {
    const { unit } = await makeDesk(db);
    const viewer = await makeOfficial(db, 'viewer', unit);
    const session = await signIn(server, viewer.username);
    const answer = await session.request('GET', '/units');
    expect(answer.headers.get('cache-control')).toBe('no-store');
  });

  it('a comment of only invisible characters is no comment', async () => {
    const { desk } = await makeDesk(db);
    const answer = await server.post(
      '/api/v1/public/responses',
      quickRating({ deskCode: desk.code, answers: { overall: 2 }, comment: '\u200b\u200c \u2060\ufeff' }),
    );
    expect(answer.status).toBe(201);
    const { id } = (await answer.json()) as { id: number };
    expect(
      await db.selectFrom('comment').select('id').where('response_id', '=', id).executeTakeFirst(),
    ).toBeUndefined();
  });

  it('the same-origin check trusts the configured address, not the Host header the sender chose', async () => {
    const { unit } = await makeDesk(db);
    const manager = await makeOfficial(db, 'manager', unit);
    const session = await signIn(server, manager.username);
    const forged = await fetch(`${server.baseUrl}/api/v1/officials/desks`, {
      method: 'POST',
      headers: {
        cookie: session.cookie,
        origin: 'http://evil.example',
        host: 'evil.example',
        'content-type': 'application/json',
      },
      body: JSON.stringify({ unitId: unit.id, name: 'Quầy giả', domains: ['land'], questionnaire: 'quick' }),
    });
    expect(forged.status).toBe(403);
    const count = await db
      .selectFrom('desk')
      .select(sql<number>`count(*)`.as('n'))
      .where('name', '=', 'Quầy giả')
      .executeTakeFirstOrThrow();
    expect(Number(count.n)).toBe(0);
  });
});

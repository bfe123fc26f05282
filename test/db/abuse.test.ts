import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../database.ts';
import { makeDesk, quickRating } from '../factories.ts';
import { startTestServer } from '../server.ts';
import { errorOf } from '../http.ts';

const { db } = await createTestDatabase();
let deskCode: string;

beforeAll(async () => {
  deskCode = (await makeDesk(db)).desk.code;
});

describe('per-source rate limit', () => {
  it('holds across two server processes sharing one database, answering 429 with Retry-After', async () => {
    const env = { RATE_LIMIT_PER_SOURCE: '5', RATE_LIMIT_WINDOW_SECONDS: '3600' };
    const first = await startTestServer(db, env);
    const second = await startTestServer(db, env);
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) {
      const server = i % 2 === 0 ? first : second;
      statuses.push((await server.post('/api/v1/public/responses', quickRating({ deskCode }))).status);
    }
    expect(statuses).toEqual([201, 201, 201, 201, 201, 429]);

    const before = await db
      .selectFrom('response')
      .select(sql<number>`count(*)`.as('n'))
      .executeTakeFirstOrThrow();
    const refused = await second.post('/api/v1/public/responses', quickRating({ deskCode }));
    expect(refused.status).toBe(429);
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(3600);
    expect((await errorOf(refused)).code).toBe('rate_limited');
    const after = await db
      .selectFrom('response')
      .select(sql<number>`count(*)`.as('n'))
      .executeTakeFirstOrThrow();
    expect(after.n).toBe(before.n);
  });

  it('a refused rating costs an attempt of the allowance like an accepted one; a retry of an accepted one is not counted', async () => {
    const { desk } = await makeDesk(db);
    const server = await startTestServer(db, { RATE_LIMIT_PER_SOURCE: '1000', RATE_LIMIT_WINDOW_SECONDS: '60' });
    await db.deleteFrom('rate_limit_counter').execute();
    const rating = quickRating({ deskCode: desk.code });
    expect((await server.post('/api/v1/public/responses', rating)).status).toBe(201);
    expect((await server.post('/api/v1/public/responses', rating)).status).toBe(200);
    expect(
      (await server.post('/api/v1/public/responses', quickRating({ deskCode: desk.code, domain: 'health' }))).status,
    ).toBe(422);
    const counters = await db.selectFrom('rate_limit_counter').select('hits').execute();
    expect(counters).toEqual([{ hits: 2 }]);
  });

  it('stores no address: only a keyed hash under a secret of the day', async () => {
    const rows = await db.selectFrom('rate_limit_counter').select('bucket').execute();
    expect(rows.length).toBeGreaterThan(0);
    for (const { bucket } of rows) {
      expect(bucket).toHaveLength(16);
      expect(bucket.toString('latin1')).not.toContain('127.0.0.1');
    }
    const secrets = await db.selectFrom('abuse_secret').selectAll().execute();
    expect(secrets).toHaveLength(1);
    expect(secrets[0]!.secret).toHaveLength(32);
    const columns = await sql<{ column_name: string }>`
      select column_name from information_schema.columns
      where table_schema = 'public' and (column_name like '%ip%' or column_name like '%address%')
    `.execute(db);
    expect(columns.rows).toEqual([]);
  });
});

import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../server/db/database.ts';
import { createTestDatabase } from '../database.ts';
import { pairKioskDevice } from '../../server/kiosks/kiosk-device.repository.ts';
import { makeDesk, makeDossierToken, quickRating } from '../factories.ts';
import { startTestServer, type TestServer } from '../server.ts';

const { db } = await createTestDatabase();
let api: TestServer;
let deskCode: string;
let fullDeskCode: string;
let desk: Awaited<ReturnType<typeof makeDesk>>['desk'];

beforeAll(async () => {
  // A generous allowance: these tests are about the rating rules, not about rate limits.
  api = await startTestServer(db, { RATE_LIMIT_PER_SOURCE: '100000' });
  ({ desk } = await makeDesk(db, { domains: ['land', 'civil_status'] }));
  deskCode = desk.code;
  fullDeskCode = (await makeDesk(db, { domains: ['health'], questionnaire: 'full' })).desk.code;
});

async function writtenRows(database: Db) {
  const count = async (table: 'response' | 'response_answer' | 'response_reason' | 'comment' | 'rollup_pending') =>
    Number(
      (
        await database
          .selectFrom(table)
          .select(sql<number>`count(*)`.as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
  const usedTokens = await database
    .selectFrom('dossier_token')
    .select(sql<number>`count(*)`.as('n'))
    .where('used_at', 'is not', null)
    .executeTakeFirstOrThrow();
  return {
    response: await count('response'),
    response_answer: await count('response_answer'),
    response_reason: await count('response_reason'),
    comment: await count('comment'),
    rollup_pending: await count('rollup_pending'),
    used_tokens: Number(usedTokens.n),
  };
}

async function errorOf(response: Response) {
  const body = (await response.json()) as {
    error: { code: string; message: string; fields?: { path: string; code: string }[] };
  };
  return body.error;
}

describe('recording a rating', () => {
  it('answers 201 with the id once the rating and its answers are committed', async () => {
    const response = await api.post('/api/v1/public/responses', quickRating({ deskCode, domain: 'civil_status' }));
    expect(response.status).toBe(201);
    const { id, replayed } = (await response.json()) as { id: number; replayed: boolean };
    expect(replayed).toBe(false);
    const stored = await db
      .selectFrom('response')
      .innerJoin('domain', 'domain.id', 'response.domain_id')
      .select(['response.desk_id', 'response.unit_id', 'domain.code', 'response.channel', 'response.questionnaire_id'])
      .where('response.id', '=', id)
      .executeTakeFirstOrThrow();
    expect(stored).toEqual({
      desk_id: desk.id,
      unit_id: desk.unit_id,
      code: 'civil_status',
      channel: 'qr',
      questionnaire_id: 'quick-1',
    });
    const answers = await db.selectFrom('response_answer').select('score').where('response_id', '=', id).execute();
    expect(answers).toEqual([{ score: 5 }]);
    const pending = await db.selectFrom('rollup_pending').selectAll().where('response_id', '=', id).execute();
    expect(pending).toHaveLength(1);
  });

  it('a second rating with the same idempotency key returns the first and creates nothing', async () => {
    const rating = quickRating({ deskCode, answers: { overall: 2 }, reasons: ['wait_long'], comment: 'Chờ lâu' });
    const first = await api.post('/api/v1/public/responses', rating);
    expect(first.status).toBe(201);
    const { id } = (await first.json()) as { id: number };
    const before = await writtenRows(db);

    const retry = await api.post('/api/v1/public/responses', rating);
    expect(retry.status).toBe(200);
    expect(await retry.json()).toEqual({ id, replayed: true });
    expect(await writtenRows(db)).toEqual(before);
  });

  it('concurrent retries of one rating create it once', async () => {
    const rating = quickRating({ deskCode });
    const before = await writtenRows(db);
    const responses = await Promise.all(Array.from({ length: 8 }, () => api.post('/api/v1/public/responses', rating)));
    const statuses = responses.map((response) => response.status).sort();
    expect(statuses).toEqual([200, 200, 200, 200, 200, 200, 200, 201]);
    const ids = new Set(
      await Promise.all(responses.map(async (response) => ((await response.json()) as { id: number }).id)),
    );
    expect(ids.size).toBe(1);
    expect((await writtenRows(db)).response).toBe(before.response + 1);
  });

  it('refuses an idempotency key reused for a different rating', async () => {
    const rating = quickRating({ deskCode });
    expect((await api.post('/api/v1/public/responses', rating)).status).toBe(201);
    const before = await writtenRows(db);
    const reused = await api.post('/api/v1/public/responses', { ...rating, answers: { overall: 1 } });
    expect(reused.status).toBe(422);
    expect((await errorOf(reused)).code).toBe('idempotency_key_reused');
    expect(await writtenRows(db)).toEqual(before);
  });

  it('stores a full questionnaire at full resolution, "no opinion" answers left out', async () => {
    const response = await api.post(
      '/api/v1/public/responses',
      quickRating({
        deskCode: fullDeskCode,
        domain: 'health',
        questionnaireId: 'full-1',
        answers: {
          overall: 4,
          'access.signage': 3,
          'procedure.fees': null,
          'civil_servant.courtesy': 1,
          'result.on_time': 5,
        },
        comment: '  Cán bộ nhiệt tình  ',
      }),
    );
    expect(response.status).toBe(201);
    const { id } = (await response.json()) as { id: number };
    const answers = await db
      .selectFrom('response_answer')
      .innerJoin('question', 'question.id', 'response_answer.question_id')
      .select(['question.code', 'response_answer.score'])
      .where('response_id', '=', id)
      .orderBy('question.code')
      .execute();
    expect(answers).toEqual([
      { code: 'access.signage', score: 3 },
      { code: 'civil_servant.courtesy', score: 1 },
      { code: 'overall', score: 4 },
      { code: 'result.on_time', score: 5 },
    ]);
    const comment = await db.selectFrom('comment').select('body').where('response_id', '=', id).executeTakeFirst();
    expect(comment).toEqual({ body: 'Cán bộ nhiệt tình' });
  });

  it('keeps the device time of a rating sent late, and the arrival time of an implausible one', async () => {
    const sentLate = new Date(Date.now() - 3 * 86_400_000);
    const { key } = await pairKioskDevice(db, { deskId: desk.id });
    const late = await api.post(
      '/api/v1/public/responses',
      quickRating({ deskCode, channel: 'kiosk', clientTime: sentLate.toISOString() }),
      { 'x-kiosk-key': key },
    );
    const wrongClock = await api.post(
      '/api/v1/public/responses',
      quickRating({ deskCode, clientTime: '2001-01-01T08:00:00+07:00' }),
    );
    const [lateRow, wrongRow] = (await Promise.all(
      [late, wrongClock].map(async (response) =>
        db
          .selectFrom('response')
          .select(['rated_at', 'received_at', 'client_time'])
          .where('id', '=', ((await response.json()) as { id: number }).id)
          .executeTakeFirstOrThrow(),
      ),
    )) as [
      { rated_at: Date; received_at: Date; client_time: Date | null },
      { rated_at: Date; received_at: Date; client_time: Date | null },
    ];
    expect(lateRow.rated_at.toISOString()).toBe(sentLate.toISOString());
    expect(wrongRow.rated_at).toEqual(wrongRow.received_at);
    expect(wrongRow.client_time?.toISOString()).toBe('2001-01-01T01:00:00.000Z');
  });
});

describe('receipt (dossier) codes', () => {
  it('rate once, tied to the desk and domain of the dossier; a second use gets 409', async () => {
    const token = await makeDossierToken(db, desk, { domain: 'civil_status' });
    const first = await api.post(
      '/api/v1/public/responses',
      quickRating({ deskCode: undefined, dossierToken: token, domain: undefined, channel: 'dossier' }),
    );
    expect(first.status).toBe(201);
    const { id } = (await first.json()) as { id: number };
    const stored = await db
      .selectFrom('response')
      .innerJoin('domain', 'domain.id', 'response.domain_id')
      .select(['response.desk_id', 'domain.code', 'response.channel'])
      .where('response.id', '=', id)
      .executeTakeFirstOrThrow();
    expect(stored).toEqual({ desk_id: desk.id, code: 'civil_status', channel: 'dossier' });

    const before = await writtenRows(db);
    const again = await api.post(
      '/api/v1/public/responses',
      quickRating({ deskCode: undefined, dossierToken: token, domain: undefined, channel: 'dossier' }),
    );
    expect(again.status).toBe(409);
    expect((await errorOf(again)).code).toBe('dossier_token_used');
    expect(await writtenRows(db)).toEqual(before);
  });

  it('of two ratings sent at once with one code, exactly one wins', async () => {
    for (let round = 0; round < 5; round++) {
      const token = await makeDossierToken(db, desk);
      const rating = () =>
        quickRating({ deskCode: undefined, dossierToken: token, domain: undefined, channel: 'dossier' });
      // Two independent server processes on one database, so the race is in PostgreSQL.
      const other = await startTestServer(db, { RATE_LIMIT_PER_SOURCE: '100000' });
      const [a, b] = await Promise.all([
        api.post('/api/v1/public/responses', rating()),
        other.post('/api/v1/public/responses', rating()),
      ]);
      expect([a.status, b.status].sort()).toEqual([201, 409]);
      const used = await db
        .selectFrom('response')
        .innerJoin('dossier_token', 'dossier_token.id', 'response.dossier_token_id')
        .select('response.id')
        .where(
          'dossier_token.token_hash',
          '=',
          (await import('../../server/dossiers/dossier.repository.ts')).hashDossierToken(token),
        )
        .execute();
      expect(used).toHaveLength(1);
      await other.close();
    }
  });

  it('a retried rating with a receipt code answers 200, not "already used"', async () => {
    const token = await makeDossierToken(db, desk);
    const rating = quickRating({ deskCode: undefined, dossierToken: token, domain: undefined, channel: 'dossier' });
    expect((await api.post('/api/v1/public/responses', rating)).status).toBe(201);
    expect((await api.post('/api/v1/public/responses', rating)).status).toBe(200);
  });

  it('an expired code gets 409 and an unknown one 404', async () => {
    const expired = await makeDossierToken(db, desk, { validDays: 1, now: new Date(Date.now() - 2 * 86_400_000) });
    const before = await writtenRows(db);
    const late = await api.post(
      '/api/v1/public/responses',
      quickRating({ deskCode: undefined, dossierToken: expired, domain: undefined, channel: 'dossier' }),
    );
    expect(late.status).toBe(409);
    expect((await errorOf(late)).code).toBe('dossier_token_expired');
    const unknown = await api.post(
      '/api/v1/public/responses',
      quickRating({ deskCode: undefined, dossierToken: 'A'.repeat(20), domain: undefined, channel: 'dossier' }),
    );
    expect(unknown.status).toBe(404);
    expect((await errorOf(unknown)).code).toBe('dossier_token_not_found');
    expect(await writtenRows(db)).toEqual(before);
  });

  it('cannot be guessed: 120 random bits each, kept only as a hash, a near miss is as unknown as any', async () => {
    const tokens = await Promise.all(Array.from({ length: 200 }, () => makeDossierToken(db, desk)));
    for (const token of tokens) expect(token).toMatch(/^[A-Za-z0-9_-]{20}$/);
    expect(new Set(tokens).size).toBe(tokens.length);
    // Every character of the codes is spread over the whole alphabet: no fixed or sequential parts.
    expect(new Set(tokens.map((token) => token[0])).size).toBeGreaterThan(40);
    const stored = await sql<{ text: string }>`select row_to_json(t)::text as text from dossier_token t`.execute(db);
    for (const token of tokens.slice(0, 20)) expect(stored.rows.some((row) => row.text.includes(token))).toBe(false);

    const token = tokens[0]!;
    const nearMiss = `${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`;
    const answer = await api.post(
      '/api/v1/public/responses',
      quickRating({ deskCode: undefined, dossierToken: nearMiss, domain: undefined, channel: 'dossier' }),
    );
    expect(answer.status).toBe(404);
    expect((await errorOf(answer)).code).toBe('dossier_token_not_found');
  });

  it('refuses a domain other than the dossier’s', async () => {
    const token = await makeDossierToken(db, desk, { domain: 'land' });
    const response = await api.post(
      '/api/v1/public/responses',
      quickRating({ deskCode: undefined, dossierToken: token, domain: 'civil_status', channel: 'dossier' }),
    );
    expect(response.status).toBe(422);
    expect((await errorOf(response)).fields).toEqual([
      expect.objectContaining({ path: 'domain', code: 'domain_mismatch' }),
    ]);
  });
});

describe('kiosk ratings', () => {
  it('are accepted only with the key of an unrevoked tablet paired with that desk', async () => {
    const { key } = await pairKioskDevice(db, { deskId: desk.id, label: 'Máy tính bảng quầy 1' });
    const { desk: otherDesk } = await makeDesk(db);
    const { key: otherKey } = await pairKioskDevice(db, { deskId: otherDesk.id });
    const before = await writtenRows(db);

    const withoutKey = await api.post('/api/v1/public/responses', quickRating({ deskCode, channel: 'kiosk' }));
    expect(withoutKey.status).toBe(401);
    expect((await errorOf(withoutKey)).code).toBe('kiosk_key_required');
    const wrongDesk = await api.post('/api/v1/public/responses', quickRating({ deskCode, channel: 'kiosk' }), {
      'x-kiosk-key': otherKey,
    });
    expect(wrongDesk.status).toBe(403);
    expect((await errorOf(wrongDesk)).code).toBe('kiosk_not_paired');
    const malformed = await api.post('/api/v1/public/responses', quickRating({ deskCode, channel: 'kiosk' }), {
      'x-kiosk-key': 'short',
    });
    expect(malformed.status).toBe(400);
    expect(await writtenRows(db)).toEqual(before);

    const accepted = await api.post('/api/v1/public/responses', quickRating({ deskCode, channel: 'kiosk' }), {
      'x-kiosk-key': key,
    });
    expect(accepted.status).toBe(201);
    const device = await db
      .selectFrom('kiosk_device')
      .selectAll()
      .where('desk_id', '=', desk.id)
      .where('label', '=', 'Máy tính bảng quầy 1')
      .executeTakeFirstOrThrow();
    expect(device.last_rating_at).not.toBeNull();
    expect(device.key_hash.toString('base64url')).not.toContain(key);

    await db.updateTable('kiosk_device').set({ revoked_at: new Date() }).where('id', '=', device.id).execute();
    const revoked = await api.post('/api/v1/public/responses', quickRating({ deskCode, channel: 'kiosk' }), {
      'x-kiosk-key': key,
    });
    expect(revoked.status).toBe(403);
  });

  it('report their queue on /kiosk/status, and learn when their pairing is revoked', async () => {
    const { key, device } = await pairKioskDevice(db, { deskId: desk.id });
    const status = await api.post('/api/v1/public/kiosk/status', { queueLength: 7 }, { 'x-kiosk-key': key });
    expect(status.status).toBe(200);
    expect(await status.json()).toEqual({ deskCode });
    const stored = await db
      .selectFrom('kiosk_device')
      .select(['queue_length', 'last_status_at'])
      .where('id', '=', device.id)
      .executeTakeFirstOrThrow();
    expect(stored.queue_length).toBe(7);
    expect(stored.last_status_at).not.toBeNull();
    expect((await api.post('/api/v1/public/kiosk/status', { queueLength: -1 }, { 'x-kiosk-key': key })).status).toBe(
      400,
    );
    expect((await api.post('/api/v1/public/kiosk/status', { queueLength: 1 })).status).toBe(401);
    await db.updateTable('kiosk_device').set({ revoked_at: new Date() }).where('id', '=', device.id).execute();
    expect((await api.post('/api/v1/public/kiosk/status', { queueLength: 1 }, { 'x-kiosk-key': key })).status).toBe(
      403,
    );
  });

  it('a tablet flushing its queue has its own allowance, apart from the network limit', async () => {
    const { desk: kioskDesk } = await makeDesk(db);
    const { key } = await pairKioskDevice(db, { deskId: kioskDesk.id });
    const strict = await startTestServer(db, { RATE_LIMIT_PER_SOURCE: '2', RATE_LIMIT_PER_KIOSK: '50' });
    const statuses = [];
    for (let i = 0; i < 10; i++) {
      statuses.push(
        (
          await strict.post('/api/v1/public/responses', quickRating({ deskCode: kioskDesk.code, channel: 'kiosk' }), {
            'x-kiosk-key': key,
          })
        ).status,
      );
    }
    expect(statuses.every((status) => status === 201)).toBe(true);
    await strict.close();
  });
});

describe('bad input writes nothing and gets a clear 4xx', () => {
  const cases: {
    name: string;
    body: () => unknown;
    status: number;
    code: string;
    field?: string;
    headers?: Record<string, string>;
  }[] = [
    { name: 'an unknown desk', body: () => quickRating({ deskCode: 'zzzz9999' }), status: 404, code: 'desk_not_found' },
    {
      name: 'an answer above 5',
      body: () => quickRating({ deskCode, answers: { overall: 6 } }),
      status: 400,
      code: 'invalid_request',
      field: 'answers.overall',
    },
    {
      name: 'an answer of 0',
      body: () => quickRating({ deskCode, answers: { overall: 0 } }),
      status: 400,
      code: 'invalid_request',
      field: 'answers.overall',
    },
    {
      name: 'a fractional answer',
      body: () => quickRating({ deskCode, answers: { overall: 4.5 } }),
      status: 400,
      code: 'invalid_request',
      field: 'answers.overall',
    },
    {
      name: 'an answer sent as text',
      body: () => quickRating({ deskCode, answers: { overall: '5' } }),
      status: 400,
      code: 'invalid_request',
      field: 'answers.overall',
    },
    {
      name: 'a criterion not in the questionnaire',
      body: () => quickRating({ deskCode, answers: { overall: 4, 'access.signage': 4 } }),
      status: 422,
      code: 'invalid_rating',
      field: 'answers.access.signage',
    },
    {
      name: 'a domain the desk does not serve',
      body: () => quickRating({ deskCode, domain: 'health' }),
      status: 422,
      code: 'invalid_rating',
      field: 'domain',
    },
    {
      name: 'an unknown questionnaire version',
      body: () => quickRating({ deskCode, questionnaireId: 'quick-99' }),
      status: 422,
      code: 'invalid_rating',
      field: 'questionnaireId',
    },
    {
      name: 'no overall answer',
      body: () => quickRating({ deskCode, answers: { overall: null } }),
      status: 422,
      code: 'invalid_rating',
      field: 'answers.overall',
    },
    {
      name: 'reasons after a high rating',
      body: () => quickRating({ deskCode, answers: { overall: 5 }, reasons: ['wait_long'] }),
      status: 422,
      code: 'invalid_rating',
      field: 'reasons',
    },
    {
      name: 'an unknown reason',
      body: () => quickRating({ deskCode, answers: { overall: 2 }, reasons: ['bribe'] }),
      status: 422,
      code: 'invalid_rating',
      field: 'reasons.0',
    },
    {
      name: 'both a desk and a receipt code',
      body: () => quickRating({ deskCode, dossierToken: 'A'.repeat(20) }),
      status: 400,
      code: 'invalid_request',
      field: 'deskCode',
    },
    {
      name: 'neither a desk nor a receipt code',
      body: () => quickRating({ deskCode: undefined }),
      status: 400,
      code: 'invalid_request',
      field: 'deskCode',
    },
    {
      name: 'the dossier channel without a receipt code',
      body: () => quickRating({ deskCode, channel: 'dossier' }),
      status: 400,
      code: 'invalid_request',
      field: 'channel',
    },
    {
      name: 'an unknown channel',
      body: () => quickRating({ deskCode, channel: 'sms' }),
      status: 400,
      code: 'invalid_request',
      field: 'channel',
    },
    {
      name: 'an unknown language',
      body: () => quickRating({ deskCode, language: 'fr' }),
      status: 400,
      code: 'invalid_request',
      field: 'language',
    },
    {
      name: 'a comment over 1000 characters',
      body: () => quickRating({ deskCode, comment: 'a'.repeat(1001) }),
      status: 400,
      code: 'invalid_request',
      field: 'comment',
    },
    {
      name: 'a NUL character in the comment',
      body: () => quickRating({ deskCode, comment: 'xin\u0000chào' }),
      status: 400,
      code: 'invalid_request',
      field: 'comment',
    },
    {
      name: 'a short idempotency key',
      body: () => quickRating({ deskCode, idempotencyKey: 'abc' }),
      status: 400,
      code: 'invalid_request',
      field: 'idempotencyKey',
    },
    {
      name: 'a missing idempotency key',
      body: () => quickRating({ deskCode, idempotencyKey: undefined }),
      status: 400,
      code: 'invalid_request',
      field: 'idempotencyKey',
    },
    {
      name: 'a malformed client time',
      body: () => quickRating({ deskCode, clientTime: 'yesterday' }),
      status: 400,
      code: 'invalid_request',
      field: 'clientTime',
    },
    {
      name: 'an unknown field',
      body: () => quickRating({ deskCode, name: 'Nguyễn Văn A' }),
      status: 400,
      code: 'invalid_request',
    },
    { name: 'a JSON array', body: () => '[1,2,3]', status: 400, code: 'invalid_request' },
    { name: 'malformed JSON', body: () => '{"deskCode": ', status: 400, code: 'malformed_json' },
    {
      name: 'a body that is not JSON',
      body: () => 'deskCode=abc',
      status: 415,
      code: 'unsupported_media_type',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    },
    {
      name: 'an oversized body',
      body: () => quickRating({ deskCode, comment: 'x'.repeat(40_000) }),
      status: 413,
      code: 'payload_too_large',
    },
  ];

  for (const testCase of cases) {
    it(`${testCase.name}: ${testCase.status} ${testCase.code}`, async () => {
      const before = await writtenRows(db);
      const response = await api.post('/api/v1/public/responses', testCase.body(), testCase.headers);
      expect(response.status).toBe(testCase.status);
      const error = await errorOf(response);
      expect(error.code).toBe(testCase.code);
      expect(error.message.length).toBeGreaterThan(5);
      if (testCase.field) expect(error.fields?.map((field) => field.path)).toContain(testCase.field);
      expect(await writtenRows(db)).toEqual(before);
    });
  }

  it('a closed desk no longer takes ratings', async () => {
    const { desk: closedDesk } = await makeDesk(db, { active: false });
    const before = await writtenRows(db);
    const response = await api.post('/api/v1/public/responses', quickRating({ deskCode: closedDesk.code }));
    expect(response.status).toBe(409);
    expect((await errorOf(response)).code).toBe('desk_inactive');
    expect(await writtenRows(db)).toEqual(before);
  });

  it('every error carries a request id', async () => {
    const response = await api.post('/api/v1/public/responses', quickRating({ deskCode: 'zzzz9999' }));
    const error = await errorOf(response);
    expect((error as { requestId?: string }).requestId).toBe(response.headers.get('x-request-id'));
  });

  it('an oversized body sent in chunks, without a declared length, is refused too', async () => {
    const before = await writtenRows(db);
    const body = new TextEncoder().encode(JSON.stringify(quickRating({ deskCode, comment: 'x'.repeat(40_000) })));
    const response = await fetch(`${api.baseUrl}/api/v1/public/responses`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: new ReadableStream({
        start(controller) {
          for (let start = 0; start < body.length; start += 4096)
            controller.enqueue(body.subarray(start, start + 4096));
          controller.close();
        },
      }),
      duplex: 'half',
    } as RequestInit);
    expect(response.status).toBe(413);
    expect((await errorOf(response)).code).toBe('payload_too_large');
    expect(await writtenRows(db)).toEqual(before);
  });

  it('every answer, success or error, carries the browser protections', async () => {
    const answers = [
      await api.post('/api/v1/public/responses', quickRating({ deskCode })),
      await api.post('/api/v1/public/responses', quickRating({ deskCode: 'zzzz9999' })),
      await api.get(`/s/${deskCode}`),
    ];
    for (const response of answers) {
      expect(response.headers.get('content-security-policy')).toContain("script-src 'self'");
      expect(response.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      expect(response.headers.get('x-frame-options')).toBe('DENY');
      expect(response.headers.get('referrer-policy')).toBe('same-origin');
      // Served over plain http here, so no HSTS (it would pin a name to https).
      expect(response.headers.get('strict-transport-security')).toBeNull();
      await response.body?.cancel();
    }
  });

  it('served over https, pins its name to https with HSTS', async () => {
    const secure = await startTestServer(db, { PUBLIC_BASE_URL: 'https://sipas.example.gov.vn' });
    const response = await secure.get('/healthz');
    expect(response.headers.get('strict-transport-security')).toBe('max-age=31536000; includeSubDomains');
    await response.body?.cancel();
  });

  it('unknown paths answer 404 in the same shape', async () => {
    const response = await api.get(`/api/v1/public/nothing-${randomUUID()}`);
    expect(response.status).toBe(404);
    expect((await errorOf(response)).code).toBe('not_found');
  });
});

describe('malformed bodies in bulk', () => {
  it('never get a 5xx and never write a row', async () => {
    const fc = (await import('fast-check')).default;
    const valid = () => quickRating({ deskCode });
    const mutation = fc.oneof(
      // any JSON value in place of the body
      fc.jsonValue().map((value) => JSON.stringify(value)),
      // one field replaced by any JSON value
      fc
        .tuple(fc.constantFrom(...Object.keys(valid())), fc.jsonValue())
        .map(([field, value]) => JSON.stringify({ ...valid(), [field]: value })),
      // strange keys and values in answers
      fc
        .dictionary(fc.string({ maxLength: 70 }), fc.jsonValue())
        .map((answers) => JSON.stringify({ ...valid(), answers })),
      // broken text
      fc.string({ maxLength: 300 }),
      fc.uint8Array({ maxLength: 300 }).map((bytes) => Buffer.from(bytes).toString('latin1')),
    );
    const before = await writtenRows(db);
    let created = 0;
    await fc.assert(
      fc.asyncProperty(mutation, async (body) => {
        const response = await api.post('/api/v1/public/responses', body);
        expect(response.status).toBeLessThan(500);
        if (response.status === 201) created++;
        if (response.status >= 400) {
          const error = (await response.json()) as { error: { code: string } };
          expect(typeof error.error.code).toBe('string');
        } else {
          await response.body?.cancel();
        }
      }),
      { numRuns: 300 },
    );
    const after = await writtenRows(db);
    // A mutation can happen to produce a valid rating (a new comment, say); nothing else wrote anything.
    expect(after.response - before.response).toBe(created);
    expect(after.rollup_pending - before.rollup_pending).toBe(created);
  });
});

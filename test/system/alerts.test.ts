import { createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../database.ts';
import { makeDesk, quickRating } from '../factories.ts';
import { processClient, startServerProcess, type ServerProcess } from '../server-process.ts';

/*
 * The platform as started: a rating with a serious comment, posted to the server, comes
 * out as a signed webhook call without anything else asking for it — the rating writer
 * wakes the evaluator after its commit.
 */

const { db, url } = await createTestDatabase();
let server: ServerProcess;
const calls: { headers: IncomingHttpHeaders; body: string }[] = [];
let arrived: () => void = () => {};
const receiver = createServer((request, response) => {
  const chunks: Buffer[] = [];
  request.on('data', (chunk: Buffer) => chunks.push(chunk));
  request.on('end', () => {
    calls.push({ headers: request.headers, body: Buffer.concat(chunks).toString('utf8') });
    response.writeHead(204).end();
    arrived();
  });
});

beforeAll(async () => {
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', () => resolve()));
  server = await startServerProcess('server/main.ts', { DATABASE_URL: url, SEED_DEMO: 'false', LOG_LEVEL: 'warn' });
});
afterAll(async () => {
  expect(await server.stop()).toBe(0);
  await new Promise((resolve) => receiver.close(resolve));
});

describe('alerts of a running platform', () => {
  it('a serious comment posted to the server arrives at the unit’s webhook, signed, once', async () => {
    const { desk, unit } = await makeDesk(db, { domains: ['land'] });
    await db
      .insertInto('alert_webhook')
      .values({
        unit_id: unit.id,
        url: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/`,
        secret: 'whsec_system',
        created_by: null,
      })
      .execute();
    const called = new Promise<void>((resolve) => (arrived = resolve));
    const response = await processClient(server).request('POST', '/api/v1/public/responses', {
      body: quickRating({ deskCode: desk.code, answers: { overall: 1 }, comment: 'Cán bộ đòi phong bì' }),
    });
    expect(response.status).toBe(201);
    const { id } = (await response.json()) as { id: number };
    await called;
    expect(calls).toHaveLength(1);
    const [call] = calls;
    expect(call!.headers['x-sipas-signature']).toBe(
      `sha256=${createHmac('sha256', 'whsec_system').update(call!.body).digest('hex')}`,
    );
    expect(JSON.parse(call!.body)).toMatchObject({
      event: 'alert.fired',
      alert: { rule: 'serious_comment', ratingId: id, deskId: desk.id, unit: { id: unit.id } },
    });
    // Recorded as sent after the receiver's answer: the outbox holds one delivery, tried once.
    await expect
      .poll(() => db.selectFrom('alert_delivery').select(['status', 'attempts']).execute())
      .toEqual([{ status: 'sent', attempts: 1 }]);
    expect(calls).toHaveLength(1);
  });
});

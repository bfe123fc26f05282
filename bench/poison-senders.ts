import { randomUUID } from 'node:crypto';

/**
 * Five poison senders, in a process of their own as they would be on their own machines
 * (so that they do not share the honest load generator's event loop): each repeats one bad
 * rating in a loop, the next as soon as the last is answered, until the parent says stop;
 * then the count of each answer's status goes back to the parent.
 *
 * Started by bench/hostile.ts with `{ url, desk: { code, domain }, receiptKey }` as argv[2].
 */

interface Orders {
  url: string;
  desk: { code: string; domain: string };
  receiptKey: string;
}

const orders = JSON.parse(process.argv[2]!) as Orders;
const rating = (overrides: Record<string, unknown>) =>
  JSON.stringify({
    deskCode: orders.desk.code,
    domain: orders.desk.domain,
    questionnaireId: 'quick-1',
    answers: { overall: 1 },
    language: 'vi',
    channel: 'qr',
    idempotencyKey: randomUUID(),
    ...overrides,
  });
const kinds: (() => { body: string; headers: Record<string, string> })[] = [
  () => ({ body: rating({ clientTime: '0000-01-01T00:00:00Z' }), headers: { 'x-forwarded-for': '203.0.113.1' } }),
  () => ({ body: rating({ clientTime: '2026-06-30T23:59:60Z' }), headers: { 'x-forwarded-for': '203.0.113.2' } }),
  () => ({ body: rating({ deskCode: 'khongco99' }), headers: { 'x-forwarded-for': '203.0.113.3' } }),
  () => ({ body: rating({ deskCode: 'khongco98' }), headers: { 'x-forwarded-for': '203.0.113.4' } }),
  () => ({
    body: rating({ channel: 'kiosk' }),
    headers: { 'x-forwarded-for': '203.0.113.5', 'x-kiosk-key': orders.receiptKey },
  }),
];

let stopped = false;
const statuses: Record<string, number> = {};

async function sender(request: () => { body: string; headers: Record<string, string> }): Promise<void> {
  while (!stopped) {
    const { body, headers } = request();
    const status = await fetch(`${orders.url}/api/v1/public/responses`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body,
    }).then(
      async (response) => {
        await response.arrayBuffer();
        return response.status;
      },
      () => 0,
    );
    statuses[status] = (statuses[status] ?? 0) + 1;
  }
}

process.once('message', () => {
  stopped = true;
});
await Promise.all(kinds.map(sender));
process.send!(statuses, () => process.exit(0));

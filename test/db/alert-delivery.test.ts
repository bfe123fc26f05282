import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluateNewRatings, sweepAlerts } from '../../server/alerts/alert-engine.ts';
import { AlertMonitor } from '../../server/alerts/alert-monitor.ts';
import { deliverDue } from '../../server/alerts/delivery.ts';
import { networkTransport } from '../../server/alerts/transport.ts';
import type { Desk } from '../../server/desks/desk.table.ts';
import { createLogger } from '../../server/logger.ts';
import type { Unit } from '../../server/units/unit.table.ts';
import { createTestDatabase } from '../database.ts';
import { makeDesk, makeUnit, writeRatings } from '../factories.ts';
import { makeOfficial } from '../officials.ts';

const { db } = await createTestDatabase();
const NOW = new Date('2026-06-10T10:00:00+07:00');
const later = (seconds: number) => new Date(NOW.getTime() + seconds * 1000);
const BASE = 'https://sipas.example.vn';

// --- A real SMTP server: every message it accepts, decoded ---------------------------------

interface Mail {
  to: string[];
  subject: string;
  text: string;
}
const mails: Mail[] = [];

/** Undoes the transfer encodings nodemailer may choose: encoded words, quoted-printable, base64. */
function decodeMail(raw: string, to: string[]): Mail {
  const [head, ...rest] = raw.split(/\r?\n\r?\n/);
  const headers = head!.replace(/\r?\n[ \t]+/g, ' ');
  const header = (name: string) => new RegExp(`^${name}:\\s*(.*)$`, 'im').exec(headers)?.[1] ?? '';
  const words = (value: string) =>
    value
      .replace(/\?=\s+=\?/g, '?==?')
      .replace(/=\?utf-8\?([bq])\?([^?]*)\?=/gi, (_, kind: string, text: string) =>
        kind.toLowerCase() === 'b'
          ? Buffer.from(text, 'base64').toString('utf8')
          : quotedPrintable(text.replace(/_/g, ' ')),
      );
  const body = rest.join('\n\n');
  const encoding = header('Content-Transfer-Encoding').toLowerCase();
  const text =
    encoding === 'base64'
      ? Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8')
      : encoding === 'quoted-printable'
        ? quotedPrintable(body.replace(/=\r?\n/g, ''))
        : body;
  return { to, subject: words(header('Subject')), text: text.replace(/\r\n/g, '\n') };
}

function quotedPrintable(text: string): string {
  const bytes: number[] = [];
  for (let index = 0; index < text.length; index++) {
    const hex = text[index] === '=' ? /^[0-9A-F]{2}/i.exec(text.slice(index + 1))?.[0] : undefined;
    if (hex) {
      bytes.push(parseInt(hex, 16));
      index += 2;
    } else bytes.push(...Buffer.from(text[index]!, 'utf8'));
  }
  return Buffer.from(bytes).toString('utf8');
}

const smtp = new SMTPServer({
  authOptional: true,
  disabledCommands: ['STARTTLS', 'AUTH'],
  logger: false,
  onData(stream, session, callback) {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('end', () => {
      mails.push(
        decodeMail(
          Buffer.concat(chunks).toString('utf8'),
          session.envelope.rcptTo.map((to) => to.address),
        ),
      );
      callback();
    });
  },
});
await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', () => resolve()));
const smtpPort = ((smtp as unknown as { server: { address(): AddressInfo } }).server.address() as AddressInfo).port;

// --- A real webhook receiver: fails the first call of each delivery, then accepts -------------

interface Call {
  headers: IncomingHttpHeaders;
  body: string;
  status: number;
}
const calls: Call[] = [];
const failedOnce = new Set<string>();
const receiver = createServer((request, response) => {
  const chunks: Buffer[] = [];
  request.on('data', (chunk: Buffer) => chunks.push(chunk));
  request.on('end', () => {
    const delivery = String(request.headers['x-sipas-delivery']);
    const status = failedOnce.has(delivery) ? 200 : 500;
    failedOnce.add(delivery);
    calls.push({ headers: request.headers, body: Buffer.concat(chunks).toString('utf8'), status });
    response.writeHead(status).end();
  });
});
await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', () => resolve()));
const hookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/sipas`;

const transport = networkTransport({ smtpUrl: `smtp://127.0.0.1:${smtpPort}`, from: 'SIPAS <sipas@example.vn>' });
afterAll(async () => {
  transport.close();
  await new Promise<void>((resolve) => smtp.close(() => resolve()));
  await new Promise((resolve) => receiver.close(resolve));
});

/** What a receiver does: recompute the HMAC of the raw body and compare in constant time. */
function signedBy(secret: string, call: Call): boolean {
  const expected = Buffer.from(`sha256=${createHmac('sha256', secret).update(call.body).digest('hex')}`);
  const given = Buffer.from(String(call.headers['x-sipas-signature']));
  return given.length === expected.length && timingSafeEqual(given, expected);
}

const deliver = (at: Date) => deliverDue(db, at, { transport, publicBaseUrl: BASE });

let province: Unit;
let commune: Unit;
let desk: Desk;
let secret: string;
const emailOf = { manager: 'quan.ly@example.gov.vn', viewer: 'xem@example.gov.vn', outsider: 'ngoai@example.gov.vn' };

beforeAll(async () => {
  province = await makeUnit(db, { kind: 'province', name: 'Tỉnh Thử' });
  commune = await makeUnit(db, { parent_id: province.id, name: 'Xã Gửi Thư' });
  ({ desk } = await makeDesk(db, { unit: commune }));
  const manager = await makeOfficial(db, 'manager', province);
  const viewer = await makeOfficial(db, 'viewer', commune);
  const outsider = await makeOfficial(db, 'manager', await makeUnit(db));
  await db
    .insertInto('alert_email_preference')
    .values([
      { official_id: manager.id, email: emailOf.manager, frequency: 'immediate' },
      { official_id: viewer.id, email: emailOf.viewer, frequency: 'daily' },
      { official_id: outsider.id, email: emailOf.outsider, frequency: 'immediate' },
    ])
    .execute();
  secret = 'whsec_receiver-knows-this';
  await db
    .insertInto('alert_webhook')
    .values({ unit_id: commune.id, url: hookUrl, secret, created_by: null })
    .execute();
  await evaluateNewRatings(db, NOW);
});

describe('delivery of alerts', () => {
  let ratingId: number;

  it('e-mails each official who asked for it immediately, once, in Vietnamese with English below', async () => {
    [ratingId] = (await writeRatings(db, desk, {
      scores: [1],
      at: '2026-06-10T09:30:00+07:00',
      body: { comment: 'Cán bộ gây khó dễ, đòi phong bì' },
    })) as [number];
    expect((await evaluateNewRatings(db, NOW)).fired).toBe(1);
    await deliver(NOW);
    await deliver(NOW);
    expect(mails).toHaveLength(1);
    const [mail] = mails;
    expect(mail!.to).toEqual([emailOf.manager]);
    expect(mail!.subject).toBe('[SIPAS] Cảnh báo: Góp ý nghiêm trọng — Xã Gửi Thư / Alert: Serious comment');
    expect(mail!.text).toContain('Một góp ý của người dân có nội dung nghiêm trọng (“phong bì”, “gây khó dễ”)');
    expect(mail!.text).toContain(`${BASE}/officials/follow-ups?unitId=${commune.id}&kind=comment`);
    expect(mail!.text.indexOf('English')).toBeGreaterThan(mail!.text.indexOf('Kính gửi'));
    expect(mail!.text).toContain("A citizen's comment speaks of something serious");
  });

  it('calls the unit’s webhook with a valid signature, and after a 500 tries again later, once more', async () => {
    expect(calls).toHaveLength(1);
    expect(calls[0]!.status).toBe(500);
    expect(signedBy(secret, calls[0]!)).toBe(true);
    expect((await deliver(later(10))).retried).toBe(0); // not due yet: backoff
    expect(calls).toHaveLength(1);
    await deliver(later(31));
    await deliver(later(200));
    expect(calls).toHaveLength(2);
    const [failed, accepted] = calls as [Call, Call];
    expect(accepted.status).toBe(200);
    expect(signedBy(secret, accepted)).toBe(true);
    expect(signedBy('another secret', accepted)).toBe(false);
    expect(accepted.headers['x-sipas-delivery']).toBe(failed.headers['x-sipas-delivery']);
    expect(accepted.headers['x-sipas-event']).toBe('alert.fired');
    expect(Number(accepted.headers['x-sipas-timestamp'])).toBe(Math.floor(later(31).getTime() / 1000));
    const body = JSON.parse(accepted.body) as {
      event: string;
      alert: { rule: string; unit: { name: string }; url: string };
    };
    expect(body).toMatchObject({
      event: 'alert.fired',
      alert: { rule: 'serious_comment', unit: { name: 'Xã Gửi Thư' } },
    });
    const log = await db.selectFrom('alert_delivery').selectAll().where('channel', '=', 'webhook').execute();
    expect(log).toEqual([expect.objectContaining({ status: 'sent', attempts: 2, last_status_code: 200 })]);
  });

  it('sends the daily digest at 7:00 the next morning, once, with every alert of the day', async () => {
    await writeRatings(db, desk, {
      scores: [2],
      at: '2026-06-10T11:00:00+07:00',
      body: { comment: 'Nhân viên nhũng nhiễu' },
    });
    await evaluateNewRatings(db, later(3600));
    await deliver(later(3600));
    expect(mails.map((mail) => mail.to[0])).toEqual([emailOf.manager, emailOf.manager]);
    const morning = new Date('2026-06-11T07:00:00+07:00');
    await deliver(new Date(morning.getTime() - 1000));
    expect(mails).toHaveLength(2);
    await deliver(morning);
    await deliver(new Date(morning.getTime() + 60_000));
    expect(mails).toHaveLength(3);
    const digest = mails[2]!;
    expect(digest.to).toEqual([emailOf.viewer]);
    expect(digest.subject).toBe('[SIPAS] Tóm tắt 2 cảnh báo / Digest of 2 alerts');
    expect(digest.text).toContain('“nhũng nhiễu”');
    expect(digest.text).toContain('“phong bì”');
    expect(mails.some((mail) => mail.to.includes(emailOf.outsider))).toBe(false);
  });

  it('tells the webhook when an alert clears', async () => {
    await db
      .insertInto('follow_up')
      .values({ response_id: ratingId, status: 'answered', note: null, updated_by: null })
      .onConflict((oc) => oc.column('response_id').doUpdateSet({ status: 'answered', note: null, updated_by: null }))
      .execute();
    const at = new Date('2026-06-11T08:00:00+07:00');
    expect((await sweepAlerts(db, at))!.cleared).toBe(1);
    await deliver(at);
    await deliver(new Date(at.getTime() + 60_000));
    const cleared = calls.filter((call) => call.headers['x-sipas-event'] === 'alert.cleared');
    expect(cleared.map((call) => call.status)).toEqual([500, 200]);
    expect(cleared.every((call) => signedBy(secret, call))).toBe(true);
  });
});

describe('the alert monitor', () => {
  it('evaluates ratings and delivers what they raise, off the path of ratings, when woken', async () => {
    const clock = new Date('2026-06-12T10:00:00+07:00');
    const monitor = new AlertMonitor(db, {
      logger: createLogger('silent'),
      transport,
      publicBaseUrl: BASE,
      clock: () => clock,
      pollMs: 3_600_000,
    });
    const before = mails.length;
    await writeRatings(db, desk, { scores: [1], at: '2026-06-12T09:59:00+07:00', body: { comment: 'Bị vòi vĩnh' } });
    monitor.wake();
    await monitor.idle();
    await monitor.stop();
    expect(mails.slice(before).map((mail) => mail.to[0])).toEqual([emailOf.manager]);
    expect(mails.at(-1)!.text).toContain('“vòi vĩnh”');
  });
});

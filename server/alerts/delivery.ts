import { createHmac } from 'node:crypto';
import { sql } from 'kysely';
import type { Db } from '../db/database.ts';
import { formatDay } from '../reports/vietnamese.ts';
import { VIETNAM_OFFSET_MS } from '../time/vietnam-time.ts';
import type { AlertRule, EmailFrequency } from './alert.table.ts';

/** How deliveries leave the platform; tests and the bench give their own. */
export interface DeliveryTransport {
  /** Absent when no SMTP server is configured: e-mails then wait in the outbox. */
  sendMail?(message: { to: string; subject: string; text: string }): Promise<void>;
  /** Posts a webhook body, resolving with the HTTP status. */
  post(url: string, body: string, headers: Record<string, string>): Promise<number>;
}

/** Webhook calls wait this long for an answer. */
export const WEBHOOK_TIMEOUT_MS = 10_000;
/** A delivery is tried this many times, 30 s × 2ⁿ apart (at most an hour), then marked failed. */
export const MAX_ATTEMPTS = 10;
const FIRST_RETRY_MS = 30_000;
const LONGEST_RETRY_MS = 3_600_000;

/** The wait after the `attempts`-th failure: 30 s, 1 min, 2 min, … at most an hour. */
export function retryDelayMs(attempts: number): number {
  return Math.min(LONGEST_RETRY_MS, FIRST_RETRY_MS * 2 ** Math.max(0, attempts - 1));
}

/**
 * The signature a webhook receiver checks: HMAC-SHA256 of the raw body with the webhook's
 * secret, hex, as `sha256=<hex>` in `X-SIPAS-Signature`.
 */
export function signatureOf(secret: string, rawBody: string): string {
  return `sha256=${createHmac('sha256', secret).update(rawBody).digest('hex')}`;
}

export const RULE_NAMES: Record<AlertRule, { vi: string; en: string }> = {
  below_target: { vi: 'Dưới chỉ tiêu', en: 'Below target' },
  unhappy_spike: { vi: 'Tăng đột biến đánh giá không hài lòng', en: 'Spike of unhappy ratings' },
  serious_comment: { vi: 'Góp ý nghiêm trọng', en: 'Serious comment' },
  silent_kiosk: { vi: 'Máy đánh giá không hoạt động', en: 'Silent kiosk' },
  overdue_follow_up: { vi: 'Góp ý quá hạn xử lý', en: 'Overdue follow-up' },
};

const FREQUENCY_NAMES: Record<EmailFrequency, { vi: string; en: string }> = {
  immediate: { vi: 'ngay khi có', en: 'as they happen' },
  daily: { vi: 'tóm tắt hằng ngày', en: 'a daily digest' },
  weekly: { vi: 'tóm tắt hằng tuần', en: 'a weekly digest' },
  off: { vi: 'không nhận', en: 'none' },
};

interface DueRow {
  id: number;
  alert_id: number;
  response_id: number | null;
  event: 'fired' | 'cleared';
  channel: 'email' | 'webhook';
  official_id: number | null;
  attempts: number;
  rule: AlertRule;
  unit_id: number;
  desk_id: number | null;
  domain_id: number | null;
  unit_code: string;
  unit_name: string;
  explanation_vi: string;
  explanation_en: string;
  link: string;
  evidence: Record<string, unknown>;
  fired_at: Date;
  cleared_at: Date | null;
  webhook_url: string | null;
  webhook_secret: string | null;
  email: string | null;
  frequency: EmailFrequency | null;
  display_name: string | null;
}

export interface DeliveryResult {
  sent: number;
  retried: number;
  failed: number;
}

/**
 * Sends what is due in the outbox: each webhook call on its own, each official's e-mails
 * together (one message for one alert, a digest for several). The rows are locked while
 * they are sent, so that two processes never send the same one; a failure is tried again
 * later with backoff. A row is marked sent once the receiver accepted it: a crash between
 * the two sends it again, never loses it.
 */
export async function deliverDue(
  db: Db,
  now: Date,
  options: { transport: DeliveryTransport; publicBaseUrl: string; limit?: number },
): Promise<DeliveryResult> {
  const { transport } = options;
  return db.transaction().execute(async (trx) => {
    const due = await sql<DueRow>`
      select d.id, d.alert_id, a.response_id, d.event, d.channel, d.official_id, d.attempts,
        a.rule, a.unit_id, a.desk_id, a.domain_id, u.code as unit_code, u.name as unit_name, a.explanation_vi, a.explanation_en,
        a.link, a.evidence, a.fired_at, a.cleared_at,
        w.url as webhook_url, w.secret as webhook_secret, p.email, p.frequency, o.display_name
      from alert_delivery d
      join alert a on a.id = d.alert_id
      join unit u on u.id = a.unit_id
      left join alert_webhook w on w.id = d.webhook_id
      left join alert_email_preference p on p.official_id = d.official_id
      left join official o on o.id = d.official_id
      where d.status = 'pending' and d.due_at <= ${now}
        ${transport.sendMail ? sql`` : sql`and d.channel = 'webhook'`}
      order by d.due_at, d.id
      limit ${options.limit ?? 200}
      for update of d skip locked
    `.execute(trx);
    const outcomes: { id: number; attempts: number; ok: boolean; status: number | null; error: string | null }[] = [];
    const webhooks = due.rows.filter((row) => row.channel === 'webhook');
    const emails = new Map<number, DueRow[]>();
    for (const row of due.rows)
      if (row.channel === 'email') emails.set(row.official_id!, [...(emails.get(row.official_id!) ?? []), row]);
    await Promise.all([
      ...webhooks.map(async (row) => {
        const body = JSON.stringify(webhookBody(row, now, options.publicBaseUrl));
        try {
          const status = await transport.post(row.webhook_url!, body, {
            'Content-Type': 'application/json',
            'User-Agent': 'SIPAS-Alerts/1',
            'X-SIPAS-Event': `alert.${row.event}`,
            'X-SIPAS-Delivery': String(row.id),
            'X-SIPAS-Timestamp': String(Math.floor(now.getTime() / 1000)),
            'X-SIPAS-Signature': signatureOf(row.webhook_secret!, body),
          });
          const ok = status >= 200 && status < 300;
          outcomes.push({ id: row.id, attempts: row.attempts, ok, status, error: ok ? null : `HTTP ${status}` });
        } catch (error) {
          outcomes.push({ id: row.id, attempts: row.attempts, ok: false, status: null, error: messageOf(error) });
        }
      }),
      ...[...emails.values()].map(async (rows) => {
        const first = rows[0]!;
        // A preference removed since: nobody to write to.
        if (!first.email || first.frequency === 'off') {
          for (const row of rows)
            outcomes.push({ id: row.id, attempts: MAX_ATTEMPTS, ok: false, status: null, error: 'no e-mail address' });
          return;
        }
        try {
          await transport.sendMail!({ to: first.email, ...emailOf(rows, options.publicBaseUrl) });
          for (const row of rows)
            outcomes.push({ id: row.id, attempts: row.attempts, ok: true, status: null, error: null });
        } catch (error) {
          for (const row of rows)
            outcomes.push({ id: row.id, attempts: row.attempts, ok: false, status: null, error: messageOf(error) });
        }
      }),
    ]);
    const result: DeliveryResult = { sent: 0, retried: 0, failed: 0 };
    for (const outcome of outcomes) {
      const attempts = Math.min(32_767, outcome.attempts + 1);
      const status = outcome.ok ? 'sent' : attempts >= MAX_ATTEMPTS ? 'failed' : 'pending';
      result[status === 'sent' ? 'sent' : status === 'failed' ? 'failed' : 'retried']++;
      await trx
        .updateTable('alert_delivery')
        .set({
          status,
          attempts,
          last_status_code: outcome.status,
          last_error: outcome.error?.slice(0, 500) ?? null,
          delivered_at: outcome.ok ? now : null,
          due_at: outcome.ok ? undefined : new Date(now.getTime() + retryDelayMs(attempts)),
        })
        .where('id', '=', outcome.id)
        .execute();
    }
    return result;
  });
}

function messageOf(error: unknown): string {
  const cause = (error as { cause?: { code?: string } })?.cause?.code;
  return `${error instanceof Error ? error.message : String(error)}${cause ? ` (${cause})` : ''}`;
}

const appUrl = (base: string, link: string) => `${base}/officials${link}`;

function webhookBody(row: DueRow, now: Date, base: string) {
  return {
    delivery: row.id,
    event: `alert.${row.event}`,
    sentAt: now.toISOString(),
    alert: {
      id: row.alert_id,
      rule: row.rule,
      ruleName: RULE_NAMES[row.rule],
      unit: { id: row.unit_id, code: row.unit_code, name: row.unit_name },
      /** The desk and domain the alert is about, when it is about one. */
      deskId: row.desk_id,
      domainId: row.domain_id,
      /** The rating a serious comment came with, for finding it among the follow-ups. */
      ratingId: row.response_id,
      explanation: { vi: row.explanation_vi, en: row.explanation_en },
      url: appUrl(base, row.link),
      firedAt: row.fired_at.toISOString(),
      clearedAt: row.cleared_at?.toISOString() ?? null,
      evidence: row.evidence,
    },
  };
}

/** `08:05 27/11/2026`, Vietnam time. */
function vietnamTime(at: Date): string {
  const local = new Date(at.getTime() + VIETNAM_OFFSET_MS).toISOString();
  return `${local.slice(11, 16)} ${formatDay(local.slice(0, 10))}`;
}

/** Vietnamese first, English below: one alert, or a digest of several. */
export function emailOf(rows: DueRow[], base: string): { subject: string; text: string } {
  const first = rows[0]!;
  const frequency = FREQUENCY_NAMES[first.frequency ?? 'immediate'];
  const subject =
    rows.length === 1
      ? `[SIPAS] Cảnh báo: ${RULE_NAMES[first.rule].vi} — ${first.unit_name} / Alert: ${RULE_NAMES[first.rule].en}`
      : `[SIPAS] Tóm tắt ${rows.length} cảnh báo / Digest of ${rows.length} alerts`;
  const settings = appUrl(base, '/alerts/settings');
  const vi = [
    `Kính gửi ${first.display_name ?? ''},`,
    '',
    rows.length === 1 ? 'Hệ thống SIPAS ghi nhận một cảnh báo:' : `Hệ thống SIPAS ghi nhận ${rows.length} cảnh báo:`,
    '',
    ...rows.flatMap((row) => [
      `• ${RULE_NAMES[row.rule].vi} — ${row.unit_name} (lúc ${vietnamTime(row.fired_at)})`,
      `  ${row.explanation_vi}`,
      `  Xem chi tiết: ${appUrl(base, row.link)}`,
      '',
    ]),
    `Bạn nhận thư này vì đã chọn nhận cảnh báo qua thư điện tử: ${frequency.vi}. Thay đổi tại ${settings}`,
  ];
  const en = [
    'English',
    '',
    ...rows.flatMap((row) => [
      `• ${RULE_NAMES[row.rule].en} — ${row.unit_name} (${row.fired_at.toISOString()})`,
      `  ${row.explanation_en}`,
      `  Details: ${appUrl(base, row.link)}`,
      '',
    ]),
    `You receive this because you chose e-mail alerts: ${frequency.en}. Change it at ${settings}`,
  ];
  return { subject, text: [...vi, '', '----------', '', ...en, ''].join('\n') };
}

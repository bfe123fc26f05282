import nodemailer from 'nodemailer';
import { WEBHOOK_TIMEOUT_MS, type DeliveryTransport } from './delivery.ts';

/**
 * The platform's way out: e-mail through the SMTP server of `SMTP_URL` (nodemailer, which
 * handles STARTTLS, authentication and pooling), webhooks with fetch, bounded in time and
 * never following a redirect (a receiver that moves must be set again by its manager).
 */
export function networkTransport(options: { smtpUrl?: string; from: string }): DeliveryTransport & { close(): void } {
  const mailer = options.smtpUrl ? nodemailer.createTransport(options.smtpUrl) : undefined;
  return {
    sendMail: mailer
      ? async (message) => {
          await mailer.sendMail({ from: options.from, ...message });
        }
      : undefined,
    async post(url, body, headers) {
      const response = await fetch(url, {
        method: 'POST',
        body,
        headers,
        redirect: 'manual',
        signal: AbortSignal.timeout(WEBHOOK_TIMEOUT_MS),
      });
      await response.body?.cancel();
      return response.status;
    },
    close: () => mailer?.close(),
  };
}

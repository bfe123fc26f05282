import { randomUUID } from 'node:crypto';
import type { Context } from 'hono';
import type { Duplex } from 'node:stream';
import { createMiddleware } from 'hono/factory';
import type { AppEnv } from './app-env.ts';
import { ERRORS, type ErrorCode } from './errors.ts';

/**
 * Sets a header every response of this request carries, unless the route sets its own.
 * Under Node it goes straight onto Node's response, which merges it into the head it
 * writes: a web `Headers` object per response costs more than the rest of a rating's
 * request handling.
 */
export function presetHeader(c: Context<AppEnv>, name: string, value: string): void {
  const outgoing = c.env?.outgoing;
  if (outgoing) outgoing.setHeader(name, value);
  else c.header(name, value);
}

const REQUEST_ID = /^[\w\-=]{1,255}$/;

/** The caller's X-Request-Id when it is well formed, else a new one; echoed in the response. */
export const requestId = createMiddleware<AppEnv>(async (c, next) => {
  const given = c.req.header('x-request-id');
  const id = given && REQUEST_ID.test(given) ? given : randomUUID();
  c.set('requestId', id);
  presetHeader(c, 'X-Request-Id', id);
  await next();
});

/**
 * The browser protections every response carries: scripts, styles and connections only
 * from this origin, no framing, no MIME sniffing, no referrer beyond this origin, and HSTS
 * when the platform is served over https.
 */
export function securityHeaderList(options: { https: boolean }): [string, string][] {
  return [
    [
      'Content-Security-Policy',
      [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "frame-ancestors 'none'",
        "base-uri 'self'",
        "form-action 'self'",
      ].join('; '),
    ],
    ['Cross-Origin-Opener-Policy', 'same-origin'],
    ['Cross-Origin-Resource-Policy', 'same-origin'],
    ['Origin-Agent-Cluster', '?1'],
    ['Referrer-Policy', 'same-origin'],
    ['X-Content-Type-Options', 'nosniff'],
    ['X-DNS-Prefetch-Control', 'off'],
    ['X-Frame-Options', 'DENY'],
    ['X-Permitted-Cross-Domain-Policies', 'none'],
    ...(options.https
      ? [['Strict-Transport-Security', 'max-age=31536000; includeSubDomains'] as [string, string]]
      : []),
  ];
}

export function securityHeaders(options: { https: boolean }) {
  const headers = securityHeaderList(options);
  return createMiddleware<AppEnv>(async (c, next) => {
    for (const [name, value] of headers) presetHeader(c, name, value);
    await next();
  });
}

// Node's own answers to what never reached the application, as codes of the catalogue.
const CLIENT_ERRORS: Record<string, { code: ErrorCode; reason: string }> = {
  HPE_HEADER_OVERFLOW: { code: 'headers_too_large', reason: 'Request Header Fields Too Large' },
  ERR_HTTP_REQUEST_TIMEOUT: { code: 'timeout', reason: 'Request Timeout' },
};
const MALFORMED: { code: ErrorCode; reason: string } = { code: 'malformed_request', reason: 'Bad Request' };

/**
 * Node answers requests it cannot parse, or that arrive too slowly, itself (400, 408,
 * 431), before the application sees them. This answers them in the platform's error
 * shape with the same security headers as every other response.
 *
 * @example server.on('clientError', answerClientError({ https: false }))
 */
export function answerClientError(options: { https: boolean }) {
  const head = securityHeaderList(options)
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join('');
  return (error: Error & { code?: string }, socket: Duplex): void => {
    if (error.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    const answer = CLIENT_ERRORS[error.code ?? ''] ?? MALFORMED;
    const { status, message } = ERRORS[answer.code];
    const body = JSON.stringify({ error: { code: answer.code, message } });
    socket.end(
      `HTTP/1.1 ${status} ${answer.reason}\r\n${head}Cache-Control: no-store\r\n` +
        `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  };
}

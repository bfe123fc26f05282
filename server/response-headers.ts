import { randomUUID } from 'node:crypto';
import type { Context } from 'hono';
import { createMiddleware } from 'hono/factory';
import type { AppEnv } from './app-env.ts';

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
export function securityHeaders(options: { https: boolean }) {
  const headers: [string, string][] = [
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
  return createMiddleware<AppEnv>(async (c, next) => {
    for (const [name, value] of headers) presetHeader(c, name, value);
    await next();
  });
}

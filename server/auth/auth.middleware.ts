import type { Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { createMiddleware } from 'hono/factory';
import type { AppEnv } from '../app-env.ts';
import { AppError } from '../errors.ts';
import type { Role } from '../officials/official.table.ts';
import type { OfficialsEnv } from './official-env.ts';
import { SESSION_COOKIE, SESSION_IDLE_MS, validateSessionToken } from './session.ts';

const LOOPBACK = /^(localhost|127\.\d+\.\d+\.\d+|\[::1\])$/;

/**
 * Secure cookies need HTTPS; browsers also accept them from loopback addresses, so only a
 * plain-HTTP address on a network (a test set-up, never production) goes without.
 */
// Any environment that carries the platform's services will do.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type ServicesContext = Context<any, any, any>;

function secureCookie(c: ServicesContext): boolean {
  const base = new URL((c.var as AppEnv['Variables']).config.publicBaseUrl);
  return base.protocol === 'https:' || LOOPBACK.test(base.hostname) || LOOPBACK.test(new URL(c.req.url).hostname);
}

export function setSessionCookie(c: ServicesContext, token: string, expiresAt: Date): void {
  setCookie(c, SESSION_COOKIE, token, {
    httpOnly: true,
    sameSite: 'Lax',
    secure: secureCookie(c),
    path: '/',
    expires: expiresAt,
    maxAge: Math.floor(SESSION_IDLE_MS / 1000),
  });
}

export function clearSessionCookie(c: ServicesContext): void {
  deleteCookie(c, SESSION_COOKIE, { path: '/', secure: secureCookie(c) });
}

/** Every officials' endpoint but sign-in: a valid session, refreshed as it is used. */
export const requireSession = createMiddleware<OfficialsEnv>(async (c, next) => {
  const token = getCookie(c, SESSION_COOKIE);
  const session = token ? await validateSessionToken(c.var.db, token) : undefined;
  if (!session) {
    if (token) clearSessionCookie(c);
    throw new AppError('not_signed_in');
  }
  if (session.refreshed) setSessionCookie(c, token!, session.expiresAt);
  c.set('official', session.official);
  c.set('sessionId', session.id);
  await next();
});

/**
 * The platform's own origin is its configured public address. On a computer where that
 * address is a loopback one (localhost, 127.0.0.1, [::1]), the other loopback names of
 * the same port are the same platform too: no page from elsewhere has such an origin.
 */
function isPlatformOrigin(origin: string, publicBaseUrl: string): boolean {
  const platform = new URL(publicBaseUrl);
  if (origin === platform.origin) return true;
  let sender: URL;
  try {
    sender = new URL(origin);
  } catch {
    return false;
  }
  return (
    LOOPBACK.test(platform.hostname) &&
    LOOPBACK.test(sender.hostname) &&
    sender.protocol === platform.protocol &&
    sender.port === platform.port
  );
}

/**
 * CSRF protection for state-changing requests. Hono's `csrf()` checks only form-encoded
 * bodies; here every method but GET/HEAD must come from the platform's own pages, told by
 * the browser's Origin (or Sec-Fetch-Site) header, which a cross-site page cannot forge.
 * The origin is compared with the configured public address, never with the request's
 * own Host header, which the sender chooses.
 */
export const sameOriginOnly = createMiddleware<AppEnv>(async (c, next) => {
  if (c.req.method !== 'GET' && c.req.method !== 'HEAD') {
    const origin = c.req.header('origin');
    const sameOrigin = origin
      ? isPlatformOrigin(origin, c.var.config.publicBaseUrl)
      : c.req.header('sec-fetch-site') === 'same-origin';
    if (!sameOrigin) throw new AppError('cross_site_request');
  }
  await next();
});

/** Restricts an endpoint to some roles; scope within the role is checked by the handler. */
export function requireRole(...roles: Role[]) {
  return createMiddleware<OfficialsEnv>(async (c, next) => {
    if (!roles.includes(c.var.official.role)) {
      throw new AppError('forbidden');
    }
    await next();
  });
}

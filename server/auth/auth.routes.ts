import { Hono } from 'hono';
import { z } from 'zod';
import { clientAddress } from '../abuse/client-address.ts';
import { sourceBucket } from '../abuse/rate-limit.ts';
import type { AppEnv } from '../app-env.ts';
import { AppError, fieldError } from '../errors.ts';
import { text } from '../fields.ts';
import { officialView } from '../officials/official.view.ts';
import { jsonBodyLimit, requireJsonBody, validate } from '../validation.ts';
import { clearSessionCookie, setSessionCookie } from './auth.middleware.ts';
import { countSignInAttempt, forgiveSignIn } from './login-limit.ts';
import type { OfficialsEnv } from './official-env.ts';
import { hashPassword, password, verifyPassword } from './password.ts';
import { createSession, invalidateOfficialSessions, invalidateSession } from './session.ts';

export const signInSchema = z.strictObject({
  username: text({ min: 1, max: 40 }).transform((name) => name.toLowerCase()),
  password: z.string().min(1).max(200),
});

export const passwordChangeSchema = z.strictObject({
  currentPassword: z.string().min(1).max(200),
  newPassword: password,
});

async function unitName(c: { var: AppEnv['Variables'] }, unitId: number): Promise<string> {
  const unit = await c.var.db.selectFrom('unit').select('name').where('id', '=', unitId).executeTakeFirst();
  return unit?.name ?? '';
}

/** Signing in: the one officials' endpoint without a session. */
export const signInRoutes = new Hono<AppEnv>().post(
  '/',
  jsonBodyLimit,
  requireJsonBody,
  validate('json', signInSchema),
  async (c) => {
    const { username, password } = c.req.valid('json');
    const now = new Date();
    const source = await sourceBucket(c.var.db, clientAddress(c, c.var.config.trustProxy), now);
    await countSignInAttempt(c.var.db, username, source, now, c.var.config.signInLimit);
    const official = await c.var.db
      .selectFrom('official')
      .selectAll()
      .where('username', '=', username)
      .where('active', '=', true)
      .executeTakeFirst();
    const valid = await verifyPassword(official?.password_hash, password);
    if (!official || !valid) throw new AppError('invalid_credentials');
    await forgiveSignIn(c.var.db, username, now);
    const { token, expiresAt } = await createSession(c.var.db, official.id, now);
    setSessionCookie(c, token, expiresAt);
    return c.json(officialView(official, await unitName(c, official.unit_id)), 200);
  },
);

/** The signed-in official: who they are, signing out, changing their password. */
export const sessionRoutes = new Hono<OfficialsEnv>()
  .get('/', async (c) => c.json(officialView(c.var.official, await unitName(c, c.var.official.unit_id)), 200))
  .delete('/', async (c) => {
    await invalidateSession(c.var.db, c.var.sessionId);
    clearSessionCookie(c);
    return c.body(null, 204);
  })
  .put('/password', jsonBodyLimit, requireJsonBody, validate('json', passwordChangeSchema), async (c) => {
    const { currentPassword, newPassword } = c.req.valid('json');
    if (!(await verifyPassword(c.var.official.password_hash, currentPassword))) {
      throw fieldError('wrong_password', 'currentPassword', 'wrong_password', 'is wrong');
    }
    await c.var.db
      .updateTable('official')
      .set({ password_hash: await hashPassword(newPassword), password_changed_at: new Date() })
      .where('id', '=', c.var.official.id)
      .execute();
    // Every other session of this official ends; this one goes on with a fresh token.
    await invalidateOfficialSessions(c.var.db, c.var.official.id);
    const { token, expiresAt } = await createSession(c.var.db, c.var.official.id);
    setSessionCookie(c, token, expiresAt);
    return c.body(null, 204);
  });

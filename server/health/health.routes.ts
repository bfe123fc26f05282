import { Hono } from 'hono';
import { sql } from 'kysely';
import type { AppEnv } from '../app-env.ts';
import { AppError } from '../errors.ts';

export const healthRoutes = new Hono<AppEnv>().get('/healthz', async (c) => {
  try {
    await sql`select 1`.execute(c.var.db);
  } catch {
    throw new AppError('database_unavailable');
  }
  return c.json({ status: 'ok' as const }, 200);
});

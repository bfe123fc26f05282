import { hc } from 'hono/client';
import { randomBytes } from 'node:crypto';
import { expect } from 'vitest';
import type { OfficialsApi } from '../server/officials-api.ts';
import { hashPassword } from '../server/auth/password.ts';
import type { Db } from '../server/db/database.ts';
import type { Role } from '../server/officials/official.table.ts';
import type { Unit } from '../server/units/unit.table.ts';
import type { TestServer } from './server.ts';

export interface SignedIn {
  username: string;
  cookie: string;
  /** A request with the session cookie and the platform's Origin, as the officials' app sends it. */
  request(method: string, path: string, body?: unknown): Promise<Response>;
  /**
   * The typed client of the officials' API, as the officials' app has it, with the session
   * cookie and the platform's Origin: answers come typed from the server's routes.
   *
   * @example const units = await (await session.api.units.$get()).json()
   */
  api: ReturnType<typeof hc<OfficialsApi>>;
}

let counter = 0;
const hashes = new Map<string, Promise<string>>();

/** An official with a known password; hashing is cached because argon2 is slow by design. */
export async function makeOfficial(db: Db, role: Role, unit: Unit, password = 'correct-horse-battery') {
  const username = `u${Date.now().toString(36)}${(counter++).toString(36)}${randomBytes(2).toString('hex')}`;
  if (!hashes.has(password)) hashes.set(password, hashPassword(password));
  const official = await db
    .insertInto('official')
    .values({
      username,
      display_name: `${role} ${username}`,
      role,
      unit_id: unit.id,
      password_hash: await hashes.get(password)!,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return { ...official, password };
}

export async function signIn(
  server: Pick<TestServer, 'request' | 'baseUrl'>,
  username: string,
  password = 'correct-horse-battery',
): Promise<SignedIn> {
  const response = await server.request('POST', '/api/v1/officials/session', { body: { username, password } });
  expect(response.status).toBe(200);
  const cookie = response.headers
    .getSetCookie()
    .find((header) => header.startsWith('sipas_session='))!
    .split(';')[0]!;
  return {
    username,
    cookie,
    request: (method, path, body) => server.request(method, `/api/v1/officials${path}`, { body, headers: { cookie } }),
    api: hc<OfficialsApi>(`${server.baseUrl}/api/v1/officials`, { headers: { cookie, origin: server.baseUrl } }),
  };
}

/**
 * Starts an export as the officials' app does, follows its progress (which only grows)
 * until it is written, and downloads the file.
 *
 * @example const response = await downloadExport(viewer, { unitId, period: '2026', format: 'xlsx' })
 */
export async function downloadExport(
  session: SignedIn,
  request: { unitId: number; period: string; format: 'xlsx' | 'csv' | 'docx'; table?: string },
): Promise<Response> {
  const started = await session.request('POST', '/reports/exports', request);
  expect(started.status).toBe(202);
  const { id } = (await started.json()) as { id: string };
  let last = -1;
  for (;;) {
    const job = await (await session.api.reports.exports[':id'].$get({ param: { id } })).json();
    expect(job.progress).toBeGreaterThanOrEqual(last);
    last = job.progress;
    if (job.status === 'done') break;
    expect(job.status).toBe('running');
    // The app polls a job that runs in the background; so does this.
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return session.api.reports.exports[':id'].file.$get({ param: { id } });
}

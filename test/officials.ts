import { randomBytes } from 'node:crypto';
import { expect } from 'vitest';
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
  server: Pick<TestServer, 'request'>,
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
  };
}

import { beforeAll, describe, expect, it } from 'vitest';
import type { Unit } from '../../server/units/unit.table.ts';
import { createTestDatabase } from '../database.ts';
import { makeUnit } from '../factories.ts';
import { makeOfficial, signIn } from '../officials.ts';
import { startTestServer, type TestServer } from '../server.ts';
import { errorOf } from '../http.ts';

const { db } = await createTestDatabase();
let server: TestServer;
let unit: Unit;

beforeAll(async () => {
  // The defaults, which these tests prove; other test files sign in more freely.
  server = await startTestServer(db, { SIGN_IN_FAILURES_PER_ACCOUNT: '5', SIGN_IN_ATTEMPTS_PER_SOURCE: '30' });
  unit = await makeUnit(db, { kind: 'province' });
});

async function sessionRow(cookie: string) {
  const id = cookie.split('=')[1]!.split('.')[0]!;
  return db.selectFrom('official_session').selectAll().where('id', '=', id).executeTakeFirst();
}

describe('signing in', () => {
  it('sets an HttpOnly, SameSite=Lax, Secure session cookie and answers who signed in', async () => {
    const official = await makeOfficial(db, 'manager', unit);
    const response = await server.request('POST', '/api/v1/officials/session', {
      body: { username: official.username.toUpperCase(), password: official.password },
    });
    expect(response.status).toBe(200);
    const cookie = response.headers.getSetCookie().find((header) => header.startsWith('sipas_session='))!;
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    expect(cookie).toMatch(/Secure/i);
    expect(cookie).toMatch(/Path=\//i);
    const body = (await response.json()) as Record<string, unknown>;
    expect(body).toMatchObject({
      username: official.username,
      role: 'manager',
      unit: { id: unit.id, name: unit.name },
    });
    expect(JSON.stringify(body)).not.toContain('argon2');
  });

  it('a wrong password and an unknown username get the same answer', async () => {
    const official = await makeOfficial(db, 'viewer', unit);
    const wrong = await server.request('POST', '/api/v1/officials/session', {
      body: { username: official.username, password: 'nope-nope-nope' },
    });
    const unknown = await server.request('POST', '/api/v1/officials/session', {
      body: { username: 'nobody-here', password: 'nope-nope-nope' },
    });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    const [a, b] = [
      (await wrong.json()) as { error: { code: string; message: string } },
      (await unknown.json()) as { error: { code: string; message: string } },
    ];
    expect(a.error.code).toBe('invalid_credentials');
    expect(a.error.message).toBe(b.error.message);
  });

  it('every officials endpoint but sign-in needs a session', async () => {
    expect((await server.request('GET', '/api/v1/officials/session')).status).toBe(401);
    expect(
      (await server.request('GET', '/api/v1/officials/units', { headers: { cookie: 'sipas_session=forged.token' } }))
        .status,
    ).toBe(401);
  });
});

describe('sessions', () => {
  it('expire: an expired session is refused and deleted', async () => {
    const official = await makeOfficial(db, 'viewer', unit);
    const session = await signIn(server, official.username);
    const row = (await sessionRow(session.cookie))!;
    await db
      .updateTable('official_session')
      .set({ expires_at: new Date(Date.now() - 1000) })
      .where('id', '=', row.id)
      .execute();
    expect((await session.request('GET', '/session')).status).toBe(401);
    expect(await sessionRow(session.cookie)).toBeUndefined();
  });

  it('slide: used after an hour, the expiry moves forward and the cookie is sent again; within the hour nothing is written', async () => {
    const official = await makeOfficial(db, 'viewer', unit);
    const session = await signIn(server, official.username);
    const quiet = await session.request('GET', '/session');
    expect(quiet.headers.getSetCookie()).toEqual([]);

    const row = (await sessionRow(session.cookie))!;
    const twoHoursAgo = new Date(Date.now() - 2 * 3_600_000);
    await db
      .updateTable('official_session')
      .set({ refreshed_at: twoHoursAgo, expires_at: new Date(twoHoursAgo.getTime() + 12 * 3_600_000) })
      .where('id', '=', row.id)
      .execute();
    const refreshed = await session.request('GET', '/session');
    expect(refreshed.status).toBe(200);
    expect(refreshed.headers.getSetCookie().some((header) => header.startsWith('sipas_session='))).toBe(true);
    const after = (await sessionRow(session.cookie))!;
    expect(after.expires_at.getTime()).toBeGreaterThan(Date.now() + 11.9 * 3_600_000);
  });

  it('sign-out ends the session on the server: a copied cookie is useless afterwards', async () => {
    const official = await makeOfficial(db, 'manager', unit);
    const session = await signIn(server, official.username);
    const stolen = session.cookie;
    const signOut = await session.request('DELETE', '/session');
    expect(signOut.status).toBe(204);
    expect(signOut.headers.getSetCookie().join()).toMatch(/sipas_session=;/);
    const replay = await server.request('GET', '/api/v1/officials/session', { headers: { cookie: stolen } });
    expect(replay.status).toBe(401);
  });

  it('a copy of the sessions table opens no session', async () => {
    const official = await makeOfficial(db, 'admin', unit);
    const session = await signIn(server, official.username);
    const token = session.cookie.split('=')[1]!;
    const row = (await sessionRow(session.cookie))!;
    // Nothing stored is the token or its secret.
    expect(JSON.stringify(row)).not.toContain(token.split('.')[1]);
    for (const guess of [
      row.secret_hash.toString('hex'),
      row.secret_hash.toString('base64url'),
      row.secret_hash.toString('base64'),
    ]) {
      const forged = await server.request('GET', '/api/v1/officials/session', {
        headers: { cookie: `sipas_session=${row.id}.${guess}` },
      });
      expect(forged.status).toBe(401);
    }
  });

  it('a changed password ends the other sessions of the account, and a closed account is signed out', async () => {
    const official = await makeOfficial(db, 'manager', unit);
    const laptop = await signIn(server, official.username);
    const phone = await signIn(server, official.username);
    const change = await laptop.request('PUT', '/session/password', {
      currentPassword: official.password,
      newPassword: 'a-brand-new-passphrase',
    });
    expect(change.status).toBe(204);
    expect((await phone.request('GET', '/session')).status).toBe(401);
    const fresh = change.headers
      .getSetCookie()
      .find((header) => header.startsWith('sipas_session='))!
      .split(';')[0]!;
    expect((await server.request('GET', '/api/v1/officials/session', { headers: { cookie: fresh } })).status).toBe(200);

    await db.updateTable('official').set({ active: false }).where('id', '=', official.id).execute();
    expect((await server.request('GET', '/api/v1/officials/session', { headers: { cookie: fresh } })).status).toBe(401);
  });
});

describe('cross-site request forgery', () => {
  it('refuses a state-changing request from another site, or without an Origin', async () => {
    const official = await makeOfficial(db, 'admin', unit);
    const session = await signIn(server, official.username);
    const body = JSON.stringify({ code: 'csrf_test', nameVi: 'Thử', nameEn: 'Test' });
    const evil = await fetch(`${server.baseUrl}/api/v1/officials/domains`, {
      method: 'POST',
      headers: { cookie: session.cookie, origin: 'https://evil.example', 'content-type': 'application/json' },
      body,
    });
    expect(evil.status).toBe(403);
    expect((await errorOf(evil)).code).toBe('cross_site_request');
    const noOrigin = await fetch(`${server.baseUrl}/api/v1/officials/domains`, {
      method: 'POST',
      headers: { cookie: session.cookie, 'content-type': 'application/json', 'sec-fetch-site': 'cross-site' },
      body,
    });
    expect(noOrigin.status).toBe(403);
    // Sign-out too is state-changing.
    const signOut = await fetch(`${server.baseUrl}/api/v1/officials/session`, {
      method: 'DELETE',
      headers: { cookie: session.cookie, origin: 'https://evil.example' },
    });
    expect(signOut.status).toBe(403);
    expect(
      await db.selectFrom('domain').select('id').where('code', '=', 'csrf_test').executeTakeFirst(),
    ).toBeUndefined();
    expect((await session.request('GET', '/session')).status).toBe(200);

    const sameOrigin = await session.request('POST', '/domains', JSON.parse(body));
    expect(sameOrigin.status).toBe(201);
  });
});

const FAILURES_PER_ACCOUNT = 5;
const ATTEMPTS_PER_SOURCE = 30;

describe('sign-in rate limit', () => {
  it(`locks an account after ${FAILURES_PER_ACCOUNT} wrong passwords, even for the right one, with Retry-After`, async () => {
    const official = await makeOfficial(db, 'manager', unit);
    const attempt = (password: string) =>
      server.request('POST', '/api/v1/officials/session', {
        body: { username: official.username, password },
        headers: { 'x-forwarded-for': '' },
      });
    for (let i = 0; i < FAILURES_PER_ACCOUNT; i++) expect((await attempt('wrong-password-!')).status).toBe(401);
    const locked = await attempt(official.password);
    expect(locked.status).toBe(429);
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(0);
    // Other accounts are not affected by this one's lock.
    const other = await makeOfficial(db, 'viewer', unit);
    expect(
      (
        await server.request('POST', '/api/v1/officials/session', {
          body: { username: other.username, password: other.password },
        })
      ).status,
    ).toBe(200);
  });

  it(`limits one network to ${ATTEMPTS_PER_SOURCE} attempts per window, across accounts and server processes`, async () => {
    await db.deleteFrom('rate_limit_counter').execute();
    const second = await startTestServer(db, { SIGN_IN_ATTEMPTS_PER_SOURCE: '30' });
    const statuses: number[] = [];
    for (let i = 0; i <= ATTEMPTS_PER_SOURCE; i++) {
      const target = i % 2 === 0 ? server : second;
      statuses.push(
        (
          await target.request('POST', '/api/v1/officials/session', {
            body: { username: `guess${i}`, password: 'guess-guess-guess' },
          })
        ).status,
      );
    }
    expect(statuses.slice(0, ATTEMPTS_PER_SOURCE).every((status) => status === 401)).toBe(true);
    expect(statuses.at(-1)).toBe(429);
    await db.deleteFrom('rate_limit_counter').execute();
  });
});

import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Desk } from '../../server/desks/desk.table.ts';
import { pairKioskDevice } from '../../server/kiosks/kiosk-device.repository.ts';
import type { Role } from '../../server/officials/official.table.ts';
import { officialsApiRoutes } from '../../server/officials-api.ts';
import { writeBatch } from '../../server/responses/write-batch.ts';
import type { Unit } from '../../server/units/unit.table.ts';
import { createTestDatabase } from '../database.ts';
import { domainIds, makeDesk, makeUnit } from '../factories.ts';
import { makeOfficial, signIn, type SignedIn } from '../officials.ts';
import { startTestServer, type TestServer } from '../server.ts';

/**
 * The authorisation matrix: every officials' endpoint, for each role, on a unit inside
 * and outside the official's scope. The list of cases is checked against the routes the
 * server registers, so a new endpoint without a case here fails the suite.
 */

const { db } = await createTestDatabase();
let server: TestServer;
const roles: Role[] = ['admin', 'manager', 'viewer'];
const sessions = {} as Record<Role, SignedIn>;

// Scope of the manager and the viewer: province P. Outside it: province Q.
let country: Unit;
let inside: Unit; // a commune of P
let outside: Unit; // a commune of Q
let insideDesk: Desk;
let outsideDesk: Desk;

type Where = 'in' | 'out';
interface Call {
  method: string;
  path: string;
  body?: unknown;
  /** A session other than the role's shared one, for calls that end or change it. */
  as?: SignedIn;
}
interface Case {
  /** Roles that may use the endpoint at all. */
  roles: Role[];
  status: number;
  /** Builds a fresh call on a resource inside or outside the scope. */
  call(where: Where, role: Role): Promise<Call>;
  /** The endpoint concerns no unit (reference data, one's own session): no outside case. */
  unscoped?: true;
}

let serial = 0;
const unique = () => `${Date.now().toString(36)}${(serial++).toString(36)}`;
const unitOf = (where: Where) => (where === 'in' ? inside : outside);
const deskOf = (where: Where) => (where === 'in' ? insideDesk : outsideDesk);

async function ratingWithComment(desk: Desk): Promise<number> {
  const [outcome] = await writeBatch(
    db,
    [
      {
        body: {
          deskCode: desk.code,
          domain: 'land',
          questionnaireId: 'quick-1',
          answers: { overall: 2 },
          comment: 'Chờ lâu',
          language: 'vi',
          channel: 'qr',
          idempotencyKey: randomUUID(),
        },
        bucket: Buffer.from('matrix'),
        receivedAt: new Date(),
      },
    ],
    { rateLimit: { perSource: 1e9, perKiosk: 1e9, windowSeconds: 600 } },
  );
  if (!outcome?.ok) throw new Error('rating not written');
  return outcome.id;
}

async function target(where: Where): Promise<number> {
  const row = await db
    .insertInto('target')
    .values({
      unit_id: unitOf(where).id,
      year: 2000 + (serial++ % 100),
      metric: 'domain',
      domain_id: (await domainIds(db, ['land']))[0]!,
      threshold: 85,
    })
    .onConflict((oc) => oc.doNothing())
    .returning('id')
    .executeTakeFirst();
  return row?.id ?? target(where);
}

async function freshSession(role: Role): Promise<SignedIn> {
  const official = await makeOfficial(
    db,
    role,
    role === 'admin'
      ? country
      : await db.selectFrom('unit').selectAll().where('id', '=', inside.parent_id!).executeTakeFirstOrThrow(),
  );
  return signIn(server, official.username, official.password);
}

const cases: Record<string, Case> = {
  'GET /session': { roles, status: 200, unscoped: true, call: async () => ({ method: 'GET', path: '/session' }) },
  'DELETE /session': {
    roles,
    status: 204,
    unscoped: true,
    call: async (_where, role) => ({ method: 'DELETE', path: '/session', as: await freshSession(role) }),
  },
  'PUT /session/password': {
    roles,
    status: 204,
    unscoped: true,
    call: async (_where, role) => ({
      method: 'PUT',
      path: '/session/password',
      body: { currentPassword: 'correct-horse-battery', newPassword: 'another-long-passphrase' },
      as: await freshSession(role),
    }),
  },
  'GET /units': {
    roles,
    status: 200,
    call: async (where) => ({ method: 'GET', path: where === 'in' ? '/units' : '/units' }),
  },
  'POST /units': {
    roles: ['admin', 'manager'],
    status: 201,
    call: async (where) => ({
      method: 'POST',
      path: '/units',
      body: { code: `N-${unique()}`, name: 'Thôn mới', kind: 'commune', parentId: unitOf(where).id },
    }),
  },
  'PATCH /units/:id': {
    roles: ['admin', 'manager'],
    status: 204,
    call: async (where) => ({
      method: 'PATCH',
      path: `/units/${(await makeUnit(db, { parent_id: unitOf(where).id })).id}`,
      body: { name: 'Tên mới' },
    }),
  },
  'POST /units/:id/merge': {
    roles: ['admin', 'manager'],
    status: 204,
    call: async (where) => {
      const from = await makeUnit(db, { parent_id: unitOf(where).id });
      const into = await makeUnit(db, { parent_id: unitOf(where).id });
      return { method: 'POST', path: `/units/${from.id}/merge`, body: { intoUnitId: into.id, from: '2026-07-01' } };
    },
  },
  'GET /desks': {
    roles,
    status: 200,
    call: async (where) => ({ method: 'GET', path: `/desks?unitId=${unitOf(where).id}` }),
  },
  'POST /desks': {
    roles: ['admin', 'manager'],
    status: 201,
    call: async (where) => ({
      method: 'POST',
      path: '/desks',
      body: { unitId: unitOf(where).id, name: 'Quầy mới', domains: ['land'], questionnaire: 'quick' },
    }),
  },
  'GET /desks/:id': {
    roles,
    status: 200,
    call: async (where) => ({ method: 'GET', path: `/desks/${deskOf(where).id}` }),
  },
  'PATCH /desks/:id': {
    roles: ['admin', 'manager'],
    status: 204,
    call: async (where) => ({ method: 'PATCH', path: `/desks/${deskOf(where).id}`, body: { kioskIdleSeconds: 30 } }),
  },
  'GET /desks/:id/poster': {
    roles,
    status: 200,
    call: async (where) => ({ method: 'GET', path: `/desks/${deskOf(where).id}/poster?format=svg` }),
  },
  'GET /units/:id/posters': {
    roles,
    status: 200,
    call: async (where) => ({ method: 'GET', path: `/units/${unitOf(where).id}/posters?size=a5` }),
  },
  'GET /desks/:id/devices': {
    roles,
    status: 200,
    call: async (where) => ({ method: 'GET', path: `/desks/${deskOf(where).id}/devices` }),
  },
  'GET /desks/:id/refused-ratings': {
    roles,
    status: 200,
    call: async (where) => ({ method: 'GET', path: `/desks/${deskOf(where).id}/refused-ratings` }),
  },
  'POST /desks/:id/devices': {
    roles: ['admin', 'manager'],
    status: 201,
    call: async (where) => ({
      method: 'POST',
      path: `/desks/${deskOf(where).id}/devices`,
      body: { label: 'Máy tính bảng' },
    }),
  },
  'POST /devices/:id/revoke': {
    roles: ['admin', 'manager'],
    status: 204,
    call: async (where) => ({
      method: 'POST',
      path: `/devices/${(await pairKioskDevice(db, { deskId: deskOf(where).id })).device.id}/revoke`,
    }),
  },
  'POST /desks/:id/dossier-codes': {
    roles: ['admin', 'manager'],
    status: 201,
    call: async (where) => ({
      method: 'POST',
      path: `/desks/${deskOf(where).id}/dossier-codes`,
      body: { domain: 'land', count: 2 },
    }),
  },
  'GET /domains': { roles, status: 200, unscoped: true, call: async () => ({ method: 'GET', path: '/domains' }) },
  'POST /domains': {
    roles: ['admin'],
    status: 201,
    unscoped: true,
    call: async () => ({
      method: 'POST',
      path: '/domains',
      body: { code: `d_${unique()}`, nameVi: 'Lĩnh vực thử', nameEn: 'Test domain' },
    }),
  },
  'PATCH /domains/:id': {
    roles: ['admin'],
    status: 204,
    unscoped: true,
    call: async () => ({
      method: 'PATCH',
      path: `/domains/${(await domainIds(db, ['other']))[0]}`,
      body: { position: 999 },
    }),
  },
  'GET /targets': {
    roles,
    status: 200,
    call: async (where) => ({ method: 'GET', path: `/targets?unitId=${unitOf(where).id}` }),
  },
  'POST /targets': {
    roles: ['admin', 'manager'],
    status: 201,
    call: async (where) => ({
      method: 'POST',
      path: '/targets',
      body: {
        unitId: unitOf(where).id,
        year: 2000 + (serial++ % 100),
        metric: 'domain',
        domain: 'health',
        threshold: 90,
      },
    }),
  },
  'PATCH /targets/:id': {
    roles: ['admin', 'manager'],
    status: 204,
    call: async (where) => ({ method: 'PATCH', path: `/targets/${await target(where)}`, body: { threshold: 92.5 } }),
  },
  'DELETE /targets/:id': {
    roles: ['admin', 'manager'],
    status: 204,
    call: async (where) => ({ method: 'DELETE', path: `/targets/${await target(where)}` }),
  },
  'GET /users': { roles: ['admin', 'manager'], status: 200, call: async () => ({ method: 'GET', path: '/users' }) },
  'POST /users': {
    roles: ['admin', 'manager'],
    status: 201,
    call: async (where) => ({
      method: 'POST',
      path: '/users',
      body: {
        username: `v${unique()}`,
        displayName: 'Người xem',
        role: 'viewer',
        unitId: unitOf(where).id,
        password: 'long-enough-password',
      },
    }),
  },
  'PATCH /users/:id': {
    roles: ['admin', 'manager'],
    status: 204,
    call: async (where) => ({
      method: 'PATCH',
      path: `/users/${(await makeOfficial(db, 'viewer', unitOf(where))).id}`,
      body: { displayName: 'Đổi tên' },
    }),
  },
  'GET /follow-ups': {
    roles,
    status: 200,
    call: async (where) => ({ method: 'GET', path: `/follow-ups?unitId=${unitOf(where).id}` }),
  },
  'GET /follow-ups/counts': {
    roles,
    status: 200,
    call: async (where) => ({ method: 'GET', path: `/follow-ups/counts?deskId=${deskOf(where).id}` }),
  },
  'GET /follow-ups/overdue': {
    roles,
    status: 200,
    call: async (where) => ({ method: 'GET', path: `/follow-ups/overdue?unitId=${unitOf(where).id}` }),
  },
  'GET /follow-ups/elements': {
    roles,
    status: 200,
    call: async (where) => ({ method: 'GET', path: `/follow-ups/elements?deskId=${deskOf(where).id}` }),
  },
  'PUT /follow-ups/:id': {
    roles: ['admin', 'manager'],
    status: 204,
    call: async (where) => ({
      method: 'PUT',
      path: `/follow-ups/${await ratingWithComment(deskOf(where))}`,
      body: { status: 'in_progress', note: 'Đã gọi lại' },
    }),
  },
  'POST /targets/extract': {
    roles: ['admin', 'manager'],
    status: 200,
    unscoped: true,
    call: async () => ({
      method: 'POST',
      path: '/targets/extract',
      body: { text: 'Mức độ hài lòng đạt tối thiểu 90%.' },
    }),
  },
  ...Object.fromEntries(
    ['summary', 'trend', 'ranking', 'reasons', 'document'].map((report) => [
      `GET /reports/${report}`,
      {
        roles,
        status: 200,
        call: async (where: Where) => ({
          method: 'GET',
          path: `/reports/${report}?unitId=${unitOf(where).id}&period=2026`,
        }),
      },
    ]),
  ),
  'GET /reports/breakdown': {
    roles,
    status: 200,
    call: async (where) => ({
      method: 'GET',
      path: `/reports/breakdown?unitId=${unitOf(where).id}&period=2026-Q2&by=desk`,
    }),
  },
  'POST /reports/exports': {
    roles,
    status: 202,
    call: async (where) => ({
      method: 'POST',
      path: '/reports/exports',
      body: { unitId: unitOf(where).id, period: '2026', format: 'csv' },
    }),
  },
  'GET /reports/exports/:id': {
    roles,
    status: 200,
    call: async (where, role) => ({ method: 'GET', path: `/reports/exports/${await exportOf(where, role)}` }),
  },
  'GET /reports/exports/:id/file': {
    roles,
    status: 200,
    call: async (where, role) => ({ method: 'GET', path: `/reports/exports/${await exportOf(where, role)}/file` }),
  },
  'GET /units/:id/dossier-volumes': {
    roles,
    status: 200,
    call: async (where) => ({ method: 'GET', path: `/units/${unitOf(where).id}/dossier-volumes?year=2026` }),
  },
  'GET /units/:id/scorecard': {
    roles,
    status: 200,
    call: async (where) => ({ method: 'GET', path: `/units/${unitOf(where).id}/scorecard` }),
  },
  'PUT /units/:id/scorecard': {
    roles: ['admin', 'manager'],
    status: 200,
    call: async (where) => ({
      method: 'PUT',
      path: `/units/${unitOf(where).id}/scorecard`,
      body: { publicScorecard: true, minRatings: 40 },
    }),
  },
  'PUT /units/:id/dossier-volumes': {
    roles: ['admin', 'manager'],
    status: 204,
    call: async (where) => ({
      method: 'PUT',
      path: `/units/${unitOf(where).id}/dossier-volumes`,
      body: { month: '2026-03', dossiers: 1200 },
    }),
  },
  'GET /alerts': {
    roles,
    status: 200,
    call: async (where) => ({ method: 'GET', path: `/alerts?unitId=${unitOf(where).id}` }),
  },
  'GET /alerts/unread': {
    roles,
    status: 200,
    unscoped: true,
    call: async () => ({ method: 'GET', path: '/alerts/unread' }),
  },
  'POST /alerts/read': {
    roles,
    status: 204,
    unscoped: true,
    call: async () => ({ method: 'POST', path: '/alerts/read' }),
  },
  'POST /alerts/:id/read': {
    roles,
    status: 204,
    call: async (where) => ({ method: 'POST', path: `/alerts/${await alertOf(where)}/read` }),
  },
  'GET /alerts/email': {
    roles,
    status: 200,
    unscoped: true,
    call: async () => ({ method: 'GET', path: '/alerts/email' }),
  },
  'PUT /alerts/email': {
    roles,
    status: 204,
    unscoped: true,
    call: async () => ({
      method: 'PUT',
      path: '/alerts/email',
      body: { email: 'can.bo@example.gov.vn', frequency: 'daily' },
    }),
  },
  'GET /units/:id/alert-settings': {
    roles,
    status: 200,
    call: async (where) => ({ method: 'GET', path: `/units/${unitOf(where).id}/alert-settings` }),
  },
  'PUT /units/:id/alert-settings': {
    roles: ['admin', 'manager'],
    status: 204,
    call: async (where) => ({
      method: 'PUT',
      path: `/units/${unitOf(where).id}/alert-settings`,
      body: {
        belowTarget: true,
        belowTargetMinRatings: 50,
        unhappySpike: true,
        spikeWindowHours: 12,
        spikeMinRatings: 10,
        seriousComment: true,
        silentKiosk: false,
        overdueFollowUp: true,
        silentMinutes: 45,
        queueLimit: 30,
        opensAt: '07:00',
        closesAt: '17:30',
        openSaturday: true,
      },
    }),
  },
  'GET /units/:id/webhooks': {
    roles: ['admin', 'manager'],
    status: 200,
    call: async (where) => ({ method: 'GET', path: `/units/${unitOf(where).id}/webhooks` }),
  },
  'POST /units/:id/webhooks': {
    roles: ['admin', 'manager'],
    status: 201,
    call: async (where) => ({
      method: 'POST',
      path: `/units/${unitOf(where).id}/webhooks`,
      body: { url: 'https://chat.example.vn/hooks/sipas' },
    }),
  },
  'DELETE /units/:id/webhooks/:webhookId': {
    roles: ['admin', 'manager'],
    status: 204,
    call: async (where) => ({
      method: 'DELETE',
      path: `/units/${unitOf(where).id}/webhooks/${await webhookOf(where)}`,
    }),
  },
};

async function alertOf(where: Where): Promise<number> {
  const { id } = await db
    .insertInto('alert')
    .values({
      rule: 'silent_kiosk',
      condition_key: `silent_kiosk:test:${unique()}`,
      unit_id: unitOf(where).id,
      domain_id: null,
      desk_id: null,
      device_id: null,
      response_id: null,
      explanation_vi: 'Máy im lặng',
      explanation_en: 'Silent tablet',
      link: '/',
      fired_at: new Date(),
      cleared_at: null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return id;
}

async function webhookOf(where: Where): Promise<number> {
  const { id } = await db
    .insertInto('alert_webhook')
    .values({ unit_id: unitOf(where).id, url: 'https://chat.example.vn/hook', secret: 'whsec_test', created_by: null })
    .returning('id')
    .executeTakeFirstOrThrow();
  return id;
}

/**
 * A finished export: made by the role itself inside its scope, and by an administrator
 * (another official) outside it, which nobody else may fetch.
 */
async function exportOf(where: Where, role: Role): Promise<string> {
  const owner = where === 'in' ? sessions[role] : sessions.admin;
  const started = await owner.request('POST', '/reports/exports', {
    unitId: unitOf(where).id,
    period: '2026',
    format: 'csv',
  });
  const { id } = (await started.json()) as { id: string };
  for (;;) {
    const job = await (await owner.api.reports.exports[':id'].$get({ param: { id } })).json();
    if (job.status !== 'running') return id;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Endpoints whose lists hold no unit filter: outside data must simply not appear in them. */
const listsWithoutFilter = new Set(['GET /units', 'GET /users']);

beforeAll(async () => {
  server = await startTestServer(db);
  country = await makeUnit(db, { kind: 'country' });
  const provinceP = await makeUnit(db, { kind: 'province', parent_id: country.id, name: 'Tỉnh Trong Phạm Vi' });
  const provinceQ = await makeUnit(db, { kind: 'province', parent_id: country.id, name: 'Tỉnh Ngoài Phạm Vi' });
  inside = await makeUnit(db, { parent_id: provinceP.id, name: 'Xã Trong' });
  outside = await makeUnit(db, { parent_id: provinceQ.id, name: 'Xã Ngoài Bí Mật' });
  insideDesk = (await makeDesk(db, { unit: inside, domains: ['land', 'health'] })).desk;
  outsideDesk = (await makeDesk(db, { unit: outside, domains: ['land', 'health'] })).desk;
  await makeOfficial(db, 'viewer', outside);
  await ratingWithComment(outsideDesk);
  for (const role of roles) {
    const official = await makeOfficial(db, role, role === 'admin' ? country : provinceP);
    sessions[role] = await signIn(server, official.username, official.password);
  }
});

describe('authorisation matrix of the officials API', () => {
  it('has a case for every registered route, and no case without a route', () => {
    const registered = new Set(
      officialsApiRoutes.routes
        .filter((route) => route.method !== 'ALL')
        .map((route) => `${route.method} ${route.path}`),
    );
    registered.delete('POST /session'); // signing in, proved in sessions.test.ts
    expect([...registered].sort()).toEqual(Object.keys(cases).sort());
  });

  for (const [route, testCase] of Object.entries(cases)) {
    describe(route, () => {
      it('needs a session', async () => {
        const call = await testCase.call('in', 'admin');
        const response = await server.request(call.method, `/api/v1/officials${call.path}`, { body: call.body });
        expect(response.status).toBe(401);
      });

      for (const role of roles) {
        const allowed = testCase.roles.includes(role);
        it(`${role}: ${allowed ? `${testCase.status} inside the scope` : '403'}`, async () => {
          const call = await testCase.call('in', role);
          const response = await (call.as ?? sessions[role]).request(call.method, call.path, call.body);
          expect(response.status, await response.clone().text()).toBe(allowed ? testCase.status : 403);
          if (allowed && response.status === 200 && role !== 'admin') {
            // Nothing from outside the scope leaks into what comes back.
            const text = await response.text();
            for (const secret of [outside.name, outside.code, outsideDesk.code]) expect(text).not.toContain(secret);
          }
        });

        if (!testCase.unscoped && allowed) {
          const expected = role === 'admin' ? testCase.status : listsWithoutFilter.has(route) ? testCase.status : 404;
          it(`${role}: ${expected} outside the scope${role === 'admin' ? ' (administrators see all)' : ''}`, async () => {
            const call = await testCase.call('out', role);
            const response = await sessions[role].request(call.method, call.path, call.body);
            const text = await response.text();
            expect(response.status, text).toBe(expected);
            if (role !== 'admin') {
              for (const secret of [outside.name, outside.code, outsideDesk.code]) expect(text).not.toContain(secret);
            }
            if (expected === 404) expect(JSON.parse(text)).toMatchObject({ error: { code: 'not_found' } });
          });
        }
      }
    });
  }

  it('an out-of-scope id answers exactly like an id that does not exist', async () => {
    const missing = await sessions.manager.request('GET', '/desks/2000000000/devices');
    const hidden = await sessions.manager.request('GET', `/desks/${outsideDesk.id}/devices`);
    expect(hidden.status).toBe(missing.status);
    const strip = (body: { error: { requestId?: string } }) => ({ ...body.error, requestId: undefined });
    expect(strip((await hidden.json()) as { error: { requestId?: string } })).toEqual(
      strip((await missing.json()) as { error: { requestId?: string } }),
    );
  });
});

import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Unit } from '../../server/units/unit.table.ts';
import { createTestDatabase } from '../database.ts';
import { makeDesk, makeUnit, quickRating } from '../factories.ts';
import { makeOfficial, signIn, type SignedIn } from '../officials.ts';
import { startTestServer, type TestServer } from '../server.ts';
import { errorOf } from '../http.ts';

const { db } = await createTestDatabase();
let server: TestServer;
let province: Unit;
let commune: Unit;
let admin: SignedIn;
let manager: SignedIn;
let managerId: number;

beforeAll(async () => {
  server = await startTestServer(db, { RATE_LIMIT_PER_SOURCE: '100000' });
  const country = await makeUnit(db, { kind: 'country' });
  province = await makeUnit(db, { kind: 'province', parent_id: country.id });
  commune = await makeUnit(db, { parent_id: province.id });
  const adminAccount = await makeOfficial(db, 'admin', country);
  const managerAccount = await makeOfficial(db, 'manager', commune);
  managerId = managerAccount.id;
  admin = await signIn(server, adminAccount.username, adminAccount.password);
  manager = await signIn(server, managerAccount.username, managerAccount.password);
});

const errorCode = async (response: Response) => (await errorOf(response)).code;

describe('units', () => {
  it('a manager sets the unit’s hotline and complaint channel; the surveys of its desks, and of units below, carry them', async () => {
    const unit = await makeUnit(db, { parent_id: commune.id });
    const below = await makeUnit(db, { parent_id: unit.id });
    const { desk } = await makeDesk(db, { unit: below, domains: ['land'] });
    const refused = await manager.request('PATCH', `/units/${unit.id}`, {
      hotline: 'gọi tôi',
      complaintUrl: 'javascript:alert(1)',
    });
    expect(refused.status).toBe(400);
    const { error } = (await refused.json()) as {
      error: { fields: { path: string; code: string; params?: object }[] };
    };
    expect([...new Set(error.fields.map((field) => field.path))].sort()).toEqual(['complaintUrl', 'hotline']);
    expect(error.fields.find((field) => field.path === 'complaintUrl')).toMatchObject({
      code: 'invalid_format',
      params: { format: 'url' },
    });

    const saved = await manager.request('PATCH', `/units/${unit.id}`, {
      hotline: ' (0237) 3.852.100 ',
      complaintUrl: 'https://dichvucong.example.gov.vn/phản-ánh',
    });
    expect(saved.status).toBe(204);
    const survey = async () =>
      ((await (await server.get(`/api/v1/public/desks/${desk.code}`)).json()) as { unit: object }).unit;
    expect(await survey()).toMatchObject({
      hotline: '(0237) 3.852.100',
      complaintUrl: 'https://dichvucong.example.gov.vn/ph%E1%BA%A3n-%C3%A1nh',
    });
    expect((await manager.request('PATCH', `/units/${unit.id}`, { hotline: null, complaintUrl: null })).status).toBe(
      204,
    );
    expect(await survey()).toMatchObject({ hotline: null, complaintUrl: null });
  });

  it('a manager creates units under its own, never a second root, and never a duplicate code', async () => {
    const created = await manager.request('POST', '/units', {
      code: `T-${randomUUID().slice(0, 8)}`,
      name: 'Tổ một cửa',
      kind: 'agency',
      parentId: commune.id,
    });
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: number };
    const units = await (await manager.api.units.$get()).json();
    expect(units.find((unit) => unit.id === id)?.parentId).toBe(commune.id);
    // The manager's own unit shows as the root of its tree.
    expect(units.find((unit) => unit.id === commune.id)?.parentId).toBeNull();

    const root = await manager.request('POST', '/units', {
      code: 'ROOT-X',
      name: 'Gốc',
      kind: 'province',
      parentId: null,
    });
    expect(root.status).toBe(422);
    const duplicate = await manager.request('POST', '/units', {
      code: commune.code,
      name: 'Trùng',
      kind: 'agency',
      parentId: commune.id,
    });
    expect(duplicate.status).toBe(409);
    expect(await errorCode(duplicate)).toBe('unit_code_taken');
  });

  it('an agency may be marked a hospital or a school, to be ranked apart; a commune may not', async () => {
    const created = await manager.request('POST', '/units', {
      code: `H-${randomUUID().slice(0, 8)}`,
      name: 'Trạm y tế',
      kind: 'agency',
      agencySector: 'health',
      parentId: commune.id,
    });
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: number };
    const listed = async () =>
      (await (await manager.api.units.$get()).json()).find((unit) => unit.id === id)!.agencySector;
    expect(await listed()).toBe('health');
    expect((await manager.request('PATCH', `/units/${id}`, { agencySector: 'education' })).status).toBe(204);
    expect(await listed()).toBe('education');
    expect((await manager.request('PATCH', `/units/${id}`, { agencySector: null })).status).toBe(204);
    expect(await listed()).toBeNull();

    const wrong = await manager.request('POST', '/units', {
      code: `W-${randomUUID().slice(0, 8)}`,
      name: 'Xã y tế',
      kind: 'commune',
      agencySector: 'health',
      parentId: commune.id,
    });
    expect(wrong.status).toBe(400);
    const village = (await (
      await manager.request('POST', '/units', {
        code: `V-${randomUUID().slice(0, 8)}`,
        name: 'Thôn',
        kind: 'commune',
        parentId: commune.id,
      })
    ).json()) as { id: number };
    const patched = await manager.request('PATCH', `/units/${village.id}`, { agencySector: 'education' });
    expect(patched.status).toBe(400);
    expect(await errorCode(patched)).toBe('invalid_request');
  });

  it('closing a unit stops its desks; a manager cannot close its own unit', async () => {
    const agency = await makeUnit(db, { parent_id: commune.id, kind: 'agency' });
    const { desk } = await makeDesk(db, { unit: agency });
    expect((await manager.request('PATCH', `/units/${agency.id}`, { validUntil: '2026-01-01' })).status).toBe(204);
    expect((await server.post('/api/v1/public/responses', quickRating({ deskCode: desk.code }))).status).toBe(409);
    const own = await manager.request('PATCH', `/units/${commune.id}`, { validUntil: '2026-01-01' });
    expect(own.status).toBe(403);
    expect((await manager.request('PATCH', `/units/${commune.id}`, { name: 'Xã Đổi Tên' })).status).toBe(204);
  });

  it('merging keeps the history of the old unit under the new one', async () => {
    const oldUnit = await makeUnit(db, { parent_id: commune.id });
    const newUnit = await makeUnit(db, { parent_id: commune.id });
    expect(
      (await manager.request('POST', `/units/${oldUnit.id}/merge`, { intoUnitId: newUnit.id, from: '2026-07-01' }))
        .status,
    ).toBe(204);
    const closure = await db
      .selectFrom('unit_closure')
      .select('ancestor_id')
      .where('unit_id', '=', oldUnit.id)
      .execute();
    expect(closure.map((row) => row.ancestor_id)).toContain(newUnit.id);
    const again = await manager.request('POST', `/units/${oldUnit.id}/merge`, {
      intoUnitId: newUnit.id,
      from: '2026-08-01',
    });
    expect(again.status).toBe(409);
    const bad = await manager.request('POST', `/units/${newUnit.id}/merge`, {
      intoUnitId: newUnit.id,
      from: 'tomorrow',
    });
    expect(bad.status).toBe(400);
  });
});

describe('desks', () => {
  it('are created with their domains and a public code, and changes show on the survey', async () => {
    const created = await manager.request('POST', '/desks', {
      unitId: commune.id,
      name: 'Quầy 5',
      domains: ['land', 'justice'],
      questionnaire: 'full',
    });
    expect(created.status).toBe(201);
    const { id, code } = (await created.json()) as { id: number; code: string };
    expect(code).toMatch(/^[a-z0-9]{8}$/);
    expect(
      (
        await manager.request('PATCH', `/desks/${id}`, {
          domains: ['civil_status'],
          kioskIdleSeconds: 45,
          questionnaire: 'quick',
        })
      ).status,
    ).toBe(204);
    const survey = (await (await server.get(`/api/v1/public/desks/${code}`)).json()) as {
      domains: { code: string }[];
      desk: { kioskIdleSeconds: number };
      questionnaire: { id: string };
    };
    expect(survey.domains.map((domain) => domain.code)).toEqual(['civil_status']);
    expect(survey.desk.kioskIdleSeconds).toBe(45);
    expect(survey.questionnaire.id).toBe('quick-1');
    const list = await (await manager.api.desks.$get({ query: { unitId: String(commune.id) } })).json();
    expect(list.find((desk) => desk.id === id)?.surveyUrl).toBe(`${server.baseUrl}/s/${code}`);
  });

  it('refuse unknown domains and out-of-range settings, naming the field', async () => {
    const unknown = await manager.request('POST', '/desks', {
      unitId: commune.id,
      name: 'Q',
      domains: ['land', 'astrology'],
      questionnaire: 'quick',
    });
    expect(unknown.status).toBe(422);
    expect(((await unknown.json()) as { error: { fields: { path: string }[] } }).error.fields[0]!.path).toBe(
      'domains.1',
    );
    const idle = await manager.request('POST', '/desks', {
      unitId: commune.id,
      name: 'Q',
      domains: ['land'],
      questionnaire: 'quick',
      kioskIdleSeconds: 2,
    });
    expect(idle.status).toBe(400);
    const none = await manager.request('POST', '/desks', {
      unitId: commune.id,
      name: 'Q',
      domains: [],
      questionnaire: 'quick',
    });
    expect(none.status).toBe(400);
  });
});

describe('kiosk devices and receipt software', () => {
  it('show the key once, list without it, report their queue, and stop working when revoked', async () => {
    const { desk } = await makeDesk(db, { unit: commune });
    const paired = await manager.request('POST', `/desks/${desk.id}/devices`, { label: 'Tablet quầy 2' });
    expect(paired.status).toBe(201);
    expect(paired.headers.get('cache-control')).toBe('no-store');
    const { id, key } = (await paired.json()) as { id: number; key: string };
    expect((await server.post('/api/v1/public/kiosk/status', { queueLength: 4 }, { 'x-kiosk-key': key })).status).toBe(
      200,
    );
    expect(
      (
        await server.post('/api/v1/public/responses', quickRating({ deskCode: desk.code, channel: 'kiosk' }), {
          'x-kiosk-key': key,
        })
      ).status,
    ).toBe(201);

    const listed = (await (await manager.request('GET', `/desks/${desk.id}/devices`)).json()) as Record<
      string,
      unknown
    >[];
    expect(listed).toEqual([
      expect.objectContaining({ id, label: 'Tablet quầy 2', purpose: 'kiosk', queueLength: 4, revokedAt: null }),
    ]);
    expect(listed[0]!.lastRatingAt).not.toBeNull();
    expect(JSON.stringify(listed)).not.toContain(key);

    expect((await manager.request('POST', `/devices/${id}/revoke`)).status).toBe(204);
    expect(
      (
        await server.post('/api/v1/public/responses', quickRating({ deskCode: desk.code, channel: 'kiosk' }), {
          'x-kiosk-key': key,
        })
      ).status,
    ).toBe(403);
  });

  it('receipt software issues codes only with a key paired for receipts, for a domain its desk serves', async () => {
    const { desk } = await makeDesk(db, { unit: commune, domains: ['land'] });
    const kiosk = await (
      await manager.api.desks[':id'].devices.$post({ param: { id: String(desk.id) }, json: {} })
    ).json();
    const receipts = (await (
      await manager.request('POST', `/desks/${desk.id}/devices`, { purpose: 'receipts' })
    ).json()) as { key: string; pairingUrl: string | null };
    expect(receipts.pairingUrl).toBeNull();
    const issue = (key: string, domain = 'land') =>
      server.request('POST', '/api/v1/desk/dossier-codes', { body: { domain }, headers: { 'x-device-key': key } });
    expect((await issue(kiosk.key)).status).toBe(403);
    expect((await issue(receipts.key, 'health')).status).toBe(422);
    expect((await issue(receipts.key)).status).toBe(201);
    expect((await server.request('POST', '/api/v1/desk/dossier-codes', { body: { domain: 'land' } })).status).toBe(400);
  });
});

describe('targets', () => {
  it('are kept per unit, year and metric, with the plan they come from', async () => {
    const body = {
      unitId: commune.id,
      year: 2026,
      metric: 'tthc',
      comparison: 'gt',
      threshold: 80,
      planNumber: 'Kế hoạch số 12/KH-UBND',
      planDate: '2026-01-15',
      planSentence: 'Mức độ hài lòng của người dân trong giải quyết thủ tục hành chính đạt trên 80%.',
    };
    const created = await manager.request('POST', '/targets', body);
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: number };
    expect((await manager.request('POST', '/targets', body)).status).toBe(409);
    expect((await manager.request('POST', '/targets', { ...body, metric: 'domain' })).status).toBe(400);
    expect((await manager.request('POST', '/targets', { ...body, threshold: 101 })).status).toBe(400);
    expect((await manager.request('PATCH', `/targets/${id}`, { threshold: 82.5 })).status).toBe(204);
    const listed = (await (await manager.request('GET', `/targets?unitId=${commune.id}&year=2026`)).json()) as Record<
      string,
      unknown
    >[];
    expect(listed).toEqual([
      expect.objectContaining({ id, metric: 'tthc', comparison: 'gt', threshold: 82.5, planDate: '2026-01-15' }),
    ]);
    expect((await manager.request('DELETE', `/targets/${id}`)).status).toBe(204);
    expect((await manager.request('GET', `/targets?unitId=${commune.id}`)).json()).resolves.toEqual([]);
  });
});

describe('users', () => {
  it('a manager appoints viewers in its subtree only; the administrator appoints managers', async () => {
    const viewer = {
      username: `viewer-${randomUUID().slice(0, 6)}`,
      displayName: 'Cán bộ xem',
      role: 'viewer',
      unitId: commune.id,
      password: 'a-long-password',
    };
    expect((await manager.request('POST', '/users', viewer)).status).toBe(201);
    expect((await manager.request('POST', '/users', viewer)).status).toBe(409);
    const asManager = await manager.request('POST', '/users', { ...viewer, username: 'promoted-one', role: 'manager' });
    expect(asManager.status).toBe(403);
    expect(await errorCode(asManager)).toBe('role_not_allowed');
    expect(
      (await manager.request('POST', '/users', { ...viewer, username: 'short-pw', password: 'short' })).status,
    ).toBe(400);
    expect(
      (await admin.request('POST', '/users', { ...viewer, username: 'new-manager', role: 'manager' })).status,
    ).toBe(201);
    expect((await manager.request('PATCH', `/users/${managerId}`, { role: 'admin' })).status).toBe(403);
  });

  it('a password reset signs the account out everywhere', async () => {
    const account = await makeOfficial(db, 'viewer', commune);
    const session = await signIn(server, account.username, account.password);
    expect((await manager.request('PATCH', `/users/${account.id}`, { password: 'reset-by-manager-1' })).status).toBe(
      204,
    );
    expect((await session.request('GET', '/session')).status).toBe(401);
    await signIn(server, account.username, 'reset-by-manager-1');
  });
});

describe('follow-up of comments and low ratings', () => {
  it('lists comments and low ratings (not plain good ones), with a status and an internal note', async () => {
    const { desk } = await makeDesk(db, { unit: commune, domains: ['land'] });
    const post = async (body: Record<string, unknown>) =>
      (
        (await (
          await server.post('/api/v1/public/responses', quickRating({ deskCode: desk.code, ...body }))
        ).json()) as { id: number }
      ).id;
    const comment = await post({ answers: { overall: 5 }, comment: '<script>alert(1)</script> =SUM(A1)' });
    const low = await post({ answers: { overall: 1 }, reasons: ['harassment'] });
    const good = await post({ answers: { overall: 4 } });

    type Item = {
      id: number;
      comment: string | null;
      overall: number;
      reasons: string[];
      status: string;
      note: string | null;
    };
    const list = async (query = '') =>
      (await (await manager.request('GET', `/follow-ups?unitId=${desk.unit_id}${query}`)).json()) as Item[];
    const items = await list();
    expect(items.map((item) => item.id)).toEqual([low, comment]);
    expect(items.find((item) => item.id === comment)!.comment).toBe('<script>alert(1)</script> =SUM(A1)');
    expect(items.find((item) => item.id === low)).toMatchObject({
      overall: 1,
      reasons: ['harassment'],
      status: 'received',
    });
    expect(items.some((item) => item.id === good)).toBe(false);

    expect(
      (await manager.request('PUT', `/follow-ups/${low}`, { status: 'answered', note: 'Đã làm việc với cán bộ' }))
        .status,
    ).toBe(204);
    expect(await list('&status=answered')).toEqual([
      expect.objectContaining({ id: low, status: 'answered', note: 'Đã làm việc với cán bộ' }),
    ]);
    expect((await list('&kind=comment')).map((item) => item.id)).toEqual([comment]);
    expect((await list(`&before=${low}`)).map((item) => item.id)).toEqual([comment]);
    expect((await manager.request('PUT', `/follow-ups/${good}`, { status: 'answered' })).status).toBe(404);
    expect((await manager.request('PUT', `/follow-ups/${low}`, { status: 'done' })).status).toBe(400);
  });

  it('lists by the time of rating, newest first, pages without a repeat or a gap, and counts each status', async () => {
    const { desk } = await makeDesk(db, { unit: commune, domains: ['land', 'health'] });
    const daysAgo = (days: number) => new Date(Date.now() - days * 86_400_000);
    const post = async (body: Record<string, unknown>) =>
      (
        (await (
          await server.post('/api/v1/public/responses', quickRating({ deskCode: desk.code, ...body }))
        ).json()) as { id: number }
      ).id;
    // A tablet sends days later what it kept offline: arrival order is not rating order.
    const today = await post({ answers: { overall: 1 }, clientTime: daysAgo(0).toISOString() });
    const fiftyDaysAgo = await post({ answers: { overall: 2 }, clientTime: daysAgo(50).toISOString() });
    const twentyDaysAgo = await post({
      answers: { overall: 5 },
      comment: 'Phòng chờ nóng',
      domain: 'health',
      clientTime: daysAgo(20).toISOString(),
    });

    type Item = { id: number; ratedAt: string };
    const list = async (query: string) =>
      ((await (await manager.request('GET', `/follow-ups?deskId=${desk.id}${query}`)).json()) as Item[]).map(
        (item) => item.id,
      );
    expect(await list('')).toEqual([today, twentyDaysAgo, fiftyDaysAgo]);

    // Keyset paging on (time of rating, id): one item a page, each once.
    const pages: number[] = [];
    let before = '';
    for (;;) {
      const page = await list(`&limit=1${before}`);
      if (page.length === 0) break;
      pages.push(...page);
      before = `&before=${page[0]}`;
    }
    expect(pages).toEqual([today, twentyDaysAgo, fiftyDaysAgo]);

    expect(await list('&domain=health')).toEqual([twentyDaysAgo]);
    const vietnamDay = (at: Date) => new Date(at.getTime() + 7 * 3_600_000).toISOString().slice(0, 10);
    const day = vietnamDay(daysAgo(50));
    expect(await list(`&period=${day}..${day}`)).toEqual([fiftyDaysAgo]);

    expect((await manager.request('PUT', `/follow-ups/${today}`, { status: 'answered' })).status).toBe(204);
    const counts = await manager.request('GET', `/follow-ups/counts?deskId=${desk.id}`);
    expect(await counts.json()).toEqual({ received: 2, in_progress: 0, answered: 1 });
    const healthCounts = await manager.request('GET', `/follow-ups/counts?deskId=${desk.id}&domain=health`);
    expect(await healthCounts.json()).toEqual({ received: 1, in_progress: 0, answered: 0 });
    expect(await list('&status=answered')).toEqual([today]);

    // A desk outside the manager's scope is not found, like one that does not exist.
    const { desk: elsewhere } = await makeDesk(db);
    expect((await manager.request('GET', `/follow-ups?deskId=${elsewhere.id}`)).status).toBe(404);
    expect((await manager.request('GET', `/follow-ups/counts?deskId=${elsewhere.id}`)).status).toBe(404);
  });
});

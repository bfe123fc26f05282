import { beforeAll, describe, expect, it } from 'vitest';
import { escalateOverdue } from '../../server/comments/follow-up.repository.ts';
import { MISSES_PER_WINDOW } from '../../server/comments/public-follow-up.ts';
import { newFollowUpCode } from '../../server/comments/follow-up-code.ts';
import type { Unit } from '../../server/units/unit.table.ts';
import { addWorkingDays } from '../../server/time/working-days.ts';
import { vietnamDate } from '../../server/time/vietnam-time.ts';
import { createTestDatabase } from '../database.ts';
import { makeDesk, makeDossierToken, makeUnit, quickRating } from '../factories.ts';
import { errorOf } from '../http.ts';
import { downloadExport, makeOfficial, signIn, type SignedIn } from '../officials.ts';
import { startTestServer, type TestServer } from '../server.ts';

const { db } = await createTestDatabase();
let server: TestServer;
let province: Unit;
let commune: Unit;
let provinceManager: SignedIn;
let manager: SignedIn;
let managerId: number;
let viewerId: number;

beforeAll(async () => {
  server = await startTestServer(db, { RATE_LIMIT_PER_SOURCE: '100000' });
  const country = await makeUnit(db, { kind: 'country' });
  province = await makeUnit(db, { kind: 'province', parent_id: country.id });
  commune = await makeUnit(db, { parent_id: province.id });
  const provinceAccount = await makeOfficial(db, 'manager', province);
  const managerAccount = await makeOfficial(db, 'manager', commune);
  viewerId = (await makeOfficial(db, 'viewer', commune)).id;
  managerId = managerAccount.id;
  provinceManager = await signIn(server, provinceAccount.username, provinceAccount.password);
  manager = await signIn(server, managerAccount.username, managerAccount.password);
});

async function rate(body: Record<string, unknown>): Promise<number> {
  const response = await server.post('/api/v1/public/responses', quickRating(body));
  expect(response.status).toBe(201);
  return ((await response.json()) as { id: number }).id;
}

type Item = {
  id: number;
  comment: string | null;
  elements: string[];
  dueOn: string | null;
  overdue: boolean;
  escalatedAt: string | null;
  assignedTo: { id: number; name: string } | null;
  publicReply: string | null;
  note: string | null;
};

const list = async (session: SignedIn, query: string) =>
  (await (await session.request('GET', `/follow-ups?${query}`)).json()) as Item[];

describe('comments as they are stored', () => {
  it('are masked and tagged with their SIPAS elements, and get a due day in the unit’s working days', async () => {
    const unit = await makeUnit(db, { parent_id: commune.id });
    await manager.request('PATCH', `/units/${unit.id}`, { followUpDays: 3 });
    const { desk } = await makeDesk(db, { unit, domains: ['land'] });
    const id = await rate({
      deskCode: desk.code,
      answers: { overall: 2 },
      comment: 'Cán bộ hách dịch, chờ lâu. Gọi lại cho tôi 0912 345 678 hoặc a.nguyen@gmail.com, CCCD 038090001234',
    });
    const stored = await db.selectFrom('comment').selectAll().where('response_id', '=', id).executeTakeFirstOrThrow();
    expect(stored.body).toBe(
      'Cán bộ hách dịch, chờ lâu. Gọi lại cho tôi [số điện thoại] hoặc [email], CCCD [số định danh]',
    );
    expect(stored.elements).toEqual(['access', 'civil_servant']);

    const [item] = await list(manager, `unitId=${unit.id}`);
    expect(item).toMatchObject({ id, elements: ['access', 'civil_servant'], overdue: false, assignedTo: null });
    // Received a minute after the rating; three working days from that Vietnam day.
    expect(item!.dueOn).toBe(addWorkingDays(vietnamDate(new Date()), 3));

    // A unit without its own setting takes the nearest one above it, else 5.
    const below = await makeUnit(db, { parent_id: unit.id });
    const { desk: deskBelow } = await makeDesk(db, { unit: below, domains: ['land'] });
    await rate({ deskCode: deskBelow.code, answers: { overall: 1 } });
    expect((await list(manager, `unitId=${below.id}`))[0]!.dueOn).toBe(addWorkingDays(vietnamDate(new Date()), 3));
    const { desk: plainDesk } = await makeDesk(db, { unit: await makeUnit(db, { parent_id: commune.id }) });
    await rate({ deskCode: plainDesk.code, comment: 'Phòng chờ sạch sẽ' });
    expect((await list(manager, `deskId=${plainDesk.id}`))[0]!.dueOn).toBe(addWorkingDays(vietnamDate(new Date()), 5));
  });

  it('counts comments per SIPAS element, and lists those of one element', async () => {
    const unit = await makeUnit(db, { parent_id: commune.id });
    const { desk } = await makeDesk(db, { unit, domains: ['land'] });
    await rate({ deskCode: desk.code, comment: 'Thủ tục rắc rối, phí cao' });
    await rate({ deskCode: desk.code, comment: 'Thu tuc nhanh, can bo nhiet tinh' });
    const late = await rate({ deskCode: desk.code, answers: { overall: 2 }, comment: 'Trễ hẹn hai tuần' });
    await rate({ deskCode: desk.code, answers: { overall: 1 } });
    const counts = await (await manager.request('GET', `/follow-ups/elements?unitId=${unit.id}`)).json();
    expect(counts).toEqual({
      comments: 3,
      elements: [
        { element: 'access', comments: 0 },
        { element: 'procedure', comments: 2 },
        { element: 'civil_servant', comments: 1 },
        { element: 'result', comments: 1 },
        { element: 'feedback', comments: 0 },
      ],
    });
    expect((await list(manager, `unitId=${unit.id}&element=result`)).map((item) => item.id)).toEqual([late]);
  });
});

describe('owners, deadlines and escalation', () => {
  it('a manager assigns a follow-up to a manager who sees the unit, never to a viewer or to someone out of scope', async () => {
    const { desk } = await makeDesk(db, { unit: commune, domains: ['land'] });
    const id = await rate({ deskCode: desk.code, answers: { overall: 1 } });
    const outsider = await makeOfficial(db, 'manager', await makeUnit(db));
    const refusedViewer = await manager.request('PUT', `/follow-ups/${id}`, {
      status: 'in_progress',
      assignedTo: viewerId,
    });
    expect(refusedViewer.status).toBe(400);
    expect((await errorOf(refusedViewer)).fields?.[0]).toMatchObject({ path: 'assignedTo', code: 'cannot_answer' });
    const refusedOutsider = await manager.request('PUT', `/follow-ups/${id}`, {
      status: 'in_progress',
      assignedTo: outsider.id,
    });
    expect((await errorOf(refusedOutsider)).fields?.[0]).toMatchObject({ path: 'assignedTo', code: 'not_found' });

    const saved = await manager.request('PUT', `/follow-ups/${id}`, { status: 'in_progress', assignedTo: managerId });
    expect(saved.status).toBe(204);
    const mine = await list(manager, 'mine=true');
    expect(mine.map((item) => item.id)).toEqual([id]);
    expect(mine[0]!.assignedTo).toMatchObject({ id: managerId });
  });

  it('an overdue follow-up shows on the dashboard, goes up to the parent unit’s managers, and comes back with a new due day', async () => {
    const unit = await makeUnit(db, { parent_id: commune.id });
    const { desk } = await makeDesk(db, { unit, domains: ['land'] });
    const late = await rate({ deskCode: desk.code, comment: 'Chưa ai trả lời' });
    const onTime = await rate({ deskCode: desk.code, answers: { overall: 2 } });
    const answered = await rate({ deskCode: desk.code, answers: { overall: 3 } });
    const today = vietnamDate(new Date());
    await db
      .updateTable('follow_up')
      .set({ due_on: '2026-01-05' })
      .where('response_id', 'in', [late, answered])
      .execute();
    await manager.request('PUT', `/follow-ups/${answered}`, { status: 'answered' });

    const overdue = async (session: SignedIn) =>
      (await (await session.request('GET', `/follow-ups/overdue?unitId=${unit.id}`)).json()) as {
        overdue: number;
        escalated: number;
        items: Item[];
      };
    expect(await overdue(manager)).toMatchObject({ overdue: 1, escalated: 0, items: [{ id: late, overdue: true }] });
    expect((await list(manager, `unitId=${unit.id}&overdue=true`)).map((item) => item.id)).toEqual([late]);

    // The housekeeping's clock: escalation happens once, and only past the due day.
    expect(await escalateOverdue(db, new Date('2026-01-05T16:59:00Z'))).toBe(0); // 23:59 on the due day
    expect(await escalateOverdue(db, new Date('2026-01-05T17:00:00Z'))).toBeGreaterThanOrEqual(1);
    expect(await escalateOverdue(db, new Date())).toBe(0);
    const escalated = await list(provinceManager, `unitId=${unit.id}&escalated=true`);
    expect(escalated.map((item) => item.id)).toEqual([late]);
    expect(escalated[0]!.escalatedAt).toBe('2026-01-05T17:00:00.000Z');
    expect(await overdue(provinceManager)).toMatchObject({ overdue: 1, escalated: 1 });

    // A new due day, not past, takes it back from the parent unit.
    const later = addWorkingDays(today, 2);
    expect((await manager.request('PUT', `/follow-ups/${late}`, { status: 'in_progress', dueOn: later })).status).toBe(
      204,
    );
    expect(await list(provinceManager, `unitId=${unit.id}&escalated=true`)).toEqual([]);
    expect(await overdue(manager)).toMatchObject({ overdue: 0, items: [] });
    expect((await list(manager, `unitId=${unit.id}`)).find((item) => item.id === onTime)!.overdue).toBe(false);
  });
});

describe('exports', () => {
  it('count comments per element, and list every follow-up with its owner, due day and escalation', async () => {
    const unit = await makeUnit(db, { parent_id: commune.id, name: 'Xã Xuất Khẩu' });
    const { desk } = await makeDesk(db, { unit, domains: ['land'] });
    const harsh = await rate({ deskCode: desk.code, answers: { overall: 1 }, comment: 'Cán bộ gây khó dễ, trễ hẹn' });
    await rate({ deskCode: desk.code, comment: 'Thủ tục nhanh gọn' });
    await rate({ deskCode: desk.code, answers: { overall: 5 } });
    await manager.request('PUT', `/follow-ups/${harsh}`, {
      status: 'in_progress',
      assignedTo: managerId,
      dueOn: '2026-01-05',
      publicReply: 'Đang xác minh',
    });
    await escalateOverdue(db, new Date('2026-01-06T03:00:00Z'));
    const year = vietnamDate(new Date()).slice(0, 4);
    const csv = async (table: string) => {
      const response = await downloadExport(manager, { unitId: unit.id, period: year, format: 'csv', table });
      return new TextDecoder()
        .decode(new Uint8Array(await response.arrayBuffer()))
        .trim()
        .split('\r\n');
    };
    expect(await csv('elements')).toEqual([
      'Yếu tố SIPAS,Số góp ý nhắc đến,Tỷ lệ trên 2 góp ý (%)',
      'Tiếp cận dịch vụ,0,0',
      'Thủ tục hành chính,1,50',
      'Công chức trực tiếp giải quyết công việc,1,50',
      'Kết quả giải quyết,1,50',
      '"Tiếp nhận, xử lý góp ý, phản ánh, kiến nghị",0,0',
      '"Một góp ý có thể nhắc đến nhiều yếu tố, hoặc không yếu tố nào."',
    ]);
    const followUps = await csv('follow_ups');
    expect(followUps[0]).toBe(
      'Thời gian,Đơn vị,Quầy,Mức đánh giá,Có góp ý,Tình trạng,Người phụ trách,Hạn xử lý,Quá hạn,Chuyển cấp trên lúc,Trả lời công dân',
    );
    expect(followUps).toHaveLength(3);
    expect(followUps[1]).toContain(',Rất không hài lòng,Có,Đang xử lý,');
    expect(followUps[1]).toContain(',05/01/2026,Quá hạn,2026-01-06 10:00,Đang xác minh');
  });
});

describe('the citizen’s code', () => {
  it('opens the status and the public reply, never the comment, the internal note or a name', async () => {
    const { desk } = await makeDesk(db, { unit: commune, domains: ['land'] });
    const code = newFollowUpCode();
    const id = await rate({
      deskCode: desk.code,
      answers: { overall: 2 },
      comment: 'Bí mật của tôi: cán bộ đòi phong bì',
      followUpCode: code,
    });
    const read = async (typed: string) => server.get(`/api/v1/public/follow-ups/${encodeURIComponent(typed)}`);
    expect(await (await read(code)).json()).toMatchObject({ status: 'received', reply: null });

    await manager.request('PUT', `/follow-ups/${id}`, {
      status: 'answered',
      note: 'Ghi chú nội bộ: đã kỷ luật ông X',
      assignedTo: managerId,
      publicReply: 'Cơ quan đã làm việc với cán bộ và xin lỗi Ông/Bà.',
    });
    // Typed by a person: lower case, dashes, O for 0 and I for 1.
    const typed = `${code.slice(0, 4)}-${code.slice(4, 8)}-${code.slice(8)}`
      .toLowerCase()
      .replace(/0/g, 'o')
      .replace(/1/g, 'i');
    const answer = await read(typed);
    expect(answer.status).toBe(200);
    const body = await answer.json();
    expect(body).toEqual({
      unit: commune.name,
      ratedOn: vietnamDate(new Date()),
      status: 'answered',
      dueOn: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/),
      reply: 'Cơ quan đã làm việc với cán bộ và xin lỗi Ông/Bà.',
      repliedOn: vietnamDate(new Date()),
    });

    const page = await server.get(`/f/${code}`);
    expect(page.status).toBe(200);
    expect(page.headers.get('cache-control')).toBe('no-store');
    const html = await page.text();
    expect(html).toContain('Cơ quan đã làm việc với cán bộ và xin lỗi Ông/Bà.');
    expect(html).toContain('Đã trả lời');
    for (const hidden of ['Bí mật', 'phong bì', 'Ghi chú nội bộ', 'ông X', 'manager ', desk.name]) {
      expect(html).not.toContain(hidden);
    }
    expect(html).not.toContain('<script');
  });

  it('a receipt code opens the reply to the rating made with it', async () => {
    const { desk } = await makeDesk(db, { unit: commune, domains: ['land'] });
    const token = await makeDossierToken(db, desk);
    const response = await server.post(
      '/api/v1/public/responses',
      quickRating({ deskCode: undefined, dossierToken: token, channel: 'dossier', answers: { overall: 1 } }),
    );
    const { id } = (await response.json()) as { id: number };
    await manager.request('PUT', `/follow-ups/${id}`, { status: 'answered', publicReply: 'Đã xử lý.' });
    expect(await (await server.get(`/api/v1/public/follow-ups/${token}`)).json()).toMatchObject({
      status: 'answered',
      reply: 'Đã xử lý.',
    });
  });

  it('shows a reply as text, whatever it holds', async () => {
    const { desk } = await makeDesk(db, { unit: commune, domains: ['land'] });
    const code = newFollowUpCode();
    const id = await rate({ deskCode: desk.code, comment: 'Góp ý', followUpCode: code });
    await manager.request('PUT', `/follow-ups/${id}`, {
      status: 'answered',
      publicReply: '<img src=x onerror=alert(1)>',
    });
    const html = await (await server.get(`/f/${code}`)).text();
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(html).not.toContain('<img');
  });

  // Last in the file: the test server's network is then refused for the rest of the window.
  it('refuses a network that has tried too many unknown codes, however many it sends at once, on the API and the page', async () => {
    const unknown = () => server.get(`/api/v1/public/follow-ups/${newFollowUpCode()}`);
    const statuses = (await Promise.all(Array.from({ length: 2 * MISSES_PER_WINDOW }, unknown))).map(
      (answer) => answer.status,
    );
    expect(statuses.filter((status) => status === 404)).toHaveLength(MISSES_PER_WINDOW);
    expect(statuses.filter((status) => status === 429)).toHaveLength(MISSES_PER_WINDOW);
    const refused = await unknown();
    expect(refused.status).toBe(429);
    expect((await errorOf(refused)).code).toBe('too_many_lookups');
    expect(refused.headers.get('retry-after')).toMatch(/^\d+$/);
    expect((await server.get(`/f/${newFollowUpCode()}`)).status).toBe(429);
  });
});

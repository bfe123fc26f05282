import type { Browser, Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { formatFollowUpCode } from '../../server/comments/follow-up-code.ts';
import type { Unit } from '../../server/units/unit.table.ts';
import { createTestDatabase } from '../database.ts';
import { makeDesk, makeDossierToken, makeUnit } from '../factories.ts';
import { makeOfficial } from '../officials.ts';
import { startTestServer, type TestServer } from '../server.ts';
import { expectAccessible, expectLargeTargets, expectNoSidewaysScroll, launchChromium, phone } from './chromium.ts';
import { signedInPage } from './officials-page.ts';

const { db } = await createTestDatabase();
let server: TestServer;
let browser: Browser;
let commune: Unit;
let manager: Awaited<ReturnType<typeof makeOfficial>>;

beforeAll(async () => {
  server = await startTestServer(db, { RATE_LIMIT_PER_SOURCE: '1000' });
  browser = await launchChromium();
  const province = await makeUnit(db, { kind: 'province', name: 'Tỉnh Thử Nghiệm' });
  commune = await makeUnit(db, { parent_id: province.id, name: 'Xã Hòa Bình' });
  manager = await makeOfficial(db, 'manager', commune);
});

/** Rates a desk on a phone with a comment, and returns the page on its thanks with the code it shows. */
async function rateWithComment(page: Page, deskCode: string, comment: string): Promise<string> {
  await page.goto(`${server.baseUrl}/s/${deskCode}`);
  await page.getByRole('radio', { name: 'Không hài lòng', exact: true }).check();
  await page.getByLabel('Góp ý thêm (không bắt buộc)').fill(comment);
  await page.getByRole('button', { name: 'Gửi đánh giá' }).click();
  const code = page.getByRole('region', { name: 'Mã theo dõi góp ý' }).locator('.code');
  await code.waitFor();
  return (await code.textContent())!.trim();
}

describe('the citizen reads the reply with a code', () => {
  it('the thanks give a code; the official replies in the app; the code opens the reply and nothing else', async () => {
    const { desk } = await makeDesk(db, { unit: commune, domains: ['land'] });
    const context = await phone(browser);
    const citizen = await context.newPage();
    const shown = await rateWithComment(citizen, desk.code, 'Cán bộ hách dịch, gọi tôi 0912 345 678');
    expect(shown).toMatch(/^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$/);
    const stored = await db
      .selectFrom('comment')
      .innerJoin('response', 'response.id', 'comment.response_id')
      .select(['comment.body', 'comment.follow_up_code', 'response.id'])
      .where('response.desk_id', '=', desk.id)
      .executeTakeFirstOrThrow();
    expect(formatFollowUpCode(stored.follow_up_code!)).toBe(shown);
    expect(stored.body).toBe('Cán bộ hách dịch, gọi tôi [số điện thoại]');
    await expectNoSidewaysScroll(citizen);

    await citizen.getByRole('link', { name: 'Xem trả lời của cơ quan' }).click();
    await citizen.getByText('Cơ quan chưa trả lời.').waitFor();

    // The unit's manager writes a public reply beside the internal note.
    const official = await signedInPage(browser, server.baseUrl, manager);
    await official.getByRole('navigation').getByRole('link', { name: 'Góp ý', exact: true }).click();
    const item = official.getByRole('listitem').filter({ hasText: 'Cán bộ hách dịch' });
    await item.getByLabel('Tình trạng').selectOption({ label: 'Đã trả lời' });
    await item.getByLabel('Người phụ trách').selectOption({ index: 1 });
    await item.getByLabel('Ghi chú nội bộ').fill('Đã nhắc nhở ông Trần Văn B');
    await item
      .getByLabel('Trả lời công dân (công khai, không ghi tên)')
      .fill('Cơ quan đã chấn chỉnh và xin lỗi Ông/Bà.');
    await item.getByRole('button', { name: 'Lưu' }).click();
    await expect
      .poll(() =>
        db
          .selectFrom('follow_up')
          .select(['status', 'public_reply'])
          .where('response_id', '=', stored.id)
          .executeTakeFirst(),
      )
      .toEqual({ status: 'answered', public_reply: 'Cơ quan đã chấn chỉnh và xin lỗi Ông/Bà.' });
    await official.context().close();

    await citizen.reload();
    await citizen.getByText('Cơ quan đã chấn chỉnh và xin lỗi Ông/Bà.').waitFor();
    const text = await citizen.locator('body').innerText();
    expect(text).toContain('Đã trả lời');
    expect(text).toContain('Xã Hòa Bình');
    for (const hidden of ['hách dịch', 'Trần Văn B', 'nhắc nhở', manager.display_name, desk.name]) {
      expect(text).not.toContain(hidden);
    }
    expect(await citizen.locator('script').count()).toBe(0);
    await expectNoSidewaysScroll(citizen);
    await expectLargeTargets(citizen);
    await context.close();
  });

  it('after a low rating from a receipt without a comment, the receipt’s code opens the answer', async () => {
    const { desk } = await makeDesk(db, { unit: commune, domains: ['land'] });
    const token = await makeDossierToken(db, desk);
    const context = await phone(browser);
    const page = await context.newPage();
    await page.goto(`${server.baseUrl}/r/${token}`);
    await page.getByRole('radio', { name: 'Không hài lòng', exact: true }).check();
    await page.getByRole('button', { name: 'Gửi đánh giá' }).click();
    await page.getByText('Mã trên phiếu hẹn của Ông/Bà dùng để xem trả lời').waitFor();
    await page.getByRole('link', { name: 'Xem trả lời của cơ quan' }).click();
    await page.getByText('Đã tiếp nhận').waitFor();
    expect(page.url()).toBe(`${server.baseUrl}/f/${token}`);
    await context.close();
  });

  it('the page works without a script: a typed code, in lower case with spaces, opens the reply', async () => {
    const { desk } = await makeDesk(db, { unit: commune, domains: ['land'] });
    const context = await phone(browser);
    const code = await rateWithComment(await context.newPage(), desk.code, 'Phòng chờ nóng');
    await context.close();

    const noScript = await browser.newContext({ viewport: { width: 360, height: 740 }, javaScriptEnabled: false });
    const page = await noScript.newPage();
    await page.goto(`${server.baseUrl}/f`);
    await page.getByLabel(/Nhập mã theo dõi/).fill(code.toLowerCase().replace(/-/g, ' '));
    await page.getByRole('button', { name: 'Xem · View' }).click();
    await page.getByText('Đã tiếp nhận').waitFor();
    expect(page.url()).toMatch(/\/f\/[0-9a-z%]+/i);
    await page.goto(`${server.baseUrl}/f/KHONGCOMA123`);
    await page.getByText('Không tìm thấy phản hồi nào với mã này.').waitFor();
    await noScript.close();
  });

  it('axe finds no serious violation on the reply page and the thanks, at 360 px and 1366 px', async () => {
    const { desk } = await makeDesk(db, { unit: commune, domains: ['land'] });
    const context = await phone(browser, { bypassCSP: true });
    const page = await context.newPage();
    const code = await rateWithComment(page, desk.code, 'Thủ tục rắc rối');
    await expectAccessible(page, 'thanks with the code');
    for (const viewport of [
      { width: 360, height: 740 },
      { width: 1366, height: 768 },
    ]) {
      await page.setViewportSize(viewport);
      for (const path of [`/f/${code}`, '/f/KHONGCOMA123', '/f']) {
        await page.goto(`${server.baseUrl}${path}`);
        await expectNoSidewaysScroll(page);
        await expectAccessible(page, `${path} at ${viewport.width} px`);
      }
    }
    await context.close();
  });
});

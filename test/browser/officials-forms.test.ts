import type { Browser, Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Unit } from '../../server/units/unit.table.ts';
import { createTestDatabase } from '../database.ts';
import { makeDesk, makeUnit, quickRating } from '../factories.ts';
import { makeOfficial } from '../officials.ts';
import { startTestServer, type TestServer } from '../server.ts';
import { launchChromium, phone } from './chromium.ts';
import { overlap } from './print.ts';
import { signedInPage } from './officials-page.ts';

const { db } = await createTestDatabase();
let server: TestServer;
let browser: Browser;
let country: Unit;
let province: Unit;
let commune: Unit;
let neighbour: Unit;

beforeAll(async () => {
  server = await startTestServer(db, { RATE_LIMIT_PER_SOURCE: '100000' });
  browser = await launchChromium();
  country = await makeUnit(db, { kind: 'country', name: 'Việt Nam (thử)' });
  province = await makeUnit(db, { kind: 'province', parent_id: country.id, name: 'Tỉnh Biểu Mẫu' });
  commune = await makeUnit(db, { parent_id: province.id, name: 'Xã Một Đơn Vị' });
  neighbour = await makeUnit(db, { parent_id: province.id, name: 'Xã Láng Giềng' });
});

/** An office PC signed in with a new account of this role and unit. */
async function signedIn(role: 'admin' | 'manager', unit: Unit): Promise<Page> {
  const account = await makeOfficial(db, role, unit);
  return signedInPage(browser, server.baseUrl, account);
}

const nav = (page: Page, name: string) => page.getByRole('navigation').getByRole('link', { name, exact: true });
/** The text of the notices in the page's corner, by kind. */
const notices = (page: Page, kind: 'error' | 'success') =>
  page.locator(`.notices .notice.${kind} > span`).allTextContents();
const selected = (page: Page, picker: ReturnType<Page['locator']>) =>
  picker.evaluate((select: HTMLSelectElement) => select.selectedOptions[0]?.textContent?.trim());

describe('forms of the officials’ app', () => {
  it('a manager with one unit finds it chosen already in every unit picker', async () => {
    const page = await signedIn('manager', commune);
    await nav(page, 'Quầy và mã QR').click();
    await page.getByRole('button', { name: 'Thêm quầy' }).click();
    await expect.poll(() => selected(page, page.locator('select[name="unit"]'))).toBe('Xã Một Đơn Vị');
    await nav(page, 'Chỉ tiêu').click();
    const targetForm = page.locator('form', { has: page.getByRole('heading', { name: 'Thêm chỉ tiêu' }) });
    await expect.poll(() => selected(page, targetForm.getByLabel('Đơn vị'))).toBe('Xã Một Đơn Vị');
    await expect
      .poll(() => selected(page, page.getByRole('region', { name: /Số hồ sơ đã giải quyết/ }).getByRole('combobox')))
      .toBe('Xã Một Đơn Vị');
    await nav(page, 'Người dùng').click();
    await expect.poll(() => selected(page, page.getByLabel('Phạm vi (đơn vị)'))).toBe('Xã Một Đơn Vị');
    await page.context().close();
  });

  it('a field’s problem shows beside it, in the reader’s language; a success clears it and says so', async () => {
    const page = await signedIn('manager', commune);
    await nav(page, 'Đơn vị').click();
    const row = page.getByRole('listitem').filter({ hasText: 'Xã Một Đơn Vị' }).first();
    await row.getByRole('button', { name: 'Thêm đơn vị trực thuộc' }).click();
    await page.getByRole('form', { name: 'Thêm đơn vị trực thuộc' }).waitFor();
    // Found whatever the language of its name.
    const form = page.locator('.tree form');
    await form.getByLabel('Tên đơn vị').fill('Tổ một cửa');
    await form.getByLabel('Mã đơn vị').fill(neighbour.code);
    await form.getByRole('button', { name: 'Lưu' }).click();
    // The code's field, whatever the language of its label: the second of the form.
    const codeField = form.locator('label.field').nth(1);
    await expect.poll(() => codeField.locator('.problem').textContent()).toBe('Mã đơn vị này đã được dùng.');
    // Said beside the field, not as a failure in the corner.
    expect(await notices(page, 'error')).toEqual([]);
    await page.getByRole('button', { name: 'English' }).click();
    await expect.poll(() => codeField.locator('.problem').textContent()).toBe('Another unit has this code.');
    await page.getByRole('button', { name: 'Tiếng Việt' }).click();

    await form.getByLabel('Mã đơn vị').fill(`${neighbour.code}-TO`);
    await form.getByRole('button', { name: 'Lưu' }).click();
    await expect.poll(() => notices(page, 'success')).toEqual(['Đã lưu.']);
    expect(await page.locator('.problem').count()).toBe(0);

    // A desk without a domain: the server's word, worded beside the domains.
    await nav(page, 'Quầy và mã QR').click();
    await page.getByRole('button', { name: 'Thêm quầy' }).click();
    await page.locator('select[name="unit"]').selectOption({ label: 'Xã Một Đơn Vị' });
    await page.getByLabel('Tên quầy').fill('Quầy chưa chọn lĩnh vực');
    await page.getByRole('button', { name: 'Tạo quầy' }).click();
    await expect
      .poll(() => page.getByRole('group', { name: 'Lĩnh vực phục vụ' }).locator('.problem').textContent())
      .toBe('Chọn ít nhất 1.');
    expect(await notices(page, 'error')).toEqual([]);
    await page.context().close();
  });

  it('the “saved” notice leaves the sign-out button in sight and usable', async () => {
    const page = await signedIn('manager', commune);
    await nav(page, 'Đơn vị').click();
    const row = page.getByRole('listitem').filter({ hasText: 'Xã Một Đơn Vị' }).first();
    await row.getByRole('button', { name: 'Đổi tên' }).click();
    await page.getByRole('form', { name: 'Đổi tên' }).getByRole('button', { name: 'Lưu' }).click();
    const notice = page.locator('.notices .notice.success');
    await notice.waitFor();
    const signOut = page.getByRole('button', { name: 'Đăng xuất' });
    expect(overlap((await notice.boundingBox())!, (await signOut.boundingBox())!)).toBe(false);
    const onTop = await signOut.evaluate((button) => {
      const { x, y, width, height } = button.getBoundingClientRect();
      return document.elementFromPoint(x + width / 2, y + height / 2) === button;
    });
    expect(onTop).toBe(true);
    await signOut.click();
    await page.getByRole('button', { name: 'Đăng nhập' }).waitFor();
    await page.context().close();
  });

  it('closing and merging are not offered on the national root unit', async () => {
    const page = await signedIn('admin', country);
    await nav(page, 'Đơn vị').click();
    const rowOf = (name: string) => page.locator('.tree li > .row').filter({ hasText: name }).first();
    await rowOf('Tỉnh Biểu Mẫu').getByRole('button', { name: 'Đóng' }).waitFor();
    expect(await rowOf('Tỉnh Biểu Mẫu').getByRole('button', { name: 'Sáp nhập' }).count()).toBe(1);
    const root = rowOf('Việt Nam (thử)');
    await root.getByRole('button', { name: 'Đổi tên' }).waitFor();
    expect(await root.getByRole('button', { name: 'Đóng' }).count()).toBe(0);
    expect(await root.getByRole('button', { name: 'Sáp nhập' }).count()).toBe(0);
    await page.context().close();
  });

  it('another unit’s dashboard opened by its address says it is outside the scope, with a way back', async () => {
    const page = await signedIn('manager', commune);
    await page.goto(`${server.baseUrl}/officials/?unitId=${neighbour.id}`);
    await page
      .getByRole('heading', { name: 'Đơn vị này nằm ngoài phạm vi tài khoản của bạn, hoặc không tồn tại.' })
      .waitFor();
    expect(await page.getByText('Có lỗi xảy ra').count()).toBe(0);
    expect(await page.getByText('Xã Láng Giềng').count()).toBe(0);
    await page.getByRole('link', { name: 'Về báo cáo của Xã Một Đơn Vị' }).click();
    await page.getByRole('heading', { name: /Mức độ hài lòng: Xã Một Đơn Vị/ }).waitFor();
    await page.context().close();
  });

  it('a manager sets the unit’s hotline and complaint channel, and citizens find them after rating', async () => {
    const page = await signedIn('manager', commune);
    await nav(page, 'Đơn vị').click();
    const row = page.getByRole('listitem').filter({ hasText: 'Xã Một Đơn Vị' }).first();
    await row.getByRole('button', { name: 'Đường dây nóng, phản ánh' }).click();
    const form = page.getByRole('form', { name: 'Đường dây nóng, phản ánh' });
    await form.getByLabel('Đường dây nóng').fill('1900 1234');
    await form.getByLabel('Địa chỉ trang phản ánh, kiến nghị').fill('dichvucong phan anh');
    await form.getByRole('button', { name: 'Lưu' }).click();
    await expect
      .poll(() => form.locator('label.field', { hasText: 'Địa chỉ trang phản ánh' }).locator('.problem').textContent())
      .toBe('Nhập địa chỉ trang web, bắt đầu bằng https://');
    await form.getByLabel('Địa chỉ trang phản ánh, kiến nghị').fill('https://dichvucong.example.gov.vn/phan-anh');
    await form.getByRole('button', { name: 'Lưu' }).click();
    await expect.poll(() => notices(page, 'success')).toEqual(['Đã lưu.']);
    await page.context().close();

    const { desk } = await makeDesk(db, { unit: commune, domains: ['land'] });
    const citizen = await (await phone(browser)).newPage();
    await citizen.goto(`${server.baseUrl}/s/${desk.code}`);
    await citizen.getByRole('radio', { name: 'Hài lòng', exact: true }).check();
    await citizen.getByRole('button', { name: 'Gửi đánh giá' }).click();
    await citizen.getByRole('link', { name: '1900 1234' }).waitFor();
    await citizen.getByRole('link', { name: 'dichvucong.example.gov.vn/phan-anh' }).waitFor();
    await citizen.context().close();
  });

  it('follow-ups: newest rated first, filtered by desk, domain and period, with counts per status', async () => {
    const unit = await makeUnit(db, { parent_id: province.id, name: 'Xã Theo Dõi' });
    const { desk } = await makeDesk(db, { unit, domains: ['land', 'health'] });
    const { desk: otherDesk } = await makeDesk(db, { unit, domains: ['land'] });
    const daysAgo = (days: number) => new Date(Date.now() - days * 86_400_000).toISOString();
    const rate = (deskCode: string, days: number, body: Record<string, unknown>) =>
      server.post('/api/v1/public/responses', quickRating({ deskCode, clientTime: daysAgo(days), ...body }));
    // Sent in this order, rated in another.
    await rate(desk.code, 40, { answers: { overall: 1 }, comment: 'Chờ lâu (40 ngày trước)' });
    await rate(desk.code, 0, { answers: { overall: 2 }, comment: 'Hôm nay' });
    await rate(otherDesk.code, 10, { answers: { overall: 1 }, comment: 'Quầy khác (10 ngày trước)' });
    await rate(desk.code, 5, { answers: { overall: 3 }, domain: 'health', comment: 'Y tế (5 ngày trước)' });

    const page = await signedIn('manager', unit);
    await page.goto(`${server.baseUrl}/officials/follow-ups`);
    const comments = () => page.locator('.items blockquote').allTextContents();
    await expect
      .poll(comments)
      .toEqual(['Hôm nay', 'Y tế (5 ngày trước)', 'Quầy khác (10 ngày trước)', 'Chờ lâu (40 ngày trước)']);
    await expect.poll(() => page.locator('.counts').textContent()).toContain('Đã tiếp nhận: 4');

    await page.getByLabel('Quầy').selectOption({ label: `${desk.name} — Xã Theo Dõi` });
    await expect.poll(comments).toEqual(['Hôm nay', 'Y tế (5 ngày trước)', 'Chờ lâu (40 ngày trước)']);
    await expect.poll(() => page.locator('.counts').textContent()).toContain('Đã tiếp nhận: 3');
    await page.getByLabel('Lĩnh vực').selectOption({ label: 'Y tế' });
    await expect.poll(comments).toEqual(['Y tế (5 ngày trước)']);
    await page.getByLabel('Lĩnh vực').selectOption({ label: 'Tất cả' });
    await page.getByLabel('Thời gian đánh giá').selectOption({ label: 'Tháng này' });
    await expect.poll(async () => (await comments()).includes('Hôm nay')).toBe(true);
    expect(await comments()).not.toContain('Chờ lâu (40 ngày trước)');

    // Marking one answered moves it from one count to the other.
    await page.getByLabel('Thời gian đánh giá').selectOption({ label: 'Mọi lúc' });
    const today = page.getByRole('listitem').filter({ hasText: 'Hôm nay' });
    await today.getByLabel('Tình trạng').selectOption({ label: 'Đã trả lời' });
    await today.getByRole('button', { name: 'Lưu' }).click();
    await expect.poll(() => page.locator('.counts').textContent()).toContain('Đã trả lời: 1');
    await expect.poll(() => page.locator('.counts').textContent()).toContain('Đã tiếp nhận: 2');
    await page.context().close();
  });
});

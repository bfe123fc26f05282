import { randomUUID } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Unit } from '../../server/units/unit.table.ts';
import { createTestDatabase } from '../database.ts';
import { makeDesk, makeUnit, quickRating } from '../factories.ts';
import { makeOfficial } from '../officials.ts';
import { decodePdf, decodeSvg } from '../qr-reader.ts';
import { decodeRegions, overlap, printedLines, type Box } from './print.ts';
import { startTestServer, type TestServer } from '../server.ts';
import { expectAccessible, launchChromium } from './chromium.ts';
import { signedInPage } from './officials-page.ts';

const { db } = await createTestDatabase();
let server: TestServer;
let browser: Browser;
let commune: Unit;
let manager: Awaited<ReturnType<typeof makeOfficial>>;

beforeAll(async () => {
  server = await startTestServer(db, { RATE_LIMIT_PER_SOURCE: '100000' });
  browser = await launchChromium();
  const province = await makeUnit(db, { kind: 'province', name: 'Tỉnh Thử Nghiệm' });
  commune = await makeUnit(db, { parent_id: province.id, name: 'Xã Hòa Bình' });
  manager = await makeOfficial(db, 'manager', commune);
});

/** A desktop browser signed in as the manager; fails the test on any CSP violation or page error. */
function signedIn(options: { bypassCSP?: boolean } = {}): Promise<Page> {
  return signedInPage(browser, server.baseUrl, manager, { viewport: { width: 1280, height: 900 }, ...options });
}

const nav = (page: Page, name: string) => page.getByRole('navigation').getByRole('link', { name, exact: true });

describe('officials’ app in Chromium', () => {
  it('sign in, create a desk, print its poster, issue a dossier code, sign out', async () => {
    const page = await signedIn();
    await nav(page, 'Quầy và mã QR').click();
    await page.getByRole('button', { name: 'Thêm quầy' }).click();
    await page
      .getByRole('combobox', { name: /^Đơn vị/ })
      .last()
      .selectOption({ label: 'Xã Hòa Bình' });
    await page.getByLabel('Tên quầy').fill('Quầy Tư pháp — Hộ tịch');
    await page.getByRole('checkbox', { name: 'Hộ tịch' }).check();
    await page.getByRole('checkbox', { name: 'Chứng thực' }).check();
    await page.getByRole('button', { name: 'Tạo quầy' }).click();
    await page.getByRole('heading', { name: 'Quầy Tư pháp — Hộ tịch' }).waitFor();

    const desk = await db
      .selectFrom('desk')
      .selectAll()
      .where('name', '=', 'Quầy Tư pháp — Hộ tịch')
      .executeTakeFirstOrThrow();
    expect(desk.unit_id).toBe(commune.id);
    const surveyUrl = `${server.baseUrl}/s/${desk.code}`;

    // The poster preview loads, and the print page prints one poster per page whose QR code
    // decodes to the desk's survey address.
    const preview = page.getByRole('img', { name: /Tờ mã QR của Quầy Tư pháp/ });
    await expect
      .poll(() => preview.evaluate((image: HTMLImageElement) => image.complete && image.naturalWidth))
      .toBeGreaterThan(0);
    await page.getByRole('link', { name: /In mã QR của mọi quầy thuộc Xã Hòa Bình/ }).click();
    const poster = page.getByRole('img', { name: /Tờ mã QR của Quầy Tư pháp/ });
    await expect
      .poll(() => poster.evaluate((image: HTMLImageElement) => image.complete && image.naturalWidth))
      .toBeGreaterThan(0);
    const printed = await page.pdf({ format: 'A4', printBackground: true });
    expect(await decodePdf(printed)).toEqual([surveyUrl]);

    // One-time codes for receipts, printed as labels.
    await page.goBack();
    await page.getByLabel('Lĩnh vực của hồ sơ').selectOption({ label: 'Chứng thực' });
    await page.getByLabel('Số mã').fill('2');
    await page.getByRole('button', { name: 'Cấp mã' }).click();
    const labels = page.getByRole('img', { name: 'Mã QR đánh giá' });
    await expect.poll(() => labels.count()).toBe(2);
    // Printed once both codes are drawn, not merely in the page, as for the poster above.
    await expect
      .poll(() =>
        labels.evaluateAll((images: HTMLImageElement[]) =>
          images.every((image) => image.complete && image.naturalWidth > 0),
        ),
      )
      .toBe(true);
    const svg = decodeURIComponent(
      (await labels.first().getAttribute('src'))!.replace(/^data:image\/svg\+xml;charset=utf-8,/, ''),
    );
    const codeUrl = decodeSvg(svg)!;
    expect(codeUrl).toMatch(new RegExp(`^${server.baseUrl}/r/[A-Za-z0-9_-]{20}$`));

    // The code opens the right survey on a phone, with its domain set.
    const phone = await (await browser.newContext({ viewport: { width: 360, height: 740 }, isMobile: true })).newPage();
    await phone.goto(codeUrl);
    await phone.getByText('Quầy Tư pháp — Hộ tịch', { exact: false }).waitFor();
    await phone.getByRole('radio', { name: 'Rất hài lòng' }).check();
    await phone.getByRole('button', { name: 'Gửi đánh giá' }).click();
    await phone.getByText('Cảm ơn Ông/Bà đã đánh giá!').waitFor();
    await phone.context().close();

    await page.getByRole('button', { name: 'Đăng xuất' }).click();
    await page.getByRole('button', { name: 'Đăng nhập' }).waitFor();
    const session = await page.evaluate(() => fetch('/api/v1/officials/session').then((response) => response.status));
    expect(session).toBe(401);
    await page.context().close();
  }, 90_000);

  it('receipt-code labels, on screen and on A4: text beside the code, nothing overlapping, each QR its own code', async () => {
    const { desk } = await makeDesk(db, { unit: commune, domains: ['civil_status'] });
    const page = await signedIn();
    await page.goto(`${server.baseUrl}/officials/desks/${desk.id}`);
    await page.getByLabel('Lĩnh vực của hồ sơ').selectOption({ label: 'Hộ tịch' });
    await page.getByLabel('Số mã').fill('3');
    await page.getByRole('button', { name: 'Cấp mã' }).click();
    const labels = page.getByRole('list', { name: 'Nhãn mã đánh giá' }).getByRole('listitem');
    await expect.poll(() => labels.count()).toBe(3);
    const urls = (await labels.locator('code').allTextContents()).map((text) => `http://${text}`);
    expect(new Set(urls).size).toBe(3);

    /** Each label's box and its QR code's, and whether its text stays inside it. */
    const measure = () =>
      labels.evaluateAll((items) =>
        items.map((item) => {
          const box = (element: Element) => {
            const rect = element.getBoundingClientRect();
            return { x: rect.x + scrollX, y: rect.y + scrollY, width: rect.width, height: rect.height };
          };
          const text = item.querySelector('.text')!;
          return {
            label: box(item),
            qr: box(item.querySelector('img')!),
            text: box(text),
            textFits: text.scrollHeight <= item.clientHeight && text.scrollWidth <= text.clientWidth + 1,
          };
        }),
      );
    // On screen, the text has a column of its own beside the 26 mm code.
    for (const { label, qr, text, textFits } of await measure()) {
      expect(qr.width).toBeGreaterThan(90);
      expect(qr.width).toBeLessThan(105);
      expect(text.width).toBeGreaterThan(100);
      expect(text.x).toBeGreaterThanOrEqual(qr.x + qr.width);
      expect(text.x + text.width).toBeLessThanOrEqual(label.x + label.width);
      expect(textFits).toBe(true);
    }

    // On A4 paper: laid out at the paper's width, as the print dialog does.
    await page.setViewportSize({ width: 794, height: 1123 });
    await page.emulateMedia({ media: 'print' });
    const printed = await measure();
    const pdf = await page.pdf({ format: 'A4' });
    const lines = printedLines(pdf).filter((line) => line.page === 0);
    expect(lines.length).toBeGreaterThanOrEqual(9);
    const inside = (line: Box, box: Box) =>
      line.x >= box.x - 1 &&
      line.y >= box.y - 1 &&
      line.x + line.width <= box.x + box.width + 1 &&
      line.y + line.height <= box.y + box.height + 1;
    for (const line of lines) {
      // Every line of text is inside one label, clear of that label's code.
      const owners = printed.filter(({ label }) => inside(line, label));
      expect(owners, line.text).toHaveLength(1);
      expect(overlap(line, owners[0]!.qr), line.text).toBe(false);
      for (const other of lines)
        if (other !== line) expect(overlap(line, other), `${line.text} / ${other.text}`).toBe(false);
    }
    for (const [index, { label }] of printed.entries())
      for (const other of printed.slice(index + 1)) expect(overlap(label, other.label)).toBe(false);
    // Every QR code reads as its own label's address.
    const margin = 8;
    const regions = printed.map(({ qr }) => ({
      x: qr.x - margin,
      y: qr.y - margin,
      width: qr.width + 2 * margin,
      height: qr.height + 2 * margin,
    }));
    expect(decodeRegions(pdf, regions)).toEqual(urls);
    await page.context().close();
  }, 60_000);

  it('shows comments and unit names as text, never as markup', async () => {
    const hostile = await makeUnit(db, {
      parent_id: commune.id,
      name: '<img src=x onerror="window.__xss=1">Tổ <b>đậm</b>',
    });
    const { desk } = await makeDesk(db, { unit: hostile, domains: ['land'] });
    const comment = `<script>window.__xss=2</script><img src=x onerror="window.__xss=3"> =HYPERLINK("x") ${randomUUID()}`;
    const rating = await server.post(
      '/api/v1/public/responses',
      quickRating({ deskCode: desk.code, answers: { overall: 1 }, comment }),
    );
    expect(rating.status).toBe(201);

    const page = await signedIn();
    await nav(page, 'Góp ý').click();
    await page.getByText(comment).waitFor();
    await nav(page, 'Đơn vị').click();
    await page.getByText('<img src=x onerror="window.__xss=1">Tổ <b>đậm</b>').waitFor();
    expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
    expect(await page.locator('b', { hasText: 'đậm' }).count()).toBe(0);
    await page.context().close();
  });

  it('a follow-up is marked in progress with an internal note', async () => {
    const { desk } = await makeDesk(db, { unit: commune, domains: ['land'] });
    const rating = await server.post(
      '/api/v1/public/responses',
      quickRating({ deskCode: desk.code, answers: { overall: 2 }, reasons: ['wait_long'] }),
    );
    const { id } = (await rating.json()) as { id: number };
    const page = await signedIn();
    await nav(page, 'Góp ý').click();
    const item = page.getByRole('listitem').filter({ hasText: 'Lý do: Chờ đợi lâu' }).first();
    await item.getByLabel('Tình trạng').selectOption({ label: 'Đang xử lý' });
    await item.getByLabel('Ghi chú nội bộ').fill('Đã liên hệ tổ một cửa');
    await item.getByRole('button', { name: 'Lưu' }).click();
    await expect
      .poll(() =>
        db.selectFrom('follow_up').select(['status', 'note']).where('response_id', '=', id).executeTakeFirst(),
      )
      .toEqual({ status: 'in_progress', note: 'Đã liên hệ tổ một cửa' });
    await page.context().close();
  });

  it('axe finds no serious violation on the officials’ pages, in Vietnamese and English', async () => {
    const { desk } = await makeDesk(db, { unit: commune, domains: ['land'] });
    const page = await signedIn({ bypassCSP: true });
    for (const language of ['vi', 'en']) {
      if (language === 'en') await page.getByRole('button', { name: 'English' }).click();
      for (const path of [
        '/',
        '/units',
        '/desks',
        `/desks/${desk.id}`,
        '/targets',
        '/domains',
        '/users',
        '/follow-ups',
        '/account',
      ]) {
        await page.goto(`${server.baseUrl}/officials${path}`);
        await page.locator('main h1').first().waitFor();
        await page.waitForLoadState('networkidle');
        await expectAccessible(page, `${language} ${path}`);
      }
    }
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    await expectAccessible(page, 'sign-in');
    await page.context().close();
  }, 90_000);
});

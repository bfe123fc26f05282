import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PROVINCE_CODE, seedDemo } from '../../server/demo/seed-demo.ts';
import { createTestDatabase } from '../database.ts';
import { makeOfficial } from '../officials.ts';
import { startTestServer, type TestServer } from '../server.ts';
import { expectAccessible, expectNoSidewaysScroll, launchChromium, phone } from './chromium.ts';

const { db } = await createTestDatabase();
let server: TestServer;
let browser: Browser;

beforeAll(async () => {
  server = await startTestServer(db);
  // The demo province with a year of ratings up to mid-November 2026: 2025-Q4 to 2026-Q3 are released.
  await seedDemo(db, { now: new Date('2026-11-20T03:00:00Z') });
  browser = await launchChromium();
}, 180_000);

describe('a public scorecard on a cheap phone', () => {
  it('reads at 360 px without scrolling sideways, passes axe-core, and needs no script', async () => {
    const context = await phone(browser, { bypassCSP: true });
    const page = await context.newPage();
    const scripts: string[] = [];
    page.on('request', (request) => request.resourceType() === 'script' && scripts.push(request.url()));
    await page.goto(`${server.baseUrl}/p/${DEMO_PROVINCE_CODE}`);
    expect(await page.locator('html').getAttribute('lang')).toBe('vi');
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toContain('Tỉnh Thanh Hóa');
    for (const heading of [
      'Quý III/2026',
      '9 tháng đầu năm 2026',
      'Theo lĩnh vực',
      'Diễn biến theo tháng',
      'Cách tính',
    ])
      expect(await page.getByRole('heading', { name: heading }).first().isVisible(), heading).toBe(true);
    // The headline share is visible, with its interval and n in words.
    expect(await page.locator('.headline .share').first().isVisible()).toBe(true);
    expect(
      await page
        .getByText(/Khoảng tin cậy 95%: [\d,]+% – [\d,]+% · [\d.]+ đánh giá/)
        .first()
        .isVisible(),
    ).toBe(true);
    // The trend reads as a chart and as a table of the same figures.
    expect(await page.getByRole('img', { name: /Biểu đồ tỷ lệ hài lòng theo tháng/ }).isVisible()).toBe(true);
    expect(
      await page
        .getByRole('table', { name: /Tỷ lệ hài lòng theo tháng/ })
        .getByRole('row')
        .count(),
    ).toBe(10);
    await expectNoSidewaysScroll(page);
    await expectAccessible(page, 'scorecard, Vietnamese');
    // Only its own small script, which adds a copy button.
    expect(scripts.every((url) => /\/assets\/(scorecard|base)-/.test(url))).toBe(true);
    expect(await page.getByRole('button', { name: 'Chép mã' }).isVisible()).toBe(true);
    await context.close();

    const noScript = await browser.newContext({ viewport: { width: 360, height: 740 }, javaScriptEnabled: false });
    const bare = await noScript.newPage();
    await bare.goto(`${server.baseUrl}/p/${DEMO_PROVINCE_CODE}`);
    expect(await bare.getByRole('heading', { name: 'Quý III/2026' }).isVisible()).toBe(true);
    expect(await bare.locator('.headline .share').first().textContent()).toMatch(/^\d+,\d%$/);
    await noScript.close();
  });

  it('English is one tap away, and the page stays readable and accessible in it', async () => {
    const context = await phone(browser, { bypassCSP: true });
    const page = await context.newPage();
    await page.goto(`${server.baseUrl}/p/${DEMO_PROVINCE_CODE}`);
    await page.getByRole('link', { name: 'Switch to English' }).click();
    await expect.poll(() => page.locator('html').getAttribute('lang')).toBe('en');
    expect(await page.getByRole('heading', { name: 'Q3 2026' }).isVisible()).toBe(true);
    expect(await page.getByRole('heading', { name: 'Method' }).isVisible()).toBe(true);
    await expectNoSidewaysScroll(page);
    await expectAccessible(page, 'scorecard, English');
    // A sub-unit's page, in English too.
    await page.getByRole('link', { name: 'Phường Hạc Thành' }).click();
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toContain('Phường Hạc Thành');
    expect(await page.locator('html').getAttribute('lang')).toBe('en');
    await expectNoSidewaysScroll(page);
    await context.close();
  });

  it('a unit that has not opted in, or an unknown code, is a readable 404 page', async () => {
    const context = await phone(browser, { bypassCSP: true });
    const page = await context.newPage();
    const response = await page.goto(`${server.baseUrl}/p/DEMO-TH-VANDU`);
    expect(response?.status()).toBe(404);
    expect(await page.getByRole('heading', { name: 'Không có trang công khai ở địa chỉ này' }).isVisible()).toBe(true);
    await expectAccessible(page, 'scorecard not found');
    await context.close();
  });
});

describe('the badge and the open data on another site', () => {
  let site: Server;
  let siteUrl: string;

  beforeAll(async () => {
    // A unit's own portal, on another origin, embedding the badge and reading the data.
    site = createServer((_, response) => {
      response.setHeader('Content-Type', 'text/html; charset=utf-8');
      response.end(`<!doctype html><html lang="vi"><body>
        <img id="badge" src="${server.baseUrl}/p/${DEMO_PROVINCE_CODE}/badge.svg" alt="Hài lòng">
        <p id="share"></p>
        <script>
          fetch('${server.baseUrl}/p/${DEMO_PROVINCE_CODE}/data.json')
            .then((response) => response.json())
            .then((card) => { document.getElementById('share').textContent = String(card.overall.share); })
            .catch((error) => { document.getElementById('share').textContent = 'failed: ' + error; });
        </script>
      </body></html>`);
    });
    await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
    siteUrl = `http://localhost:${(site.address() as AddressInfo).port}/`;
  });
  afterAll(() => new Promise<void>((resolve) => site.close(() => resolve())));

  it('another site shows the badge and reads the data', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(siteUrl);
    await expect.poll(() => page.locator('#share').textContent()).toMatch(/^\d+(\.\d+)?$/);
    await expect
      .poll(() => page.locator('#badge').evaluate((image: HTMLImageElement) => image.complete && image.naturalWidth))
      .toBeGreaterThan(100);
    await context.close();
  });

  it('the badge is well-formed SVG with an accessible name holding the interval and n', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${server.baseUrl}/p/${DEMO_PROVINCE_CODE}/badge.svg`);
    const parsed = await page.evaluate(async (url) => {
      const text = await (await fetch(url)).text();
      const document = new DOMParser().parseFromString(text, 'image/svg+xml');
      return {
        error: document.getElementsByTagName('parsererror').length,
        root: document.documentElement.localName,
        label: document.documentElement.getAttribute('aria-label'),
        title: document.querySelector('title')?.textContent,
        texts: [...document.querySelectorAll('text')].map((node) => node.textContent),
      };
    }, `${server.baseUrl}/p/${DEMO_PROVINCE_CODE}/badge.svg`);
    expect(parsed.error).toBe(0);
    expect(parsed.root).toBe('svg');
    expect(parsed.texts[0]).toBe('Hài lòng');
    expect(parsed.texts[1]).toMatch(/^\d+% · Quý III\/2026$/);
    expect(parsed.title).toBe(parsed.label);
    expect(parsed.title).toMatch(/khoảng tin cậy 95% từ [\d,]+% đến [\d,]+%, n = \d+ đánh giá/);
    await context.close();
  });
});

describe('the switch in the officials’ app', () => {
  it('a manager takes a unit’s page down and puts it back from the units page', async () => {
    const province = await db
      .selectFrom('unit')
      .selectAll()
      .where('code', '=', DEMO_PROVINCE_CODE)
      .executeTakeFirstOrThrow();
    const manager = await makeOfficial(db, 'manager', province);
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'vi-VN' });
    const page = await context.newPage();
    await page.goto(`${server.baseUrl}/officials/`);
    await page.getByLabel('Tên đăng nhập').fill(manager.username);
    await page.getByLabel('Mật khẩu').fill(manager.password);
    await page.getByRole('button', { name: 'Đăng nhập' }).click();
    await page.getByRole('navigation').getByRole('link', { name: 'Đơn vị', exact: true }).click();
    const row = page.getByRole('listitem').filter({ hasText: 'Phường Hạc Thành' });
    const box = row.getByRole('checkbox', { name: 'Công khai kết quả' });
    expect(await box.isChecked()).toBe(true);
    expect(await row.getByRole('link', { name: 'Trang công khai' }).getAttribute('href')).toBe('/p/DEMO-TH-HACTHANH');

    await box.uncheck();
    await expect.poll(() => row.getByRole('link', { name: 'Trang công khai' }).count()).toBe(0);
    expect((await server.get('/p/DEMO-TH-HACTHANH')).status).toBe(404);
    await box.check();
    await expect.poll(() => row.getByRole('link', { name: 'Trang công khai' }).count()).toBe(1);
    expect((await server.get('/p/DEMO-TH-HACTHANH')).status).toBe(200);
    await context.close();
  });
});

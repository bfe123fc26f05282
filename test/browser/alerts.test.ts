import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluateNewRatings } from '../../server/alerts/alert-engine.ts';
import type { Unit } from '../../server/units/unit.table.ts';
import { createTestDatabase } from '../database.ts';
import { makeDesk, makeUnit, writeRatings } from '../factories.ts';
import { makeOfficial } from '../officials.ts';
import { startTestServer, type TestServer } from '../server.ts';
import { expectAccessible, expectNoSidewaysScroll, launchChromium } from './chromium.ts';
import { signedInPage } from './officials-page.ts';

const { db } = await createTestDatabase();
let server: TestServer;
let browser: Browser;
let commune: Unit;
let neighbour: Unit;

beforeAll(async () => {
  server = await startTestServer(db);
  browser = await launchChromium();
  const province = await makeUnit(db, { kind: 'province', name: 'Tỉnh Cảnh Báo' });
  commune = await makeUnit(db, { parent_id: province.id, name: 'Xã Có Cảnh Báo' });
  neighbour = await makeUnit(db, { parent_id: province.id, name: 'Xã Láng Giềng' });
  const { desk } = await makeDesk(db, { unit: commune });
  const { desk: other } = await makeDesk(db, { unit: neighbour });
  const at = new Date(Date.now() - 3_600_000).toISOString();
  await writeRatings(db, desk, { scores: [1], at, body: { comment: 'Cán bộ vòi vĩnh, đòi bồi dưỡng' } });
  await writeRatings(db, desk, { scores: [2], at, body: { comment: 'can bo gay kho de' } });
  await writeRatings(db, other, { scores: [1], at, body: { comment: 'Bị nhũng nhiễu ở xã bên' } });
  await evaluateNewRatings(db, new Date());
});

afterAll(async () => {
  await browser?.close();
});

const bell = (page: Page) => page.getByRole('link', { name: /^Cảnh báo: \d+ chưa đọc$/ });

describe('the alerts of the officials’ app', () => {
  for (const width of [360, 1366]) {
    it(`shows the unread count in the header and lists the scope’s alerts, read one by one, at ${width} px`, async () => {
      const account = await makeOfficial(db, 'manager', commune);
      const page = await signedInPage(browser, server.baseUrl, account, {
        viewport: { width, height: 800 },
        bypassCSP: true,
      });
      await expect.poll(() => bell(page).getAttribute('aria-label')).toBe('Cảnh báo: 2 chưa đọc');
      await bell(page).click();
      await page.getByRole('heading', { name: 'Cảnh báo', level: 1 }).waitFor();
      const items = page.locator('.alert-item');
      await expect.poll(() => items.count()).toBe(2);
      const text = (await items.allTextContents()).join('\n');
      expect(text).toContain('Góp ý nghiêm trọng — Xã Có Cảnh Báo');
      expect(text).toContain('“vòi vĩnh”');
      expect(text).not.toContain('Xã Láng Giềng');
      await expectNoSidewaysScroll(page);
      await expectAccessible(page, `alerts at ${width} px`);

      await items.first().getByRole('button', { name: 'Đánh dấu đã đọc' }).click();
      await expect.poll(() => bell(page).getAttribute('aria-label')).toBe('Cảnh báo: 1 chưa đọc');
      await page.getByRole('button', { name: 'Đánh dấu tất cả đã đọc' }).click();
      await expect.poll(() => bell(page).getAttribute('aria-label')).toBe('Cảnh báo: 0 chưa đọc');
      await items.first().getByRole('link', { name: 'Xem số liệu' }).click();
      await expect.poll(() => new URL(page.url()).pathname).toBe('/officials/follow-ups');
      await page.context().close();
    });
  }

  it('lets a manager choose e-mail digests, set the unit’s rules and add a webhook, whose secret shows once', async () => {
    const account = await makeOfficial(db, 'manager', commune);
    const page = await signedInPage(browser, server.baseUrl, account, { bypassCSP: true });
    await page.goto(`${server.baseUrl}/officials/alerts/settings`);
    await page.getByLabel('Địa chỉ thư điện tử').fill('quan.ly@example.gov.vn');
    await page.getByLabel('Cách nhận').selectOption('daily');
    await page
      .locator('form', { hasText: 'Nhận cảnh báo qua thư điện tử' })
      .getByRole('button', { name: 'Lưu' })
      .click();
    await expect
      .poll(() =>
        db
          .selectFrom('alert_email_preference')
          .select(['email', 'frequency'])
          .where('official_id', '=', account.id)
          .executeTakeFirst(),
      )
      .toEqual({ email: 'quan.ly@example.gov.vn', frequency: 'daily' });

    await page.getByLabel('Số phút không có tín hiệu').fill('45');
    await page.locator('form', { hasText: 'Quy tắc cảnh báo của đơn vị' }).getByRole('button', { name: 'Lưu' }).click();
    await expect
      .poll(() =>
        db.selectFrom('alert_setting').select('silent_minutes').where('unit_id', '=', commune.id).executeTakeFirst(),
      )
      .toEqual({ silent_minutes: 45 });

    await page.getByLabel('Địa chỉ nhận').fill('https://chat.example.vn/hooks/sipas');
    await page.getByRole('button', { name: 'Thêm webhook' }).click();
    await expect.poll(() => page.locator('[role="status"] code').textContent()).toMatch(/^whsec_/);
    await expectAccessible(page, 'alert settings');
    await page.context().close();
  });
});

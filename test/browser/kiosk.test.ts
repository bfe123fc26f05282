import { beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { pairKioskDevice } from '../../server/kiosks/kiosk-device.repository.ts';
import type { Desk } from '../../server/desks/desk.table.ts';
import { createTestDatabase } from '../database.ts';
import { makeDesk } from '../factories.ts';
import { startTestServer, type TestServer } from '../server.ts';
import { expectAccessible, launchChromium, tablet } from './chromium.ts';

const { db } = await createTestDatabase();
let server: TestServer;
let browser: Browser;

beforeAll(async () => {
  server = await startTestServer(db);
  browser = await launchChromium();
});

async function ratingsOfDesk(deskId: number) {
  return db
    .selectFrom('response')
    .innerJoin('response_answer', 'response_answer.response_id', 'response.id')
    .select([
      'response.id',
      'response.channel',
      'response.client_time',
      'response.rated_at',
      'response.idempotency_key',
      'response_answer.score',
    ])
    .where('response.desk_id', '=', deskId)
    .orderBy('response.id')
    .execute();
}

/** Opens the tablet's pairing link, as a manager would, and waits until it works offline. */
async function pairedKiosk(desk: Desk, options: { bypassCSP?: boolean } = {}): Promise<Page> {
  const { key } = await pairKioskDevice(db, { deskId: desk.id });
  const context = await tablet(browser, options);
  const page = await context.newPage();
  await page.goto(`${server.baseUrl}/kiosk/${desk.code}#key=${key}`);
  await expect.poll(() => page.locator('html').getAttribute('data-offline-ready'), { timeout: 15_000 }).toBe('true');
  expect(page.url()).not.toContain(key);
  return page;
}

const face = (page: Page, word: string) => page.getByRole('button', { name: word, exact: true });
const thanks = (page: Page) => page.getByText('Cảm ơn Ông/Bà đã đánh giá!');

const LOW = ['Rất không hài lòng', 'Không hài lòng', 'Bình thường'];

/** Taps a face (skipping the reasons after a low one) and waits for the next citizen's screen; returns when the tap happened. */
async function rate(page: Page, word: string): Promise<number> {
  await face(page, word).waitFor();
  const at = Date.now();
  await face(page, word).click();
  if (LOW.includes(word)) await page.getByRole('button', { name: 'Bỏ qua' }).click();
  await thanks(page).waitFor();
  await face(page, word).waitFor({ timeout: 10_000 });
  return at;
}

describe('kiosk', () => {
  it('an unpaired tablet explains how to pair and takes no rating', async () => {
    const { desk } = await makeDesk(db, { domains: ['land'] });
    const page = await (await tablet(browser)).newPage();
    await page.goto(`${server.baseUrl}/kiosk/${desk.code}`);
    await expect.poll(() => page.getByRole('heading').textContent()).toContain('chưa được ghép với quầy');
    expect(await page.getByRole('button', { name: 'Hài lòng', exact: true }).count()).toBe(0);
    await page.context().close();
  });

  it('keeps taking ratings offline, across a reload, and sends each exactly once, in order, with its own time', async () => {
    const { desk } = await makeDesk(db, { domains: ['land'] });
    const page = await pairedKiosk(desk);
    const taps: { at: number; score: number }[] = [];
    taps.push({ at: await rate(page, 'Rất hài lòng'), score: 5 });
    taps.push({ at: await rate(page, 'Hài lòng'), score: 4 });
    await expect.poll(async () => (await ratingsOfDesk(desk.id)).length).toBe(2);

    await page.context().setOffline(true);
    taps.push({ at: await rate(page, 'Bình thường'), score: 3 }); // reasons screen: skip
    taps.push({ at: await rate(page, 'Rất hài lòng'), score: 5 });
    await expect.poll(() => page.getByRole('status').last().textContent()).toContain('2 đánh giá chờ gửi');

    // A reload without network: the service worker serves the kiosk, the queue survives.
    await page.reload();
    await expect
      .poll(() => page.getByRole('status').last().textContent(), { timeout: 15_000 })
      .toContain('2 đánh giá chờ gửi');
    taps.push({ at: await rate(page, 'Không hài lòng'), score: 2 });
    taps.push({ at: await rate(page, 'Hài lòng'), score: 4 });
    expect(await ratingsOfDesk(desk.id)).toHaveLength(2);

    const back = Date.now();
    // Sending starts as soon as the browser is back online, not at the next retry.
    await page.context().setOffline(false);
    await expect.poll(async () => (await ratingsOfDesk(desk.id)).length, { timeout: 20_000 }).toBe(6);
    expect(Date.now() - back).toBeLessThan(10_000);
    await expect.poll(() => page.getByRole('status').last().textContent()).not.toContain('chờ gửi');

    const stored = await ratingsOfDesk(desk.id);
    expect(stored.map((rating) => rating.score)).toEqual(taps.map((tap) => tap.score));
    expect(new Set(stored.map((rating) => rating.idempotency_key)).size).toBe(6);
    stored.forEach((rating, index) => {
      expect(rating.channel).toBe('kiosk');
      // The time of the tap, not of the upload.
      expect(Math.abs(rating.client_time!.getTime() - taps[index]!.at)).toBeLessThan(2_000);
      expect(rating.rated_at.getTime()).toBe(rating.client_time!.getTime());
    });
    const device = await db
      .selectFrom('kiosk_device')
      .select(['last_status_at', 'last_rating_at'])
      .where('desk_id', '=', desk.id)
      .executeTakeFirstOrThrow();
    expect(device.last_status_at).not.toBeNull();
    expect(device.last_rating_at).not.toBeNull();
    await page.context().close();
  }, 120_000);

  it('after the idle time, the reasons screen counts the face alone and the kiosk resets', async () => {
    const { desk } = await makeDesk(db, { domains: ['land', 'construction'], kioskIdleSeconds: 5 });
    const page = await pairedKiosk(desk);
    await page.getByRole('button', { name: 'Xây dựng' }).click();
    await face(page, 'Rất không hài lòng').click();
    await page.getByRole('button', { name: 'Phải chờ đợi lâu' }).click();
    await expect
      .poll(() => page.getByRole('button', { name: 'Phải chờ đợi lâu' }).getAttribute('aria-pressed'))
      .toBe('true');
    // The citizen walks away.
    await expect.poll(async () => (await ratingsOfDesk(desk.id)).length, { timeout: 15_000 }).toBe(1);
    await page.getByRole('button', { name: 'Đất đai' }).waitFor({ timeout: 10_000 });
    const reasons = await db
      .selectFrom('response_reason')
      .innerJoin('reason', 'reason.id', 'response_reason.reason_id')
      .select('reason.code')
      .where('response_id', '=', (await ratingsOfDesk(desk.id))[0]!.id)
      .execute();
    expect(reasons).toEqual([{ code: 'wait_long' }]);

    // A domain chosen without a rating is forgotten after the idle time.
    await page.getByRole('button', { name: 'Đất đai' }).click();
    await face(page, 'Hài lòng').waitFor();
    await page.getByRole('button', { name: 'Đất đai' }).waitFor({ timeout: 10_000 });
    expect(await ratingsOfDesk(desk.id)).toHaveLength(1);
    await page.context().close();
  }, 60_000);

  it('rapid repeated taps count once', async () => {
    const { desk } = await makeDesk(db, { domains: ['land'] });
    const page = await pairedKiosk(desk);
    const target = face(page, 'Rất hài lòng');
    await target.waitFor();
    const box = (await target.boundingBox())!;
    await target.dblclick();
    for (let i = 0; i < 3; i++) await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
    await page.touchscreen.tap(box.x + box.width / 2, box.y + box.height / 2);
    await expect.poll(async () => (await ratingsOfDesk(desk.id)).length).toBe(1);
    await face(page, 'Rất hài lòng').waitFor({ timeout: 10_000 });
    // The kiosk sends in order: once the next citizen's rating is stored, a second copy of
    // the first, had the taps made one, would be stored before it.
    await rate(page, 'Hài lòng');
    await expect.poll(async () => (await ratingsOfDesk(desk.id)).some((rating) => rating.score === 4)).toBe(true);
    expect((await ratingsOfDesk(desk.id)).map((rating) => rating.score)).toEqual([5, 4]);
    await page.context().close();
  }, 60_000);

  it('the thank-you screen never shows which face was chosen, and the next citizen starts in Vietnamese', async () => {
    const { desk } = await makeDesk(db, { domains: ['land'] });
    const page = await pairedKiosk(desk);
    await page.getByRole('button', { name: 'Switch to English' }).click();
    await page.getByRole('button', { name: 'Very satisfied' }).click();
    await page.getByText('Thank you for your rating!').waitFor();
    const afterHappy = await page.locator('main').innerHTML();
    await face(page, 'Rất không hài lòng').waitFor({ timeout: 10_000 });
    expect(await page.locator('html').getAttribute('lang')).toBe('vi');
    await face(page, 'Rất không hài lòng').click();
    await page.getByRole('button', { name: 'Bỏ qua' }).click();
    await thanks(page).waitFor();
    const afterUnhappy = await page.locator('main').innerHTML();
    expect(afterUnhappy.replace('Cảm ơn Ông/Bà đã đánh giá!', '').replace(/Ý kiến[^<]*/, '')).toBe(
      afterHappy.replace('Thank you for your rating!', '').replace(/Your opinion[^<]*/, ''),
    );
    expect(afterUnhappy).not.toContain('<svg');
    await expect.poll(async () => (await ratingsOfDesk(desk.id)).map((rating) => rating.score)).toEqual([5, 1]);
    await page.context().close();
  }, 60_000);

  for (const language of ['vi', 'en'] as const) {
    it(`axe finds no serious violation on the kiosk screens, in ${language}`, async () => {
      const { desk } = await makeDesk(db, { domains: ['land', 'civil_status'] });
      const page = await pairedKiosk(desk, { bypassCSP: true });
      if (language === 'en') await page.getByRole('button', { name: 'Switch to English' }).click();
      await page.getByRole('button', { name: language === 'vi' ? 'Hộ tịch' : 'Civil status' }).click();
      await expectAccessible(page, 'faces');
      await page
        .getByRole('button', { name: language === 'vi' ? 'Không hài lòng' : 'Dissatisfied', exact: true })
        .click();
      await expectAccessible(page, 'reasons');
      await page.getByRole('button', { name: language === 'vi' ? 'Gửi' : 'Send', exact: true }).click();
      await page
        .getByRole('status')
        .filter({ hasText: language === 'vi' ? 'Cảm ơn' : 'Thank you' })
        .waitFor();
      await expectAccessible(page, 'thanks');
      const unpaired = await (await tablet(browser, { bypassCSP: true })).newPage();
      await unpaired.goto(`${server.baseUrl}/kiosk/${desk.code}`);
      await unpaired.getByRole('heading').waitFor();
      await expectAccessible(unpaired, 'not paired');
      await unpaired.context().close();
      await page.context().close();
    }, 60_000);
  }
});

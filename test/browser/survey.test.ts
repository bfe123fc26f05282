import { beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { createTestDatabase } from '../database.ts';
import { makeDesk, makeDossierToken, makeUnit } from '../factories.ts';
import { startTestServer, type TestServer } from '../server.ts';
import { expectAccessible, expectLargeTargets, expectNoSidewaysScroll, launchChromium, phone } from './chromium.ts';

const { db } = await createTestDatabase();
let server: TestServer;
let browser: Browser;

beforeAll(async () => {
  server = await startTestServer(db, { RATE_LIMIT_PER_SOURCE: '1000' });
  browser = await launchChromium();
});

async function ratingsOfDesk(deskId: number) {
  return db
    .selectFrom('response')
    .innerJoin('domain', 'domain.id', 'response.domain_id')
    .leftJoin('comment', 'comment.response_id', 'response.id')
    .select([
      'response.id',
      'response.channel',
      'response.language',
      'domain.code as domain',
      'comment.body as comment',
    ])
    .where('response.desk_id', '=', deskId)
    .orderBy('response.id')
    .execute();
}

async function answersOf(responseId: number) {
  return db
    .selectFrom('response_answer')
    .innerJoin('question', 'question.id', 'response_answer.question_id')
    .select(['question.code', 'response_answer.score'])
    .where('response_id', '=', responseId)
    .orderBy('question.code')
    .execute();
}

async function openSurvey(path: string, options: { bypassCSP?: boolean } = {}): Promise<Page> {
  const context = await phone(browser, options);
  const page = await context.newPage();
  await page.goto(`${server.baseUrl}${path}`);
  return page;
}

describe('survey page on a phone', () => {
  it('a desk QR: choose the domain, rate, get thanked; the rating is stored with its desk, domain and channel', async () => {
    const { desk, unit } = await makeDesk(db, { domains: ['land', 'construction'] });
    const page = await openSurvey(`/s/${desk.code}`);
    await expect.poll(() => page.locator('html').getAttribute('lang')).toBe('vi');
    await expect.poll(() => page.getByText(unit.name).count()).toBe(1);
    await page.getByRole('button', { name: 'Xây dựng' }).click();
    await page.getByRole('radio', { name: 'Hài lòng', exact: true }).check();
    // No reasons after a good rating.
    expect(await page.getByText('chưa hài lòng vì điều gì').count()).toBe(0);
    await page.getByRole('button', { name: 'Gửi đánh giá' }).click();
    await expect.poll(() => page.getByText('Cảm ơn Ông/Bà đã đánh giá!').count()).toBe(1);

    const [stored] = await ratingsOfDesk(desk.id);
    expect(stored).toMatchObject({ channel: 'qr', language: 'vi', domain: 'construction', comment: null });
    expect(await answersOf(stored!.id)).toEqual([{ code: 'overall', score: 4 }]);
    await page.context().close();
  });

  it('the faces come with the page: a face tapped before the script has arrived is kept', async () => {
    const { desk } = await makeDesk(db, { domains: ['health'] });
    const context = await phone(browser);
    const page = await context.newPage();
    let releaseScripts = () => {};
    const scriptsHeld = new Promise<void>((resolve) => (releaseScripts = resolve));
    await page.route(/\/assets\/.*\.js$/, async (route) => {
      await scriptsHeld;
      await route.continue();
    });
    await page.goto(`${server.baseUrl}/s/${desk.code}`, { waitUntil: 'commit' });
    await page.getByRole('radio', { name: 'Không hài lòng', exact: true }).check();
    releaseScripts();
    // The page is live once the low rating has opened its reasons.
    await page.getByRole('checkbox', { name: 'Phải chờ đợi lâu' }).check();
    await expect.poll(() => page.getByRole('radio', { name: 'Không hài lòng', exact: true }).isChecked()).toBe(true);
    await page.getByRole('button', { name: 'Gửi đánh giá' }).click();
    await expect.poll(() => page.getByText('Cảm ơn Ông/Bà đã đánh giá!').count()).toBe(1);
    const [stored] = await ratingsOfDesk(desk.id);
    expect(await answersOf(stored!.id)).toEqual([{ code: 'overall', score: 2 }]);
    await context.close();
  });

  it('after a low rating offers the reasons and a comment, which are stored', async () => {
    const { desk } = await makeDesk(db, { domains: ['civil_status'] });
    const page = await openSurvey(`/s/${desk.code}`);
    // One domain: no question about it.
    await page.getByRole('radio', { name: 'Không hài lòng', exact: true }).check();
    await page.getByRole('checkbox', { name: 'Phải chờ đợi lâu' }).check();
    await page.getByRole('checkbox', { name: 'Cán bộ thiếu nhiệt tình, hướng dẫn chưa rõ' }).check();
    await page.getByLabel('Góp ý thêm (không bắt buộc)').fill('  Chờ gần hai tiếng <b>mới</b> đến lượt  ');
    await page.getByRole('button', { name: 'Gửi đánh giá' }).click();
    await expect.poll(() => page.getByText('Cảm ơn Ông/Bà đã đánh giá!').count()).toBe(1);

    const [stored] = await ratingsOfDesk(desk.id);
    expect(stored!.comment).toBe('Chờ gần hai tiếng <b>mới</b> đến lượt');
    const reasons = await db
      .selectFrom('response_reason')
      .innerJoin('reason', 'reason.id', 'response_reason.reason_id')
      .select('reason.code')
      .where('response_id', '=', stored!.id)
      .orderBy('reason.code')
      .execute();
    expect(reasons.map((reason) => reason.code)).toEqual(['unhelpful_staff', 'wait_long']);
    await page.context().close();
  });

  it('English is one tap away, remembered on the phone, and the rating records the language', async () => {
    const { desk } = await makeDesk(db, { domains: ['land'] });
    const page = await openSurvey(`/s/${desk.code}`);
    await page.getByRole('button', { name: 'Switch to English' }).click();
    await expect.poll(() => page.locator('html').getAttribute('lang')).toBe('en');
    await page.reload();
    await expect.poll(() => page.getByRole('radio', { name: 'Very satisfied' }).count()).toBe(1);
    expect(await page.locator('html').getAttribute('lang')).toBe('en');
    await page.getByRole('radio', { name: 'Very satisfied' }).check();
    await page.getByRole('button', { name: 'Send rating' }).click();
    await expect.poll(() => page.getByText('Thank you for your rating!').count()).toBe(1);
    expect((await ratingsOfDesk(desk.id))[0]).toMatchObject({ language: 'en' });
    await page.getByRole('button', { name: 'Chuyển sang tiếng Việt' }).click();
    await page.context().close();
  });

  it('the full questionnaire stores each criterion, leaves out "no opinion", and requires the overall question', async () => {
    const { desk } = await makeDesk(db, { domains: ['health'], questionnaire: 'full' });
    const page = await openSurvey(`/s/${desk.code}`);
    const criterion = (text: string) => page.getByRole('group', { name: text });
    await criterion('Nơi tiếp nhận và trả kết quả dễ tìm, có biển chỉ dẫn rõ ràng')
      .getByRole('radio', { name: 'Bình thường' })
      .check();
    await criterion('Công chức có thái độ lịch sự, tôn trọng').getByRole('radio', { name: 'Rất hài lòng' }).check();
    await criterion('Phí, lệ phí phải nộp đúng quy định').getByRole('radio', { name: 'Không ý kiến' }).check();
    await page.getByRole('button', { name: 'Gửi đánh giá' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('mức độ hài lòng chung');
    expect(await ratingsOfDesk(desk.id)).toEqual([]);

    await page
      .getByRole('group', { name: 'Nhìn chung, Ông/Bà hài lòng thế nào với sự phục vụ của cơ quan?' })
      .getByRole('radio', { name: 'Hài lòng', exact: true })
      .check();
    await page.getByRole('button', { name: 'Gửi đánh giá' }).click();
    await expect.poll(() => page.getByText('Cảm ơn Ông/Bà đã đánh giá!').count()).toBe(1);
    const [stored] = await ratingsOfDesk(desk.id);
    expect(await answersOf(stored!.id)).toEqual([
      { code: 'access.signage', score: 3 },
      { code: 'civil_servant.courtesy', score: 5 },
      { code: 'overall', score: 4 },
    ]);
    await page.context().close();
  });

  it('works with the keyboard alone', async () => {
    const { desk } = await makeDesk(db, { domains: ['land'] });
    const page = await openSurvey(`/s/${desk.code}`);
    await page.getByRole('radio', { name: 'Rất không hài lòng' }).waitFor();
    await page.keyboard.press('Tab'); // language
    await page.keyboard.press('Tab'); // first level of the scale
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    expect(await page.getByRole('radio', { name: 'Hài lòng', exact: true }).isChecked()).toBe(true);
    await page.keyboard.press('Tab'); // comment
    await page.keyboard.type('Tốt');
    await page.keyboard.press('Tab'); // send
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByText('Cảm ơn Ông/Bà đã đánh giá!').count()).toBe(1);
    const [stored] = await ratingsOfDesk(desk.id);
    expect(stored!.comment).toBe('Tốt');
    expect(await answersOf(stored!.id)).toEqual([{ code: 'overall', score: 4 }]);
    await page.context().close();
  });

  it('a lost connection: the rating is kept, the citizen is told, and it is sent once the network returns', async () => {
    const { desk } = await makeDesk(db, { domains: ['land'] });
    const page = await openSurvey(`/s/${desk.code}`);
    await page.getByRole('radio', { name: 'Rất hài lòng' }).check();
    await page.context().setOffline(true);
    await page.getByRole('button', { name: 'Gửi đánh giá' }).click();
    await expect.poll(() => page.getByRole('alert').textContent(), { timeout: 15_000 }).toContain('mất kết nối');
    expect(await ratingsOfDesk(desk.id)).toEqual([]);

    await page.context().setOffline(false);
    await expect.poll(() => page.getByText('Đã gửi xong').count(), { timeout: 15_000 }).toBe(1);
    expect(await ratingsOfDesk(desk.id)).toHaveLength(1);
    await page.context().close();
  });

  it('a queued rating sent by the service worker (Background Sync) is confirmed on the page', async () => {
    const { desk } = await makeDesk(db, { domains: ['land'] });
    const page = await openSurvey(`/s/${desk.code}`);
    await page.evaluate(() => navigator.serviceWorker.ready.then(() => undefined));
    // The page's own attempts keep failing, as on a phone whose connection comes and goes;
    // the service worker's fail too until the browser's sync below.
    let workerMaySend = false;
    await page
      .context()
      .route('**/api/v1/public/responses', (route) =>
        workerMaySend && route.request().serviceWorker() ? route.continue() : route.abort('internetdisconnected'),
      );
    await page.getByRole('radio', { name: 'Hài lòng', exact: true }).check();
    await page.getByRole('button', { name: 'Gửi đánh giá' }).click();
    await expect.poll(() => page.getByRole('alert').textContent(), { timeout: 15_000 }).toContain('mất kết nối');
    expect(await ratingsOfDesk(desk.id)).toEqual([]);

    // The browser fires the sync the page asked for, as it does when the network returns.
    const cdp = await page.context().newCDPSession(page);
    const registration = new Promise<string>((resolve) =>
      cdp.on('ServiceWorker.workerRegistrationUpdated', ({ registrations }) => {
        const found = registrations.find((candidate) => !candidate.isDeleted);
        if (found) resolve(found.registrationId);
      }),
    );
    await cdp.send('ServiceWorker.enable');
    workerMaySend = true;
    await cdp.send('ServiceWorker.dispatchSyncEvent', {
      origin: server.baseUrl,
      registrationId: await registration,
      tag: 'sipas-send',
      lastChance: false,
    });
    await expect.poll(() => page.getByText('Đã gửi xong').count(), { timeout: 15_000 }).toBe(1);
    expect(await ratingsOfDesk(desk.id)).toHaveLength(1);
    await page.context().close();
  });

  it('"Try sending now" sends a queued rating at once and thanks the citizen', async () => {
    const { desk } = await makeDesk(db, { domains: ['land'] });
    const page = await (await phone(browser)).newPage();
    // The page's clock stands still, so that no retry timer sends the rating before the button.
    await page.clock.install();
    await page.goto(`${server.baseUrl}/s/${desk.code}`);
    let connected = false;
    await page
      .context()
      .route('**/api/v1/public/responses', (route) =>
        connected ? route.continue() : route.abort('internetdisconnected'),
      );
    await page.getByRole('radio', { name: 'Rất hài lòng' }).check();
    await page.getByRole('button', { name: 'Gửi đánh giá' }).click();
    await page.getByRole('button', { name: 'Thử gửi lại ngay' }).waitFor({ timeout: 15_000 });
    expect(await ratingsOfDesk(desk.id)).toEqual([]);
    connected = true;
    // Forced: with the clock still, the page never paints the frames a normal click waits for.
    await page.getByRole('button', { name: 'Thử gửi lại ngay' }).click({ force: true });
    await expect.poll(() => page.getByText('Đã gửi xong').count(), { timeout: 5_000 }).toBe(1);
    expect(await ratingsOfDesk(desk.id)).toHaveLength(1);
    await page.context().close();
  });

  it('the full questionnaire says which question the citizen is at and how many are left', async () => {
    const { desk } = await makeDesk(db, { domains: ['health'], questionnaire: 'full' });
    const page = await openSurvey(`/s/${desk.code}`);
    const legends = page.locator('legend');
    await legends.first().waitFor();
    const numbered = (await legends.allTextContents()).filter((text) => /^Câu \d+\/\d+/.test(text));
    const total = numbered.length;
    expect(total).toBeGreaterThan(10);
    numbered.forEach((text, index) => expect(text.startsWith(`Câu ${index + 1}/${total}`)).toBe(true));
    // The overall question comes last.
    expect(numbered.at(-1)).toContain('Nhìn chung');

    const progress = page.getByText(/Đã trả lời \d+\/\d+ câu/);
    await expect.poll(() => progress.textContent()).toBe(`Đã trả lời 0/${total} câu, còn ${total} câu`);
    await page
      .getByRole('group', { name: 'Công chức có thái độ lịch sự, tôn trọng' })
      .getByRole('radio', { name: 'Rất hài lòng' })
      .check();
    await page
      .getByRole('group', { name: 'Phí, lệ phí phải nộp đúng quy định' })
      .getByRole('radio', { name: 'Không ý kiến' })
      .check();
    await expect.poll(() => progress.textContent()).toBe(`Đã trả lời 2/${total} câu, còn ${total - 2} câu`);
    // It stays in sight at the bottom of the screen while the citizen scrolls.
    await page.evaluate(() => window.scrollTo(0, 400));
    const box = (await progress.boundingBox())!;
    expect(box.y + box.height).toBeLessThanOrEqual(740);
    expect(box.y).toBeGreaterThan(600);
    await page.context().close();
  });

  it('the thanks show the unit’s hotline and complaint channel, and ask nothing of the citizen', async () => {
    const province = await makeUnit(db, { kind: 'province', name: 'Tỉnh Có Đường Dây Nóng' });
    await db
      .updateTable('unit')
      .set({ hotline: '0237 3852 100', complaint_url: 'https://dichvucong.example.gov.vn/phan-anh' })
      .where('id', '=', province.id)
      .execute();
    // A commune without its own contact shows its province's.
    const commune = await makeUnit(db, { parent_id: province.id });
    const { desk } = await makeDesk(db, { unit: commune, domains: ['land'] });
    const page = await openSurvey(`/s/${desk.code}`);
    await page.getByRole('radio', { name: 'Hài lòng', exact: true }).check();
    await page.getByRole('button', { name: 'Gửi đánh giá' }).click();
    await page.getByText('Cảm ơn Ông/Bà đã đánh giá!').waitFor();
    const hotline = page.getByRole('link', { name: '0237 3852 100' });
    expect(await hotline.getAttribute('href')).toBe('tel:02373852100');
    const complaint = page.getByRole('link', { name: 'dichvucong.example.gov.vn/phan-anh' });
    expect(await complaint.getAttribute('href')).toBe('https://dichvucong.example.gov.vn/phan-anh');
    expect(await page.locator('input, textarea').count()).toBe(0);
    await expectNoSidewaysScroll(page);
    await page.context().close();
  });

  it('fits a 360 px screen and 200% zoom without sideways scrolling, with large touch targets', async () => {
    const { desk } = await makeDesk(db, { domains: ['land', 'construction'], questionnaire: 'full' });
    const page = await openSurvey(`/s/${desk.code}`);
    await page.getByRole('button', { name: 'Đất đai' }).click();
    await expectNoSidewaysScroll(page);
    await expectLargeTargets(page);
    // 200% zoom on the same phone leaves 180 CSS pixels.
    await page.setViewportSize({ width: 180, height: 370 });
    await expectNoSidewaysScroll(page);
    await page.context().close();
  });
});

describe('receipt codes', () => {
  it('rate once with the dossier’s domain; opening the code again says it was used', async () => {
    const { desk } = await makeDesk(db, { domains: ['land', 'civil_status'] });
    const token = await makeDossierToken(db, desk, { domain: 'civil_status' });
    const page = await openSurvey(`/r/${token}`);
    // The domain comes with the code: straight to the question, which says what is rated.
    await page.getByRole('radio', { name: 'Rất hài lòng' }).check();
    await expect.poll(() => page.getByText('Lĩnh vực:').textContent()).toMatch(/Lĩnh vực:\s*Hộ tịch/);
    expect(await page.getByRole('button', { name: 'Đổi lĩnh vực' }).count()).toBe(0);
    await page.getByRole('button', { name: 'Gửi đánh giá' }).click();
    await expect.poll(() => page.getByText('Cảm ơn Ông/Bà đã đánh giá!').count()).toBe(1);
    expect(await ratingsOfDesk(desk.id)).toEqual([
      expect.objectContaining({ channel: 'dossier', domain: 'civil_status' }),
    ]);

    const again = await page.goto(`${server.baseUrl}/r/${token}`);
    expect(again?.status()).toBe(409);
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('đã được dùng để đánh giá');
    await page.context().close();
  });

  it('an unknown desk and an expired code each get a clear message', async () => {
    const { desk } = await makeDesk(db);
    const page = await openSurvey('/s/zzzz9999');
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('Không tìm thấy quầy này');
    const expired = await makeDossierToken(db, desk, { validDays: 1, now: new Date(Date.now() - 5 * 86_400_000) });
    await page.goto(`${server.baseUrl}/r/${expired}`);
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('hết hạn');
    await page.getByRole('button', { name: 'Switch to English' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('can no longer be used');
    await page.context().close();
  });
});

describe('home page', () => {
  it('a desk code typed in capitals, with spaces, opens that desk’s survey', async () => {
    const { desk, unit } = await makeDesk(db, { domains: ['land'] });
    const page = await (await phone(browser, { bypassCSP: true })).newPage();
    await page.goto(`${server.baseUrl}/`);
    await expectAccessible(page, 'home');
    await expectNoSidewaysScroll(page);
    await page.getByLabel('Mã quầy').fill(`  ${desk.code.toUpperCase()} `);
    await page.getByRole('button', { name: 'Đánh giá', exact: true }).click();
    await page.getByText(unit.name).first().waitFor();
    expect(new URL(page.url()).pathname).toBe(`/s/${desk.code}`);
    await page.getByRole('radio', { name: 'Rất hài lòng' }).waitFor();
    await page.context().close();
  });

  it('a code typed in capitals straight into the address leads to the same survey', async () => {
    const { desk, unit } = await makeDesk(db, { domains: ['land'] });
    const page = await (await phone(browser)).newPage();
    await page.goto(`${server.baseUrl}/s/${desk.code.toUpperCase()}`);
    await page.getByText(unit.name).first().waitFor();
    expect(new URL(page.url()).pathname).toBe(`/s/${desk.code}`);
    await page.context().close();
  });
});

describe('hostile names', () => {
  it('a unit name with markup is shown as text on the server-rendered survey, and never runs', async () => {
    const name = '<img src=x onerror="window.__xss=1"><script>window.__xss=2</script>Xã <b>đậm</b>';
    const unit = await makeUnit(db, { name });
    const { desk } = await makeDesk(db, { unit, domains: ['land'] });
    const page = await openSurvey(`/s/${desk.code}`);
    await page.getByText(name).first().waitFor();
    expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
    expect(await page.locator('b', { hasText: 'đậm' }).count()).toBe(0);
    await page.context().close();
  });
});

describe('accessibility', () => {
  for (const language of ['vi', 'en'] as const) {
    it(`axe finds no serious violation on the survey, its reasons and the thanks, in ${language}`, async () => {
      const { desk } = await makeDesk(db, { domains: ['land', 'construction'] });
      const { desk: fullDesk } = await makeDesk(db, { domains: ['land'], questionnaire: 'full' });
      const page = await openSurvey(`/s/${desk.code}`, { bypassCSP: true });
      if (language === 'en') await page.getByRole('button', { name: 'Switch to English' }).click();
      await page.getByRole('button', { name: language === 'vi' ? 'Đất đai' : 'Land' }).waitFor();
      await expectAccessible(page, 'domain question');
      await page.getByRole('button', { name: language === 'vi' ? 'Đất đai' : 'Land' }).click();
      await page.getByRole('radio', { name: language === 'vi' ? 'Rất không hài lòng' : 'Very dissatisfied' }).check();
      await expectAccessible(page, 'low rating with reasons');
      await page.getByRole('button', { name: language === 'vi' ? 'Gửi đánh giá' : 'Send rating' }).click();
      await page
        .getByRole('status')
        .filter({ hasText: language === 'vi' ? 'Cảm ơn' : 'Thank you' })
        .waitFor();
      await expectAccessible(page, 'thanks');
      await page.goto(`${server.baseUrl}/s/${fullDesk.code}`);
      await page
        .getByRole('radio', { name: language === 'vi' ? 'Không ý kiến' : 'No opinion' })
        .first()
        .waitFor();
      await expectAccessible(page, 'full questionnaire');
      await page.goto(`${server.baseUrl}/s/zzzz9999`);
      await page.getByRole('alert').waitFor();
      await expectAccessible(page, 'unknown desk');
      await page.context().close();
    });
  }
});

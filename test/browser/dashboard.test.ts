import ExcelJS from 'exceljs';
import type { Browser, Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { seedDemo, DEMO_PROVINCE_CODE } from '../../server/demo/seed-demo.ts';
import { DEMO_ACCOUNTS } from '../../server/demo/demo-accounts.ts';
import { createTestDatabase } from '../database.ts';
import { startTestServer, type TestServer } from '../server.ts';
import { expectAccessible, launchChromium } from './chromium.ts';
import { printedLines } from './print.ts';
import { signedInPage } from './officials-page.ts';

const { db } = await createTestDatabase();
let server: TestServer;
let browser: Browser;
// The year the dashboard opens on: Vietnam's, whatever the machine's time zone.
const year = Number(vietnamToday().slice(0, 4));

beforeAll(async () => {
  await seedDemo(db);
  server = await startTestServer(db);
  browser = await launchChromium();
});

/** Signs in as one of the demo accounts. */
async function signIn(username: string, options: { bypassCSP?: boolean } = {}): Promise<Page> {
  const account = DEMO_ACCOUNTS.find((candidate) => candidate.username === username)!;
  return signedInPage(browser, server.baseUrl, account, {
    viewport: { width: 1280, height: 900 },
    acceptDownloads: true,
    ...options,
  });
}

describe('dashboard', () => {
  it('a province against its targets, drilled down to a commune and its desks', async () => {
    const page = await signIn('xem.thanhhoa');
    const targets = page.getByRole('region', { name: 'So với chỉ tiêu kế hoạch' });
    await targets.getByRole('listitem').first().waitFor();
    // Each target shows a status in words, its figure, interval and n.
    const tthc = targets.getByRole('listitem').filter({ hasText: 'Hài lòng về giải quyết thủ tục hành chính' });
    await expect.poll(() => tthc.textContent()).toMatch(/(Đạt|Chưa đạt|Chưa chắc chắn|Chưa đủ dữ liệu)/);
    expect(await tthc.textContent()).toMatch(/khoảng tin cậy 95%:\s+\d+,\d%–\d+,\d%; n = [\d.]+/);
    // Figures on the page are the API's.
    const api = (await page.evaluate(
      async (query) => (await fetch(`/api/v1/officials/reports/summary?${query}`)).json(),
      `unitId=${await provinceId()}&period=${year}`,
    )) as {
      overall: { share: number; n: number };
    };
    await expect
      .poll(() => page.getByText(/Tỷ lệ hài lòng chung/).textContent())
      .toContain(api.overall.share.toLocaleString('vi-VN', { minimumFractionDigits: 1, maximumFractionDigits: 1 }));

    // Charts are drawn, with a table of the same numbers beside them.
    await page.getByRole('img', { name: /Tỷ lệ hài lòng theo lĩnh vực/ }).waitFor();
    await page.getByRole('img', { name: /Tỷ lệ hài lòng theo tháng/ }).waitFor();
    await page
      .getByRole('table', { name: 'Theo lĩnh vực' })
      .getByRole('row', { name: /Đất đai/ })
      .waitFor();
    // Ranking says how it ranks.
    await page.getByText(/Xếp theo cận dưới của khoảng tin cậy 95%/).waitFor();

    // Drill down: province → ward → its desks.
    await page
      .getByRole('table', { name: 'Xếp hạng các đơn vị trực thuộc' })
      .getByRole('link', { name: 'Phường Hạc Thành' })
      .click();
    await page.getByRole('heading', { name: /Mức độ hài lòng: Phường Hạc Thành/ }).waitFor();
    const desks = page.getByRole('table', { name: 'Theo quầy' });
    await expect.poll(() => desks.getByRole('row').count()).toBe(4);
    expect(page.url()).toContain('unitId=');
    await page.getByRole('link', { name: /Đơn vị cấp trên/ }).click();
    await page.getByRole('heading', { name: /Mức độ hài lòng: Tỉnh Thanh Hóa/ }).waitFor();
    await page.context().close();
  }, 60_000);

  it('a commune manager sees its commune, for a chosen month, with "not enough data" explained', async () => {
    const page = await signIn('quanly.hacthanh');
    await page.getByRole('heading', { name: /Phường Hạc Thành/ }).waitFor();
    await page.getByRole('combobox', { name: 'Loại kỳ báo cáo' }).selectOption({ label: 'Tháng' });
    await page.getByRole('heading', { name: /Tháng 01\/\d{4}/ }).waitFor();
    // A month of one ward's domain rarely reaches 400 answers: the report says so instead of judging.
    const domains = page.getByRole('table', { name: 'Theo lĩnh vực' });
    await domains.waitFor();
    await expect.poll(() => page.getByText(/Chưa đủ phiếu cho sai số ±5%/).count()).toBeGreaterThan(0);
    // Nothing of another commune appears.
    expect(await page.getByText('Xã Thành Vinh').count()).toBe(0);
    await page.context().close();
  }, 60_000);

  it('downloads the Excel export of what the dashboard shows, with a progress bar, and prints the report', async () => {
    const page = await signIn('xem.thanhhoa');
    await page.getByRole('table', { name: 'Theo lĩnh vực' }).waitFor();
    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Xuất Excel (tất cả các bảng)' }).click();
    const file = await download;
    expect(file.suggestedFilename()).toBe(`Báo cáo hài lòng - Tỉnh Thanh Hóa (dữ liệu mẫu) - Năm ${year}.xlsx`);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.readFile((await file.path())!);
    const sheet = workbook.getWorksheet('Theo lĩnh vực')!;
    const landRow = sheet.getRows(4, sheet.rowCount)!.find((row) => row.getCell(1).value === 'Đất đai')!;
    const shown = await page
      .getByRole('table', { name: 'Theo lĩnh vực' })
      .getByRole('row', { name: /Đất đai/ })
      .getByRole('cell')
      .first()
      .textContent();
    expect(shown!.trim()).toBe(
      `${(landRow.getCell(5).value as number).toLocaleString('vi-VN', { minimumFractionDigits: 1, maximumFractionDigits: 1 })}%`,
    );

    const [report] = await Promise.all([
      page.context().waitForEvent('page'),
      page.getByRole('link', { name: 'Bản in báo cáo' }).click(),
    ]);
    await report.getByRole('heading', { name: 'Báo cáo kết quả khảo sát mức độ hài lòng' }).waitFor();
    await report.getByRole('img', { name: /Tỷ lệ hài lòng theo lĩnh vực/ }).waitFor();
    const pdf = await report.pdf({ format: 'A4' });
    const pages = pdf.toString('latin1').match(/\/Type\s*\/Page\b/g) ?? [];
    expect(pages.length).toBeGreaterThan(2);
    await page.context().close();
  }, 60_000);

  it('axe finds no serious violation on the dashboard and the printed report', async () => {
    const page = await signIn('xem.thanhhoa', { bypassCSP: true });
    await page.getByRole('table', { name: 'Theo lĩnh vực' }).waitFor();
    await expectAccessible(page, 'dashboard');
    await page.goto(`${server.baseUrl}/officials/report?unitId=${await provinceId()}&period=${year}`);
    await page.getByRole('heading', { name: 'Báo cáo kết quả khảo sát mức độ hài lòng' }).waitFor();
    await expectAccessible(page, 'report');
    await page.context().close();
  }, 60_000);
});

describe('what an official reads on the charts and on paper', () => {
  it('months are written as officials write them, and months still to come are left out', async () => {
    const page = await signIn('xem.thanhhoa');
    const trend = page.getByRole('table', { name: 'Diễn biến theo tháng' });
    await trend.waitFor();
    const months = (await trend.locator('tbody th').allTextContents()).map((text) => text.trim());
    const [thisYear, thisMonth] = vietnamToday().split('-').map(Number) as [number, number];
    expect(months).toEqual(
      Array.from({ length: thisMonth }, (_, index) => `Tháng ${String(index + 1).padStart(2, '0')}/${thisYear}`),
    );
    const axis = await page
      .getByRole('img', { name: /Tỷ lệ hài lòng theo tháng/ })
      .locator('text')
      .allTextContents();
    expect(axis.filter((text) => /^\d{2}\/\d{4}$/.test(text))).toEqual(
      Array.from({ length: thisMonth }, (_, index) => `${String(index + 1).padStart(2, '0')}/${thisYear}`),
    );
    await page.context().close();
  }, 60_000);

  it('bar charts keep every name inside the chart and every value clear of the target line', async () => {
    const page = await signIn('xem.thanhhoa');
    const chart = page.getByRole('img', { name: /theo đơn vị trực thuộc/ });
    await chart.waitFor();
    const layout = await chart.evaluate((svg: SVGSVGElement) => {
      const box = (element: SVGGraphicsElement) => {
        const { x, y, width, height } = element.getBBox();
        return { x, y, width, height };
      };
      return {
        width: svg.viewBox.baseVal.width,
        names: [...svg.querySelectorAll<SVGTextElement>('text.label')].map((text) => ({
          text: text.textContent,
          ...box(text),
        })),
        values: [...svg.querySelectorAll<SVGTextElement>('text.value')].map((text) => box(text)),
        targets: [...svg.querySelectorAll<SVGLineElement>('line.target')].map((line) => line.x1.baseVal.value),
      };
    });
    expect(layout.names.map((name) => name.text).join(' ')).toContain('Trung tâm Phục vụ hành chính công tỉnh');
    for (const name of layout.names) {
      expect(name.x, name.text!).toBeGreaterThanOrEqual(0);
      expect(name.x + name.width, name.text!).toBeLessThanOrEqual(250);
    }
    expect(layout.targets.length).toBeGreaterThan(0);
    for (const value of layout.values) {
      expect(value.x + value.width).toBeLessThanOrEqual(layout.width);
      for (const target of layout.targets)
        expect(
          target < value.x - 1 || target > value.x + value.width + 1,
          `${target} in ${JSON.stringify(value)}`,
        ).toBe(true);
    }
    await page.context().close();
  }, 60_000);

  it('a commune’s own target is drawn on its domain chart, so a domain below it shows', async () => {
    const page = await signIn('xem.thanhhoa');
    const thanhVinh = await db
      .selectFrom('unit')
      .select('id')
      .where('code', '=', 'DEMO-TH-THANHVINH')
      .executeTakeFirstOrThrow();
    await page.goto(`${server.baseUrl}/officials/?unitId=${thanhVinh.id}&period=${year}`);
    const chart = page.getByRole('img', { name: /Tỷ lệ hài lòng theo lĩnh vực/ });
    await chart.waitFor();
    await expect
      .poll(() => page.getByText(/chỉ tiêu hài lòng về giải quyết TTHC của đơn vị \(trên 80%\)/).count())
      .toBe(1);
    // The line stands where the axis says 80%.
    const { line, tick } = await chart.evaluate((svg: SVGSVGElement) => ({
      line: svg.querySelector<SVGLineElement>('line.target')!.x1.baseVal.value,
      tick: [...svg.querySelectorAll<SVGTextElement>('text.tick')].find((text) => text.textContent === '80%')!.x
        .baseVal[0]!.value,
    }));
    expect(line).toBeCloseTo(tick, 5);
    await page.context().close();
  }, 60_000);

  it('the printed report fits A4: every table inside the printable width, its columns all there', async () => {
    const page = await signIn('xem.thanhhoa');
    await page.goto(`${server.baseUrl}/officials/report?unitId=${await provinceId()}&period=${year}`);
    await page.getByRole('table', { name: 'Theo lĩnh vực' }).waitFor();
    await page.getByRole('img', { name: /Tỷ lệ hài lòng theo lĩnh vực/ }).waitFor();
    const pdf = await page.pdf({ format: 'A4', preferCSSPageSize: true });
    const lines = printedLines(pdf);
    const pages = new Set(lines.map((line) => line.page)).size;
    // 20 mm left and 15 mm right margins, in CSS pixels.
    const [left, right] = [(20 / 25.4) * 96, (15 / 25.4) * 96];
    for (const line of lines) {
      expect(line.x, line.text).toBeGreaterThanOrEqual(left - 2);
      expect(line.x + line.width, line.text).toBeLessThanOrEqual(line.pageWidth - right + 2);
    }
    const text = lines.map((line) => line.text).join('\n');
    // The domain table keeps its target, status and gap columns; the ranking its last one.
    for (const heading of ['Chỉ tiêu', 'Đánh giá', 'Chênh lệch (điểm)', 'Hạng', 'Điểm trung bình'])
      expect(text).toContain(heading);
    // A desk's unit name stays on one line: no column is squeezed to a word a line.
    expect(text).toMatch(/Phường Hạc Thành/);
    // Rows flow across pages, many to a page.
    expect(pages).toBeLessThanOrEqual(8);
    expect(lines.length / pages).toBeGreaterThan(25);
    await page.context().close();
  }, 90_000);
});

/** Today in Vietnam, `YYYY-MM-DD`. */
function vietnamToday(): string {
  return new Date(Date.now() + 7 * 3_600_000).toISOString().slice(0, 10);
}

async function provinceId(): Promise<number> {
  return (await db.selectFrom('unit').select('id').where('code', '=', DEMO_PROVINCE_CODE).executeTakeFirstOrThrow()).id;
}

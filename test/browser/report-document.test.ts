import { readFile } from 'node:fs/promises';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildReportDocument } from '../../server/reports/document.ts';
import { parsePeriod } from '../../server/reports/periods.ts';
import { createTestDatabase } from '../database.ts';
import { makeOfficial } from '../officials.ts';
import { A4, outsideDecreeMargins, pdfTextLines } from '../pdf-layout.ts';
import { readDocx, seedDocumentProvince } from '../report-document.ts';
import { startTestServer, type TestServer } from '../server.ts';
import { expectAccessible, launchChromium } from './chromium.ts';
import { signedInPage } from './officials-page.ts';

/**
 * The print page of the report document: the same sentences as the DOCX, in the decree's
 * layout, printed by Chromium on A4 with every word within the margins; the Word file is
 * one click away.
 */

const { db } = await createTestDatabase();
let server: TestServer;
let browser: Browser;
let units: Awaited<ReturnType<typeof seedDocumentProvince>>;
let account: Awaited<ReturnType<typeof makeOfficial>>;

beforeAll(async () => {
  units = await seedDocumentProvince(db);
  account = await makeOfficial(db, 'viewer', units.province);
  server = await startTestServer(db);
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
});

/** Signs in and opens the province's document for the second quarter of 2026. */
async function openDocument(options: { bypassCSP?: boolean } = {}) {
  const page = await signedInPage(browser, server.baseUrl, account, {
    viewport: { width: 1280, height: 900 },
    acceptDownloads: true,
    ...options,
  });
  const context = page.context();
  await page.goto(`${server.baseUrl}/officials/report/document?unitId=${units.province.id}&period=2026-Q2`);
  await page.getByRole('heading', { name: /BÁO CÁO/ }).waitFor();
  return { context, page };
}

describe('the printed report document', () => {
  it('shows the document, prints on A4 within the margins, and downloads it as Word', async () => {
    const { context, page } = await openDocument();

    // The same sentences as the document the server builds for the DOCX.
    const model = await buildReportDocument(db, units.province.id, parsePeriod('2026-Q2')!);
    const text = (await page.locator('article').textContent())!;
    for (const block of model.blocks) if (block.type === 'paragraph') expect(text).toContain(block.text);
    expect(text).toContain('CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM');
    expect(text).toContain('Số: …/BC-UBND');
    expect(text).toContain('Nơi nhận:');

    // Printed with its own @page rule: A4, the decree's margins; every line within them.
    await page.evaluate(() => document.fonts.ready.then(() => undefined));
    const { pages, lines } = pdfTextLines(await page.pdf({ preferCSSPageSize: true }));
    expect(pages.length).toBeGreaterThanOrEqual(2);
    for (const printed of pages) {
      expect(printed.width).toBeCloseTo(A4.width, 0);
      expect(printed.height).toBeCloseTo(A4.height, 0);
    }
    expect(lines.map((line) => line.text.trim())).toContain('BÁO CÁO');
    expect(outsideDecreeMargins(lines)).toEqual([]);

    // The Word file of the same document.
    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Văn bản báo cáo (Word)' }).click();
    const file = await download;
    expect(file.suggestedFilename()).toBe('Báo cáo kết quả khảo sát hài lòng - Tỉnh Hà Thử - Quý II-2026.docx');
    const docx = await readDocx(await readFile((await file.path())!));
    for (const block of model.blocks) if (block.type === 'paragraph') expect(docx.paragraphs).toContain(block.text);
    await context.close();
  }, 90_000);

  it('axe finds no serious violation on the print page', async () => {
    // axe is injected as a script, which the platform's CSP rightly refuses.
    const { context, page } = await openDocument({ bypassCSP: true });
    await expectAccessible(page, 'report document');
    await context.close();
  }, 60_000);
});

import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportWorkbook } from '../../server/reports/export.ts';
import { parsePeriod } from '../../server/reports/periods.ts';
import { createTestDatabase } from '../database.ts';
import { pdfTextLines } from '../pdf-layout.ts';
import { seedDocumentProvince } from '../report-document.ts';

/**
 * The XLSX export as a spreadsheet application prints it (LibreOffice Calc to PDF, `npm run
 * test:documents`): every sheet's columns on the page, a few pages per table rather than
 * the table cut by columns across many, the header row and the page's caption on every page.
 */

const run = promisify(execFile);
const { db } = await createTestDatabase();
let folder: string;
let units: Awaited<ReturnType<typeof seedDocumentProvince>>;

beforeAll(async () => {
  folder = await mkdtemp(path.join(os.tmpdir(), 'sipas-workbook-'));
  units = await seedDocumentProvince(db);
});

afterAll(async () => {
  if (folder) await rm(folder, { recursive: true, force: true });
});

describe('the XLSX export printed from a spreadsheet application', () => {
  it('fits every table to the page width, with its header row and caption on every page', async () => {
    const file = await exportWorkbook(db, units.province.id, parsePeriod('2026-Q2')!);
    const source = path.join(folder, 'workbook.xlsx');
    await writeFile(source, file.content);
    await run(
      'soffice',
      [
        `-env:UserInstallation=file://${folder}/profile`,
        '--headless',
        '--convert-to',
        'pdf',
        '--outdir',
        folder,
        source,
      ],
      { timeout: 120_000 },
    );
    const { pages, lines } = pdfTextLines(await readFile(path.join(folder, 'workbook.pdf')));
    // The tables of a small province: a page or two each, not dozens cut by columns.
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(file.content as unknown as ArrayBuffer);
    const tables = workbook.worksheets.length;
    expect(tables).toBeGreaterThanOrEqual(8);
    expect(pages.length).toBeGreaterThanOrEqual(tables);
    expect(pages.length).toBeLessThanOrEqual(2 * tables);
    for (const [index, page] of pages.entries()) {
      const onPage = lines.filter((line) => line.page === index + 1);
      // Nothing runs past the paper's edges.
      for (const line of onPage) {
        expect(line.left, line.text).toBeGreaterThanOrEqual(0);
        expect(line.right, line.text).toBeLessThanOrEqual(page.width);
      }
      const text = onPage.map((line) => line.text).join(' ');
      expect(text, `page ${index + 1}`).toContain('Tỉnh Hà Thử');
      expect(text, `page ${index + 1}`).toMatch(/Trang \d+ \/ \d+/);
    }
    // The first page holds the targets, their status and gap beside the figures: the share,
    // its interval and n (words of wrapped headers come line by line).
    const firstPage = lines
      .filter((line) => line.page === 1)
      .map((line) => line.text)
      .join(' ');
    for (const word of ['Chỉ tiêu', 'Đánh giá', 'Chênh', 'Tỷ lệ hài', 'Cận dưới', 'Cận trên', 'Số phiếu', 'Chưa đạt'])
      expect(firstPage, word).toContain(word);
  });
});

import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildReportDocument } from '../../server/reports/document.ts';
import { reportDocx } from '../../server/reports/document-docx.ts';
import { parsePeriod } from '../../server/reports/periods.ts';
import { createTestDatabase } from '../database.ts';
import { makeDesk, makeUnit, writeRatings } from '../factories.ts';
import { A4, outsideDecreeMargins, pdfTextLines } from '../pdf-layout.ts';
import { seedDocumentProvince } from '../report-document.ts';

/**
 * The report document rendered to PDF by LibreOffice (`npm run test:documents`, which needs
 * Debian's libreoffice-writer-nogui): it converts without complaint, and every line of every
 * page — tables included — lies within the decree's margins, on A4 (read with MuPDF).
 */

const run = promisify(execFile);
const { db } = await createTestDatabase();
let folder: string;
let units: Awaited<ReturnType<typeof seedDocumentProvince>>;

beforeAll(async () => {
  folder = await mkdtemp(path.join(os.tmpdir(), 'sipas-documents-'));
  units = await seedDocumentProvince(db);
  // Long names, one a single word longer than its column, and many desks.
  const long = await makeUnit(db, {
    kind: 'agency',
    parent_id: units.province.id,
    name: 'Trung tâm Phục vụ hành chính công và Xúc tiến đầu tư, thương mại, du lịch tỉnh Hà Thử (cơ sở số 2)',
  });
  for (let index = 0; index < 3; index++) {
    const { desk } = await makeDesk(db, { unit: long, domains: ['land'] });
    await db
      .updateTable('desk')
      .set({ name: `Quầy_tiếp_nhận_và_trả_kết_quả_hồ_sơ_đất_đai_xây_dựng_số_${index + 1}` })
      .where('id', '=', desk.id)
      .execute();
    await writeRatings(db, desk, { scores: [4, 4, 4, 4, 4], at: '2026-05-09T09:00:00+07:00' });
  }
});

afterAll(async () => {
  if (folder) await rm(folder, { recursive: true, force: true });
});

/** Converts a DOCX to PDF with LibreOffice and reads its pages and lines of text. */
async function render(name: string, docx: Buffer) {
  const source = path.join(folder, `${name}.docx`);
  await writeFile(source, docx);
  await run(
    'soffice',
    [`-env:UserInstallation=file://${folder}/profile`, '--headless', '--convert-to', 'pdf', '--outdir', folder, source],
    { timeout: 120_000 },
  );
  return pdfTextLines(await readFile(path.join(folder, `${name}.pdf`)));
}

describe('the report document in LibreOffice', () => {
  for (const [name, unit, period] of [
    ['province', () => units.province.id, '2026-Q2'],
    ['commune', () => units.commune.id, '2026-H1'],
  ] as const) {
    it(`the ${name}'s report is A4 and every line stays within the margins`, async () => {
      const document = await buildReportDocument(db, unit(), parsePeriod(period)!);
      const { pages, lines } = await render(name, await reportDocx(document));
      expect(pages.length).toBeGreaterThanOrEqual(2);
      for (const page of pages) {
        expect(page.width).toBeCloseTo(A4.width, 0);
        expect(page.height).toBeCloseTo(A4.height, 0);
      }
      expect(lines.map((line) => line.text.trim())).toContain('BÁO CÁO');
      expect(outsideDecreeMargins(lines)).toEqual([]);
      // The long desk names were wrapped inside their column, not cut off: every piece is there.
      if (name === 'province') {
        const text = lines.map((line) => line.text.trim()).join('');
        expect(text).toContain('Quầy_tiếp_nhận_và_trả_kết_quả_hồ_sơ_đất_đai_xây_dựng_số_1');
      }
    });
  }
});

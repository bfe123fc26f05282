import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildReportDocument } from '../../server/reports/document.ts';
import { reportDocx } from '../../server/reports/document-docx.ts';
import { parsePeriod } from '../../server/reports/periods.ts';
import { writeBatch } from '../../server/responses/write-batch.ts';
import { createTestDatabase } from '../database.ts';
import { makeDesk, makeUnit } from '../factories.ts';
import { seedDocumentProvince } from '../report-document.ts';

/**
 * The report document rendered to PDF by LibreOffice (`npm run test:documents`, which needs
 * Debian's libreoffice-writer-nogui and poppler-utils): it converts without complaint, and
 * every word of every page — tables included — lies within the decree's margins, on A4.
 */

const run = promisify(execFile);
const { db } = await createTestDatabase();
let folder: string;
let units: Awaited<ReturnType<typeof seedDocumentProvince>>;

// A4 in points, and the margins: left 30 mm, right 15 mm, bottom 20 mm (1 mm = 72 / 25.4 pt).
const MM = 72 / 25.4;
const PAGE = { width: 210 * MM, height: 297 * MM };
const TEXT = { left: 30 * MM, right: PAGE.width - 15 * MM, bottom: PAGE.height - 20 * MM };
const TOLERANCE = 1; // a point: glyph boxes overhang their advance by a hair

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
    const outcomes = await writeBatch(
      db,
      Array.from({ length: 5 }, () => ({
        body: {
          deskCode: desk.code,
          domain: 'land',
          questionnaireId: 'quick-1',
          answers: { overall: 4 },
          language: 'vi' as const,
          channel: 'qr' as const,
          clientTime: '2026-05-09T09:00:00+07:00',
          idempotencyKey: randomUUID(),
        },
        bucket: Buffer.from('pdf-test'),
        receivedAt: new Date('2026-05-09T02:01:00Z'),
      })),
      { rateLimit: { perSource: 1e9, perKiosk: 1e9, windowSeconds: 600 } },
    );
    expect(outcomes.every((outcome) => outcome.ok)).toBe(true);
  }
});

afterAll(async () => {
  if (folder) await rm(folder, { recursive: true, force: true });
});

interface Word {
  page: number;
  xMin: number;
  xMax: number;
  yMax: number;
  text: string;
}

/** Converts a DOCX to PDF with LibreOffice and reads every word's box with poppler's pdftotext. */
async function render(name: string, docx: Buffer) {
  const source = path.join(folder, `${name}.docx`);
  await writeFile(source, docx);
  await run(
    'soffice',
    [`-env:UserInstallation=file://${folder}/profile`, '--headless', '--convert-to', 'pdf', '--outdir', folder, source],
    { timeout: 120_000 },
  );
  const boxes = path.join(folder, `${name}.html`);
  await run('pdftotext', ['-bbox', path.join(folder, `${name}.pdf`), boxes]);
  const html = await readFile(boxes, 'utf8');
  const pages = [...html.matchAll(/<page width="([\d.]+)" height="([\d.]+)">([\s\S]*?)<\/page>/g)];
  const words: Word[] = pages.flatMap((page, index) =>
    [...page[3]!.matchAll(/<word xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)<\/word>/g)].map(
      (word) => ({
        page: index + 1,
        xMin: Number(word[1]),
        xMax: Number(word[2]),
        yMax: Number(word[3]),
        text: word[4]!,
      }),
    ),
  );
  return { pages: pages.map((page) => ({ width: Number(page[1]), height: Number(page[2]) })), words };
}

describe('the report document in LibreOffice', () => {
  for (const [name, unit, period] of [
    ['province', () => units.province.id, '2026-Q2'],
    ['commune', () => units.commune.id, '2026-H1'],
  ] as const) {
    it(`the ${name}'s report is A4 and every word stays within the margins`, async () => {
      const document = await buildReportDocument(db, unit(), parsePeriod(period)!);
      const { pages, words } = await render(name, await reportDocx(document));
      expect(pages.length).toBeGreaterThanOrEqual(2);
      for (const page of pages) {
        expect(page.width).toBeCloseTo(PAGE.width, 0);
        expect(page.height).toBeCloseTo(PAGE.height, 0);
      }
      expect(words.map((word) => word.text)).toContain('BÁO');
      const outside = words.filter(
        (word) =>
          word.xMin < TEXT.left - TOLERANCE ||
          word.xMax > TEXT.right + TOLERANCE ||
          word.yMax > TEXT.bottom + TOLERANCE,
      );
      expect(outside).toEqual([]);
      // The long desk names were wrapped inside their column, not cut off: every piece is there.
      if (name === 'province') {
        const text = words.map((word) => word.text).join('');
        expect(text).toContain('Quầy_tiếp_nhận_và_trả_kết_quả_hồ_sơ_đất_đai_xây_dựng_số_1');
      }
    });
  }
});

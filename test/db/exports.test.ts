import ExcelJS from 'exceljs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Unit } from '../../server/units/unit.table.ts';
import { createTestDatabase } from '../database.ts';
import { makeDesk, makeUnit, quickRating } from '../factories.ts';
import { downloadExport, makeOfficial, signIn, type SignedIn } from '../officials.ts';
import { startTestServer, type TestServer } from '../server.ts';

const { db } = await createTestDatabase();
let server: TestServer;
let viewer: SignedIn;
let commune: Unit;
const period = '2026-01-01..2026-12-31';
const hostile = '=HYPERLINK("http://evil.example","bấm vào đây")';

beforeAll(async () => {
  server = await startTestServer(db, { RATE_LIMIT_PER_SOURCE: '100000' });
  const province = await makeUnit(db, { kind: 'province', name: 'Tỉnh Xuất' });
  commune = await makeUnit(db, { parent_id: province.id, name: '+Xã Dấu Cộng' });
  const { desk } = await makeDesk(db, { unit: commune, domains: ['land', 'health'] });
  const post = (body: Record<string, unknown>) =>
    server.post(
      '/api/v1/public/responses',
      quickRating({ deskCode: desk.code, clientTime: '2026-05-05T09:00:00+07:00', ...body }),
    );
  for (let i = 0; i < 6; i++) await post({ answers: { overall: 5 } });
  for (let i = 0; i < 3; i++) await post({ domain: 'health', answers: { overall: 2 }, reasons: ['wait_long'] });
  expect((await post({ answers: { overall: 1 }, comment: hostile })).status).toBe(201);
  await db
    .insertInto('target')
    .values({ unit_id: commune.id, year: 2026, metric: 'tthc', domain_id: null, threshold: 90 })
    .execute();
  const account = await makeOfficial(db, 'viewer', province);
  viewer = await signIn(server, account.username, account.password);
});

const download = (request: Parameters<typeof downloadExport>[1]) => downloadExport(viewer, request);

describe('exports', () => {
  it('an XLSX workbook, named after unit and period, whose sheets hold the numbers of the API', async () => {
    const response = await download({ unitId: commune.id, period, format: 'xlsx' });
    expect(response.headers.get('content-type')).toContain('spreadsheetml');
    const disposition = decodeURIComponent(response.headers.get('content-disposition')!);
    expect(disposition).toContain('Báo cáo hài lòng - +Xã Dấu Cộng - Từ 01-01-2026 đến 31-12-2026.xlsx');

    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(await response.arrayBuffer());
    expect(workbook.worksheets.map((sheet) => sheet.name)).toEqual([
      'Tổng hợp so với chỉ tiêu',
      'Theo lĩnh vực',
      'Theo đơn vị trực thuộc',
      'Theo quầy',
      'Theo yếu tố, tiêu chí',
      'Theo tháng',
      'Lý do chưa hài lòng',
      'Góp ý',
      'Góp ý theo yếu tố',
      'Theo dõi xử lý',
    ]);

    const api = (await (
      await viewer.request('GET', `/reports/breakdown?unitId=${commune.id}&period=${period}&by=domain`)
    ).json()) as {
      key: string;
      figure: { share: number; n: number; interval: { low: number; high: number } };
    }[];
    const domains = workbook.getWorksheet('Theo lĩnh vực')!;
    const header = domains.getRow(3).values as (string | undefined)[];
    const column = (name: string) => header.indexOf(name);
    const sheetRows = new Map<string, ExcelJS.Row>();
    domains.eachRow((row, number) => {
      if (number > 3) sheetRows.set(String(row.getCell(1).value), row);
    });
    for (const [key, name] of [
      ['land', 'Đất đai'],
      ['health', 'Y tế'],
    ] as const) {
      const figure = api.find((row) => row.key === key)!.figure;
      const row = sheetRows.get(name)!;
      expect(row.getCell(column('Tỷ lệ hài lòng (%)')).value).toBe(figure.share);
      expect(row.getCell(column('Số phiếu hợp lệ (n)')).value).toBe(figure.n);
      expect(row.getCell(column('Cận dưới 95% (%)')).value).toBe(figure.interval.low);
      expect(row.getCell(column('Cận trên 95% (%)')).value).toBe(figure.interval.high);
    }

    // Each row against last year's: nothing was rated in 2025, so no change is judged.
    expect(sheetRows.get('Đất đai')!.getCell(column('So với cùng kỳ năm trước: tỷ lệ kỳ đó (%)')).value).toBeNull();
    expect(sheetRows.get('Đất đai')!.getCell(column('So với cùng kỳ năm trước: đánh giá')).value).toBe(
      'Chưa đủ dữ liệu',
    );

    // A comment that is a formula stays text; so does a unit name starting with "+".
    const comments = workbook.getWorksheet('Góp ý')!;
    const cells: ExcelJS.Cell[] = [];
    comments.eachRow((row) => row.eachCell((cell) => cells.push(cell)));
    const comment = cells.find((cell) => String(cell.value).includes('HYPERLINK'))!;
    expect(comment.type).toBe(ExcelJS.ValueType.String);
    expect(comment.value).toBe(`'${hostile}`);
    expect(cells.some((cell) => cell.type === ExcelJS.ValueType.Formula)).toBe(false);
    expect(cells.some((cell) => cell.value === "'+Xã Dấu Cộng")).toBe(true);
    expect(cells.some((cell) => cell.value === '+Xã Dấu Cộng')).toBe(false);
  });

  it('every sheet prints on A4 within the page width, its header row on every page, unit, period and page number on each', async () => {
    const response = await download({ unitId: commune.id, period, format: 'xlsx' });
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(await response.arrayBuffer());
    expect(workbook.worksheets.length).toBeGreaterThanOrEqual(8);
    for (const sheet of workbook.worksheets) {
      const setup = sheet.pageSetup;
      expect(setup.paperSize, sheet.name).toBe(9);
      // Scaled to one page across, or two for the widest tables (their figures with the
      // changes since the previous period), the names repeated on each: never cut by columns.
      expect(setup.fitToPage, sheet.name).toBe(true);
      expect(setup.fitToHeight, sheet.name).toBe(0);
      expect([1, 2], sheet.name).toContain(setup.fitToWidth);
      if (setup.fitToWidth === 2) expect(setup.printTitlesColumn, sheet.name).toBe('A:A');
      expect(setup.printTitlesRow, sheet.name).toBe('3:3');
      const columns = sheet.getRow(3).cellCount;
      // A table wider than a portrait page's comfortable width is laid out in landscape.
      if (columns > 10) expect(setup.orientation, sheet.name).toBe('landscape');
      // "+Xã Dấu Cộng" and the period in the page header; "&" doubled, as the codes need.
      expect(sheet.headerFooter.oddHeader, sheet.name).toContain('+Xã Dấu Cộng — ');
      expect(sheet.headerFooter.oddFooter, sheet.name).toContain('&P / &N');
    }
    // Comments wrap in a column wide enough to read.
    const comments = workbook.getWorksheet('Góp ý')!;
    const column = comments.getRow(3).values as unknown[];
    const commentColumn = comments.getColumn(column.indexOf('Góp ý'));
    expect(commentColumn.width).toBeGreaterThanOrEqual(40);
    expect(commentColumn.alignment?.wrapText).toBe(true);
  });

  it('CSV of one table, with a byte-order mark and formula-safe text', async () => {
    const response = await download({ unitId: commune.id, period, format: 'csv', table: 'comments' });
    expect(response.headers.get('content-type')).toContain('text/csv');
    const bytes = new Uint8Array(await response.arrayBuffer());
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = new TextDecoder().decode(bytes); // drops the byte-order mark
    expect(text.split('\r\n')[0]).toBe(
      'Thời gian,Đơn vị,Quầy,Lĩnh vực,Mức đánh giá,Góp ý,Tình trạng,Ghi chú xử lý,Yếu tố được nhắc đến',
    );
    expect(text).toContain(`"'=HYPERLINK(""http://evil.example"",""bấm vào đây"")"`);
    expect(text).not.toMatch(/(^|,)=HYPERLINK/m);

    const summary = new TextDecoder().decode(
      await (await download({ unitId: commune.id, period, format: 'csv', table: 'summary' })).arrayBuffer(),
    );
    // 6 satisfied of 10 → 60%, Wilson [31.27, 83.18], over the whole period; 10 ballots, one answer each.
    expect(summary).toContain(
      'Hài lòng về giải quyết TTHC (câu hỏi chung),,Từ 01/01/2026 đến 31/12/2026,,,,,60,31.27,83.18,10,10,',
    );
    // No dossier count entered: the line says so, and that 400 ballots are needed.
    expect(summary).toContain('Số hồ sơ đã giải quyết trong kỳ (N): chưa nhập (01/2026, 02/2026,');
  });

  it('an export of another official, or outside the scope, is not found', async () => {
    const other = await makeOfficial(db, 'viewer', commune);
    const otherSession = await signIn(server, other.username, other.password);
    const started = (await (
      await viewer.request('POST', '/reports/exports', { unitId: commune.id, period, format: 'csv' })
    ).json()) as { id: string };
    expect((await otherSession.request('GET', `/reports/exports/${started.id}`)).status).toBe(404);
    expect((await otherSession.request('GET', `/reports/exports/${started.id}/file`)).status).toBe(404);
    const elsewhere = await makeUnit(db);
    expect(
      (await viewer.request('POST', '/reports/exports', { unitId: elsewhere.id, period, format: 'xlsx' })).status,
    ).toBe(404);
    expect(
      (await viewer.request('POST', '/reports/exports', { unitId: commune.id, period: 'last year', format: 'xlsx' }))
        .status,
    ).toBe(400);
  });
});

import { beforeAll, describe, expect, it } from 'vitest';
import { TEXT_WIDTH } from '../../server/reports/document-docx.ts';
import type { ReportDocument } from '../../server/reports/document.ts';
import { docxText } from '../../server/targets/docx-text.ts';
import { createTestDatabase } from '../database.ts';
import { makeOfficial, signIn, type SignedIn } from '../officials.ts';
import { readDocx, seedDocumentProvince } from '../report-document.ts';
import { startTestServer, type TestServer } from '../server.ts';

/**
 * The periodic report document, from the hand-worked province of `test/report-document.ts`:
 * every number, the header block, the narrative and the verdicts, read back from the DOCX.
 */

const { db } = await createTestDatabase();
let server: TestServer;
let viewer: SignedIn;
let units: Awaited<ReturnType<typeof seedDocumentProvince>>;

beforeAll(async () => {
  server = await startTestServer(db);
  units = await seedDocumentProvince(db);
  // A desk whose name a spreadsheet would read as a formula, should a table be pasted into one.
  await db.updateTable('desk').set({ name: '=SUM(A1)' }).where('unit_id', '=', units.hospital.id).execute();
  const account = await makeOfficial(db, 'viewer', units.province);
  viewer = await signIn(server, account.username, account.password);
});

/** Starts the DOCX export, checks that its progress only grows, and downloads it. */
async function docx(unitId: number, period: string) {
  const started = await viewer.request('POST', '/reports/exports', { unitId, period, format: 'docx' });
  expect(started.status).toBe(202);
  const { id } = (await started.json()) as { id: string };
  let last = -1;
  for (;;) {
    const job = (await (await viewer.request('GET', `/reports/exports/${id}`)).json()) as {
      status: string;
      progress: number;
    };
    expect(job.progress).toBeGreaterThanOrEqual(last);
    last = job.progress;
    if (job.status === 'done') break;
    expect(job.status).toBe('running');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const response = await viewer.request('GET', `/reports/exports/${id}/file`);
  expect(response.status).toBe(200);
  return { response, bytes: Buffer.from(await response.arrayBuffer()) };
}

describe('the report document of a province, quarter II of 2026', () => {
  let doc: Awaited<ReturnType<typeof readDocx>>;
  let bytes: Buffer;
  let response: Response;

  beforeAll(async () => {
    ({ response, bytes } = await docx(units.province.id, '2026-Q2'));
    doc = await readDocx(bytes);
  });

  it('is a DOCX named after the unit and period, that an independent reader opens', async () => {
    expect(response.headers.get('content-type')).toBe(
      'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
    );
    expect(decodeURIComponent(response.headers.get('content-disposition')!)).toContain(
      'Báo cáo kết quả khảo sát hài lòng - Tỉnh Hà Thử - Quý II-2026.docx',
    );
    // The plan reader's own unpacking of a .docx, which refuses malformed archives and parts.
    const text = docxText(new Uint8Array(bytes));
    expect(text).toContain('BÁO CÁO');
    expect(text).toContain('Hài lòng về giải quyết thủ tục hành chính: đạt 84,6%');
  });

  it('is A4 portrait in Times New Roman 14, with the decree’s margins and every table within them', () => {
    // A4 = 210 × 297 mm = 11906 × 16838 twips; 20 mm = 1134, 30 mm = 1701, 15 mm = 850 twips.
    expect(doc.xml).toMatch(/<w:pgSz w:w="11906" w:h="16838"/);
    expect(doc.xml).toMatch(/<w:pgMar w:top="1134" w:right="850" w:bottom="1134" w:left="1701"/);
    expect(doc.styles).toContain('w:ascii="Times New Roman"');
    expect(doc.styles).toMatch(/<w:sz w:val="28"\/>/);
    // 210 − 30 − 15 = 165 mm = 9355 twips between the margins.
    expect(TEXT_WIDTH).toBe(9355);
    expect(doc.tables.length).toBeGreaterThan(5);
    for (const table of doc.tables) expect(table.grid.reduce((sum, width) => sum + width, 0)).toBe(TEXT_WIDTH);
  });

  it('opens with the issuing body, the national motto, a blank number, place and date, and the title', () => {
    const [header] = doc.tables;
    expect(header!.rows[0]).toEqual([
      'ỦY BAN NHÂN DÂN\nTỈNH HÀ THỬ\n\nSố: …/BC-UBND',
      'CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\n\n…, ngày … tháng … năm …',
    ]);
    expect(doc.paragraphs).toContain('BÁO CÁO');
    expect(doc.paragraphs).toContain(
      'Kết quả khảo sát mức độ hài lòng của người dân, tổ chức đối với sự phục vụ của cơ quan hành chính nhà nước quý II năm 2026',
    );
    expect(doc.paragraphs).toContain(
      'Thực hiện Kế hoạch số 12/KH-UBND ngày 15/01/2026, Ủy ban nhân dân Tỉnh Hà Thử báo cáo kết quả khảo sát mức độ hài lòng của người dân, tổ chức đối với sự phục vụ của cơ quan hành chính nhà nước quý II năm 2026, từ các phiếu đánh giá tại Bộ phận Một cửa, như sau:',
    );
  });

  it('says how many ballots came in, of how many dossiers, and the sample needed', () => {
    // 400 + 40 + 400 + 10 = 850 ballots of 3 × 1,000 dossiers: 28.33%; 3000 / (1 + 3000 · 0.0025) = 352.9 → 353.
    expect(doc.paragraphs).toContain(
      'Trong kỳ, người dân, tổ chức đã gửi 850 phiếu đánh giá hợp lệ trên 3.000 hồ sơ thủ tục hành chính đã giải quyết; độ bao phủ (số phiếu trên số hồ sơ) đạt 28,3%. Cỡ mẫu cần để sai số không quá ±5% ở độ tin cậy 95% là 353 phiếu.',
    );
  });

  it('says each target’s result in words, with interval, n and changes', () => {
    // TTHC: 380 + 30 + 300 + 9 = 719 of 850 = 84.59%, Wilson [82.01, 86.86], wholly below 90 → not met,
    // 5.4 points below. Q1: 300 + 300 = 600 of 800 = 75%, Wilson [71.89, 77.88]; +9.59 points,
    // Newcombe low = 9.588 − √(2.582² + 2.876²) = 5.72, high = 9.588 + √(2.271² + 3.115²) = 13.44 → rose.
    // Nothing a year before.
    expect(doc.paragraphs).toContain(
      'Hài lòng về giải quyết thủ tục hành chính: đạt 84,6% (khoảng tin cậy 95%: 82,0–86,9%; n = 850 phiếu), thấp hơn chỉ tiêu tối thiểu 90% (chỉ tiêu của đơn vị) 5,4 điểm, chưa đạt chỉ tiêu (cả khoảng tin cậy nằm dưới mức chỉ tiêu); tăng 9,6 điểm so với quý I năm 2026 (khoảng tin cậy 95% của mức thay đổi: +5,7 đến +13,4 điểm), thay đổi có ý nghĩa thống kê; cùng kỳ quý II năm 2025 chưa có phiếu đánh giá để so sánh.',
    );
    // Land: 380 + 300 = 680 of 800 = 85%, Wilson [82.36, 87.31] holds 85 → uncertain. Q1 land
    // 600 of 800: +10 points, [+6.10, +13.88] → rose.
    expect(doc.paragraphs).toContain(
      'Hài lòng theo lĩnh vực – lĩnh vực Đất đai: đạt 85,0% (khoảng tin cậy 95%: 82,4–87,3%; n = 800 phiếu), bằng mức chỉ tiêu tối thiểu 85% (chỉ tiêu của đơn vị); chưa khẳng định được đạt hay chưa đạt vì mức chỉ tiêu nằm trong khoảng tin cậy; tăng 10,0 điểm so với quý I năm 2026 (khoảng tin cậy 95% của mức thay đổi: +6,1 đến +13,9 điểm), thay đổi có ý nghĩa thống kê; cùng kỳ quý II năm 2025 chưa có phiếu đánh giá để so sánh.',
    );
    const targets = doc.tables.find((table) => table.rows[0]![0] === 'Chỉ tiêu')!;
    expect(targets.rows).toEqual([
      [
        'Chỉ tiêu',
        'Mức chỉ tiêu',
        'Kết quả (KTC 95%)',
        'Số phiếu (n)',
        'Đánh giá',
        'So với kỳ trước (điểm)',
        'So với cùng kỳ (điểm)',
      ],
      [
        'Hài lòng về giải quyết thủ tục hành chính',
        'tối thiểu 90%\n(chỉ tiêu của đơn vị)',
        '84,6%\n(82,0–86,9)',
        '850',
        'Chưa đạt',
        'Tăng 9,6\n(+5,7 đến +13,4)',
        'Chưa có phiếu',
      ],
      [
        'Hài lòng theo lĩnh vực – Đất đai',
        'tối thiểu 85%\n(chỉ tiêu của đơn vị)',
        '85,0%\n(82,4–87,3)',
        '800',
        'Chưa khẳng định được',
        'Tăng 10,0\n(+6,1 đến +13,9)',
        'Chưa có phiếu',
      ],
    ]);
  });

  it('says a domain without enough ballots in words, never as a bare percentage', () => {
    // Health 9 of 10 and civil status 30 of 40: 90% and 75%, far under the 353 needed; with
    // no domain target of their own, both are held to the province's TTHC target of 90%.
    expect(doc.paragraphs).toContain(
      'Lĩnh vực Y tế: chưa đủ dữ liệu (10 phiếu, cần tối thiểu 353 phiếu), chưa so sánh với chỉ tiêu tối thiểu 90%.',
    );
    expect(doc.paragraphs).toContain(
      'Lĩnh vực Hộ tịch: chưa đủ dữ liệu (40 phiếu, cần tối thiểu 353 phiếu), chưa so sánh với chỉ tiêu tối thiểu 90%.',
    );
    expect(doc.text).not.toMatch(/90,0%|75,0% \(khoảng tin cậy 95%: 59/);
  });

  it('ranks sub-units among peers, each against the province’s target it inherits', () => {
    // An Bình 410 of 440 = 93.18%, Wilson [90.43, 95.18] ≥ 90 → met; Q1 300 of 400: +18.18,
    // [+13.34, +23.08]. Đông 300 of 400 = 75%, [70.53, 78.99] → not met; Q1 the same: 0, [−5.99, +5.99].
    expect(doc.paragraphs).toContain(
      'Xã, phường, đặc khu: 2 đơn vị, 2 đơn vị đủ dữ liệu để xếp hạng; cao nhất là Xã An Bình (93,2%), thấp nhất là Phường Đông (75,0%); 1 đơn vị chưa đạt chỉ tiêu: Phường Đông.',
    );
    expect(doc.paragraphs).toContain(
      'Cơ sở y tế: 1 đơn vị, 0 đơn vị đủ dữ liệu để xếp hạng; 1 đơn vị chưa đủ dữ liệu.',
    );
    const subunits = doc.tables.find((table) => table.rows[0]![0] === 'Hạng')!;
    expect(subunits.rows.slice(1)).toEqual([
      ['Xã, phường, đặc khu'],
      [
        '1/2',
        'Xã An Bình',
        '93,2%\n(90,4–95,2)',
        '440',
        'Đạt\ntối thiểu 90%\n(chỉ tiêu của Tỉnh Hà Thử)',
        'Tăng 18,2\n(+13,3 đến +23,1)',
        'Chưa có phiếu',
      ],
      [
        '2/2',
        'Phường Đông',
        '75,0%\n(70,5–79,0)',
        '400',
        'Chưa đạt\ntối thiểu 90%\n(chỉ tiêu của Tỉnh Hà Thử)',
        'Không thay đổi rõ\n(−6,0 đến +6,0)',
        'Chưa có phiếu',
      ],
      ['Cơ sở y tế'],
      [
        '—',
        'Bệnh viện tỉnh',
        'Chưa đủ dữ liệu',
        '10\n(cần 400)',
        'Chưa đủ dữ liệu\ntối thiểu 90%\n(chỉ tiêu của Tỉnh Hà Thử)',
        'Chưa có phiếu',
        'Chưa có phiếu',
      ],
    ]);
  });

  it('lists desks with their units, a formula-like name kept as text', () => {
    const desks = doc.tables.find((table) => table.rows[0]![0] === 'Quầy (đơn vị)')!;
    expect(desks.rows.map((row) => row[0])).toContain("'=SUM(A1)\n(Bệnh viện tỉnh)");
    expect(doc.paragraphs).toContain(
      '3 quầy có phiếu đánh giá trong kỳ; 1 quầy chưa đạt chỉ tiêu của đơn vị mình; 1 quầy chưa đủ dữ liệu để đánh giá.',
    );
  });

  it('gives the three bands with their rule, and comments only as counts', () => {
    // 5: 380 + 8 + 1 = 389; 4: 30 + 300 = 330; 1–3: 20 + 10 + 100 + 1 = 131; of 850.
    const bands = doc.tables.find((table) => table.rows[0]![0] === 'Nhóm')!;
    expect(bands.rows.slice(1)).toEqual([
      ['Rất hài lòng (mức 5)', '389', '45,8%'],
      ['Hài lòng (mức 4)', '330', '38,8%'],
      ['Không hài lòng (mức 1–3)', '131', '15,4%'],
      ['Tổng số phiếu hợp lệ', '850', '100%'],
    ]);
    expect(doc.text).toContain(
      '“Không hài lòng” gộp các mức 1 (rất không hài lòng), 2 (không hài lòng) và 3 (bình thường)',
    );
    // 131 ratings of 3 or lower, one with a comment; one more comment on a 5: 132 to follow up, 1 answered.
    expect(doc.paragraphs).toContain(
      'Trong kỳ có 2 góp ý bằng lời và 131 phiếu đánh giá từ mức 3 trở xuống; tổng cộng 132 trường hợp cần theo dõi xử lý, trong đó 1 đã trả lời, 0 đang xử lý và 131 mới tiếp nhận. Báo cáo không nêu nội dung góp ý; chi tiết từng trường hợp có trong danh sách theo dõi xử lý của đơn vị.',
    );
    expect(doc.text).not.toContain('Chờ quá lâu');
    expect(doc.text).not.toContain('=1+1');
  });

  it('states the method, and ends with recipients and the signer’s placeholders', () => {
    expect(doc.text).toContain('n = N / (1 + N × 0,05²)');
    expect(doc.text).toContain('(phương pháp Newcombe)');
    expect(doc.text).toContain('Thời gian tính theo giờ Việt Nam (UTC+7).');
    const signature = doc.tables.at(-1)!;
    expect(signature.rows[0]![0]).toBe('Nơi nhận:\n- …;\n- Lưu: VT, ….');
    expect(signature.rows[0]![1]).toBe(
      'QUYỀN HẠN, CHỨC VỤ CỦA NGƯỜI KÝ\n(Chữ ký của người có thẩm quyền, dấu của cơ quan)\n\n\n\n\nHọ và tên',
    );
  });

  it('the print page reads the same document, sentence for sentence', async () => {
    const response = await viewer.request('GET', `/reports/document?unitId=${units.province.id}&period=2026-Q2`);
    expect(response.status).toBe(200);
    const model = (await response.json()) as ReportDocument;
    expect(model.header.issuingBody).toBe('ỦY BAN NHÂN DÂN\nTỈNH HÀ THỬ');
    for (const block of model.blocks) {
      if (block.type === 'paragraph') expect(doc.paragraphs).toContain(block.text);
      if (block.type === 'heading') expect(doc.paragraphs).toContain(block.text);
    }
  });
});

describe('the report document of a commune and of a hospital', () => {
  it('a commune reports to the province, held to the province’s targets', async () => {
    const doc = await readDocx((await docx(units.commune.id, '2026-Q2')).bytes);
    expect(doc.tables[0]!.rows[0]![0]).toBe('ỦY BAN NHÂN DÂN\nXÃ AN BÌNH\n\nSố: …/BC-UBND');
    // 410 of 440 = 93.18%, [90.43, 95.18] ≥ 90 → met, 3.2 points above the province's 90.
    expect(doc.paragraphs).toContain(
      'Hài lòng về giải quyết thủ tục hành chính: đạt 93,2% (khoảng tin cậy 95%: 90,4–95,2%; n = 440 phiếu), cao hơn chỉ tiêu tối thiểu 90% (chỉ tiêu của Tỉnh Hà Thử) 3,2 điểm, đạt chỉ tiêu (cả khoảng tin cậy nằm trên mức chỉ tiêu); tăng 18,2 điểm so với quý I năm 2026 (khoảng tin cậy 95% của mức thay đổi: +13,3 đến +23,1 điểm), thay đổi có ý nghĩa thống kê; cùng kỳ quý II năm 2025 chưa có phiếu đánh giá để so sánh.',
    );
    expect(doc.tables.at(-1)!.rows[0]![0]).toBe(
      'Nơi nhận:\n- Ủy ban nhân dân Tỉnh Hà Thử (để báo cáo);\n- …;\n- Lưu: VT, ….',
    );
  });

  it('a hospital names the body above it, and its too-few ballots are said in words', async () => {
    const doc = await readDocx((await docx(units.hospital.id, '2026-H1')).bytes);
    expect(doc.tables[0]!.rows[0]![0]).toBe('ỦY BAN NHÂN DÂN TỈNH HÀ THỬ\nBỆNH VIỆN TỈNH\n\nSố: …/BC-…');
    // The first half: previous period and cùng kỳ are both the first half of 2025, said once.
    expect(doc.paragraphs).toContain(
      'Hài lòng về giải quyết thủ tục hành chính: chưa đủ dữ liệu (10 phiếu, cần tối thiểu 400 phiếu), chưa so sánh với chỉ tiêu tối thiểu 90% (chỉ tiêu của Tỉnh Hà Thử).',
    );
    const targets = doc.tables.find((table) => table.rows[0]![0] === 'Chỉ tiêu')!;
    expect(targets.rows[0]).toEqual([
      'Chỉ tiêu',
      'Mức chỉ tiêu',
      'Kết quả (KTC 95%)',
      'Số phiếu (n)',
      'Đánh giá',
      'So với cùng kỳ (điểm)',
    ]);
  });
});

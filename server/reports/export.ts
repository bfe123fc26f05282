import type { Worksheet } from 'exceljs';
import { sql, type SqlBool } from 'kysely';
import type { Db } from '../db/database.ts';
import { LOW_RATING_MAX, SCALE } from '../questionnaires/scale.ts';
import { vietnamDate, vietnamMidnight } from '../time/vietnam-time.ts';
import { periodLabel, type Period } from './periods.ts';
import {
  breakdown,
  METRIC_NAMES,
  PEER_GROUPS,
  reasons,
  summary,
  trend,
  type Comparisons,
  type InheritedFrom,
  type Row,
} from './report.ts';
import type { DossierCount } from './dossiers.ts';
import { threeBands, type Change, type Figure, type TargetComparison } from './statistics.ts';

/** The tables of a report, each one sheet of the workbook and one CSV file. */
export const EXPORT_TABLES = [
  'summary',
  'domain',
  'subunit',
  'desk',
  'criterion',
  'trend',
  'reasons',
  'comments',
  'elements',
  'follow_ups',
] as const;
export type ExportTable = (typeof EXPORT_TABLES)[number];

const SHEET_NAMES: Record<ExportTable, string> = {
  summary: 'Tổng hợp so với chỉ tiêu',
  domain: 'Theo lĩnh vực',
  subunit: 'Theo đơn vị trực thuộc',
  desk: 'Theo quầy',
  criterion: 'Theo yếu tố, tiêu chí',
  trend: 'Theo tháng',
  reasons: 'Lý do chưa hài lòng',
  comments: 'Góp ý',
  elements: 'Góp ý theo yếu tố',
  follow_ups: 'Theo dõi xử lý',
};

const FOLLOW_UP_STATUS_NAMES: Record<string, string> = {
  received: 'Đã tiếp nhận',
  in_progress: 'Đang xử lý',
  answered: 'Đã trả lời',
};

const STATUS_NAMES: Record<TargetComparison['status'], string> = {
  met: 'Đạt',
  not_met: 'Chưa đạt',
  uncertain: 'Chưa chắc chắn (chỉ tiêu nằm trong khoảng tin cậy)',
  not_enough_data: 'Chưa đủ dữ liệu',
};

type Cell = string | number | null;
interface Table {
  title: string;
  header: string[];
  rows: Cell[][];
}

const FIGURE_HEADER = [
  'Tỷ lệ hài lòng (%)',
  'Cận dưới 95% (%)',
  'Cận trên 95% (%)',
  'Số phiếu hợp lệ (n)',
  'Số câu trả lời hợp lệ',
  'Điểm trung bình (1–5)',
  'Số câu trả lời Rất hài lòng',
  'Số câu trả lời Hài lòng',
  'Số câu trả lời Không hài lòng (1–3)',
  'Đủ mẫu (±5%)',
];

function figureCells(figure: Figure): Cell[] {
  const bands = threeBands(figure.counts);
  return [
    figure.share,
    figure.interval?.low ?? null,
    figure.interval?.high ?? null,
    // Ballots: for a pooled index (an element, all five) fewer than its answers.
    figure.n,
    figure.answers,
    figure.mean,
    bands.verySatisfied,
    bands.satisfied,
    bands.notSatisfied,
    figure.enough ? 'Đủ' : `Chưa đủ (cần ${figure.required})`,
  ];
}

const VERDICT_NAMES: Record<Change['verdict'], string> = {
  rose: 'Tăng (có ý nghĩa thống kê)',
  fell: 'Giảm (có ý nghĩa thống kê)',
  no_change: 'Không thay đổi rõ',
  not_enough_data: 'Chưa đủ dữ liệu',
};

/** Each figure against the previous period and cùng kỳ: the change, its 95% interval, the verdict. */
const COMPARISON_HEADER = ['kỳ trước', 'cùng kỳ năm trước'].flatMap((against) => [
  `So với ${against}: tỷ lệ kỳ đó (%)`,
  `So với ${against}: thay đổi (điểm)`,
  `So với ${against}: cận dưới 95% (điểm)`,
  `So với ${against}: cận trên 95% (điểm)`,
  `So với ${against}: đánh giá`,
]);

function comparisonCells(compared: Comparisons | undefined): Cell[] {
  return [compared?.previous ?? null, compared?.lastYear ?? null].flatMap((change) =>
    change
      ? [
          change.other.share,
          change.points,
          change.interval?.low ?? null,
          change.interval?.high ?? null,
          VERDICT_NAMES[change.verdict],
        ]
      : [null, null, null, null, 'Không có kỳ so sánh'],
  );
}

/** Whose target a row is held to. */
function ownerCell(target: { inheritedFrom: InheritedFrom } | undefined): Cell {
  if (!target) return null;
  return target.inheritedFrom ? `Chỉ tiêu của ${target.inheritedFrom.name}` : 'Chỉ tiêu của đơn vị';
}

/**
 * Rows as a table: the first columns, the figure, `extra` columns (kept after the figure,
 * so that the figure's columns stay where readers of earlier exports found them), and the
 * changes since the periods compared with.
 */
function rowsTable(
  title: string,
  first: string[],
  rows: Row[],
  cells: (row: Row) => Cell[],
  extra: { header: string[]; cells: (row: Row) => Cell[] } = { header: [], cells: () => [] },
): Table {
  return {
    title,
    header: [...first, ...FIGURE_HEADER, ...extra.header, ...COMPARISON_HEADER],
    rows: rows.map((row) => [
      ...cells(row),
      ...figureCells(row.figure),
      ...extra.cells(row),
      ...comparisonCells(row.compared),
    ]),
  };
}

const dayMonthYear = (day: string) => `${day.slice(8, 10)}/${day.slice(5, 7)}/${day.slice(0, 4)}`;

function dossierLine(dossiers: DossierCount): string {
  const months = dossiers.missingMonths.map((month) => `${month.slice(5, 7)}/${month.slice(0, 4)}`).join(', ');
  if (dossiers.count === null)
    return `Số hồ sơ đã giải quyết trong kỳ (N): chưa nhập${months ? ` (${months})` : ''}; cỡ mẫu cần là 400 phiếu.`;
  return `Số hồ sơ đã giải quyết trong kỳ (N): ${dossiers.count}${
    months ? `; chưa nhập tháng ${months}, ước theo bình quân các tháng đã nhập` : ''
  }.`;
}

function mergeNote(row: Row, rows: Row[]): string | null {
  if (!row.merged) return null;
  const merged = `Đã sáp nhập vào ${row.merged.into.name} từ ${dayMonthYear(row.merged.from)}`;
  const including = rows.find((other) => other.key === row.includedIn);
  return including ? `${merged}; số liệu đã tính trong ${including.name.vi}, không cộng thêm` : merged;
}

/** Builds one table of the report, read from the same functions as the dashboard. */
async function buildTable(db: Db, unitId: number, period: Period, table: ExportTable): Promise<Table> {
  const title = SHEET_NAMES[table];
  switch (table) {
    case 'summary': {
      const report = await summary(db, unitId, period);
      return {
        title,
        header: [
          'Chỉ số',
          'Lĩnh vực',
          'Kỳ so sánh',
          'Chỉ tiêu (%)',
          'So sánh',
          'Đánh giá',
          'Chênh lệch (điểm)',
          ...FIGURE_HEADER,
          'Văn bản',
          'Câu trong kế hoạch',
          'Chỉ tiêu của',
          ...COMPARISON_HEADER,
        ],
        rows: [
          [
            'Hài lòng về giải quyết TTHC (câu hỏi chung)',
            null,
            periodLabel(period, 'vi'),
            null,
            null,
            null,
            null,
            ...figureCells(report.overall),
            null,
            null,
            null,
            ...comparisonCells(report.compared.overall),
          ],
          [
            'Hài lòng theo 5 yếu tố SIPAS (gộp các tiêu chí; n là số phiếu)',
            null,
            periodLabel(period, 'vi'),
            null,
            null,
            null,
            null,
            ...figureCells(report.elements),
            null,
            null,
            null,
            ...comparisonCells(report.compared.elements),
          ],
          ...report.targets.map((target): Cell[] => [
            METRIC_NAMES[target.metric].vi,
            target.domain?.name.vi ?? null,
            // A range across years is compared with each year's target on that year's days.
            periodLabel(target.period, 'vi'),
            target.threshold,
            target.comparison === 'gt' ? 'trên' : 'tối thiểu',
            STATUS_NAMES[target.result.status],
            target.result.gap,
            ...figureCells(target.figure),
            [target.planNumber, target.planDate].filter(Boolean).join(', ') || null,
            target.planSentence,
            ownerCell(target),
            ...comparisonCells(target.compared),
          ]),
          [dossierLine(report.dossiers)],
        ],
      };
    }
    case 'domain':
      return rowsTable(
        title,
        ['Lĩnh vực', 'Chỉ tiêu (%)', 'Đánh giá', 'Chênh lệch (điểm)'],
        await breakdown(db, unitId, period, 'domain'),
        (row) => [
          row.name.vi,
          row.target?.threshold ?? null,
          row.target ? STATUS_NAMES[row.target.result.status] : null,
          row.target?.result.gap ?? null,
        ],
        { header: ['Chỉ tiêu của'], cells: (row) => [ownerCell(row.target)] },
      );
    case 'subunit': {
      const rows = await breakdown(db, unitId, period, 'subunit');
      const table = rowsTable(title, ['Đơn vị'], rows, (row) => [row.name.vi], {
        header: ['Nhóm cùng loại (xếp hạng riêng)', 'Chỉ tiêu TTHC (%)', 'Chỉ tiêu của', 'Đánh giá'],
        cells: (row) => [
          row.peerGroup ? PEER_GROUPS[row.peerGroup].vi : null,
          row.target?.threshold ?? null,
          ownerCell(row.target),
          row.target ? STATUS_NAMES[row.target.result.status] : null,
        ],
      });
      // A merged unit listed under its successor is already counted in the successor's row.
      table.header.push('Ghi chú');
      rows.forEach((row, index) => table.rows[index]!.push(mergeNote(row, rows)));
      return table;
    }
    case 'desk':
      return rowsTable(title, ['Đơn vị', 'Quầy'], await breakdown(db, unitId, period, 'desk'), (row) => [
        row.parent ?? null,
        row.name.vi,
      ]);
    case 'criterion': {
      const [elements, criteria] = await Promise.all([
        breakdown(db, unitId, period, 'element'),
        breakdown(db, unitId, period, 'criterion'),
      ]);
      const rows = elements.flatMap((element) => [
        { ...element, name: { ...element.name, vi: `Yếu tố: ${element.name.vi}` } },
        ...criteria.filter((criterion) => criterion.parent === element.key),
      ]);
      return rowsTable(title, ['Yếu tố / tiêu chí'], rows, (row) => [row.name.vi]);
    }
    case 'trend': {
      const months = await trend(db, unitId, period);
      return {
        title,
        header: ['Tháng', 'Chỉ tiêu TTHC (%)', ...FIGURE_HEADER, 'Chỉ tiêu của', ...COMPARISON_HEADER],
        rows: months.map((month) => [
          month.month.slice(0, 7),
          month.target?.threshold ?? null,
          ...figureCells(month.figure),
          ownerCell(month.target ?? undefined),
          ...comparisonCells(month.compared),
        ]),
      };
    }
    case 'reasons': {
      const result = await reasons(db, unitId, period);
      return {
        title,
        header: [
          'Lý do',
          'Số lần chọn',
          `Tỷ lệ trên ${result.lowRatings} phiếu từ mức ${result.lowRatingMax} trở xuống (%)`,
        ],
        rows: result.reasons.map((reason) => [reason.name.vi, reason.count, reason.share]),
      };
    }
    case 'comments': {
      const rows = await db
        .selectFrom('response as r')
        .innerJoin('comment', 'comment.response_id', 'r.id')
        .innerJoin('unit_closure as c', 'c.unit_id', 'r.unit_id')
        .innerJoin('unit', 'unit.id', 'r.unit_id')
        .innerJoin('desk', 'desk.id', 'r.desk_id')
        .innerJoin('domain', 'domain.id', 'r.domain_id')
        .leftJoin('follow_up as f', 'f.response_id', 'r.id')
        .select([
          sql<string>`to_char(r.rated_at at time zone 'Asia/Ho_Chi_Minh', 'YYYY-MM-DD HH24:MI')`.as('rated'),
          'unit.name as unit_name',
          'desk.name as desk_name',
          'domain.name_vi',
          sql<
            number | null
          >`(select a.score from response_answer a join question q on q.id = a.question_id where a.response_id = r.id and q.role = 'overall')`.as(
            'overall',
          ),
          'comment.body',
          sql<string>`coalesce(f.status, 'received')`.as('status'),
          'f.note',
          sql<string>`(select string_agg(e.name_vi, '; ' order by e.position)
            from sipas_element e where e.code = any(comment.elements))`.as('elements'),
        ])
        .where('c.ancestor_id', '=', unitId)
        .where('r.rated_at', '>=', vietnamMidnight(period.from))
        .where('r.rated_at', '<', vietnamMidnight(period.to))
        .orderBy('r.rated_at')
        .execute();
      return {
        title,
        header: [
          'Thời gian',
          'Đơn vị',
          'Quầy',
          'Lĩnh vực',
          'Mức đánh giá',
          'Góp ý',
          'Tình trạng',
          'Ghi chú xử lý',
          'Yếu tố được nhắc đến',
        ],
        rows: rows.map((row) => [
          row.rated,
          row.unit_name,
          row.desk_name,
          row.name_vi,
          row.overall ? SCALE[row.overall - 1]!.vi : null,
          row.body,
          FOLLOW_UP_STATUS_NAMES[row.status] ?? row.status,
          row.note,
          row.elements,
        ]),
      };
    }
    case 'elements': {
      // A comment may speak about several elements, or none: the rows need not add up.
      const comments = db
        .selectFrom('response as r')
        .innerJoin('comment', 'comment.response_id', 'r.id')
        .innerJoin('unit_closure as c', 'c.unit_id', 'r.unit_id')
        .where('c.ancestor_id', '=', unitId)
        .where('r.rated_at', '>=', vietnamMidnight(period.from))
        .where('r.rated_at', '<', vietnamMidnight(period.to));
      const [total, { rows }] = await Promise.all([
        comments.select(sql<number>`count(*)::integer`.as('comments')).executeTakeFirstOrThrow(),
        // One pass over the comments, a row per element each is tagged with.
        sql<{ name_vi: string; comments: number }>`
          select e.name_vi, coalesce(tags.comments, 0)::integer as comments
          from sipas_element e left join (
            select element, count(*) as comments
            from (select unnest(comment.elements) as element from (${comments.select('comment.elements')}) comment) t
            group by element
          ) tags on tags.element = e.code
          order by e.position
        `.execute(db),
      ]);
      return {
        title,
        header: ['Yếu tố SIPAS', 'Số góp ý nhắc đến', `Tỷ lệ trên ${total.comments} góp ý (%)`],
        rows: [
          ...rows.map((row): Cell[] => [
            row.name_vi,
            row.comments,
            total.comments > 0 ? Math.round((10_000 * row.comments) / total.comments) / 100 : null,
          ]),
          ['Một góp ý có thể nhắc đến nhiều yếu tố, hoặc không yếu tố nào.'],
        ],
      };
    }
    case 'follow_ups': {
      const today = vietnamDate(new Date());
      const rows = await db
        .selectFrom('response as r')
        .innerJoin('unit_closure as c', 'c.unit_id', 'r.unit_id')
        .innerJoin('unit', 'unit.id', 'r.unit_id')
        .innerJoin('desk', 'desk.id', 'r.desk_id')
        .leftJoin('comment', 'comment.response_id', 'r.id')
        .leftJoin('follow_up as f', 'f.response_id', 'r.id')
        .leftJoin('official as owner', 'owner.id', 'f.assigned_to')
        .select([
          sql<string>`to_char(r.rated_at at time zone 'Asia/Ho_Chi_Minh', 'YYYY-MM-DD HH24:MI')`.as('rated'),
          'unit.name as unit_name',
          'desk.name as desk_name',
          sql<number | null>`(select a.score from response_answer a join question q on q.id = a.question_id
            where a.response_id = r.id and q.role = 'overall')`.as('overall'),
          sql<boolean>`comment.id is not null`.as('has_comment'),
          sql<string>`coalesce(f.status, 'received')`.as('status'),
          'owner.display_name as owner',
          'f.due_on',
          sql<boolean>`(f.status is distinct from 'answered' and f.due_on < ${today}::date)`.as('overdue'),
          sql<string | null>`to_char(f.escalated_at at time zone 'Asia/Ho_Chi_Minh', 'YYYY-MM-DD HH24:MI')`.as(
            'escalated',
          ),
          'f.public_reply',
        ])
        .where('c.ancestor_id', '=', unitId)
        .where('r.rated_at', '>=', vietnamMidnight(period.from))
        .where('r.rated_at', '<', vietnamMidnight(period.to))
        .where(
          sql<SqlBool>`(comment.id is not null or exists (select 1 from response_answer a join question q
            on q.id = a.question_id where a.response_id = r.id and q.role = 'overall' and a.score <= ${LOW_RATING_MAX}))`,
        )
        .orderBy('r.rated_at')
        .execute();
      return {
        title,
        header: [
          'Thời gian',
          'Đơn vị',
          'Quầy',
          'Mức đánh giá',
          'Có góp ý',
          'Tình trạng',
          'Người phụ trách',
          'Hạn xử lý',
          'Quá hạn',
          'Chuyển cấp trên lúc',
          'Trả lời công dân',
        ],
        rows: rows.map((row) => [
          row.rated,
          row.unit_name,
          row.desk_name,
          row.overall ? SCALE[row.overall - 1]!.vi : null,
          row.has_comment ? 'Có' : 'Không',
          FOLLOW_UP_STATUS_NAMES[row.status] ?? row.status,
          row.owner,
          row.due_on ? dayMonthYear(row.due_on) : null,
          row.overdue ? 'Quá hạn' : null,
          row.escalated,
          row.public_reply,
        ]),
      };
    }
  }
}

/**
 * Neutralises text that a spreadsheet would read as a formula (=, +, -, @, tab, return
 * at the start): the OWASP rule, a leading apostrophe. Numbers stay numbers.
 */
export function safeCell(value: Cell): Cell {
  if (typeof value !== 'string') return value;
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}

/**
 * Text with a separator goes in quotes, ";" and tab included: a spreadsheet that splits on
 * ";" (as Vietnamese locale settings do) then keeps "a;=1+1" whole, instead of opening a
 * cell that starts with "=".
 */
function csvField(value: Cell): string {
  const text = value === null ? '' : String(safeCell(value));
  return /[",;\t\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export interface ExportFile {
  filename: string;
  contentType: string;
  content: Buffer;
}

function fileStem(unitName: string, period: Period, table?: ExportTable): string {
  return [
    'Báo cáo hài lòng',
    unitName,
    periodLabel(period, 'vi').replace(/\//g, '-'),
    table ? SHEET_NAMES[table] : null,
  ]
    .filter(Boolean)
    .join(' - ');
}

/** One table as CSV (UTF-8 with a byte-order mark, so spreadsheets read the Vietnamese). */
export async function exportCsv(db: Db, unitId: number, period: Period, table: ExportTable): Promise<ExportFile> {
  const unit = await db.selectFrom('unit').select('name').where('id', '=', unitId).executeTakeFirstOrThrow();
  const built = await buildTable(db, unitId, period, table);
  const lines = [built.header, ...built.rows].map((row) => row.map(csvField).join(','));
  return {
    filename: `${fileStem(unit.name, period, table)}.csv`,
    contentType: 'text/csv; charset=utf-8',
    content: Buffer.from(`\ufeff${lines.join('\r\n')}\r\n`, 'utf8'),
  };
}

/** Columns of free text people wrote, which wrap in a wide column. */
const LONG_TEXT_COLUMNS = new Set(['Góp ý', 'Ghi chú xử lý', 'Câu trong kế hoạch', 'Trả lời công dân']);

/** How many lines a text takes in a column of `width` characters, wrapped at spaces. */
function wrappedLines(text: string, width: number): number {
  let lines = 1;
  let used = 0;
  for (const word of text.split(/\s+/).filter(Boolean)) {
    const length = Math.min(word.length, width);
    if (used > 0 && used + 1 + length > width) {
      lines++;
      used = length;
    } else {
      used += (used > 0 ? 1 : 0) + length;
    }
    lines += Math.floor((word.length - 1) / width);
  }
  return lines;
}

/** `&` starts a code in a page header or footer; a name's own `&` is written twice. */
const headerText = (text: string) => text.replace(/&/g, '&&');

/**
 * What a sheet needs to be printed as officials print it: A4, its columns scaled to the
 * page's width (landscape when the table is wide), as many pages down as it takes, the
 * header row repeated on every page, the unit and period at the top of each page and its
 * number at the bottom; names and comments wrapped in readable widths.
 */
function layoutForPrint(sheet: Worksheet, built: Table, caption: string): void {
  const longest = (position: number) =>
    Math.max(0, ...built.rows.map((row) => (typeof row[position] === 'string' ? (row[position] as string).length : 0)));
  const widths = built.header.map((title, position) =>
    LONG_TEXT_COLUMNS.has(title) ? 40 : position === 0 ? 30 : longest(position) > 9 ? 18 : 9,
  );
  widths.forEach((width, position) => {
    const column = sheet.getColumn(position + 1);
    column.width = width;
    column.alignment = { wrapText: true, vertical: 'top' };
  });
  // The title spans the table and does not wrap.
  const title = sheet.getCell(1, 1);
  sheet.mergeCells(1, 1, 1, Math.min(widths.length, 12));
  title.alignment = { wrapText: false, vertical: 'top' };
  // Spreadsheets do not grow a row for wrapped text they did not lay out themselves: each
  // row is given the height of its most wrapped cell.
  sheet.eachRow((row, number) => {
    if (number < 3) return;
    let lines = 1;
    row.eachCell((cell, position) => {
      const text = cell.value === null || cell.value === undefined ? '' : String(cell.value);
      lines = Math.max(lines, wrappedLines(text, widths[position - 1] ?? 9));
    });
    row.height = Math.min(409, 13 * lines + 2);
  });
  const total = widths.reduce((sum, width) => sum + width, 0);
  // A landscape A4 page holds about 150 characters of table legibly. A wider table (the
  // figures with their changes since the previous period and cùng kỳ) prints two pages
  // across, the names repeated on each: its targets and figures come first, so they stay
  // on one sheet of paper together.
  const pagesAcross = total > 200 ? 2 : 1;
  sheet.pageSetup = {
    paperSize: 9, // A4
    orientation: total > 100 ? 'landscape' : 'portrait',
    fitToPage: true,
    fitToWidth: pagesAcross,
    fitToHeight: 0,
    printTitlesRow: '3:3',
    ...(pagesAcross > 1 ? { printTitlesColumn: 'A:A' } : {}),
    horizontalCentered: true,
    margins: { left: 0.4, right: 0.4, top: 0.75, bottom: 0.6, header: 0.3, footer: 0.3 },
  };
  sheet.headerFooter = {
    oddHeader: `&L&9${headerText(caption)}&R&9${headerText(built.title)}`,
    oddFooter: '&C&9Trang &P / &N',
  };
}

/** Every table, one sheet each, with the unit and period in a title row. */
export async function exportWorkbook(
  db: Db,
  unitId: number,
  period: Period,
  onProgress: (percent: number) => Promise<void> = async () => {},
): Promise<ExportFile> {
  const unit = await db.selectFrom('unit').select('name').where('id', '=', unitId).executeTakeFirstOrThrow();
  // Loaded on first use: the workbook library is large and most processes never export.
  const { default: ExcelJS } = await import('exceljs');
  const workbook = new ExcelJS.Workbook();
  workbook.creator = 'SIPAS';
  for (const [index, table] of EXPORT_TABLES.entries()) {
    const built = await buildTable(db, unitId, period, table);
    const sheet = workbook.addWorksheet(built.title.slice(0, 31));
    sheet.addRow([`${built.title} — ${unit.name} — ${periodLabel(period, 'vi')}`]).font = { bold: true, size: 13 };
    sheet.addRow([]);
    const header = sheet.addRow(built.header);
    header.font = { bold: true };
    header.alignment = { wrapText: true, vertical: 'top' };
    // Strings are written as strings, never as formulas; the apostrophe guards copies to CSV.
    for (const row of built.rows) sheet.addRow(row.map(safeCell));
    sheet.views = [{ state: 'frozen', ySplit: 3 }];
    layoutForPrint(sheet, built, `${unit.name} — ${periodLabel(period, 'vi')}`);
    await onProgress(Math.round((100 * (index + 1)) / (EXPORT_TABLES.length + 1)));
  }
  return {
    filename: `${fileStem(unit.name, period)}.xlsx`,
    contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    content: Buffer.from(await workbook.xlsx.writeBuffer()),
  };
}

/**
 * The periodic report document as DOCX (`document.ts`, `document-docx.ts`), named like
 * the other exports.
 */
export async function exportDocument(
  db: Db,
  unitId: number,
  period: Period,
  onProgress: (percent: number) => Promise<void> = async () => {},
): Promise<ExportFile> {
  // Loaded on first use, like the workbook library.
  const [{ buildReportDocument }, { reportDocx }] = await Promise.all([
    import('./document.ts'),
    import('./document-docx.ts'),
  ]);
  const document = await buildReportDocument(db, unitId, period, onProgress);
  return {
    filename: `${['Báo cáo kết quả khảo sát hài lòng', document.unit.name, periodLabel(period, 'vi').replace(/\//g, '-')].join(' - ')}.docx`,
    contentType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
    content: await reportDocx(document),
  };
}

/** Exports are kept an hour for download. */
export async function pruneExports(db: Db, now = new Date()): Promise<void> {
  await db
    .deleteFrom('report_export')
    .where('created_at', '<', new Date(now.getTime() - 3_600_000))
    .execute();
}

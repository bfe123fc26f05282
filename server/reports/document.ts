import { sql } from 'kysely';
import type { Db } from '../db/database.ts';
import { LOW_RATING_MAX } from '../questionnaires/scale.ts';
import type { UnitKind } from '../units/unit.table.ts';
import { addDays, vietnamMidnight } from '../time/vietnam-time.ts';
import { safeCell } from './export.ts';
import type { Period } from './periods.ts';
import {
  breakdown,
  METRIC_NAMES,
  PEER_GROUPS,
  ranking,
  reasons,
  summary,
  type Comparisons,
  type InheritedFrom,
  type PeerGroup,
  type Row,
  type Summary,
} from './report.ts';
import { percentOf, threeBands, type Change, type Figure, type TargetComparison } from './statistics.ts';
import { formatDay, formatNumber, formatPercent, formatSignedPoints, formatThreshold } from './vietnamese.ts';

/**
 * The periodic report an official files (DESIGN §5): a *báo cáo* in the administrative
 * document format of Decree 30/2020/NĐ-CP, as a model of blocks that the DOCX writer
 * (`document-docx.ts`) and the officials' print page lay out the same way. Every sentence
 * is generated here, in plain Vietnamese, from the report functions' figures, for the
 * official to edit: results against each target, per domain, sub-unit (by peer group),
 * desk and SIPAS element, the three bands, comments and their follow-up, coverage and the
 * method. A slice without enough data is said in words, never as a bare percentage.
 */

export interface DocumentColumn {
  title: string;
  /** Share of the table's width, the columns of a table adding up to 1. */
  width: number;
  align: 'left' | 'center' | 'right';
}

export type DocumentBlock =
  | { type: 'heading'; text: string }
  | { type: 'paragraph'; text: string; italic?: boolean }
  | {
      type: 'table';
      columns: DocumentColumn[];
      /** A row of cells (each may hold lines separated by "\n"), or a group's title across the table. */
      rows: ({ cells: string[] } | { group: string })[];
    };

export interface ReportDocument {
  unit: { id: number; name: string };
  period: Period;
  header: {
    /** The body above the issuing one (cơ quan chủ quản), when there is one. Lines are separated by "\n". */
    parentBody: string | null;
    issuingBody: string;
    number: string;
    motto: [string, string];
    placeAndDate: string;
  };
  kind: string;
  title: string;
  blocks: DocumentBlock[];
  recipients: string[];
  signer: { authority: string; title: string; signature: string; name: string };
}

const TERRITORIAL: UnitKind[] = ['province', 'district', 'commune', 'ward', 'special_zone'];

/** `quý II năm 2026`, `6 tháng đầu năm 2026`, `từ ngày 15/01/2026 đến ngày 14/06/2026`. */
export function periodPhrase(period: Period): string {
  const year = period.from.slice(0, 4);
  switch (period.kind) {
    case 'month':
      return `tháng ${Number(period.from.slice(5, 7))} năm ${year}`;
    case 'quarter':
      return `quý ${['I', 'II', 'III', 'IV'][Math.floor((Number(period.from.slice(5, 7)) - 1) / 3)]} năm ${year}`;
    case 'half':
      return `6 tháng đầu năm ${year}`;
    case 'nine_months':
      return `9 tháng đầu năm ${year}`;
    case 'year':
      return `năm ${year}`;
    case 'range':
      return `từ ngày ${formatDay(period.from)} đến ngày ${formatDay(addDays(period.to, -1))}`;
  }
}

const STATUS_WORDS: Record<TargetComparison['status'], string> = {
  met: 'Đạt',
  not_met: 'Chưa đạt',
  uncertain: 'Chưa khẳng định được',
  not_enough_data: 'Chưa đủ dữ liệu',
};

/** Whose target it is, as a report says it: "chỉ tiêu của Tỉnh P", or the unit's own. */
export function targetOwner(inheritedFrom: InheritedFrom): string {
  return inheritedFrom ? `chỉ tiêu của ${inheritedFrom.name}` : 'chỉ tiêu của đơn vị';
}

function comparisonWord(comparison: 'gte' | 'gt'): string {
  return comparison === 'gt' ? 'trên' : 'tối thiểu';
}

/** `90,2% (KTC 95%: 88,4–91,7%; n = 1.210 phiếu)`, or in words without enough data. */
export function figurePhrase(figure: Figure): string {
  if (!figure.exact || !figure.enough) return notEnoughPhrase(figure);
  return `${formatPercent(figure.exact.share)} (khoảng tin cậy 95%: ${formatNumber(figure.exact.low, 1)}–${formatPercent(figure.exact.high)}; n = ${formatNumber(figure.n)} phiếu)`;
}

function notEnoughPhrase(figure: Figure): string {
  return figure.n === 0
    ? 'chưa có phiếu đánh giá'
    : `chưa đủ dữ liệu (${formatNumber(figure.n)} phiếu, cần tối thiểu ${formatNumber(figure.required)} phiếu)`;
}

/** The result cell of a table: share and interval on two lines, or the words for too few ballots. */
function resultCell(figure: Figure): string {
  if (!figure.exact || !figure.enough) return figure.n === 0 ? 'Chưa có phiếu' : 'Chưa đủ dữ liệu';
  return `${formatPercent(figure.exact.share)}\n(${formatNumber(figure.exact.low, 1)}–${formatNumber(figure.exact.high, 1)})`;
}

function ballotsCell(figure: Figure): string {
  return figure.enough ? formatNumber(figure.n) : `${formatNumber(figure.n)}\n(cần ${formatNumber(figure.required)})`;
}

/** A change as a sentence's clause: "tăng 2,1 điểm so với quý I/2026 (…), thay đổi có ý nghĩa thống kê". */
export function changePhrase(change: Change | null, against: string): string {
  if (!change) return `chưa có số liệu ${against} để so sánh`;
  if (change.other.n === 0) return `${against} chưa có phiếu đánh giá để so sánh`;
  if (change.verdict === 'not_enough_data' || !change.exact) return `chưa đủ dữ liệu để so sánh với ${against}`;
  const points = formatNumber(Math.abs(change.exact.points), 1);
  const interval = `khoảng tin cậy 95% của mức thay đổi: ${formatSignedPoints(change.exact.low)} đến ${formatSignedPoints(change.exact.high)} điểm`;
  switch (change.verdict) {
    case 'rose':
      return `tăng ${points} điểm so với ${against} (${interval}), thay đổi có ý nghĩa thống kê`;
    case 'fell':
      return `giảm ${points} điểm so với ${against} (${interval}), thay đổi có ý nghĩa thống kê`;
    default:
      return `chênh lệch ${formatSignedPoints(change.exact.points)} điểm so với ${against} (${interval}), chưa đủ cơ sở để kết luận có thay đổi`;
  }
}

/** A change in a table cell: the verdict and the points, the interval on a second line. */
function changeCell(change: Change | null): string {
  if (!change) return '—';
  if (change.other.n === 0) return 'Chưa có phiếu';
  if (change.verdict === 'not_enough_data' || !change.exact) return 'Chưa đủ dữ liệu';
  const interval = `(${formatSignedPoints(change.exact.low)} đến ${formatSignedPoints(change.exact.high)})`;
  const points = formatNumber(Math.abs(change.exact.points), 1);
  if (change.verdict === 'rose') return `Tăng ${points}\n${interval}`;
  if (change.verdict === 'fell') return `Giảm ${points}\n${interval}`;
  return `Không thay đổi rõ\n${interval}`;
}

/** The status against a target as a clause: "đạt chỉ tiêu tối thiểu 90% (chỉ tiêu của Tỉnh P)". */
export function statusPhrase(
  figure: Figure,
  target: { threshold: number; comparison: 'gte' | 'gt'; result: TargetComparison; inheritedFrom: InheritedFrom },
): string {
  const level = `chỉ tiêu ${comparisonWord(target.comparison)} ${formatThreshold(target.threshold)} (${targetOwner(target.inheritedFrom)})`;
  const gap = figure.exact ? figure.exact.share - target.threshold : 0;
  const side =
    Math.abs(gap) < 0.05
      ? `bằng mức ${level}`
      : gap > 0
        ? `cao hơn ${level} ${formatNumber(gap, 1)} điểm`
        : `thấp hơn ${level} ${formatNumber(-gap, 1)} điểm`;
  switch (target.result.status) {
    case 'met':
      return `${side}, đạt chỉ tiêu (cả khoảng tin cậy nằm trên mức chỉ tiêu)`;
    case 'not_met':
      return `${side}, chưa đạt chỉ tiêu (cả khoảng tin cậy nằm dưới mức chỉ tiêu)`;
    case 'uncertain':
      return `${side}; chưa khẳng định được đạt hay chưa đạt vì mức chỉ tiêu nằm trong khoảng tin cậy`;
    case 'not_enough_data':
      return `chưa đủ dữ liệu để so sánh với ${level}`;
  }
}

function statusCell(target: Row['target'] | undefined): string {
  if (!target) return '—';
  const owner = target.inheritedFrom ? `\n(${targetOwner(target.inheritedFrom)})` : '';
  return `${STATUS_WORDS[target.result.status]}\n${comparisonWord(target.comparison)} ${formatThreshold(target.threshold)}${owner}`;
}

interface Against {
  previous: string | null;
  lastYear: string | null;
  /** The first 6 or 9 months and the year: the previous period is cùng kỳ, said once. */
  same: boolean;
}

function comparisonsOf(compared: Comparisons | undefined, against: Against): string {
  if (!compared) return '';
  const clauses: string[] = [];
  if (against.previous && !against.same) clauses.push(changePhrase(compared.previous, against.previous));
  if (against.lastYear) clauses.push(changePhrase(compared.lastYear, against.lastYear));
  return clauses.join('; ');
}

function changeColumns(against: Against): DocumentColumn[] {
  const columns: DocumentColumn[] = [];
  if (!against.same) columns.push({ title: 'So với kỳ trước (điểm)', width: 0.15, align: 'center' });
  columns.push({ title: 'So với cùng kỳ (điểm)', width: 0.15, align: 'center' });
  return columns;
}

function changeCells(compared: Comparisons | undefined, against: Against): string[] {
  const cells: string[] = [];
  if (!against.same) cells.push(changeCell(compared?.previous ?? null));
  cells.push(changeCell(compared?.lastYear ?? null));
  return cells;
}

/** Scales a table's column shares so that they add up to exactly 1. */
function columns(list: DocumentColumn[]): DocumentColumn[] {
  const total = list.reduce((sum, column) => sum + column.width, 0);
  return list.map((column) => ({ ...column, width: column.width / total }));
}

const text = (value: string) => String(safeCell(value));

/** Comments and low ratings of the period, and how far their follow-up went; counts only. */
async function followUpCounts(db: Db, unitId: number, period: Period, lowRatings: number) {
  const start = vietnamMidnight(period.from);
  const end = vietnamMidnight(period.to);
  const [comments, statuses] = await Promise.all([
    sql<{ comments: number; on_high: number }>`
      select count(*)::integer as comments,
        count(*) filter (where coalesce((
          select a.score from response_answer a join question q on q.id = a.question_id
          where a.response_id = r.id and q.role = 'overall'), 5) > ${LOW_RATING_MAX})::integer as on_high
      from comment
      join response r on r.id = comment.response_id and r.rated_at >= ${start} and r.rated_at < ${end}
      join unit_closure c on c.unit_id = r.unit_id and c.ancestor_id = ${unitId}
    `.execute(db),
    sql<{ status: string; n: number }>`
      select f.status, count(*)::integer as n
      from follow_up f
      join response r on r.id = f.response_id and r.rated_at >= ${start} and r.rated_at < ${end}
      join unit_closure c on c.unit_id = r.unit_id and c.ancestor_id = ${unitId}
      group by f.status
    `.execute(db),
  ]);
  const { comments: commentCount, on_high: onHigh } = comments.rows[0]!;
  const count = (status: string) => statuses.rows.find((row) => row.status === status)?.n ?? 0;
  const total = lowRatings + onHigh;
  const inProgress = count('in_progress');
  const answered = count('answered');
  return { comments: commentCount, lowRatings, total, received: total - inProgress - answered, inProgress, answered };
}

/** How the document is headed: the issuing body, the one above it, and the symbol. */
async function headerOf(db: Db, unitId: number) {
  const unit = await db
    .selectFrom('unit')
    .leftJoin('unit as parent', 'parent.id', 'unit.parent_id')
    .select(['unit.name', 'unit.kind', 'parent.name as parent_name', 'parent.kind as parent_kind'])
    .where('unit.id', '=', unitId)
    .executeTakeFirstOrThrow();
  const territorial = TERRITORIAL.includes(unit.kind);
  const bodyOf = (name: string, kind: UnitKind) => (TERRITORIAL.includes(kind) ? `Ủy ban nhân dân ${name}` : name);
  return {
    // A People's Committee heads its own documents; an agency names the body above it.
    parentBody:
      !territorial && unit.parent_name ? bodyOf(unit.parent_name, unit.parent_kind!).toLocaleUpperCase('vi') : null,
    // "ỦY BAN NHÂN DÂN" on its own line, the unit's name under it, as the decree's samples do.
    issuingBody: (territorial ? `Ủy ban nhân dân\n${unit.name}` : unit.name).toLocaleUpperCase('vi'),
    number: territorial ? 'Số: …/BC-UBND' : 'Số: …/BC-…',
    recipient: unit.parent_name ? bodyOf(unit.parent_name, unit.parent_kind!) : null,
    /** Who reports, as the first sentence names it: the People's Committee of a territorial unit. */
    reporter: bodyOf(unit.name, unit.kind),
  };
}

const MAX_DESKS = 30;
const SHOWN_WEAKEST_DESKS = 15;

/**
 * Builds the report document of a unit for a period. `onProgress` hears the share done
 * after each section, for the background export.
 */
export async function buildReportDocument(
  db: Db,
  unitId: number,
  period: Period,
  onProgress: (percent: number) => Promise<void> = async () => {},
): Promise<ReportDocument> {
  const steps = 8;
  let step = 0;
  const advance = async () => onProgress(Math.round((100 * ++step) / (steps + 1)));

  const [report, head] = await Promise.all([summary(db, unitId, period), headerOf(db, unitId)]);
  await advance();
  const against: Against = {
    previous: report.comparedWith.previous ? periodPhrase(report.comparedWith.previous) : null,
    lastYear: report.comparedWith.lastYear ? `cùng kỳ ${periodPhrase(report.comparedWith.lastYear)}` : null,
    same: report.comparedWith.previous?.key === report.comparedWith.lastYear?.key,
  };
  const blocks: DocumentBlock[] = [];
  const paragraph = (value: string, italic = false) =>
    blocks.push(italic ? { type: 'paragraph', text: value, italic } : { type: 'paragraph', text: value });
  const phrase = periodPhrase(period);
  const plan = report.targets.find((target) => target.planNumber);
  paragraph(
    `${plan ? `Thực hiện Kế hoạch số ${plan.planNumber}${plan.planDate ? ` ngày ${formatDay(plan.planDate)}` : ''}` : `Thực hiện kế hoạch cải cách hành chính năm ${period.year}`}, ${text(head.reporter)} báo cáo kết quả khảo sát mức độ hài lòng của người dân, tổ chức đối với sự phục vụ của cơ quan hành chính nhà nước ${phrase}, từ các phiếu đánh giá tại Bộ phận Một cửa, như sau:`,
  );

  overview(report, paragraph, blocks);
  targetsSection(report, against, blocks, paragraph);

  const [domains, ranked, desks, elements] = await Promise.all([
    breakdown(db, unitId, period, 'domain'),
    ranking(db, unitId, period),
    breakdown(db, unitId, period, 'desk'),
    breakdown(db, unitId, period, 'element'),
  ]);
  await advance();
  domainsSection(domains, against, blocks, paragraph);
  await advance();
  subunitsSection(ranked, against, blocks, paragraph);
  await advance();
  desksSection(desks, against, blocks, paragraph);
  await advance();
  elementsSection(report, elements, against, blocks, paragraph);
  await advance();
  bandsSection(report, blocks, paragraph);
  await advance();
  const low = await reasons(db, unitId, period);
  const followUp = await followUpCounts(db, unitId, period, low.lowRatings);
  commentsSection(followUp, low, blocks, paragraph);
  await advance();
  methodSection(blocks, paragraph);
  blocks.push({ type: 'heading', text: `${ROMAN[nextSection(blocks)]}. ĐỀ XUẤT, KIẾN NGHỊ` });
  paragraph('(Đơn vị bổ sung đề xuất, kiến nghị và giải pháp nâng cao mức độ hài lòng trong kỳ tới.)', true);
  await advance();

  return {
    unit: { id: report.unit.id, name: report.unit.name },
    period,
    header: {
      parentBody: head.parentBody,
      issuingBody: head.issuingBody,
      number: head.number,
      motto: ['CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM', 'Độc lập - Tự do - Hạnh phúc'],
      placeAndDate: '…, ngày … tháng … năm …',
    },
    kind: 'BÁO CÁO',
    title: `Kết quả khảo sát mức độ hài lòng của người dân, tổ chức đối với sự phục vụ của cơ quan hành chính nhà nước ${phrase}`,
    blocks,
    recipients: [...(head.recipient ? [`${text(head.recipient)} (để báo cáo);`] : []), '…;', 'Lưu: VT, ….'],
    signer: {
      authority: 'QUYỀN HẠN, CHỨC VỤ CỦA NGƯỜI KÝ',
      title: '',
      signature: '(Chữ ký của người có thẩm quyền, dấu của cơ quan)',
      name: 'Họ và tên',
    },
  };
}

const ROMAN = ['I', 'II', 'III', 'IV', 'V', 'VI', 'VII', 'VIII', 'IX', 'X', 'XI', 'XII'];
const nextSection = (blocks: DocumentBlock[]) => blocks.filter((block) => block.type === 'heading').length;
const heading = (blocks: DocumentBlock[], title: string) =>
  blocks.push({ type: 'heading', text: `${ROMAN[nextSection(blocks)]}. ${title}` });

type Say = (text: string, italic?: boolean) => void;

function overview(report: Summary, say: Say, blocks: DocumentBlock[]) {
  heading(blocks, 'TÌNH HÌNH KHẢO SÁT');
  const { overall, dossiers } = report;
  const missing = dossiers.missingMonths.map((month) => `${month.slice(5, 7)}/${month.slice(0, 4)}`).join(', ');
  let sentence = `Trong kỳ, người dân, tổ chức đã gửi ${formatNumber(overall.n)} phiếu đánh giá hợp lệ`;
  if (dossiers.count !== null) {
    sentence += ` trên ${formatNumber(dossiers.count)} hồ sơ thủ tục hành chính đã giải quyết; độ bao phủ (số phiếu trên số hồ sơ) đạt ${formatPercent(report.coverage.share ?? 0)}`;
    if (missing) sentence += ` (chưa nhập số hồ sơ tháng ${missing}, đã ước theo bình quân các tháng đã nhập)`;
    sentence += `. Cỡ mẫu cần để sai số không quá ±5% ở độ tin cậy 95% là ${formatNumber(overall.required)} phiếu.`;
  } else {
    sentence += `. Số hồ sơ đã giải quyết trong kỳ chưa được nhập nên chưa tính được độ bao phủ; cỡ mẫu cần là ${formatNumber(overall.required)} phiếu.`;
  }
  say(sentence);
  if (report.coverage.low)
    say(
      `Độ bao phủ dưới 10%: người đánh giá có thể khác với số đông người đến giao dịch, nên các kết quả dưới đây cần được đọc thận trọng.`,
    );
  if (report.elements.n > 0)
    say(
      `Trong số đó, ${formatNumber(report.elements.n)} phiếu trả lời bộ câu hỏi đầy đủ theo 5 yếu tố của phương pháp SIPAS.`,
    );
}

function targetsSection(report: Summary, against: Against, blocks: DocumentBlock[], say: Say) {
  heading(blocks, 'KẾT QUẢ SO VỚI CHỈ TIÊU');
  const overallSentence = `Tỷ lệ người dân, tổ chức hài lòng về giải quyết thủ tục hành chính (câu hỏi chung) ${
    report.overall.enough && report.overall.exact
      ? `đạt ${figurePhrase(report.overall)}`
      : `: ${figurePhrase(report.overall)}`
  }`;
  const overallChanges = report.overall.enough ? comparisonsOf(report.compared.overall, against) : '';
  // A TTHC target over the whole period says the same, with its status: said once.
  if (!report.targets.some((target) => target.metric === 'tthc' && target.period.key === report.period.key))
    say(`${overallSentence}${overallChanges ? `; ${overallChanges}` : ''}.`);
  if (report.targets.length === 0) {
    say(`Chưa có chỉ tiêu nào về mức độ hài lòng áp dụng cho đơn vị trong năm ${report.period.year}.`);
    return;
  }
  for (const target of report.targets) {
    const name = `${METRIC_NAMES[target.metric].vi}${target.domain ? ` – lĩnh vực ${target.domain.name.vi}` : ''}`;
    const years = target.period.key !== report.period.key ? ` (${periodPhrase(target.period)})` : '';
    const result =
      target.figure.enough && target.figure.exact
        ? `đạt ${figurePhrase(target.figure)}, ${statusPhrase(target.figure, target)}`
        : `${figurePhrase(target.figure)}, chưa so sánh với ${`chỉ tiêu ${comparisonWord(target.comparison)} ${formatThreshold(target.threshold)} (${targetOwner(target.inheritedFrom)})`}`;
    const changes = target.figure.enough ? comparisonsOf(target.compared, against) : '';
    say(`${name}${years}: ${result}${changes ? `; ${changes}` : ''}.`);
  }
  blocks.push({
    type: 'table',
    columns: columns([
      { title: 'Chỉ tiêu', width: 0.25, align: 'left' },
      { title: 'Mức chỉ tiêu', width: 0.13, align: 'center' },
      { title: 'Kết quả (KTC 95%)', width: 0.15, align: 'center' },
      { title: 'Số phiếu (n)', width: 0.1, align: 'center' },
      { title: 'Đánh giá', width: 0.13, align: 'center' },
      ...changeColumns(against),
    ]),
    rows: report.targets.map((target) => ({
      cells: [
        `${METRIC_NAMES[target.metric].vi}${target.domain ? ` – ${target.domain.name.vi}` : ''}${
          target.period.key !== report.period.key ? ` (${periodPhrase(target.period)})` : ''
        }`,
        `${comparisonWord(target.comparison)} ${formatThreshold(target.threshold)}\n(${targetOwner(target.inheritedFrom)})`,
        resultCell(target.figure),
        ballotsCell(target.figure),
        STATUS_WORDS[target.result.status],
        ...changeCells(target.compared, against),
      ],
    })),
  });
}

function domainsSection(domains: Row[], against: Against, blocks: DocumentBlock[], say: Say) {
  heading(blocks, 'KẾT QUẢ THEO LĨNH VỰC');
  if (domains.length === 0) {
    say('Trong kỳ chưa có phiếu đánh giá theo lĩnh vực.');
    return;
  }
  for (const row of domains) say(`${rowSentence(`Lĩnh vực ${row.name.vi}`, row, against)}.`);
  blocks.push(rowsTable('Lĩnh vực', domains, against));
}

/** One row as a sentence: its result, against its target, and its changes. */
function rowSentence(subject: string, row: Row, against: Against): string {
  if (!row.figure.enough || !row.figure.exact) {
    const target = row.target
      ? `, chưa so sánh với chỉ tiêu ${comparisonWord(row.target.comparison)} ${formatThreshold(row.target.threshold)}`
      : '';
    return `${text(subject)}: ${figurePhrase(row.figure)}${target}`;
  }
  const target = row.target ? `, ${statusPhrase(row.figure, row.target)}` : '';
  const changes = comparisonsOf(row.compared, against);
  return `${text(subject)} đạt ${figurePhrase(row.figure)}${target}${changes ? `; ${changes}` : ''}`;
}

function rowsTable(
  first: string,
  rows: Row[],
  against: Against,
  extra?: { title: string; cell: (row: Row) => string },
) {
  return {
    type: 'table' as const,
    columns: columns([
      ...(extra ? [{ title: extra.title, width: 0.07, align: 'center' as const }] : []),
      { title: first, width: 0.25, align: 'left' },
      { title: 'Kết quả (KTC 95%)', width: 0.15, align: 'center' },
      { title: 'Số phiếu (n)', width: 0.1, align: 'center' },
      { title: 'Chỉ tiêu, đánh giá', width: 0.16, align: 'center' },
      ...changeColumns(against),
    ]),
    rows: rows.map((row) => ({
      cells: [
        ...(extra ? [extra.cell(row)] : []),
        text(row.name.vi),
        resultCell(row.figure),
        ballotsCell(row.figure),
        statusCell(row.target),
        ...changeCells(row.compared, against),
      ],
    })),
  };
}

type Ranked = Row & { rank: number | null; peers: number };

function subunitsSection(ranked: Ranked[], against: Against, blocks: DocumentBlock[], say: Say) {
  if (ranked.length === 0) return;
  heading(blocks, 'KẾT QUẢ THEO ĐƠN VỊ TRỰC THUỘC');
  say(
    'Các đơn vị chỉ được xếp hạng với đơn vị cùng loại, cùng cấp (xã, phường, đặc khu với nhau; cơ quan hành chính, cơ sở y tế, cơ sở giáo dục riêng từng nhóm), theo cận dưới của khoảng tin cậy 95%, để đơn vị có ít phiếu không được xếp cao nhờ may rủi; đơn vị chưa đủ phiếu không được xếp hạng.',
  );
  const current = ranked.filter((row) => !row.merged);
  const groups = [...new Set(current.map((row) => row.peerGroup!))];
  const rows: ({ cells: string[] } | { group: string })[] = [];
  const table = rowsTable('Đơn vị', [], against, { title: 'Hạng', cell: () => '' });
  for (const group of groups) {
    const members = current.filter((row) => row.peerGroup === group);
    const rankedMembers = members.filter((row) => row.rank !== null);
    const below = members.filter((row) => row.target?.result.status === 'not_met');
    const short = members.filter((row) => !row.figure.enough);
    let sentence = `${PEER_GROUPS[group as PeerGroup].vi}: ${formatNumber(members.length)} đơn vị, ${formatNumber(rankedMembers.length)} đơn vị đủ dữ liệu để xếp hạng`;
    if (rankedMembers.length > 0) {
      const first = rankedMembers[0]!;
      const last = rankedMembers.at(-1)!;
      sentence += `; cao nhất là ${text(first.name.vi)} (${formatPercent(first.figure.exact!.share)})`;
      if (last !== first)
        sentence += `, thấp nhất là ${text(last.name.vi)} (${formatPercent(last.figure.exact!.share)})`;
    }
    if (below.length > 0)
      sentence += `; ${formatNumber(below.length)} đơn vị chưa đạt chỉ tiêu: ${below.map((row) => text(row.name.vi)).join(', ')}`;
    if (short.length > 0) sentence += `; ${formatNumber(short.length)} đơn vị chưa đủ dữ liệu`;
    say(`${sentence}.`);
    rows.push({ group: PEER_GROUPS[group as PeerGroup].vi });
    const built = rowsTable('Đơn vị', members, against, {
      title: 'Hạng',
      cell: (row) => {
        const rank = (row as Ranked).rank;
        return rank === null ? '—' : `${rank}/${(row as Ranked).peers}`;
      },
    });
    rows.push(...built.rows);
  }
  const merged = ranked.filter((row) => row.merged);
  for (const row of merged) {
    const including = ranked.find((other) => other.key === row.includedIn);
    say(
      `${text(row.name.vi)} đã sáp nhập vào ${text(row.merged!.into.name)} từ ngày ${formatDay(row.merged!.from)}${
        including ? `; số liệu đã tính trong ${text(including.name.vi)}, không cộng thêm` : ''
      }.`,
      true,
    );
  }
  blocks.push({ ...table, rows });
}

function desksSection(desks: Row[], against: Against, blocks: DocumentBlock[], say: Say) {
  heading(blocks, 'KẾT QUẢ THEO QUẦY, BỘ PHẬN TIẾP NHẬN');
  if (desks.length === 0) {
    say('Trong kỳ chưa có phiếu đánh giá tại quầy nào.');
    return;
  }
  const below = desks.filter((row) => row.target?.result.status === 'not_met');
  const short = desks.filter((row) => !row.figure.enough);
  let sentence = `${formatNumber(desks.length)} quầy có phiếu đánh giá trong kỳ`;
  if (below.length > 0) sentence += `; ${formatNumber(below.length)} quầy chưa đạt chỉ tiêu của đơn vị mình`;
  if (short.length > 0) sentence += `; ${formatNumber(short.length)} quầy chưa đủ dữ liệu để đánh giá`;
  say(`${sentence}.`);
  let shown = desks;
  if (desks.length > MAX_DESKS) {
    // A national or provincial report cannot list every desk: the weakest are the ones to act on.
    shown = desks
      .filter((row) => row.figure.enough && row.figure.exact)
      .sort((a, b) => a.figure.exact!.high - b.figure.exact!.high)
      .slice(0, SHOWN_WEAKEST_DESKS);
    say(
      `Bảng dưới đây nêu ${formatNumber(shown.length)} quầy có kết quả thấp nhất (theo cận trên của khoảng tin cậy) trong số quầy đủ dữ liệu; danh sách đầy đủ có trong tệp Excel xuất kèm.`,
      true,
    );
  }
  const table = rowsTable('Quầy (đơn vị)', shown, against);
  table.rows = shown.map((row, index) => {
    const cells = (table.rows[index] as { cells: string[] }).cells;
    cells[0] = `${text(row.name.vi)}${row.parent ? `\n(${text(row.parent)})` : ''}`;
    return { cells };
  });
  blocks.push(table);
}

function elementsSection(report: Summary, elements: Row[], against: Against, blocks: DocumentBlock[], say: Say) {
  heading(blocks, 'KẾT QUẢ THEO 5 YẾU TỐ CỦA PHƯƠNG PHÁP SIPAS');
  if (report.elements.n === 0) {
    say('Trong kỳ chưa có phiếu trả lời bộ câu hỏi đầy đủ theo 5 yếu tố.');
    return;
  }
  say(
    `Chỉ số hài lòng về sự phục vụ (gộp các tiêu chí của 5 yếu tố, mỗi phiếu là một đơn vị mẫu) ${
      report.elements.enough ? `đạt ${figurePhrase(report.elements)}` : `: ${figurePhrase(report.elements)}`
    }${report.elements.enough ? `; ${comparisonsOf(report.compared.elements, against)}` : ''}.`,
  );
  const judged = elements.filter((row) => row.figure.enough && row.figure.exact);
  if (judged.length > 1) {
    const lowest = [...judged].sort((a, b) => a.figure.exact!.share - b.figure.exact!.share)[0]!;
    say(`Yếu tố có tỷ lệ hài lòng thấp nhất là “${lowest.name.vi}” (${formatPercent(lowest.figure.exact!.share)}).`);
  }
  blocks.push(rowsTable('Yếu tố', elements, against));
}

function bandsSection(report: Summary, blocks: DocumentBlock[], say: Say) {
  heading(blocks, 'MỨC ĐỘ HÀI LÒNG THEO 3 NHÓM');
  const bands = threeBands(report.overall.counts);
  const total = report.overall.answers;
  say(
    'Theo cách tổng hợp 3 nhóm của báo cáo định kỳ: “Rất hài lòng” là mức 5, “Hài lòng” là mức 4, “Không hài lòng” gộp các mức 1 (rất không hài lòng), 2 (không hài lòng) và 3 (bình thường); câu trả lời “không có ý kiến” không được tính.',
  );
  const share = (part: number) => {
    const value = percentOf(part, total);
    return value === null ? '—' : formatPercent(value);
  };
  blocks.push({
    type: 'table',
    columns: columns([
      { title: 'Nhóm', width: 0.4, align: 'left' },
      { title: 'Số phiếu', width: 0.3, align: 'center' },
      { title: 'Tỷ lệ', width: 0.3, align: 'center' },
    ]),
    rows: [
      { cells: ['Rất hài lòng (mức 5)', formatNumber(bands.verySatisfied), share(bands.verySatisfied)] },
      { cells: ['Hài lòng (mức 4)', formatNumber(bands.satisfied), share(bands.satisfied)] },
      { cells: ['Không hài lòng (mức 1–3)', formatNumber(bands.notSatisfied), share(bands.notSatisfied)] },
      { cells: ['Tổng số phiếu hợp lệ', formatNumber(total), total > 0 ? '100%' : '—'] },
    ],
  });
  if (total > 0 && !report.overall.enough)
    say(
      `Số phiếu chưa đủ cỡ mẫu cần thiết (${formatNumber(report.overall.required)} phiếu); các tỷ lệ trên chỉ mang tính tham khảo.`,
      true,
    );
}

function commentsSection(
  followUp: Awaited<ReturnType<typeof followUpCounts>>,
  low: Awaited<ReturnType<typeof reasons>>,
  blocks: DocumentBlock[],
  say: Say,
) {
  heading(blocks, 'GÓP Ý VÀ KẾT QUẢ XỬ LÝ');
  say(
    `Trong kỳ có ${formatNumber(followUp.comments)} góp ý bằng lời và ${formatNumber(followUp.lowRatings)} phiếu đánh giá từ mức ${LOW_RATING_MAX} trở xuống; tổng cộng ${formatNumber(followUp.total)} trường hợp cần theo dõi xử lý, trong đó ${formatNumber(followUp.answered)} đã trả lời, ${formatNumber(followUp.inProgress)} đang xử lý và ${formatNumber(followUp.received)} mới tiếp nhận. Báo cáo không nêu nội dung góp ý; chi tiết từng trường hợp có trong danh sách theo dõi xử lý của đơn vị.`,
  );
  const top = low.reasons.slice(0, 5);
  if (top.length > 0)
    say(
      `Lý do chưa hài lòng được chọn nhiều nhất: ${top
        .map(
          (reason) =>
            `${reason.name.vi.toLocaleLowerCase('vi')} (${formatNumber(reason.count)} lượt${reason.share !== null ? `, ${formatPercent(reason.share)}` : ''})`,
        )
        .join('; ')}.`,
    );
}

function methodSection(blocks: DocumentBlock[], say: Say) {
  heading(blocks, 'PHƯƠNG PHÁP');
  say(
    'Người dân, tổ chức đánh giá theo thang 5 mức (1 – rất không hài lòng đến 5 – rất hài lòng) bằng mã QR tại quầy, máy đánh giá tại quầy hoặc mã trên phiếu hẹn, không phải khai tên hay số giấy tờ. Tỷ lệ hài lòng là số câu trả lời mức 4 và 5 trên tổng số câu trả lời hợp lệ; mỗi tỷ lệ kèm khoảng tin cậy 95% (phương pháp Wilson) và số phiếu n; chỉ số gộp nhiều tiêu chí của một phiếu tính n là số phiếu và khoảng tin cậy lấy phiếu làm đơn vị mẫu. Một tỷ lệ chỉ được so sánh với chỉ tiêu khi n đạt cỡ mẫu n = N / (1 + N × 0,05²), với N là số hồ sơ đã giải quyết trong kỳ (400 phiếu khi chưa có N): đạt khi cả khoảng tin cậy nằm trên mức chỉ tiêu, chưa đạt khi cả khoảng nằm dưới, chưa khẳng định được khi mức chỉ tiêu nằm trong khoảng. Đơn vị chưa có chỉ tiêu riêng áp dụng chỉ tiêu của cấp trên gần nhất. Mức thay đổi so với kỳ trước và cùng kỳ năm trước kèm khoảng tin cậy 95% (phương pháp Newcombe); thay đổi có ý nghĩa thống kê khi cả khoảng nằm về một phía của 0. Thời gian tính theo giờ Việt Nam (UTC+7).',
  );
}

import {
  AlignmentType,
  BorderStyle,
  Document,
  Header,
  Packer,
  PageNumber,
  Paragraph,
  Table,
  TableCell,
  TableLayoutType,
  TableRow,
  TextRun,
  VerticalAlign,
  WidthType,
  type IBorderOptions,
} from 'docx';
import type { DocumentBlock, ReportDocument } from './document.ts';
import { periodLabel } from './periods.ts';

/**
 * The report document as DOCX, laid out as Decree 30/2020/NĐ-CP (Appendix I) asks of an
 * administrative document: A4 portrait; margins top and bottom 20 mm, left 30 mm, right
 * 15 mm; Times New Roman; the issuing body (13 pt, upper case, bold, over a short rule)
 * beside the national motto (13 pt upper case bold, then 14 pt bold over a rule); the number
 * and symbol, left blank; place and date in italics; the document type (14 pt bold) and its
 * summary line; the content in 14 pt, justified; recipients ("Nơi nhận:", 12 pt bold italic;
 * the list in 11 pt) beside the signer's authority, signature and name; page numbers from
 * the second page, centred in the top margin. Tables are 12 pt with fixed column widths
 * that add up to the text width, so that they never run past the margin.
 */

const MM = 1440 / 25.4; // twips per millimetre
const PAGE = { width: 11906, height: 16838 }; // A4 in twips
const MARGIN = {
  top: Math.round(20 * MM),
  bottom: Math.round(20 * MM),
  left: Math.round(30 * MM),
  right: Math.round(15 * MM),
};
/** The width between the margins: 165 mm. */
export const TEXT_WIDTH = PAGE.width - MARGIN.left - MARGIN.right;
const FONT = 'Times New Roman';
const pt = (size: number) => size * 2; // docx sizes are half-points

const NONE: IBorderOptions = { style: BorderStyle.NONE, size: 0, color: 'FFFFFF' };
const NO_BORDERS = { top: NONE, bottom: NONE, left: NONE, right: NONE, insideHorizontal: NONE, insideVertical: NONE };
const LINE: IBorderOptions = { style: BorderStyle.SINGLE, size: 6, color: '000000' };

function line(
  text: string,
  options: { size?: number; bold?: boolean; italics?: boolean; align?: 'left' | 'center' | 'right' | 'justified' } = {},
): Paragraph {
  return new Paragraph({
    alignment: alignment(options.align ?? 'center'),
    spacing: { before: 0, after: 0 },
    children: [new TextRun({ text, size: pt(options.size ?? 13), bold: options.bold, italics: options.italics })],
  });
}

/** Text of several lines ("\n"), one paragraph each. */
const lines = (text: string, options: Parameters<typeof line>[1] = {}) =>
  text.split('\n').map((one) => line(one, options));

/** An empty paragraph with a rule under it, `indent` twips in from each side of its cell. */
function rule(indent: number): Paragraph {
  return new Paragraph({
    spacing: { before: 0, after: 120 },
    indent: { left: indent, right: indent },
    border: { bottom: LINE },
    children: [new TextRun({ text: '', size: pt(4) })],
  });
}

function alignment(align: 'left' | 'center' | 'right' | 'justified') {
  return {
    left: AlignmentType.LEFT,
    center: AlignmentType.CENTER,
    right: AlignmentType.RIGHT,
    justified: AlignmentType.JUSTIFIED,
  }[align];
}

/** Two borderless cells side by side: the header block and the signature block. */
function sideBySide(left: Paragraph[], right: Paragraph[], leftShare: number): Table {
  const leftWidth = Math.round(TEXT_WIDTH * leftShare);
  const cell = (children: Paragraph[], width: number) =>
    new TableCell({
      width: { size: width, type: WidthType.DXA },
      borders: NO_BORDERS,
      margins: { left: 0, right: 0 },
      children,
    });
  return new Table({
    width: { size: TEXT_WIDTH, type: WidthType.DXA },
    columnWidths: [leftWidth, TEXT_WIDTH - leftWidth],
    layout: TableLayoutType.FIXED,
    borders: NO_BORDERS,
    rows: [new TableRow({ children: [cell(left, leftWidth), cell(right, TEXT_WIDTH - leftWidth)] })],
  });
}

function headerBlock(document: ReportDocument): Table {
  const leftShare = 0.4;
  const leftWidth = TEXT_WIDTH * leftShare;
  const rightWidth = TEXT_WIDTH - leftWidth;
  const { header } = document;
  const left = [
    ...(header.parentBody ? lines(header.parentBody, { size: 13 }) : []),
    ...lines(header.issuingBody, { size: 13, bold: true }),
    rule(leftWidth * 0.3),
    line(header.number, { size: 13 }),
  ];
  const right = [
    line(header.motto[0], { size: 13, bold: true }),
    line(header.motto[1], { size: 14, bold: true }),
    rule(rightWidth * 0.2),
    line(header.placeAndDate, { size: 14, italics: true }),
  ];
  return sideBySide(left, right, leftShare);
}

function cellParagraphs(value: string, align: 'left' | 'center' | 'right', bold = false): Paragraph[] {
  return value.split('\n').map(
    (text) =>
      new Paragraph({
        alignment: alignment(align),
        spacing: { before: 20, after: 20 },
        children: [new TextRun({ text, size: pt(12), bold })],
      }),
  );
}

function table(block: Extract<DocumentBlock, { type: 'table' }>): Table {
  const widths = block.columns.map((column) => Math.floor(TEXT_WIDTH * column.width));
  // Rounding down leaves a few twips: the first column takes them, so the widths add up exactly.
  widths[0] = widths[0]! + TEXT_WIDTH - widths.reduce((sum, width) => sum + width, 0);
  const border = { top: LINE, bottom: LINE, left: LINE, right: LINE };
  const margins = { left: 60, right: 60, top: 20, bottom: 20 };
  const header = new TableRow({
    tableHeader: true,
    cantSplit: true,
    children: block.columns.map(
      (column, index) =>
        new TableCell({
          width: { size: widths[index]!, type: WidthType.DXA },
          borders: border,
          margins,
          verticalAlign: VerticalAlign.CENTER,
          children: cellParagraphs(column.title, 'center', true),
        }),
    ),
  });
  const rows = block.rows.map((row) =>
    'group' in row
      ? new TableRow({
          cantSplit: true,
          children: [
            new TableCell({
              width: { size: TEXT_WIDTH, type: WidthType.DXA },
              columnSpan: block.columns.length,
              borders: border,
              margins,
              children: cellParagraphs(row.group, 'left', true),
            }),
          ],
        })
      : new TableRow({
          cantSplit: true,
          children: row.cells.map(
            (value, index) =>
              new TableCell({
                width: { size: widths[index]!, type: WidthType.DXA },
                borders: border,
                margins,
                verticalAlign: VerticalAlign.CENTER,
                children: cellParagraphs(value, block.columns[index]!.align),
              }),
          ),
        }),
  );
  return new Table({
    width: { size: TEXT_WIDTH, type: WidthType.DXA },
    columnWidths: widths,
    layout: TableLayoutType.FIXED,
    rows: [header, ...rows],
  });
}

function body(block: DocumentBlock): (Paragraph | Table)[] {
  switch (block.type) {
    case 'heading':
      return [
        new Paragraph({
          alignment: AlignmentType.JUSTIFIED,
          spacing: { before: 120, after: 60 },
          indent: { firstLine: Math.round(10 * MM) },
          keepNext: true,
          children: [new TextRun({ text: block.text, bold: true, size: pt(14) })],
        }),
      ];
    case 'paragraph':
      return [
        new Paragraph({
          alignment: AlignmentType.JUSTIFIED,
          spacing: { before: 0, after: 120, line: 288 },
          indent: { firstLine: Math.round(10 * MM) },
          children: [new TextRun({ text: block.text, size: pt(14), italics: block.italic })],
        }),
      ];
    case 'table':
      // A little space after each table, where the next paragraph starts.
      return [table(block), new Paragraph({ spacing: { before: 0, after: 120 }, children: [] })];
  }
}

function signatureBlock(document: ReportDocument): Table {
  const left = [
    new Paragraph({
      spacing: { before: 0, after: 0 },
      children: [new TextRun({ text: 'Nơi nhận:', bold: true, italics: true, size: pt(12) })],
    }),
    ...document.recipients.map(
      (recipient) =>
        new Paragraph({
          spacing: { before: 0, after: 0 },
          children: [new TextRun({ text: `- ${recipient}`, size: pt(11) })],
        }),
    ),
  ];
  const { signer } = document;
  const right = [
    line(signer.authority, { size: 14, bold: true }),
    ...(signer.title ? [line(signer.title, { size: 14, bold: true })] : []),
    line(signer.signature, { size: 14, italics: true }),
    ...Array.from({ length: 4 }, () => line('', { size: 14 })),
    line(signer.name, { size: 14, bold: true }),
  ];
  return sideBySide(left, right, 0.5);
}

/** The document as a DOCX file's bytes. */
export async function reportDocx(document: ReportDocument): Promise<Buffer> {
  const file = new Document({
    creator: 'SIPAS',
    title: `${document.kind} ${document.title}`,
    description: `${document.unit.name} — ${periodLabel(document.period, 'vi')}`,
    styles: { default: { document: { run: { font: FONT, size: pt(14) } } } },
    sections: [
      {
        properties: {
          page: {
            size: PAGE,
            margin: { ...MARGIN, header: Math.round(10 * MM), footer: Math.round(10 * MM) },
          },
          titlePage: true,
        },
        headers: {
          first: new Header({ children: [new Paragraph({ children: [] })] }),
          default: new Header({
            children: [
              new Paragraph({
                alignment: AlignmentType.CENTER,
                children: [new TextRun({ children: [PageNumber.CURRENT], size: pt(13) })],
              }),
            ],
          }),
        },
        children: [
          headerBlock(document),
          new Paragraph({ spacing: { before: 240, after: 0 }, children: [] }),
          line(document.kind, { size: 14, bold: true }),
          line(document.title, { size: 14, bold: true }),
          rule(TEXT_WIDTH * 0.38),
          ...document.blocks.flatMap(body),
          new Paragraph({ spacing: { before: 120, after: 0 }, children: [] }),
          signatureBlock(document),
        ],
      },
    ],
  });
  return Packer.toBuffer(file);
}

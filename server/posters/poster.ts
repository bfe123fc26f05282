import { createRequire } from 'node:module';
import path from 'node:path';
import { qrMatrix, qrPath } from './qr.ts';

const require = createRequire(import.meta.url);
const fontDir = path.join(path.dirname(require.resolve('dejavu-fonts-ttf/package.json')), 'ttf');
/** DejaVu Sans covers every Vietnamese letter, so posters print the same on any machine. */
const FONT = { regular: path.join(fontDir, 'DejaVuSans.ttf'), bold: path.join(fontDir, 'DejaVuSans-Bold.ttf') };

export type PaperSize = 'a4' | 'a5';
const PAPER: Record<PaperSize, { width: number; height: number }> = {
  a4: { width: 210, height: 297 },
  a5: { width: 148, height: 210 },
};

export interface PosterContent {
  unitName: string;
  parentName: string | null;
  deskName: string;
  domains: { vi: string; en: string }[];
  /** The short address inside the QR code. */
  url: string;
}

type Element =
  | {
      kind: 'text';
      x: number;
      y: number;
      size: number;
      bold: boolean;
      text: string;
      anchor: 'start' | 'middle';
      color: string;
    }
  | { kind: 'rule'; x: number; y: number; width: number }
  | { kind: 'qr'; x: number; y: number; side: number; text: string };

// Average advance of DejaVu Sans, in ems, to wrap lines without measuring glyphs.
const AVERAGE_ADVANCE = { regular: 0.56, bold: 0.62 };

function wrap(text: string, width: number, size: number, bold: boolean): string[] {
  const perLine = Math.max(8, Math.floor(width / (size * AVERAGE_ADVANCE[bold ? 'bold' : 'regular'])));
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && `${line} ${word}`.length > perLine) {
      lines.push(line);
      line = word;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  if (line) lines.push(line);
  return lines;
}

/** Where everything goes on the sheet, in millimetres, shared by the SVG and PDF renderers. */
function layout(content: PosterContent, size: PaperSize): { width: number; height: number; elements: Element[] } {
  const { width, height } = PAPER[size];
  const k = width / 210;
  const margin = 14 * k;
  const inner = width - 2 * margin;
  const center = width / 2;
  const elements: Element[] = [];
  let y = margin;
  const text = (value: string, fontSize: number, options: { bold?: boolean; color?: string; gap?: number } = {}) => {
    for (const line of wrap(value, inner, fontSize, options.bold ?? false)) {
      y += fontSize * 1.25;
      elements.push({
        kind: 'text',
        x: center,
        y,
        size: fontSize,
        bold: options.bold ?? false,
        text: line,
        anchor: 'middle',
        color: options.color ?? '#111',
      });
    }
    y += options.gap ?? 0;
  };

  text('ĐÁNH GIÁ MỨC ĐỘ HÀI LÒNG', 9 * k, { bold: true, color: '#0b4f96' });
  text('Rate our service', 5 * k, { color: '#333', gap: 4 * k });
  text(content.unitName, 6.5 * k, { bold: true });
  if (content.parentName) text(content.parentName, 4.5 * k, { color: '#333' });
  text(content.deskName, 5.5 * k, { gap: 1.5 * k });
  if (content.domains.length > 0) {
    text(`Lĩnh vực: ${content.domains.map((domain) => domain.vi).join(', ')}`, 4.3 * k);
    text(`(${content.domains.map((domain) => domain.en).join(', ')})`, 3.6 * k, { color: '#333' });
  }
  y += 5 * k;

  const side = Math.min(inner, height - y - 78 * k);
  elements.push({ kind: 'qr', x: center - side / 2, y, side, text: content.url });
  y += side + 2 * k;
  text(content.url.replace(/^https?:\/\//, ''), 5 * k, { bold: true, gap: 4 * k });

  elements.push({ kind: 'rule', x: margin, y, width: inner });
  y += 2 * k;
  text('1. Mở máy ảnh điện thoại, quét mã QR.  2. Chọn mức độ hài lòng.  3. Bấm Gửi.', 4.2 * k);
  text('Scan the code with your phone camera, choose how satisfied you are, and send.', 3.5 * k, {
    color: '#333',
    gap: 2 * k,
  });
  text('Không cần đăng nhập. Không hỏi tên, số điện thoại hay số giấy tờ.', 3.8 * k, { bold: true });
  text('No sign-in. We never ask for your name, phone or ID number.', 3.4 * k, { color: '#333' });
  return { width, height, elements };
}

function escapeXml(value: string): string {
  return value.replace(/[<>&"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

/** The poster as an SVG document sized for printing (millimetres). */
export function posterSvg(content: PosterContent, size: PaperSize): string {
  const { width, height, elements } = layout(content, size);
  const body = elements
    .map((element) => {
      switch (element.kind) {
        case 'text':
          return `<text x="${element.x}" y="${element.y}" font-size="${element.size}" font-weight="${element.bold ? 700 : 400}" fill="${element.color}" text-anchor="${element.anchor}">${escapeXml(element.text)}</text>`;
        case 'rule':
          return `<rect x="${element.x}" y="${element.y}" width="${element.width}" height="0.4" fill="#999"/>`;
        case 'qr': {
          const matrix = qrMatrix(element.text);
          const moduleSize = element.side / (matrix.size + 8);
          return `<rect x="${element.x}" y="${element.y}" width="${element.side}" height="${element.side}" fill="#fff"/><path fill="#000" shape-rendering="crispEdges" d="${qrPath(matrix, element.x + 4 * moduleSize, element.y + 4 * moduleSize, moduleSize)}"/>`;
        }
      }
    })
    .join('\n  ');
  return `<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" width="${width}mm" height="${height}mm" viewBox="0 0 ${width} ${height}" font-family="'DejaVu Sans', 'Noto Sans', Arial, sans-serif">
  <title>${escapeXml(`${content.unitName} — ${content.deskName}`)}</title>
  <rect width="${width}" height="${height}" fill="#fff"/>
  ${body}
</svg>
`;
}

/** The poster as a PNG at 150 dots per inch. */
export async function posterPng(content: PosterContent, size: PaperSize): Promise<Buffer> {
  // The renderers are loaded on first use: most processes never print a poster.
  const { Resvg } = await import('@resvg/resvg-js');
  const rendered = new Resvg(posterSvg(content, size), {
    fitTo: { mode: 'width', value: Math.round((PAPER[size].width / 25.4) * 150) },
    font: { fontFiles: [FONT.regular, FONT.bold], loadSystemFonts: false, defaultFontFamily: 'DejaVu Sans' },
  }).render();
  return rendered.asPng();
}

const POINTS_PER_MM = 72 / 25.4;

/** One PDF with a page per poster, for printing a unit's posters at once. */
export async function postersPdf(contents: PosterContent[], size: PaperSize): Promise<Buffer> {
  const { default: PDFDocument } = await import('pdfkit');
  const document = new PDFDocument({
    size: size.toUpperCase(),
    margin: 0,
    autoFirstPage: false,
    info: { Title: 'Mã QR đánh giá mức độ hài lòng' },
  });
  document.registerFont('regular', FONT.regular);
  document.registerFont('bold', FONT.bold);
  const chunks: Buffer[] = [];
  document.on('data', (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise<Buffer>((resolve) => document.on('end', () => resolve(Buffer.concat(chunks))));

  for (const content of contents) {
    document.addPage();
    document.scale(POINTS_PER_MM);
    for (const element of layout(content, size).elements) {
      if (element.kind === 'text') {
        document
          .font(element.bold ? 'bold' : 'regular')
          .fontSize(element.size)
          .fillColor(element.color);
        const x = element.anchor === 'middle' ? element.x - document.widthOfString(element.text) / 2 : element.x;
        document.text(element.text, x, element.y, { lineBreak: false, baseline: 'alphabetic' });
      } else if (element.kind === 'rule') {
        document.rect(element.x, element.y, element.width, 0.4).fill('#999999');
      } else {
        const matrix = qrMatrix(element.text);
        const moduleSize = element.side / (matrix.size + 8);
        for (let y = 0; y < matrix.size; y++) {
          for (let x = 0; x < matrix.size; x++) {
            if (matrix.isDark(x, y)) {
              document.rect(element.x + (x + 4) * moduleSize, element.y + (y + 4) * moduleSize, moduleSize, moduleSize);
            }
          }
        }
        document.fill('#000000');
      }
    }
  }
  document.end();
  return done;
}

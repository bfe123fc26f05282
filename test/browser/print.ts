import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import jsQR from 'jsqr';
import { PNG } from 'pngjs';

const execFileAsync = promisify(execFile);

/** A box on a printed page, in CSS pixels (96 per inch) from the page's top left corner. */
export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** A line of text as poppler lays it out on a page of the PDF. */
export interface PrintedLine extends Box {
  page: number;
  text: string;
  /** The page's size, in the same CSS pixels. */
  pageWidth: number;
  pageHeight: number;
}

async function withPdf<T>(pdf: Buffer, work: (file: string, dir: string) => Promise<T>): Promise<T> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'sipas-print-'));
  try {
    const file = path.join(dir, 'in.pdf');
    await fs.writeFile(file, pdf);
    return await work(file, dir);
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

const decode = (text: string) =>
  text
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');

/** Every line of text of a PDF with its box, read by poppler (`pdftotext -bbox-layout`). */
export async function printedLines(pdf: Buffer): Promise<PrintedLine[]> {
  const layout = await withPdf(
    pdf,
    async (file) => (await execFileAsync('pdftotext', ['-bbox-layout', file, '-'])).stdout,
  );
  const toCss = 96 / 72;
  const lines: PrintedLine[] = [];
  let page = -1;
  let size = { width: 0, height: 0 };
  for (const match of layout.matchAll(
    /<page width="([\d.]+)" height="([\d.]+)">|<line xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([\s\S]*?)<\/line>/g,
  )) {
    if (match[1]) {
      page++;
      size = { width: Number(match[1]) * toCss, height: Number(match[2]) * toCss };
      continue;
    }
    const [xMin, yMin, xMax, yMax] = [match[3], match[4], match[5], match[6]].map((value) => Number(value) * toCss) as [
      number,
      number,
      number,
      number,
    ];
    const text = [...match[7]!.matchAll(/<word[^>]*>([\s\S]*?)<\/word>/g)].map((word) => decode(word[1]!)).join(' ');
    lines.push({
      page,
      text,
      x: xMin,
      y: yMin,
      width: xMax - xMin,
      height: yMax - yMin,
      pageWidth: size.width,
      pageHeight: size.height,
    });
  }
  return lines;
}

/** Whether two boxes share any area (touching edges do not count). */
export function overlap(a: Box, b: Box, tolerance = 0.5): boolean {
  return (
    a.x + tolerance < b.x + b.width &&
    b.x + tolerance < a.x + a.width &&
    a.y + tolerance < b.y + b.height &&
    b.y + tolerance < a.y + a.height
  );
}

/**
 * Renders the first page of a PDF (poppler) and reads the QR code inside each region with
 * an independent decoder (jsQR), as a phone held over that label would.
 */
export async function decodeRegions(pdf: Buffer, regions: Box[], dpi = 200): Promise<(string | undefined)[]> {
  const png = await withPdf(pdf, async (file, dir) => {
    await execFileAsync('pdftoppm', [
      '-png',
      '-r',
      String(dpi),
      '-f',
      '1',
      '-l',
      '1',
      '-singlefile',
      file,
      path.join(dir, 'page'),
    ]);
    return fs.readFile(path.join(dir, 'page.png'));
  });
  const image = PNG.sync.read(png);
  const scale = dpi / 96;
  return regions.map((region) => {
    const x = Math.max(0, Math.floor(region.x * scale));
    const y = Math.max(0, Math.floor(region.y * scale));
    const width = Math.min(image.width - x, Math.ceil(region.width * scale));
    const height = Math.min(image.height - y, Math.ceil(region.height * scale));
    const crop = new PNG({ width, height });
    PNG.bitblt(image, crop, x, y, width, height, 0, 0);
    return jsQR(new Uint8ClampedArray(crop.data), width, height)?.data;
  });
}

import jsQR from 'jsqr';
import { PNG } from 'pngjs';
import { pdfTextLines } from '../pdf-layout.ts';
import { renderPdf } from '../qr-reader.ts';

/** A box on a printed page, in CSS pixels (96 per inch) from the page's top left corner. */
export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** A line of text as it lies on a page of the PDF. */
export interface PrintedLine extends Box {
  page: number;
  text: string;
  /** The page's size, in the same CSS pixels. */
  pageWidth: number;
  pageHeight: number;
}

/** Every line of text of a PDF with its box, read by MuPDF, in CSS pixels; pages count from 0. */
export function printedLines(pdf: Buffer): PrintedLine[] {
  const toCss = 96 / 72;
  const { pages, lines } = pdfTextLines(pdf);
  return lines.map((line) => ({
    page: line.page - 1,
    text: line.text,
    x: line.left * toCss,
    y: line.top * toCss,
    width: (line.right - line.left) * toCss,
    height: (line.bottom - line.top) * toCss,
    pageWidth: pages[line.page - 1]!.width * toCss,
    pageHeight: pages[line.page - 1]!.height * toCss,
  }));
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
 * Renders the first page of a PDF and reads the QR code inside each region with an
 * independent decoder (jsQR), as a phone held over that label would.
 */
export function decodeRegions(pdf: Buffer, regions: Box[], dpi = 200): (string | undefined)[] {
  const image = PNG.sync.read(renderPdf(pdf, dpi)[0]!);
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

import { Resvg } from '@resvg/resvg-js';
import jsQR from 'jsqr';
import * as mupdf from 'mupdf';
import { PNG } from 'pngjs';

/** Reads the QR code in a PNG image with an independent decoder (jsQR). */
export function decodePng(png: Buffer): string | undefined {
  const image = PNG.sync.read(png);
  return jsQR(new Uint8ClampedArray(image.data), image.width, image.height)?.data;
}

/** Rasterises an SVG, then reads its QR code. */
export function decodeSvg(svg: string, width = 800): string | undefined {
  return decodePng(new Resvg(svg, { fitTo: { mode: 'width', value: width }, background: '#ffffff' }).render().asPng());
}

/**
 * Renders each page of a PDF to a PNG image at `dpi`, on white, as a printer would, with
 * MuPDF (its WebAssembly build, from npm: no system package needed).
 */
export function renderPdf(pdf: Buffer, dpi: number): Buffer[] {
  const document = mupdf.Document.openDocument(pdf, 'application/pdf');
  try {
    const scale = mupdf.Matrix.scale(dpi / 72, dpi / 72);
    return Array.from({ length: document.countPages() }, (_, index) => {
      const page = document.loadPage(index);
      const pixmap = page.toPixmap(scale, mupdf.ColorSpace.DeviceRGB, false, true);
      const png = Buffer.from(pixmap.asPNG());
      pixmap.destroy();
      page.destroy();
      return png;
    });
  } finally {
    document.destroy();
  }
}

/**
 * Reads a QR code on a printed page as a person with a phone would: the whole page
 * (`parts` 1), or one part of it after another (`parts` across and down), so that one
 * label among several is read on its own: jsQR reads an image that holds one code. Parts
 * overlap by half, so that every code is whole in one of them.
 */
function decodePage(png: Buffer, parts: number): string | undefined {
  const page = PNG.sync.read(png);
  const width = Math.ceil(page.width / parts);
  const height = Math.ceil(page.height / parts);
  const starts = (size: number, part: number) =>
    Array.from({ length: 2 * parts - 1 }, (_, index) => Math.min(index * Math.floor(part / 2), size - part));
  for (const top of starts(page.height, height)) {
    for (const left of starts(page.width, width)) {
      const part = new Uint8ClampedArray(width * height * 4);
      for (let row = 0; row < height; row++) {
        const from = ((top + row) * page.width + left) * 4;
        part.set(page.data.subarray(from, from + width * 4), row * width * 4);
      }
      // Printed codes are dark on light: no need to look for inverted ones.
      const found = jsQR(part, width, height, { inversionAttempts: 'dontInvert' });
      if (found) return found.data;
    }
  }
  return undefined;
}

/**
 * Renders each page of a PDF, then reads the QR code of each page; like a person moving
 * a phone closer, it tries a few resolutions before giving up.
 */
export async function decodePdf(pdf: Buffer): Promise<(string | undefined)[]> {
  let decoded: (string | undefined)[] = [];
  for (const dpi of [150, 100, 200]) {
    const attempt = renderPdf(pdf, dpi).map((png) => decodePage(png, 1));
    decoded = decoded.length === 0 ? attempt : decoded.map((value, index) => value ?? attempt[index]);
    if (decoded.every((value) => value !== undefined)) return decoded;
  }
  // A page of several labels, a quarter of the page at a time.
  const pages = renderPdf(pdf, 150);
  return decoded.map((value, index) => value ?? decodePage(pages[index]!, 4));
}

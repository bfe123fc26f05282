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
 * Renders each page of a PDF, then reads the QR code of each page; like a person moving
 * a phone closer, it tries a few resolutions before giving up.
 */
export async function decodePdf(pdf: Buffer): Promise<(string | undefined)[]> {
  let decoded: (string | undefined)[] = [];
  for (const dpi of [150, 100, 200]) {
    const attempt = renderPdf(pdf, dpi).map(decodePng);
    decoded = decoded.length === 0 ? attempt : decoded.map((value, index) => value ?? attempt[index]);
    if (decoded.every((value) => value !== undefined)) break;
  }
  return decoded;
}

import { Resvg } from '@resvg/resvg-js';
import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import jsQR from 'jsqr';
import { PNG } from 'pngjs';

const execFileAsync = promisify(execFile);

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
 * Renders each page of a PDF with poppler's pdftoppm, then reads the QR code of each page;
 * like a person moving a phone closer, it tries a few resolutions before giving up.
 */
export async function decodePdf(pdf: Buffer): Promise<(string | undefined)[]> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'sipas-pdf-'));
  try {
    await fs.writeFile(path.join(dir, 'in.pdf'), pdf);
    let decoded: (string | undefined)[] = [];
    for (const dpi of [150, 100, 200]) {
      const prefix = path.join(dir, `page-${dpi}`);
      await execFileAsync('pdftoppm', ['-png', '-r', String(dpi), path.join(dir, 'in.pdf'), prefix]);
      const pages = (await fs.readdir(dir)).filter((file) => file.startsWith(`page-${dpi}-`)).sort();
      const attempt = await Promise.all(pages.map(async (page) => decodePng(await fs.readFile(path.join(dir, page)))));
      decoded = decoded.length === 0 ? attempt : decoded.map((value, index) => value ?? attempt[index]);
      if (decoded.every((value) => value !== undefined)) break;
    }
    return decoded;
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

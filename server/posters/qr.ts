import QRCode from 'qrcode';

export interface QrMatrix {
  /** Modules per side, without the quiet zone. */
  size: number;
  isDark(x: number, y: number): boolean;
}

/** The modules of a QR code for a URL; level M survives a scuffed or creased print. */
export function qrMatrix(text: string): QrMatrix {
  const { modules } = QRCode.create(text, { errorCorrectionLevel: 'M' });
  return { size: modules.size, isDark: (x, y) => modules.get(y, x) === 1 };
}

/** One SVG path drawing the dark modules, as horizontal runs, at `(left, top)`. */
export function qrPath(matrix: QrMatrix, left: number, top: number, moduleSize: number): string {
  const parts: string[] = [];
  for (let y = 0; y < matrix.size; y++) {
    for (let x = 0; x < matrix.size; x++) {
      if (!matrix.isDark(x, y)) continue;
      let run = 1;
      while (x + run < matrix.size && matrix.isDark(x + run, y)) run++;
      parts.push(
        `M${round(left + x * moduleSize)} ${round(top + y * moduleSize)}h${round(run * moduleSize)}v${round(moduleSize)}h${round(-run * moduleSize)}z`,
      );
      x += run - 1;
    }
  }
  return parts.join('');
}

/** A standalone SVG of the code with its quiet zone, for labels and pairing screens. */
export function qrSvg(text: string): string {
  const matrix = qrMatrix(text);
  const side = matrix.size + 8;
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${side} ${side}" shape-rendering="crispEdges" role="img"><rect width="${side}" height="${side}" fill="#fff"/><path fill="#000" d="${qrPath(matrix, 4, 4, 1)}"/></svg>`;
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}

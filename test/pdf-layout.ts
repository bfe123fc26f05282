import * as mupdf from 'mupdf';

/** A line of text on a PDF page, and its box in points from the page's top left corner. */
export interface TextLine {
  page: number;
  top: number;
  left: number;
  right: number;
  bottom: number;
  text: string;
}

/**
 * The size of every page of a PDF and every line of text on it, read with MuPDF (from npm):
 * what a reader sees, for checking that nothing runs past the margins.
 */
export function pdfTextLines(pdf: Buffer): { pages: { width: number; height: number }[]; lines: TextLine[] } {
  const document = mupdf.Document.openDocument(pdf, 'application/pdf');
  const pages: { width: number; height: number }[] = [];
  const lines: TextLine[] = [];
  try {
    for (let index = 0; index < document.countPages(); index++) {
      const page = document.loadPage(index);
      const [x0, y0, x1, y1] = page.getBounds();
      pages.push({ width: x1 - x0, height: y1 - y0 });
      const text = page.toStructuredText('preserve-whitespace');
      const json = JSON.parse(text.asJSON()) as {
        blocks: { type: string; lines?: { bbox: { x: number; y: number; w: number; h: number }; text: string }[] }[];
      };
      for (const block of json.blocks)
        for (const line of block.lines ?? [])
          if (line.text.trim())
            lines.push({
              page: index + 1,
              top: line.bbox.y,
              left: line.bbox.x,
              right: line.bbox.x + line.bbox.w,
              bottom: line.bbox.y + line.bbox.h,
              text: line.text,
            });
      text.destroy();
      page.destroy();
    }
  } finally {
    document.destroy();
  }
  return { pages, lines };
}

const MM = 72 / 25.4;

/**
 * The lines of an A4 page that cross the margins of Decree 30/2020/NĐ-CP's text area: left
 * 30 mm, right 15 mm, bottom 20 mm (MuPDF rounds boxes to whole points: 1.5 pt of slack).
 */
export function outsideDecreeMargins(lines: TextLine[]): TextLine[] {
  const slack = 1.5;
  return lines.filter(
    (line) =>
      line.left < 30 * MM - slack || line.right > (210 - 15) * MM + slack || line.bottom > (297 - 20) * MM + slack,
  );
}

export const A4 = { width: 210 * MM, height: 297 * MM };

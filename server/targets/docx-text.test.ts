import JSZip from 'jszip';
import { describe, expect, it } from 'vitest';
import { declaringSize, damaged, docxOf, paragraphsXml } from '../../test/word-documents.ts';
import { DOCUMENT_PART_LIMIT, docxText, documentXmlText, PlanDocumentError } from './docx-text.ts';

/** The code of the PlanDocumentError that reading the document throws. */
function refusal(read: () => unknown): string {
  try {
    read();
  } catch (error) {
    if (error instanceof PlanDocumentError) return error.code;
    throw error;
  }
  throw new Error('the document was read');
}

/** Paragraphs of WordprocessingML that unpack to `bytes` bytes and pack to a few kilobytes. */
const bombBody = (bytes: number) => {
  const paragraph = paragraphsXml(['Mức độ hài lòng đạt tối thiểu 90%']);
  return paragraph.repeat(Math.ceil(bytes / paragraph.length));
};

describe('documentXmlText', () => {
  it('gives one line per paragraph, with tabs, breaks and entities, without deleted text or field codes', () => {
    const xml =
      '<w:body><w:p><w:r><w:t>Mức độ</w:t></w:r><w:r><w:t xml:space="preserve"> hài lòng</w:t></w:r></w:p>' +
      '<w:p><w:r><w:t>a</w:t><w:tab/><w:t>b</w:t><w:br/><w:t>c &amp; d &lt;90&#37;&gt; &#x110;</w:t></w:r></w:p>' +
      '<w:p><w:del><w:r><w:delText>đã xóa</w:delText></w:r></w:del><w:r><w:instrText>PAGE</w:instrText><w:t/></w:r></w:p></w:body>';
    expect(documentXmlText(xml)).toBe('Mức độ hài lòng\na\tb\nc & d <90%> Đ\n\n');
  });
});

describe('docxText', () => {
  it('reads the main document part that the package names', async () => {
    const docx = await docxOf(paragraphsXml(['KẾ HOẠCH', 'Mức độ hài lòng đạt 90%']), 'word/main.xml');
    expect(docxText(docx)).toBe('KẾ HOẠCH\nMức độ hài lòng đạt 90%\n');
  });

  it('refuses a document whose directory declares more than the limit, before unpacking it', async () => {
    // The part's data is noise: only its declared size can have refused it.
    const docx = damaged(declaringSize(await docxOf(paragraphsXml(['x'])), DOCUMENT_PART_LIMIT + 1));
    expect(refusal(() => docxText(docx))).toBe('plan_too_large');
    const sameNoise = damaged(await docxOf(paragraphsXml(['x'])));
    expect(refusal(() => docxText(sameNoise))).toBe('unreadable_document');
  });

  it('stops unpacking a zip bomb at the limit when its directory lies about its size', async () => {
    const bomb = await docxOf(bombBody(20 * 1024 * 1024));
    expect(bomb.length).toBeLessThan(200 * 1024);
    // Declared as one kilobyte; it unpacks to 20 MB.
    expect(refusal(() => docxText(declaringSize(bomb, 1024)))).toBe('plan_too_large');
    expect(refusal(() => docxText(bomb))).toBe('plan_too_large');
    // Within a smaller limit the same document is refused just the same.
    expect(refusal(() => docxText(declaringSize(bomb, 1024), 1024 * 1024))).toBe('plan_too_large');
  });

  it('refuses what is not a Word document', async () => {
    expect(refusal(() => docxText(new TextEncoder().encode('not a zip')))).toBe('unreadable_document');
    expect(refusal(() => docxText(new Uint8Array(0)))).toBe('unreadable_document');
    const zip = new JSZip();
    zip.file('notes.txt', 'Mức độ hài lòng đạt 90%');
    const withoutDocument = await zip.generateAsync({ type: 'uint8array', compression: 'DEFLATE' });
    expect(refusal(() => docxText(withoutDocument))).toBe('unreadable_document');
  });
});

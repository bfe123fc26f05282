import JSZip from 'jszip';

/**
 * Word documents for tests: a minimal valid .docx around some WordprocessingML body, and
 * the same with its zip directory rewritten to declare another size for the document part.
 */

const CONTENT_TYPES =
  '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>';

const relationships = (target: string) =>
  `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="${target}"/></Relationships>`;

export const paragraphsXml = (paragraphs: string[]) =>
  paragraphs.map((text) => `<w:p><w:r><w:t xml:space="preserve">${text}</w:t></w:r></w:p>`).join('');

/** A .docx whose main part (word/document.xml unless named otherwise) holds `body`. */
export async function docxOf(body: string, part = 'word/document.xml'): Promise<Uint8Array<ArrayBuffer>> {
  const zip = new JSZip();
  zip.file('[Content_Types].xml', CONTENT_TYPES);
  zip.file('_rels/.rels', relationships(`/${part}`));
  zip.file(
    part,
    `<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>${body}</w:body></w:document>`,
  );
  return new Uint8Array(
    await zip.generateAsync({ type: 'uint8array', compression: 'DEFLATE', compressionOptions: { level: 9 } }),
  );
}

/** The document with the uncompressed size of `part` rewritten in its zip directory and local header. */
export function declaringSize(docx: Uint8Array, size: number, part = 'word/document.xml'): Uint8Array<ArrayBuffer> {
  const zip = Buffer.from(docx);
  const name = Buffer.from(part);
  for (let at = 0; at + 46 < zip.length; at++) {
    const signature = zip.readUInt32LE(at);
    if (signature === 0x02014b50 && zip.subarray(at + 46, at + 46 + name.length).equals(name)) {
      zip.writeUInt32LE(size, at + 24);
    } else if (signature === 0x04034b50 && zip.subarray(at + 30, at + 30 + name.length).equals(name)) {
      zip.writeUInt32LE(size, at + 22);
    }
  }
  return new Uint8Array(zip);
}

/** The document with the compressed bytes of `part` replaced by noise that no inflater reads. */
export function damaged(docx: Uint8Array, part = 'word/document.xml'): Uint8Array<ArrayBuffer> {
  const zip = Buffer.from(docx);
  const name = Buffer.from(part);
  for (let at = 0; at + 30 < zip.length; at++) {
    if (zip.readUInt32LE(at) !== 0x04034b50 || !zip.subarray(at + 30, at + 30 + name.length).equals(name)) continue;
    const start = at + 30 + zip.readUInt16LE(at + 26) + zip.readUInt16LE(at + 28);
    zip.fill(0xff, start, start + 16);
  }
  return new Uint8Array(zip);
}

import { inflateRawSync } from 'node:zlib';

/**
 * The text of a Word document (.docx), read with bounded memory: a .docx is a zip, and a
 * small one can unpack to any size. The zip's central directory gives each part's size
 * before anything is unpacked; a part that declares more than the limit is refused there,
 * and the part is inflated with the limit as a cap, so a directory that lies about the
 * size cannot get past it either. Only the main document part (and the small part that
 * names it) is unpacked; its XML is read in one pass.
 */

/** The most the main document part (word/document.xml) may unpack to. */
export const DOCUMENT_PART_LIMIT = 16 * 1024 * 1024;
/** The part that names the main document part is a few hundred bytes in practice. */
const RELATIONSHIPS_LIMIT = 256 * 1024;

export class PlanDocumentError extends Error {
  constructor(
    readonly code: 'plan_too_large' | 'unreadable_document',
    message: string,
  ) {
    super(message);
    this.name = 'PlanDocumentError';
  }
}

const unreadable = (why: string) => new PlanDocumentError('unreadable_document', `This Word document ${why}`);

interface ZipEntry {
  name: string;
  method: number;
  encrypted: boolean;
  compressedSize: number;
  declaredSize: number;
  localHeaderOffset: number;
}

/** The entries of the zip's central directory. */
function centralDirectory(zip: Buffer): ZipEntry[] {
  // The end-of-central-directory record is in the last 22 + 65,535 bytes (its comment).
  let end = -1;
  for (let at = zip.length - 22; at >= Math.max(0, zip.length - 22 - 0xffff); at--) {
    if (zip.readUInt32LE(at) === 0x06054b50) {
      end = at;
      break;
    }
  }
  if (end < 0) throw unreadable('is not a zip file, as every .docx is');
  const count = zip.readUInt16LE(end + 10);
  const size = zip.readUInt32LE(end + 12);
  const offset = zip.readUInt32LE(end + 16);
  if (count === 0xffff || offset === 0xffffffff) throw unreadable('is a zip64 archive, which plans never need');
  if (offset + size > end) throw unreadable('has a broken zip directory');
  const entries: ZipEntry[] = [];
  let at = offset;
  for (let index = 0; index < count; index++) {
    if (at + 46 > end || zip.readUInt32LE(at) !== 0x02014b50) throw unreadable('has a broken zip directory');
    const nameLength = zip.readUInt16LE(at + 28);
    const extraLength = zip.readUInt16LE(at + 30);
    const commentLength = zip.readUInt16LE(at + 32);
    entries.push({
      name: zip.toString('utf8', at + 46, at + 46 + nameLength),
      method: zip.readUInt16LE(at + 10),
      encrypted: (zip.readUInt16LE(at + 8) & 1) === 1,
      compressedSize: zip.readUInt32LE(at + 20),
      declaredSize: zip.readUInt32LE(at + 24),
      localHeaderOffset: zip.readUInt32LE(at + 42),
    });
    at += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

/** One part, unpacked to at most `limit` bytes. */
function unpack(zip: Buffer, entry: ZipEntry, limit: number): Buffer {
  if (entry.declaredSize > limit) {
    throw new PlanDocumentError(
      'plan_too_large',
      `The document unpacks to ${entry.declaredSize} bytes; at most ${limit} are read`,
    );
  }
  if (entry.encrypted) throw unreadable('is encrypted');
  const header = entry.localHeaderOffset;
  if (header + 30 > zip.length || zip.readUInt32LE(header) !== 0x04034b50) throw unreadable('has a broken zip entry');
  const start = header + 30 + zip.readUInt16LE(header + 26) + zip.readUInt16LE(header + 28);
  const data = zip.subarray(start, start + entry.compressedSize);
  if (data.length !== entry.compressedSize) throw unreadable('is cut short');
  if (entry.method === 0) {
    if (data.length > limit)
      throw new PlanDocumentError('plan_too_large', `The document is larger than ${limit} bytes`);
    return data;
  }
  if (entry.method !== 8) throw unreadable('uses a compression Word does not use');
  try {
    // The cap holds whatever the directory declared: inflating stops at `limit` bytes.
    return inflateRawSync(data, { maxOutputLength: limit });
  } catch (error) {
    if (error instanceof RangeError || (error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') {
      throw new PlanDocumentError(
        'plan_too_large',
        `The document unpacks to more than ${limit} bytes, more than its zip directory declares`,
      );
    }
    throw unreadable('has a damaged part');
  }
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decodeEntities(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(/&(#x[0-9a-fA-F]{1,6}|#\d{1,7}|[a-z]{2,4});/g, (entity, body: string) => {
    if (body.startsWith('#')) {
      const code = body[1] === 'x' ? parseInt(body.slice(2), 16) : parseInt(body.slice(1), 10);
      return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : '';
    }
    return ENTITIES[body] ?? entity;
  });
}

/**
 * The text of WordprocessingML, in one pass over its tags: runs of text (w:t), tabs and
 * breaks, one line per paragraph; deleted text and field codes are left out.
 */
export function documentXmlText(xml: string): string {
  const parts: string[] = [];
  let inText = false;
  let at = 0;
  while (at < xml.length) {
    const open = xml.indexOf('<', at);
    if (open < 0) break;
    if (inText && open > at) parts.push(decodeEntities(xml.slice(at, open)));
    const close = xml.indexOf('>', open);
    if (close < 0) break;
    const closing = xml[open + 1] === '/';
    let nameEnd = open + (closing ? 2 : 1);
    while (nameEnd < close && !' \t\r\n/'.includes(xml[nameEnd]!)) nameEnd++;
    const name = xml.slice(open + (closing ? 2 : 1), nameEnd);
    const local = name.slice(name.indexOf(':') + 1);
    const selfClosing = xml[close - 1] === '/';
    if (local === 't') inText = !closing && !selfClosing;
    else if (!closing && (local === 'tab' || local === 'ptab')) parts.push('\t');
    else if (!closing && (local === 'br' || local === 'cr')) parts.push('\n');
    else if (closing && local === 'p') parts.push('\n');
    at = close + 1;
  }
  return parts.join('');
}

/** The name of the main document part, from the package's relationships. */
function mainPartName(zip: Buffer, entries: ZipEntry[]): string {
  const relationships = entries.find((entry) => entry.name === '_rels/.rels');
  if (!relationships) return 'word/document.xml';
  const xml = unpack(zip, relationships, RELATIONSHIPS_LIMIT).toString('utf8');
  for (const match of xml.matchAll(/<Relationship\b[^>]{0,2000}>/g)) {
    if (!/Type="[^"]*\/officeDocument"/.test(match[0])) continue;
    const target = /Target="([^"]{1,500})"/.exec(match[0])?.[1];
    if (target) return target.replace(/^\//, '');
  }
  return 'word/document.xml';
}

/** The text of a .docx file; throws PlanDocumentError when it cannot be read or is too large. */
export function docxText(bytes: Uint8Array, limit = DOCUMENT_PART_LIMIT): string {
  const zip = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (zip.length < 22) throw unreadable('is not a zip file, as every .docx is');
  const entries = centralDirectory(zip);
  const name = mainPartName(zip, entries);
  const document = entries.find((entry) => entry.name === name);
  if (!document) throw unreadable('has no main document part');
  return documentXmlText(unpack(zip, document, limit).toString('utf8'));
}

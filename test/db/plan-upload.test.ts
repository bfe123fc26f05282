import JSZip from 'jszip';
import { beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../database.ts';
import { makeUnit } from '../factories.ts';
import { makeOfficial, signIn, type SignedIn } from '../officials.ts';
import { startTestServer, type TestServer } from '../server.ts';

const { db } = await createTestDatabase();
let server: TestServer;
let manager: SignedIn;

const plan =
  'KẾ HOẠCH Cải cách hành chính năm 2027. Mức độ hài lòng của người dân về giải quyết thủ tục hành chính đạt tối thiểu 91%.';

/** A minimal Word document holding the given paragraphs. */
async function docx(paragraphs: string[]): Promise<Blob> {
  const zip = new JSZip();
  zip.file(
    '[Content_Types].xml',
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>',
  );
  zip.file(
    '_rels/.rels',
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>',
  );
  zip.file(
    'word/document.xml',
    `<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>${paragraphs
      .map((text) => `<w:p><w:r><w:t xml:space="preserve">${text}</w:t></w:r></w:p>`)
      .join('')}</w:body></w:document>`,
  );
  return new Blob([new Uint8Array(await zip.generateAsync({ type: 'uint8array' }))]);
}

function upload(file: Blob, name: string): Promise<Response> {
  const form = new FormData();
  form.append('file', file, name);
  return fetch(`${server.baseUrl}/api/v1/officials/targets/extract`, {
    method: 'POST',
    headers: { cookie: manager.cookie, origin: server.baseUrl },
    body: form,
  });
}

beforeAll(async () => {
  server = await startTestServer(db);
  const account = await makeOfficial(db, 'manager', await makeUnit(db));
  manager = await signIn(server, account.username, account.password);
});

describe('POST /targets/extract', () => {
  const expected = [expect.objectContaining({ metric: 'tthc', comparison: 'gte', percent: 91, year: 2027 })];

  it('proposes the targets of pasted text', async () => {
    const response = await manager.request('POST', '/targets/extract', { text: plan });
    expect(response.status).toBe(200);
    expect(((await response.json()) as { targets: unknown[] }).targets).toEqual(expected);
  });

  it('reads an uploaded text file and an uploaded Word document', async () => {
    const text = await upload(new Blob([plan]), 'ke-hoach.txt');
    expect(((await text.json()) as { targets: unknown[] }).targets).toEqual(expected);
    const word = await upload(
      await docx([
        'KẾ HOẠCH Cải cách hành chính năm 2027',
        'Mức độ hài lòng của người dân về giải quyết thủ tục hành chính đạt tối thiểu 91%.',
      ]),
      'ke-hoach.docx',
    );
    expect(word.status).toBe(200);
    expect(((await word.json()) as { targets: unknown[] }).targets).toEqual(expected);
  });

  it('refuses other files, broken documents and empty requests with a clear 4xx', async () => {
    expect((await upload(new Blob([new Uint8Array([0x25, 0x50, 0x44, 0x46])]), 'ke-hoach.pdf')).status).toBe(415);
    const broken = await upload(new Blob(['not a zip']), 'ke-hoach.docx');
    expect(broken.status).toBe(422);
    expect(((await broken.json()) as { error: { code: string } }).error.code).toBe('unreadable_document');
    expect((await manager.request('POST', '/targets/extract', { text: '' })).status).toBe(400);
    expect((await manager.request('POST', '/targets/extract', { words: plan })).status).toBe(400);
  });
});

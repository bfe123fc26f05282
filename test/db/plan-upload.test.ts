import { once } from 'node:events';
import { beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../database.ts';
import { makeUnit } from '../factories.ts';
import { makeOfficial, signIn, type SignedIn } from '../officials.ts';
import { startTestServer, type TestServer } from '../server.ts';
import { declaringSize, docxOf, paragraphsXml } from '../word-documents.ts';
import { errorOf } from '../http.ts';

const { db } = await createTestDatabase();
let server: TestServer;
let manager: SignedIn;

const plan =
  'KẾ HOẠCH Cải cách hành chính năm 2027. Mức độ hài lòng của người dân về giải quyết thủ tục hành chính đạt tối thiểu 91%.';

/** A minimal Word document holding the given paragraphs. */
const docx = async (paragraphs: string[]) => new Blob([await docxOf(paragraphsXml(paragraphs))]);

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
    expect((await errorOf(broken)).code).toBe('unreadable_document');
    expect((await manager.request('POST', '/targets/extract', { text: '' })).status).toBe(400);
    expect((await manager.request('POST', '/targets/extract', { words: plan })).status).toBe(400);
  });

  it('refuses a zip bomb and a text past the limit with 413 plan_too_large', async () => {
    // 20 MB of XML in a few kilobytes, whose zip directory says it unpacks to one kilobyte.
    const bomb = declaringSize(await docxOf(paragraphsXml([plan]).repeat(150_000)), 1024);
    const refused = await upload(new Blob([bomb]), 'ke-hoach.docx');
    expect(refused.status).toBe(413);
    expect((await errorOf(refused)).code).toBe('plan_too_large');
    const long = await upload(new Blob(['x'.repeat(2_000_001)]), 'ke-hoach.txt');
    expect(long.status).toBe(413);
  });

  it('answers /healthz while a large plan is being read', async () => {
    const events: string[] = [];
    const started = once(server.planReaders, 'start');
    const reading = manager
      .request('POST', '/targets/extract', { text: plan.repeat(Math.floor(2_000_000 / plan.length)) })
      .then((response) => events.push(`plan read: ${response.status}`));
    await started;
    const health = await server.get('/healthz');
    events.push(`healthz: ${health.status}`);
    await reading;
    expect(events).toEqual(['healthz: 200', 'plan read: 200']);
  });
});

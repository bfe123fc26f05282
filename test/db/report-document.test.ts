import { writeFile } from 'node:fs/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../database.ts';
import { makeOfficial, signIn, type SignedIn } from '../officials.ts';
import { readDocx, seedDocumentProvince } from '../report-document.ts';
import { startTestServer, type TestServer } from '../server.ts';

const { db } = await createTestDatabase();
let server: TestServer;
let viewer: SignedIn;
let units: Awaited<ReturnType<typeof seedDocumentProvince>>;

beforeAll(async () => {
  server = await startTestServer(db);
  units = await seedDocumentProvince(db);
  const account = await makeOfficial(db, 'viewer', units.province);
  viewer = await signIn(server, account.username, account.password);
});

async function download(body: Record<string, unknown>) {
  const started = await viewer.request('POST', '/reports/exports', body);
  expect(started.status).toBe(202);
  const { id } = (await started.json()) as { id: string };
  for (;;) {
    const job = (await (await viewer.request('GET', `/reports/exports/${id}`)).json()) as { status: string };
    if (job.status === 'done') break;
    expect(job.status).toBe('running');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return viewer.request('GET', `/reports/exports/${id}/file`);
}

describe('dump', () => {
  it('dumps', async () => {
    const response = await download({ unitId: units.province.id, period: '2026-Q2', format: 'docx' });
    const bytes = Buffer.from(await response.arrayBuffer());
    await writeFile('/tmp/report.docx', bytes);
    const doc = await readDocx(bytes);
    await writeFile('/tmp/report.txt', doc.paragraphs.join('\n') + '\n\n' + JSON.stringify(doc.tables, null, 1));
  });
});

import { beforeAll, describe, expect, it } from 'vitest';
import type { Desk } from '../../server/desks/desk.table.ts';
import type { EmbeddedSurvey } from '../../server/web-app/web-app.routes.ts';
import type { Unit } from '../../server/units/unit.table.ts';
import { createTestDatabase } from '../database.ts';
import { makeDesk, makeUnit } from '../factories.ts';
import { makeOfficial, signIn, type SignedIn } from '../officials.ts';
import { decodePdf, decodePng, decodeSvg } from '../qr-reader.ts';
import { startTestServer, type TestServer } from '../server.ts';

const { db } = await createTestDatabase();
let server: TestServer;
let manager: SignedIn;
let unit: Unit;
let desk: Desk;

beforeAll(async () => {
  server = await startTestServer(db);
  unit = await makeUnit(db, { name: 'Phường Điện Biên' });
  desk = (await makeDesk(db, { unit, domains: ['land', 'civil_status'] })).desk;
  await makeDesk(db, { unit, domains: ['health'] });
  const official = await makeOfficial(db, 'manager', unit);
  manager = await signIn(server, official.username, official.password);
});

/** Follows a decoded URL on the server and reads the survey the page embeds. */
async function surveyAt(url: string): Promise<EmbeddedSurvey> {
  expect(url.startsWith(server.baseUrl)).toBe(true);
  const html = await (await fetch(url)).text();
  return JSON.parse(
    /<script id="survey-data" type="application\/json">([^<]*)<\/script>/.exec(html)![1]!,
  ) as EmbeddedSurvey;
}

describe('QR codes decode back to their short URL, which opens the right survey', () => {
  it('desk posters as PNG, SVG and PDF, in A4 and A5', async () => {
    const expected = `${server.baseUrl}/s/${desk.code}`;
    for (const size of ['a4', 'a5']) {
      const png = await manager.request('GET', `/desks/${desk.id}/poster?format=png&size=${size}`);
      expect(png.headers.get('content-type')).toBe('image/png');
      expect(decodePng(Buffer.from(await png.arrayBuffer()))).toBe(expected);

      const svg = await manager.request('GET', `/desks/${desk.id}/poster?format=svg&size=${size}`);
      expect(svg.headers.get('content-type')).toContain('image/svg+xml');
      const svgText = await svg.text();
      expect(svgText).toContain(unit.name);
      expect(svgText).toContain('Đất đai');
      expect(decodeSvg(svgText, 1200)).toBe(expected);

      const pdf = await manager.request('GET', `/desks/${desk.id}/poster?format=pdf&size=${size}`);
      expect(pdf.headers.get('content-type')).toBe('application/pdf');
      expect(pdf.headers.get('content-disposition')).toContain(desk.code);
      expect(await decodePdf(Buffer.from(await pdf.arrayBuffer()))).toEqual([expected]);
    }
    const survey = await surveyAt(expected);
    expect('survey' in survey && survey.survey.desk.code).toBe(desk.code);
    // Short enough to stay an easy, low-density code.
    expect(expected.length).toBeLessThan(45);
  });

  it('all posters of a unit print as one PDF, one desk per page', async () => {
    const response = await manager.request('GET', `/units/${unit.id}/posters?size=a4`);
    expect(response.status).toBe(200);
    const decoded = await decodePdf(Buffer.from(await response.arrayBuffer()));
    expect(decoded).toHaveLength(2);
    expect(decoded).toContain(`${server.baseUrl}/s/${desk.code}`);
  });

  it('one-time dossier codes, from the staff page and from the receipt software', async () => {
    const issued = await manager.request('POST', `/desks/${desk.id}/dossier-codes`, {
      domain: 'civil_status',
      count: 3,
    });
    expect(issued.status).toBe(201);
    const { codes } = (await issued.json()) as { codes: { url: string; qrSvg: string; token: string }[] };
    expect(codes).toHaveLength(3);
    for (const code of codes) {
      expect(decodeSvg(code.qrSvg)).toBe(code.url);
      expect(code.url).toBe(`${server.baseUrl}/r/${code.token}`);
    }
    const survey = await surveyAt(codes[0]!.url);
    expect('survey' in survey && survey.survey.domains.map((domain) => domain.code)).toEqual(['civil_status']);
    expect('survey' in survey && survey.survey.desk.code).toBe(desk.code);

    const paired = await manager.request('POST', `/desks/${desk.id}/devices`, {
      label: 'Phần mềm một cửa',
      purpose: 'receipts',
    });
    const { key } = (await paired.json()) as { key: string };
    const fromReceiptSoftware = await server.request('POST', '/api/v1/desk/dossier-codes', {
      body: { domain: 'land' },
      headers: { 'x-device-key': key },
    });
    expect(fromReceiptSoftware.status).toBe(201);
    const code = (await fromReceiptSoftware.json()) as { url: string; qrSvg: string };
    expect(decodeSvg(code.qrSvg)).toBe(code.url);
    const receiptSurvey = await surveyAt(code.url);
    expect('survey' in receiptSurvey && receiptSurvey.survey.domains.map((domain) => domain.code)).toEqual(['land']);
  });

  it('the pairing QR of a kiosk opens the kiosk of its desk with the key', async () => {
    const paired = await manager.request('POST', `/desks/${desk.id}/devices`, { label: 'Máy tính bảng' });
    const { key, pairingUrl, pairingQrSvg } = (await paired.json()) as {
      key: string;
      pairingUrl: string;
      pairingQrSvg: string;
    };
    expect(decodeSvg(pairingQrSvg)).toBe(pairingUrl);
    expect(pairingUrl).toBe(`${server.baseUrl}/kiosk/${desk.code}#key=${key}`);
  });
});

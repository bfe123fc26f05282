import { beforeAll, describe, expect, it } from 'vitest';
import type { Survey } from '../../server/survey/survey.schema.ts';
import { createTestDatabase } from '../database.ts';
import { makeDesk, makeDossierToken, quickRating } from '../factories.ts';
import { startTestServer, type TestServer } from '../server.ts';
import { errorOf } from '../http.ts';

const { db } = await createTestDatabase();
let api: TestServer;

beforeAll(async () => {
  api = await startTestServer(db);
});

describe('GET /api/v1/public/desks/:code', () => {
  it('gives the unit, desk, domains, questionnaire and languages a survey page needs', async () => {
    const { desk, unit } = await makeDesk(db, { domains: ['civil_status', 'land'], questionnaire: 'full' });
    const response = await api.get(`/api/v1/public/desks/${desk.code}`);
    expect(response.status).toBe(200);
    const survey = (await response.json()) as Survey;
    expect(survey.desk).toEqual({ code: desk.code, name: desk.name, kioskIdleSeconds: 20 });
    expect(survey.unit.name).toBe(unit.name);
    // Domains come in the list's order, named in both languages.
    expect(survey.domains).toEqual([
      { code: 'land', name: { vi: 'Đất đai', en: 'Land' } },
      { code: 'civil_status', name: { vi: 'Hộ tịch', en: 'Civil status' } },
    ]);
    expect(survey.questionnaire.id).toBe('full-1');
    expect(survey.questionnaire.elements.map((element) => element.code)).toEqual([
      'access',
      'procedure',
      'civil_servant',
      'result',
      'feedback',
    ]);
    const criteria = survey.questionnaire.questions.filter((question) => question.role === 'criterion');
    expect(new Set(criteria.map((question) => question.element)).size).toBe(5);
    expect(survey.questionnaire.questions.filter((question) => question.role === 'overall')).toHaveLength(1);
    expect(survey.questionnaire.scale.map((level) => level.label.vi)).toEqual([
      'Rất không hài lòng',
      'Không hài lòng',
      'Bình thường',
      'Hài lòng',
      'Rất hài lòng',
    ]);
    for (const question of survey.questionnaire.questions) {
      expect(question.text.vi.length).toBeGreaterThan(10);
      expect(question.text.en.length).toBeGreaterThan(10);
    }
    expect(survey.languages).toEqual(['vi', 'en']);
    expect(survey.dossier).toBeNull();
  });

  it('a kiosk always gets the quick questionnaire, with reasons for low ratings', async () => {
    const { desk } = await makeDesk(db, { questionnaire: 'full' });
    const survey = (await (await api.get(`/api/v1/public/desks/${desk.code}?channel=kiosk`)).json()) as Survey;
    expect(survey.questionnaire.id).toBe('quick-1');
    expect(survey.questionnaire.questions).toHaveLength(1);
    expect(survey.questionnaire.reasons.length).toBeGreaterThanOrEqual(5);
    expect(new Set(survey.questionnaire.reasons.map((reason) => reason.element)).size).toBe(5);
    expect(survey.questionnaire.reasonsAtOrBelow).toBe(3);
  });

  it('answers 404 for an unknown desk, 400 for a malformed code, 409 for a closed desk', async () => {
    expect((await api.get('/api/v1/public/desks/zzzz9999')).status).toBe(404);
    const malformed = await api.get('/api/v1/public/desks/NOT-A-CODE');
    expect(malformed.status).toBe(400);
    expect((await errorOf(malformed)).code).toBe('invalid_request');
    expect((await api.get('/api/v1/public/desks/abcd1234?channel=sms')).status).toBe(400);
    const { desk } = await makeDesk(db, { active: false });
    expect((await api.get(`/api/v1/public/desks/${desk.code}`)).status).toBe(409);
  });
});

describe('GET /api/v1/public/dossiers/:token', () => {
  it('pre-sets the dossier’s domain, and says when the code was used or has expired', async () => {
    const { desk } = await makeDesk(db, { domains: ['land', 'civil_status'] });
    const token = await makeDossierToken(db, desk, { domain: 'civil_status' });
    const response = await api.get(`/api/v1/public/dossiers/${token}`);
    expect(response.status).toBe(200);
    const survey = (await response.json()) as Survey;
    expect(survey.domains.map((domain) => domain.code)).toEqual(['civil_status']);
    expect(survey.dossier?.expiresAt).toMatch(/^\d{4}-/);

    const rated = await api.post(
      '/api/v1/public/responses',
      quickRating({ deskCode: undefined, dossierToken: token, domain: undefined, channel: 'dossier' }),
    );
    expect(rated.status).toBe(201);
    const used = await api.get(`/api/v1/public/dossiers/${token}`);
    expect(used.status).toBe(409);
    expect((await errorOf(used)).code).toBe('dossier_token_used');

    const expired = await makeDossierToken(db, desk, { validDays: 1, now: new Date(Date.now() - 3 * 86_400_000) });
    const late = await api.get(`/api/v1/public/dossiers/${expired}`);
    expect(late.status).toBe(409);
    expect((await errorOf(late)).code).toBe('dossier_token_expired');
    expect((await api.get(`/api/v1/public/dossiers/${'B'.repeat(20)}`)).status).toBe(404);
    expect((await api.get('/api/v1/public/dossiers/short')).status).toBe(400);
  });
});

describe('the survey page a QR code opens', () => {
  it('arrives with its form rendered, and the survey embedded for the script', async () => {
    const { desk, unit } = await makeDesk(db, { domains: ['health'] });
    const response = await api.get(`/s/${desk.code}`);
    expect(response.status).toBe(200);
    const html = await response.text();
    const app = html.slice(html.indexOf('<div id="app">'), html.indexOf('<script id="survey-data"'));
    expect(app).toContain(unit.name);
    // The five faces, before any script runs.
    expect(app.match(/type="radio"/g)).toHaveLength(5);
    for (const word of ['Rất không hài lòng', 'Không hài lòng', 'Bình thường', 'Hài lòng', 'Rất hài lòng']) {
      expect(app).toContain(word);
    }
    const embedded = /<script id="survey-data" type="application\/json">([^<]*)<\/script>/.exec(html)![1]!;
    expect((JSON.parse(embedded) as { survey: Survey }).survey.desk.code).toBe(desk.code);
  });

  it('is compressed for browsers that take it, and so are its scripts and styles', async () => {
    const { desk } = await makeDesk(db);
    const plain = await api.get(`/s/${desk.code}`, { 'accept-encoding': 'identity' });
    const html = await plain.text();
    expect(plain.headers.get('content-encoding')).toBeNull();
    const brotli = await api.get(`/s/${desk.code}`, { 'accept-encoding': 'gzip, deflate, br' });
    expect(brotli.headers.get('content-encoding')).toBe('br');
    expect(brotli.headers.get('vary')).toContain('Accept-Encoding');
    // fetch decodes the body: the same page, fewer bytes on the wire.
    expect(await brotli.text()).toBe(html);
    const gzip = await api.get(`/s/${desk.code}`, { 'accept-encoding': 'gzip' });
    expect(gzip.headers.get('content-encoding')).toBe('gzip');
    await gzip.body?.cancel();

    const assets = [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+\.(?:js|css))"/g)].map((match) => match[1]!);
    expect(assets.length).toBeGreaterThan(1);
    for (const asset of assets) {
      const response = await api.get(asset, { 'accept-encoding': 'br' });
      expect(response.headers.get('content-encoding'), asset).toBe('br');
      expect(response.headers.get('content-type'), asset).toMatch(
        /^(text\/css|text\/javascript|application\/javascript)/,
      );
      expect((await response.text()).length).toBeGreaterThan(0);
    }
  });
});

import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Desk } from '../../server/desks/desk.table.ts';
import { parsePeriod } from '../../server/reports/periods.ts';
import { breakdown, summary, trend } from '../../server/reports/report.ts';
import { writeBatch, type Submission } from '../../server/responses/write-batch.ts';
import { CSV_COLUMNS } from '../../server/scorecard/open-data.ts';
import { releaseDue } from '../../server/scorecard/release.ts';
import { scorecardSchema, type Scorecard } from '../../server/scorecard/scorecard.ts';
import type { Unit } from '../../server/units/unit.table.ts';
import { createTestDatabase } from '../database.ts';
import { auditDisclosure } from '../disclosure-audit.ts';
import { domainIds, makeDesk, makeUnit } from '../factories.ts';
import { makeOfficial, signIn, type SignedIn } from '../officials.ts';
import { startTestServer, type TestServer } from '../server.ts';

const { db } = await createTestDatabase();
const unlimited = { rateLimit: { perSource: 1e9, perKiosk: 1e9, windowSeconds: 600 } };
const MIN = 30;
/** A week and a bit after the third quarter of 2026 ended: Q1–Q3 are due. */
const NOW = new Date('2026-10-12T03:00:00Z');

let server: TestServer;
let manager: SignedIn;
let province: Unit;
let communeA: Unit;
let communeB: Unit;
let communeC: Unit;

/** Ratings through the real path, `count` of each score, on the given day (Vietnam time). */
async function rate(desk: Desk, domain: string, day: string, scores: Record<number, number>, comment?: string) {
  const submissions: Submission[] = Object.entries(scores).flatMap(([score, count]) =>
    Array.from({ length: count }, () => ({
      body: {
        deskCode: desk.code,
        domain,
        questionnaireId: 'quick-1',
        answers: { overall: Number(score) },
        language: 'vi' as const,
        channel: 'qr' as const,
        clientTime: `${day}T09:00:00+07:00`,
        idempotencyKey: randomUUID(),
        ...(comment ? { comment } : {}),
      },
      bucket: Buffer.from('scorecard-test'),
      receivedAt: new Date(Date.parse(`${day}T09:01:00+07:00`)),
    })),
  );
  for (let start = 0; start < submissions.length; start += 250) {
    const outcomes = await writeBatch(db, submissions.slice(start, start + 250), unlimited);
    expect(outcomes.every((outcome) => outcome.ok)).toBe(true);
  }
}

const MONTHS = ['01', '02', '03', '04', '05', '06', '07', '08', '09'];

beforeAll(async () => {
  server = await startTestServer(db);
  province = await makeUnit(db, { kind: 'province', name: 'Tỉnh Công Khai' });
  communeA = await makeUnit(db, { parent_id: province.id, name: 'Xã A' });
  communeB = await makeUnit(db, { parent_id: province.id, name: 'Phường B' });
  communeC = await makeUnit(db, { parent_id: province.id, name: 'Xã C Không Công Khai' });
  const deskP = (await makeDesk(db, { unit: province, domains: ['land', 'health'] })).desk;
  const deskA = (await makeDesk(db, { unit: communeA, domains: ['land', 'civil_status', 'education'] })).desk;
  const deskB = (await makeDesk(db, { unit: communeB, domains: ['land', 'health'] })).desk;
  const deskC = (await makeDesk(db, { unit: communeC, domains: ['health'] })).desk;

  for (const month of MONTHS) {
    const day = `2026-${month}-10`;
    // A: land 40 a month (36 satisfied), civil status 15 a month (14 satisfied).
    await rate(deskA, 'land', day, { 5: 20, 4: 16, 2: 4 });
    await rate(deskA, 'civil_status', day, { 5: 10, 4: 4, 1: 1 });
    // B: health 35 a month, but only 5 in September; land 35 a quarter, in its first month.
    await rate(deskB, 'health', day, month === '09' ? { 4: 5 } : { 5: 15, 4: 14, 3: 6 });
    if (['01', '04', '07'].includes(month)) await rate(deskB, 'land', day, { 4: 30, 2: 5 });
    // The province's own desk: land and health.
    await rate(deskP, 'land', day, { 5: 10, 4: 4 });
    await rate(deskP, 'health', day, { 4: 15, 3: 2 });
  }
  // A: 8 ratings of education, once: too few to publish.
  await rate(deskA, 'education', '2026-02-12', { 5: 7, 1: 1 });
  // C never opted in: its ratings count in the province's figures only.
  await rate(deskC, 'health', '2026-05-05', { 4: 10, 1: 2 });
  // Comments: five answered in a few days, two waiting.
  for (const day of ['2026-07-01', '2026-07-02', '2026-07-03', '2026-07-04', '2026-07-05', '2026-08-01', '2026-08-02'])
    await rate(deskA, 'land', day, { 2: 1 }, 'Chờ lâu, mong cải thiện <b>sớm</b>');
  const comments = await db
    .selectFrom('comment')
    .innerJoin('response', 'response.id', 'comment.response_id')
    .select(['response.id', 'response.rated_at'])
    .where('response.desk_id', '=', deskA.id)
    .orderBy('response.id')
    .execute();
  await db
    .insertInto('follow_up')
    .values(
      comments.slice(0, 5).map((comment) => ({
        response_id: comment.id,
        status: 'answered' as const,
        updated_at: new Date(comment.rated_at.getTime() + 3 * 86_400_000),
      })),
    )
    // The rating path opened each follow-up, with its due day.
    .onConflict((oc) =>
      oc.column('response_id').doUpdateSet((eb) => ({
        status: eb.ref('excluded.status'),
        updated_at: eb.ref('excluded.updated_at'),
      })),
    )
    .execute();

  const [land] = await domainIds(db, ['land']);
  await db
    .insertInto('target')
    .values([
      { unit_id: province.id, year: 2026, metric: 'tthc', domain_id: null, threshold: 80 },
      { unit_id: province.id, year: 2026, metric: 'domain', domain_id: land!, threshold: 95 },
      { unit_id: communeA.id, year: 2026, metric: 'tthc', domain_id: null, threshold: 85 },
    ])
    .execute();
  await db
    .insertInto('dossier_volume')
    .values(MONTHS.map((month) => ({ unit_id: province.id, month: `2026-${month}-01`, dossiers: 600 })))
    .execute();

  const official = await makeOfficial(db, 'manager', province);
  manager = await signIn(server, official.username, official.password);
  await db
    .updateTable('unit')
    .set({ public_scorecard: true })
    .where('id', 'in', [province.id, communeA.id, communeB.id])
    .execute();
  expect(await releaseDue(db, NOW)).toEqual(['2026-Q1', '2026-Q2', '2026-Q3']);
}, 120_000);

async function data(unit: Unit, period: string): Promise<Scorecard> {
  const response = await server.get(`/p/${unit.code}/data.json?period=${period}`);
  expect(response.status, await response.clone().text()).toBe(200);
  return scorecardSchema.parse(await response.json());
}

describe('a unit that has not opted in', () => {
  it('shows nothing: page, data and badge answer 404 exactly like a code that does not exist', async () => {
    for (const suffix of ['', '/data.json', '/data.csv', '/badge.svg']) {
      const hidden = await server.get(`/p/${communeC.code}${suffix}`);
      const unknown = await server.get(`/p/NO-SUCH-UNIT${suffix}`);
      expect(hidden.status, suffix).toBe(404);
      expect(unknown.status, suffix).toBe(404);
      const strip = (text: string) => text.replace(/"requestId":"[^"]+"/, '');
      const [hiddenText, unknownText] = [await hidden.text(), await unknown.text()];
      expect(strip(hiddenText)).toBe(strip(unknownText));
      expect(hiddenText).not.toContain(communeC.name);
    }
    expect(await server.get(`/p/${communeC.code}/data.json`).then((r) => r.json())).toMatchObject({
      error: { code: 'scorecard_not_found' },
    });
  });

  it('a unit that opts out disappears at once; opting in again brings it back', async () => {
    const off = await manager.request('PUT', `/units/${communeB.id}/scorecard`, { publicScorecard: false });
    expect(off.status).toBe(200);
    expect((await server.get(`/p/${communeB.code}/data.json?period=2026-Q1`)).status).toBe(404);
    expect((await server.get(`/p/${communeB.code}`)).status).toBe(404);
    const on = await manager.request('PUT', `/units/${communeB.id}/scorecard`, { publicScorecard: true });
    expect(await on.json()).toMatchObject({ publicScorecard: true, minRatings: 30 });
    expect((await server.get(`/p/${communeB.code}/data.json?period=2026-Q1`)).status).toBe(200);
  });
});

describe('the figures', () => {
  it('equal the officials’ report for the same unit and period', async () => {
    for (const [unit, key] of [
      [province, '2026-Q1'],
      [province, '2026-Q3'],
      [province, '2026-9M'],
      [communeA, '2026-H1'],
      [communeB, '2026-Q2'],
      [province, '2026-05'],
    ] as const) {
      const card = await data(unit, key);
      const period = parsePeriod(key)!;
      const report = await summary(db, unit.id, period);
      expect(card.overall.published, `${unit.name} ${key}`).toBe(true);
      if (!card.overall.published) continue;
      const { n, satisfied, share, interval, mean, counts, required, enough } = report.overall;
      expect(card.overall).toEqual({ published: true, n, satisfied, share, interval, mean, counts, required, enough });
      expect(card.dossiers).toEqual(report.dossiers);
      // Every published domain is the report's, with the report's status against its target.
      const domains = await breakdown(db, unit.id, period, 'domain');
      for (const domain of card.domains) {
        const row = domains.find((candidate) => candidate.key === domain.code)!;
        expect(domain.figure).toMatchObject({
          n: row.figure.n,
          share: row.figure.share,
          interval: row.figure.interval,
        });
        if (domain.target) expect(domain.target.status).toBe(row.target!.result.status);
      }
      for (const target of card.targets) {
        const same = report.targets.find(
          (candidate) => candidate.metric === target.metric && candidate.domain?.code === target.domain?.code,
        )!;
        if (target.status !== 'not_published') expect(target.status).toBe(same.result.status);
      }
      // The trend's published months are the report's.
      const months = await trend(db, unit.id, period);
      for (const month of card.months) {
        if (!month.figure.published) continue;
        const row = months.find((candidate) => candidate.month === `${month.month}-01`)!;
        expect(month.figure).toMatchObject({ n: row.figure.n, share: row.figure.share, interval: row.figure.interval });
      }
    }
  });

  it('say how many comments were answered and how fast, never what they said', async () => {
    const card = await data(communeA, '2026-Q3');
    expect(card.followUp).toEqual({ comments: 7, answered: 5, medianDaysToAnswer: 3 });
    const text = await (await server.get(`/p/${communeA.code}/data.json?period=2026-Q3`)).text();
    expect(text).not.toContain('Chờ lâu');
    expect(await (await server.get(`/p/${communeA.code}?period=2026-Q3`)).text()).not.toContain('Chờ lâu');
  });

  it('give coverage where the dossiers handled are known', async () => {
    const card = await data(province, '2026-Q1');
    expect(card.dossiers).toEqual({ count: 1800, missingMonths: [] });
    expect(card.overall.published && card.coverage).toBe(
      card.overall.published ? Math.round((10_000 * card.overall.n) / 1800) / 100 : false,
    );
  });
});

describe('small slices', () => {
  it('a domain under the minimum is not published, nor the smallest other one, so the total minus the rest reveals no small group', async () => {
    const card = await data(communeA, '2026-Q1');
    // A: land 120, civil status 45, education 8: education hidden, civil status with it.
    expect(card.domains.map((domain) => domain.code)).toEqual(['land']);
    expect(card.domainsNotShown).toBe(2);
    const rest = card.overall.published ? card.overall.n - card.domains[0]!.figure.n : 0;
    expect(rest).toBe(53);
  });

  it('a month under the minimum is hidden with the next smallest', async () => {
    const card = await data(communeB, '2026-Q3');
    // B: July 70 (35 health + 35 land), August 35, September 5.
    const shown = card.months.filter((month) => month.figure.published).map((month) => month.month);
    expect(shown).toEqual(['2026-07']);
    expect(card.months.find((month) => month.month === '2026-09')!.figure).toEqual({
      published: false,
      reason: 'suppressed',
    });
  });

  it('a unit publishes a figure only when every opted-in unit under it can show its own share of it', async () => {
    // B hides August (with September); the province's August would give B's away, minus the rest.
    const card = await data(province, '2026-Q3');
    expect(card.months.map((month) => [month.month, month.figure.published])).toEqual([
      ['2026-07', true],
      ['2026-08', false],
      ['2026-09', false],
    ]);
  });

  it('a differencing attack on everything published — domains, months, quarters, cumulatives, units — finds no group under the minimum', async () => {
    const units = [province, communeA, communeB];
    const periods = ['2026-Q1', '2026-Q2', '2026-Q3', '2026-H1', '2026-9M', ...MONTHS.map((m) => `2026-${m}`)];
    const published: { unit: Unit; period: string; domain: string | null; n: number }[] = [];
    for (const unit of units) {
      for (const period of periods) {
        const card = await data(unit, period);
        if (card.overall.published) published.push({ unit, period, domain: null, n: card.overall.n });
        for (const domain of card.domains) published.push({ unit, period, domain: domain.code, n: domain.figure.n });
        if (card.overall.published) expect(card.overall.n).toBeGreaterThanOrEqual(MIN);
      }
    }
    const find = (unit: Unit, period: string, domain: string | null = null) =>
      published.find((item) => item.unit === unit && item.period === period && item.domain === domain)?.n;
    const safe = (n: number) => n === 0 || n >= MIN;

    // The obvious attacks, one by one.
    for (const unit of units) {
      for (const period of periods) {
        const total = find(unit, period);
        if (total === undefined) continue;
        const domains = published.filter((item) => item.unit === unit && item.period === period && item.domain);
        expect(safe(total - domains.reduce((sum, item) => sum + item.n, 0)), `${unit.name} ${period} − domains`).toBe(
          true,
        );
      }
      for (const [quarter, months] of [
        ['2026-Q1', ['01', '02', '03']],
        ['2026-Q2', ['04', '05', '06']],
        ['2026-Q3', ['07', '08', '09']],
      ] as const) {
        const total = find(unit, quarter);
        if (total === undefined) continue;
        const shown = months.map((month) => find(unit, `2026-${month}`) ?? 0);
        expect(safe(total - shown.reduce((a, b) => a + b, 0)), `${unit.name} ${quarter} − months`).toBe(true);
      }
      const nine = find(unit, '2026-9M');
      const half = find(unit, '2026-H1');
      const third = find(unit, '2026-Q3');
      if (nine !== undefined && half !== undefined) expect(safe(nine - half)).toBe(true);
      if (nine !== undefined && third !== undefined) expect(safe(nine - third)).toBe(true);
    }
    for (const period of periods) {
      for (const domain of [null, 'land', 'health', 'civil_status', 'education']) {
        const whole = find(province, period, domain);
        if (whole === undefined) continue;
        const children = [communeA, communeB].map((unit) => find(unit, period, domain) ?? 0);
        expect(safe(whole - children.reduce((a, b) => a + b, 0)), `province − communes ${period} ${domain}`).toBe(true);
      }
    }

    // And the patient attacker: every sum and difference of everything published at once,
    // against the true counts of each unit's ratings per month and domain.
    const { rows } = await sql<{ unit: number; month: string; domain: string; n: number }>`
      select r.unit_id as unit, to_char(vn_month(r.rated_at), 'YYYY-MM') as month, d.code as domain, count(*)::integer as n
      from response r join response_answer a on a.response_id = r.id
      join question q on q.id = a.question_id and q.role = 'overall'
      join domain d on d.id = r.domain_id
      where r.unit_id in (${sql.join([province.id, communeA.id, communeB.id, communeC.id])})
      group by 1, 2, 3
    `.execute(db);
    const domains = ['land', 'health', 'civil_status', 'education'];
    const sources = [province, communeA, communeB, communeC];
    const cells = sources.flatMap((source) =>
      MONTHS.flatMap((month) =>
        domains.map((domain) => ({
          key: `${source.id}|2026-${month}|${domain}`,
          count:
            rows.find((row) => row.unit === source.id && row.month === `2026-${month}` && row.domain === domain)?.n ??
            0,
        })),
      ),
    );
    const sets = published.map((item) => {
      const period = parsePeriod(item.period)!;
      const under = item.unit === province ? sources : [item.unit];
      const months = MONTHS.map((m) => `2026-${m}`).filter((m) => `${m}-01` >= period.from && `${m}-01` < period.to);
      return under.flatMap((source) =>
        months.flatMap((month) =>
          (item.domain ? [item.domain] : domains).map((domain) => `${source.id}|${month}|${domain}`),
        ),
      );
    });
    expect(auditDisclosure(cells, sets, MIN).leak).toBeUndefined();
  });
});

describe('open data', () => {
  it('JSON and CSV hold the same figures, at stable addresses, cacheable with an ETag', async () => {
    const json = await server.get(`/p/${province.code}/data.json?period=2026-Q2`);
    expect(json.headers.get('content-type')).toContain('application/json');
    expect(json.headers.get('cache-control')).toBe('public, max-age=60');
    expect(json.headers.get('access-control-allow-origin')).toBe('*');
    expect(json.headers.get('cross-origin-resource-policy')).toBe('cross-origin');
    const etag = json.headers.get('etag')!;
    expect(etag).toMatch(/^W\/"[\w-]{20,}"$/);
    const card = scorecardSchema.parse(await json.json());

    const again = await server.get(`/p/${province.code}/data.json?period=2026-Q2`, { 'if-none-match': etag });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe('');
    expect(again.headers.get('etag')).toBe(etag);

    const csv = await server.get(`/p/${province.code}/data.csv?period=2026-Q2`);
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toContain('text/csv');
    expect(csv.headers.get('access-control-allow-origin')).toBe('*');
    const lines = (await csv.text())
      .replace(/^\ufeff/, '')
      .trimEnd()
      .split('\r\n');
    expect(lines[0]).toBe(CSV_COLUMNS.join(','));
    expect(lines).toHaveLength(1 + 1 + card.domains.length + card.months.length);
    const total = Object.fromEntries(CSV_COLUMNS.map((column, index) => [column, lines[1]!.split(',')[index]]));
    expect(total).toMatchObject({ period: '2026-Q2', row: 'total', published: 'true' });
    if (card.overall.published) {
      expect(Number(total.n)).toBe(card.overall.n);
      expect(Number(total.share)).toBe(card.overall.share);
    }
    const csvAgain = await server.get(`/p/${province.code}/data.csv?period=2026-Q2`, {
      'if-none-match': csv.headers.get('etag')!,
    });
    expect(csvAgain.status).toBe(304);
  });

  it('the badge is an SVG naming the share and the quarter, with the interval and n in its title', async () => {
    const response = await server.get(`/p/${province.code}/badge.svg?period=2026-Q3`);
    expect(response.headers.get('content-type')).toContain('image/svg+xml');
    expect(response.headers.get('cross-origin-resource-policy')).toBe('cross-origin');
    const svg = await response.text();
    const card = await data(province, '2026-Q3');
    if (!card.overall.published) throw new Error('expected a published figure');
    expect(svg).toContain(`Hài lòng</text>`);
    expect(svg).toContain(`${Math.round(card.overall.share)}% · Quý III/2026`);
    expect(svg).toMatch(new RegExp(`<title>[^<]*n = ${card.overall.n} đánh giá`));
    expect(svg).toContain(`${String(card.overall.interval.low).replace('.', ',')}%`);
  });

  it('the page is cacheable too, but not embeddable elsewhere', async () => {
    const page = await server.get(`/p/${province.code}`);
    expect(page.status).toBe(200);
    expect(page.headers.get('cache-control')).toBe('public, max-age=60');
    expect(page.headers.get('access-control-allow-origin')).toBeNull();
    expect(page.headers.get('cross-origin-resource-policy')).toBe('same-origin');
    expect(page.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    const html = await page.text();
    expect(html).toContain('<html lang="vi">');
    expect(html).toContain('Quý III/2026');
    expect(html).toContain('9 tháng đầu năm 2026');
    const again = await server.get(`/p/${province.code}`, { 'if-none-match': page.headers.get('etag')! });
    expect(again.status).toBe(304);
    const english = await (await server.get(`/p/${province.code}?lang=en`)).text();
    expect(english).toContain('<html lang="en">');
    expect(english).toContain('Q3 2026');
  });

  it('its schema is in the OpenAPI document, and the JSON follows it', async () => {
    const document = (await (await server.get('/api/openapi.json')).json()) as {
      paths: Record<string, { get: { responses: Record<string, unknown>; parameters: { name: string }[] } }>;
      components: { schemas: Record<string, { properties: Record<string, unknown>; required: string[] }> };
    };
    for (const path of ['/p/{code}/data.json', '/p/{code}/data.csv', '/p/{code}/badge.svg']) {
      expect(Object.keys(document.paths[path]!.get.responses)).toEqual(expect.arrayContaining(['200', '304', '404']));
      expect(document.paths[path]!.get.parameters.map((parameter) => parameter.name)).toContain('period');
    }
    const schema = document.components.schemas.Scorecard!;
    const card = (await (await server.get(`/p/${communeA.code}/data.json`)).json()) as Record<string, unknown>;
    expect(Object.keys(card).sort()).toEqual(Object.keys(schema.properties).sort());
    expect(schema.required.sort()).toEqual(Object.keys(schema.properties).sort());
  });

  it('a period not released, and a malformed one, are refused', async () => {
    const future = await server.get(`/p/${province.code}/data.json?period=2026-Q4`);
    expect(future.status).toBe(404);
    expect(await future.json()).toMatchObject({ error: { code: 'period_not_released' } });
    const range = await server.get(`/p/${province.code}/data.json?period=2026-01-01..2026-01-31`);
    expect(range.status).toBe(400);
    expect((await server.get(`/p/${province.code}?period=2026-Q9`)).status).toBe(400);
  });
});

describe('opting in', () => {
  it('a unit with no opted-in unit above it gets the quarters released before, at once', async () => {
    const alone = await makeUnit(db, { kind: 'province', name: 'Tỉnh Mới Công Khai' });
    const { desk } = await makeDesk(db, { unit: alone, domains: ['land'] });
    await rate(desk, 'land', '2026-05-20', { 5: 30, 4: 10 });
    const official = await makeOfficial(db, 'manager', alone);
    const session = await signIn(server, official.username, official.password);
    expect((await server.get(`/p/${alone.code}`)).status).toBe(404);
    const response = await session.request('PUT', `/units/${alone.id}/scorecard`, { publicScorecard: true });
    expect(await response.json()).toMatchObject({
      publicScorecard: true,
      released: expect.arrayContaining(['2026-Q2', '2026-H1']),
    });
    const card = await data(alone, '2026-Q2');
    expect(card.overall).toMatchObject({ published: true, n: 40 });
  });

  it('a unit below an opted-in unit joins from the next year, so a year’s figures keep one split', async () => {
    const village = await makeUnit(db, { parent_id: communeA.id, kind: 'agency', name: 'Trường học D' });
    const put = await manager.request('PUT', `/units/${village.id}/scorecard`, { publicScorecard: true });
    expect(await put.json()).toMatchObject({ publicScorecard: true, released: [] });
    const page = await server.get(`/p/${village.code}`);
    expect(page.status).toBe(404);
    expect(await page.text()).toContain('Chưa có số liệu công bố');
  });

  it('only an administrator or a manager of the unit may switch it', async () => {
    const viewer = await makeOfficial(db, 'viewer', province);
    const session = await signIn(server, viewer.username, viewer.password);
    const response = await session.request('PUT', `/units/${communeA.id}/scorecard`, { publicScorecard: false });
    expect(response.status).toBe(403);
    expect((await server.get(`/p/${communeA.code}`)).status).toBe(200);
  });
});

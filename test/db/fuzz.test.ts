import fc from 'fast-check';
import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import { publicApiRoutes } from '../../server/app.ts';
import { receiptIntegrationRoutes } from '../../server/dossiers/dossier.routes.ts';
import { pairKioskDevice } from '../../server/kiosks/kiosk-device.repository.ts';
import { officialsApiRoutes } from '../../server/officials-api.ts';
import { webAppRoutes } from '../../server/web-app/web-app.routes.ts';
import { createTestDatabase } from '../database.ts';
import { makeDesk, quickRating } from '../factories.ts';
import { makeOfficial, signIn } from '../officials.ts';
import { startTestServer, type TestServer } from '../server.ts';
import { tableFingerprint } from '../fingerprint.ts';

/*
 * Hundreds (locally) or thousands (in CI) of malformed, oversized, wrongly typed, wrongly encoded and unicode-tricky
 * requests to every endpoint, signed in as an administrator (who may reach everything):
 * every answer is a 4xx in the documented shape, never a 5xx, and a refused request
 * changes no row.
 */

/** 2,500 in CI; fewer by default, to keep a local run of the suite short. */
const RUNS = Number(process.env.SIPAS_TEST_FUZZ_RUNS ?? 500);

const { db } = await createTestDatabase();
let server: TestServer;
let adminCookie: string;
let deskCode: string;
let kioskKey: string;

const routes = [
  ...publicApiRoutes.routes.map((route) => ({ ...route, path: `/api/v1/public${route.path}` })),
  ...officialsApiRoutes.routes.map((route) => ({ ...route, path: `/api/v1/officials${route.path}` })),
  ...receiptIntegrationRoutes.routes.map((route) => ({ ...route, path: `/api/v1/desk${route.path}` })),
  ...webAppRoutes.routes,
]
  .filter((route) => route.method !== 'ALL')
  // Signing out would end the session the other requests use; it is proved in sessions.test.ts.
  .filter((route) => !(route.method === 'DELETE' && route.path === '/api/v1/officials/session'))
  .map(({ method, path }) => ({ method, path }));

let fingerprint: () => Promise<string>;

beforeAll(async () => {
  server = await startTestServer(db, { RATE_LIMIT_PER_SOURCE: '1000000000' });
  const { desk, unit } = await makeDesk(db, { domains: ['land'] });
  deskCode = desk.code;
  kioskKey = (await pairKioskDevice(db, { deskId: desk.id })).key;
  const admin = await makeOfficial(db, 'admin', unit);
  adminCookie = (await signIn(server, admin.username)).cookie;
  fingerprint = await tableFingerprint(db);
});

const TRICKY = [
  '',
  ' ',
  '0',
  '-1',
  '1.5',
  '1e309',
  '99999999999999999999999',
  'NaN',
  'null',
  'undefined',
  'true',
  '[]',
  '{}',
  '__proto__',
  'constructor',
  '../../etc/passwd',
  '%00',
  '%',
  '%E0%A4%A',
  '%FF%FE',
  "' or '1'='1",
  '1; drop table response; --',
  '<script>alert(1)</script>',
  '=HYPERLINK("http://x")',
  '\u202etxt.exe',
  '\u0000',
  'Tiê\u0301ng Viê\u0323t',
  '🙂'.repeat(50),
  'a'.repeat(5000),
];

const text = fc.oneof(
  fc.constantFrom(...TRICKY),
  fc.string({ maxLength: 60 }),
  fc.string({ unit: 'grapheme', maxLength: 30 }),
  fc.string({ unit: 'binary', maxLength: 30 }),
  fc.integer().map(String),
);
const pathParameter = text.map((value) => (value.includes('%') ? value : encodeURIComponent(value)));

const FIELDS = [
  'deskCode',
  'domain',
  'questionnaireId',
  'answers',
  'reasons',
  'comment',
  'language',
  'channel',
  'clientTime',
  'idempotencyKey',
  'dossierToken',
  'name',
  'code',
  'unitId',
  'parentId',
  'kind',
  'domains',
  'active',
  'username',
  'password',
  'displayName',
  'role',
  'year',
  'metric',
  'threshold',
  'comparison',
  'period',
  'from',
  'to',
  'table',
  'status',
  'note',
  'label',
  'text',
  'validDays',
  'count',
  'targets',
  'questionnaire',
  'kioskIdleSeconds',
  'month',
];
const jsonish = fc.oneof(fc.jsonValue({ maxDepth: 3 }), text);
const body = fc.oneof(
  fc.dictionary(fc.constantFrom(...FIELDS), jsonish, { maxKeys: 8 }).map((value) => JSON.stringify(value)),
  fc.jsonValue({ maxDepth: 4 }).map((value) => JSON.stringify(value)),
  text,
  fc.uint8Array({ maxLength: 200 }).map((bytes) => Buffer.from(bytes)),
  fc.constantFrom(
    '{"answers":{"overall":5},',
    `${'['.repeat(5000)}${']'.repeat(5000)}`,
    JSON.stringify({ padding: 'x'.repeat(40_000) }),
    '{"__proto__":{"admin":true},"constructor":{"prototype":{"x":1}}}',
    '\uFEFF{"deskCode":"x"}',
  ),
  fc.constant(undefined),
);
const query = fc
  .dictionary(
    fc.constantFrom('period', 'from', 'to', 'kind', 'year', 'unitId', 'domain', 'table', 'lang', 'page'),
    text,
    {
      maxKeys: 3,
    },
  )
  .map((entries) => new URLSearchParams(entries).toString());
const asciiHeader = fc.string({
  unit: fc.integer({ min: 0x20, max: 0x7e }).map((code) => String.fromCharCode(code)),
  maxLength: 80,
});
const headers = fc.record({
  contentType: fc.constantFrom(
    'application/json',
    'application/json; charset=utf-8',
    'application/json; charset=latin1',
    'text/plain',
    'application/x-www-form-urlencoded',
    'multipart/form-data; boundary=zz',
    '',
  ),
  session: fc.constantFrom('admin', 'none', 'garbage'),
  garbage: asciiHeader,
  sameOrigin: fc.boolean(),
  kioskKey: fc.oneof(fc.constant(undefined), asciiHeader, fc.constant('real')),
});

const request = fc.record({
  route: fc.constantFrom(...routes),
  parameters: fc.array(pathParameter, { minLength: 3, maxLength: 3 }),
  query,
  body,
  headers,
});

describe('fuzzing every endpoint', () => {
  it('bad requests to every endpoint: never a 5xx, always the error shape, never a changed row', async () => {
    const statuses = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(request, async ({ route, parameters, query, body, headers }) => {
        let index = 0;
        const path = route.path.replace(/:[A-Za-z]+(\{[^}]*\})?/g, () => parameters[index++ % 3]!);
        const requestHeaders: Record<string, string> = {};
        if (headers.contentType) requestHeaders['content-type'] = headers.contentType;
        if (headers.session === 'admin') requestHeaders.cookie = adminCookie;
        if (headers.session === 'garbage') requestHeaders.cookie = `sipas_session=${headers.garbage}`;
        if (headers.sameOrigin) requestHeaders.origin = server.baseUrl;
        if (headers.kioskKey !== undefined) {
          requestHeaders['x-kiosk-key'] = headers.kioskKey === 'real' ? kioskKey : headers.kioskKey;
          requestHeaders['x-device-key'] = requestHeaders['x-kiosk-key'];
        }
        requestHeaders['accept-language'] = headers.garbage;
        requestHeaders['x-forwarded-for'] = headers.garbage;

        const before = await fingerprint();
        const response = await fetch(`${server.baseUrl}${path}${query ? `?${query}` : ''}`, {
          method: route.method,
          headers: requestHeaders,
          ...(route.method !== 'GET' && route.method !== 'HEAD' && body !== undefined ? { body } : {}),
        });
        const answer = Buffer.from(await response.arrayBuffer());
        statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
        const context = `${route.method} ${path} → ${response.status} ${answer.toString('utf8', 0, 300)}`;
        expect(response.status, context).toBeLessThan(500);
        if (response.status >= 400 && path.startsWith('/api/')) {
          expect(response.headers.get('content-type'), context).toContain('application/json');
          const error = (JSON.parse(answer.toString('utf8')) as { error?: { code?: unknown; message?: unknown } })
            .error;
          expect(typeof error?.code, context).toBe('string');
          expect(typeof error?.message, context).toBe('string');
          expect(answer.toString('utf8'), context).not.toMatch(/at .+\.ts:\d+|syntax error at|relation "/);
        }
        if (response.status >= 400) expect(await fingerprint(), context).toBe(before);
      }),
      { numRuns: RUNS },
    );
    // The run reached the handlers, not only the doors: some requests passed, many were refused for their content.
    expect([...statuses.keys()].some((status) => status < 300)).toBe(true);
    expect(statuses.get(400) ?? 0, JSON.stringify([...statuses])).toBeGreaterThan(RUNS / 25);

    expect((await fetch(`${server.baseUrl}/healthz`)).status).toBe(200);
    expect((await server.post('/api/v1/public/responses', quickRating({ deskCode }))).status).toBe(201);
  }, 300_000);
});

describe('SQL injection', () => {
  it('injection strings in every text field are stored and shown as text, and every table is intact', async () => {
    const injection = `Robert'); DROP TABLE response; -- " OR '1'='1 \\' $1 ${'\u2028'} $$ %s`;
    const admin = {
      request: (method: string, path: string, body?: unknown) =>
        server.request(method, `/api/v1/officials${path}`, { body, headers: { cookie: adminCookie } }),
    };
    const created = async (response: Response) => {
      expect(response.status, await response.clone().text()).toBe(201);
      return (await response.json()) as { id: number };
    };

    const unit = await created(
      await admin.request('POST', '/units', { code: 'inj-unit', name: injection, kind: 'commune', parentId: null }),
    );
    const desk = await created(
      await admin.request('POST', '/desks', {
        unitId: unit.id,
        name: injection,
        domains: ['land'],
        questionnaire: 'quick',
      }),
    );
    await created(
      await admin.request('POST', '/users', {
        username: 'inj.official',
        displayName: injection,
        role: 'viewer',
        unitId: unit.id,
        password: 'correct-horse-battery-staple',
      }),
    );
    await created(await admin.request('POST', `/desks/${desk.id}/devices`, { label: injection }));
    await created(
      await admin.request('POST', '/targets', {
        unitId: unit.id,
        year: 2026,
        metric: 'tthc',
        threshold: 90,
        planNumber: injection,
        planSentence: injection,
      }),
    );
    const { code } = await db.selectFrom('desk').select('code').where('id', '=', desk.id).executeTakeFirstOrThrow();
    const rating = await created(
      await server.post(
        '/api/v1/public/responses',
        quickRating({ deskCode: code, answers: { overall: 1 }, comment: injection }),
      ),
    );
    const followUp = await admin.request('PUT', `/follow-ups/${rating.id}`, { status: 'in_progress', note: injection });
    expect(followUp.status).toBeLessThan(300);

    const stored = await sql<{ texts: string[] }>`
      select array[
        (select name from unit where id = ${unit.id}),
        (select name from desk where id = ${desk.id}),
        (select display_name from official where username = 'inj.official'),
        (select label from kiosk_device where desk_id = ${desk.id}),
        (select plan_number from target where unit_id = ${unit.id}),
        (select plan_sentence from target where unit_id = ${unit.id}),
        (select body from comment where response_id = ${rating.id}),
        (select note from follow_up where response_id = ${rating.id})
      ] as texts
    `.execute(db);
    expect(stored.rows[0]!.texts).toEqual(Array(8).fill(injection));
    const tables = await sql<{
      n: number;
    }>`select count(*)::int as n from pg_tables where schemaname = 'public'`.execute(db);
    expect(tables.rows[0]!.n).toBeGreaterThanOrEqual(28);
    const listed = await (await admin.request('GET', '/units')).text();
    expect(listed).toContain(JSON.stringify(injection).slice(1, -1));
  });
});

import fc from 'fast-check';
import type { Hono } from 'hono';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import type { z } from 'zod';
import { publicApiRoutes } from '../../server/app.ts';
import { receiptIntegrationRoutes } from '../../server/dossiers/dossier.routes.ts';
import { INT4_MAX, SMALLINT_MAX } from '../../server/fields.ts';
import { pairKioskDevice } from '../../server/kiosks/kiosk-device.repository.ts';
import { officialsApiRoutes } from '../../server/officials-api.ts';
import { requestSchemas } from '../../server/validation.ts';
import { createTestDatabase } from '../database.ts';
import { makeDesk, makeDossierToken, makeUnit, quickRating } from '../factories.ts';
import { makeOfficial, signIn } from '../officials.ts';
import { startTestServer, type TestServer } from '../server.ts';
import { tableFingerprint } from '../fingerprint.ts';

/*
 * Every field of every request schema, at the edges of the database's types. The fields
 * are found from the routes themselves (each `validate` middleware registers its schema),
 * so a route or field added later is fuzzed without anyone writing a case for it. For
 * each field, a request that is valid but for that field goes out with each hostile
 * value in turn: the answer must be below 500, in the error shape, and a refusal must
 * change no row. The schemas, not the database, must be what refuses: an answer of
 * `value_refused` (PostgreSQL refused the value) fails the test too.
 */

const { db } = await createTestDatabase();
let server: TestServer;
let adminCookie: string;

// --- The values ------------------------------------------------------------------------

const NUMBERS: unknown[] = [
  0,
  -0,
  -1,
  1,
  0.5,
  -0.5,
  SMALLINT_MAX,
  SMALLINT_MAX + 1,
  INT4_MAX,
  INT4_MAX + 1,
  -INT4_MAX - 2,
  Number.MAX_SAFE_INTEGER,
  Number.MAX_SAFE_INTEGER + 2,
  2 ** 63, // past int8
  1e308,
  -1e308,
  5e-324,
];
/** Written into the JSON text as they are: JSON.parse reads them as ±Infinity or 0. */
const RAW_NUMBERS = ['1e309', '-1e309', '1e-400', '123456789012345678901234567890'];

const STRINGS = [
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  '\ud800',
  'x\udfffy',
  '\u200b',
  '\u200b\u200c\u2060\ufeff',
  '\u3000',
  '\u0007bell',
  'line\nbreak',
  '\u202etxt.exe',
  '１２３',
  '١٢٣',
  '𝟙𝟚𝟛',
  'Tiê\u0301ng Viê\u0323t',
  '0',
  '-1',
  '1.5',
  ' 7',
  '+5',
  '0x1F',
  '1e3',
  'NaN',
  'Infinity',
  String(SMALLINT_MAX + 1),
  String(INT4_MAX),
  String(INT4_MAX + 1),
  '9223372036854775808',
  '99999999999999999999999',
  // Calendar days
  '0000-01-01',
  '0001-01-01',
  '1899-12-31',
  '2024-02-29',
  '2026-02-29',
  '2026-02-30',
  '2026-04-31',
  '2026-13-01',
  '2026-00-10',
  '2101-01-01',
  '9999-12-31',
  '10000-01-01',
  // Months and periods
  '0000-01',
  '0000',
  '1999',
  '2101',
  '10000',
  '2026-00',
  '2026-13',
  '2026-Q0',
  '2026-Q5',
  '2026-H2',
  '2026-9M',
  '2026-03-01..2026-02-28',
  '2026-02-29..2026-03-01',
  '2099-12-31..2101-01-01',
  '0000-01-01..0000-12-31',
  // Instants
  '0000-01-01T00:00:00Z',
  '0001-01-01T00:00:00+00:01',
  '9999-12-31T23:59:59-00:01',
  '2026-06-30T23:59:60Z',
  '2026-06-01T24:00:00Z',
  '2026-02-30T10:00:00Z',
  '2026-06-01T00:00:00+14:00',
  '2026-06-01T00:00:00+15:59',
  '2026-06-01T00:00:00+99:99',
  '2026-06-01T00:00:00.123456789Z',
  '2026-06-01T00:00:00',
  '+275760-09-13T00:00:00Z',
  // Ids and keys
  '00000000-0000-0000-0000-000000000000',
  'ffffffff-ffff-ffff-ffff-ffffffffffff',
  'a'.repeat(43),
  "' or '1'='1",
];

/** Text at and past a length limit, counted both as PostgreSQL and as JavaScript count. */
function lengthValues(max: number | undefined): string[] {
  if (max === undefined || max > 100_000) return ['a'.repeat(5_000)];
  return ['a'.repeat(max), 'a'.repeat(max + 1), '😀'.repeat(max), 'e\u0301'.repeat(max)];
}

// --- Reading the schemas ---------------------------------------------------------------

type Def = { type: string; [key: string]: unknown };
const defOf = (schema: z.ZodType): Def => (schema as unknown as { _zod: { def: Def } })._zod.def;

/** The schema a value first meets: past optional, nullable, default and the input of pipes. */
function inputSchema(schema: z.ZodType): z.ZodType {
  let current = schema;
  for (;;) {
    const def = defOf(current);
    if (['optional', 'nullable', 'default', 'readonly', 'catch', 'prefault', 'nonoptional'].includes(def.type)) {
      current = def.innerType as z.ZodType;
    } else if (def.type === 'pipe') {
      current = def.in as z.ZodType;
    } else {
      return current;
    }
  }
}

function checksOf(schema: z.ZodType): Record<string, unknown>[] {
  return ((defOf(schema).checks as { _zod: { def: Record<string, unknown> } }[] | undefined) ?? []).map(
    (check) => check._zod.def,
  );
}

function maxLengthOf(schema: z.ZodType): number | undefined {
  const max = checksOf(inputSchema(schema)).find((check) => check.check === 'max_length');
  return max?.maximum as number | undefined;
}

/** Ordinary values of the kinds of text a request holds, for fields known only by a refinement. */
const PLAIN_VALUES = [
  'Giá trị thử',
  '2026-07-01',
  '2026-07',
  '2026',
  '2026-07-01T09:15:00+07:00',
  '00000000-0000-4000-8000-000000000000',
];

/** A value the field's schema accepts, derived from the schema alone. */
function sampleOf(schema: z.ZodType, depth = 0): unknown {
  const core = inputSchema(schema);
  const def = defOf(core);
  switch (def.type) {
    case 'object': {
      const shape = def.shape as Record<string, z.ZodType>;
      return Object.fromEntries(
        Object.entries(shape)
          .filter(([, field]) => !defOf(field).type.match(/optional|default/))
          .map(([name, field]) => [name, sampleOf(field, depth + 1)]),
      );
    }
    case 'string': {
      const pattern = checksOf(core).find((check) => check.check === 'string_format' && check.pattern);
      const candidates = [
        ...(pattern ? fc.sample(fc.stringMatching(pattern.pattern as RegExp), { numRuns: 50, seed: 7 }) : []),
        ...PLAIN_VALUES,
      ];
      return candidates.find((candidate) => schema.safeParse(candidate).success) ?? 'Giá trị thử';
    }
    case 'number': {
      const min = checksOf(core).find((check) => check.check === 'greater_than');
      return min ? Math.max(Number(min.value), 1) : 1;
    }
    case 'boolean':
      return true;
    case 'enum':
      return Object.values(def.entries as Record<string, string>)[0];
    case 'array':
      return depth > 3 ? [] : [sampleOf(def.element as z.ZodType, depth + 1)];
    case 'record':
      return {};
    default:
      return undefined;
  }
}

// --- The routes ------------------------------------------------------------------------

interface Target {
  target: 'json' | 'query' | 'param' | 'header';
  schema: z.ZodType;
}
interface FuzzedRoute {
  method: string;
  path: string;
  targets: Target[];
}

function routesOf(app: Hono<never>, prefix: string): FuzzedRoute[] {
  const byRoute = new Map<string, FuzzedRoute>();
  for (const route of (app as unknown as Hono).routes) {
    if (route.method === 'ALL') continue;
    const key = `${route.method} ${prefix}${route.path}`;
    const entry = byRoute.get(key) ?? { method: route.method, path: `${prefix}${route.path}`, targets: [] };
    const registered = requestSchemas.get(route.handler);
    if (registered) entry.targets.push(registered as Target);
    byRoute.set(key, entry);
  }
  return [...byRoute.values()].filter((route) => route.targets.length > 0);
}

const routes = [
  ...routesOf(publicApiRoutes as never, '/api/v1/public'),
  ...routesOf(officialsApiRoutes as never, '/api/v1/officials'),
  ...routesOf(receiptIntegrationRoutes as never, '/api/v1/desk'),
];

// --- Valid requests to start from --------------------------------------------------------

/** Values of named fields that must refer to rows of this database to pass the handlers' checks. */
let fixtures: Record<string, unknown>;
/** The id in a path, by the path's first segment; other path parameters by name. */
let pathIds: Record<string, string>;
let pathFixtures: Record<string, string>;
let kioskKey: string;
let receiptKey: string;

/** The fixture of a named field, as its type takes it: a unit id is a number in a body, text in a query. */
function fixtureFor(name: string, field: z.ZodType): unknown {
  const value = fixtures[name];
  const type = defOf(inputSchema(field)).type;
  if (type === 'number' && typeof value === 'string') return Number(value);
  if (type === 'string' && typeof value === 'number') return String(value);
  return value;
}

function baseOf(route: FuzzedRoute, target: Target): Record<string, unknown> {
  const sampled = (sampleOf(target.schema) ?? {}) as Record<string, unknown>;
  const shape = defOf(inputSchema(target.schema)).shape as Record<string, z.ZodType> | undefined;
  // A fixture fits its field's type: the unit id is a number in a body, text in a query.
  const named = Object.fromEntries(
    Object.entries(shape ?? {})
      .filter(([name, field]) => name in fixtures && !/optional|default/.test(defOf(field).type))
      .map(([name, field]) => {
        return [name, fixtureFor(name, field)];
      }),
  );
  const base: Record<string, unknown> = { ...sampled, ...named };
  if (target.target === 'param') {
    for (const name of Object.keys(shape ?? {})) {
      base[name] = name === 'id' ? (pathIds[route.path.split('/')[4] ?? ''] ?? '1') : pathFixtures[name];
    }
  }
  // A partial update names at least one field: the first optional one that the schema takes.
  if (!target.schema.safeParse(base).success) {
    for (const [name, field] of Object.entries(shape ?? {})) {
      const candidate = { ...base, [name]: fixtureFor(name, field) ?? sampleOf(field) };
      if (target.schema.safeParse(candidate).success) return candidate;
    }
  }
  if (target.target === 'header') {
    if (shape?.['x-kiosk-key']) base['x-kiosk-key'] = kioskKey;
    if (shape?.['x-device-key']) base['x-device-key'] = receiptKey;
  }
  if (route.path === '/api/v1/public/responses') Object.assign(base, quickRating({ deskCode: fixtures.deskCode }));
  if (route.path === '/api/v1/public/kiosk/status') base.refused = [];
  return base;
}

/** Percent-encodes a path or query value; half a surrogate pair goes as the UTF-8 bytes it would have had. */
function encodePart(value: unknown): string {
  return [...String(value)]
    .map((character) => {
      try {
        return encodeURIComponent(character);
      } catch {
        const code = character.charCodeAt(0);
        return [0xe0 | (code >> 12), 0x80 | ((code >> 6) & 0x3f), 0x80 | (code & 0x3f)]
          .map((byte) => `%${byte.toString(16).toUpperCase()}`)
          .join('');
      }
    })
    .join('');
}

async function send(route: FuzzedRoute, parts: Record<Target['target'], Record<string, unknown>>, rawBody?: string) {
  let path = route.path.replace(/:([A-Za-z]+)/g, (_, name: string) => encodePart(parts.param?.[name] ?? ''));
  const query = Object.entries(parts.query ?? {}).filter(([, value]) => value !== undefined);
  if (query.length > 0) path += `?${query.map(([name, value]) => `${name}=${encodePart(value)}`).join('&')}`;
  const headers: Record<string, string> = { origin: server.baseUrl, cookie: adminCookie };
  for (const [name, value] of Object.entries(parts.header ?? {})) {
    // A header value cannot hold line breaks or NUL; fetch refuses to send those.
    if (value !== undefined && /^[\u0020-\u007e]*$/.test(String(value))) headers[name] = String(value);
  }
  const hasBody = route.method !== 'GET' && route.method !== 'DELETE';
  if (hasBody) headers['content-type'] = 'application/json';
  const response = await fetch(`${server.baseUrl}${path}`, {
    method: route.method,
    headers,
    ...(hasBody ? { body: rawBody ?? JSON.stringify(parts.json ?? {}) } : {}),
  });
  return { response, text: await response.text(), path };
}

let fingerprint: () => Promise<string>;

beforeAll(async () => {
  server = await startTestServer(db, { RATE_LIMIT_PER_SOURCE: '1000000000', RATE_LIMIT_PER_KIOSK: '1000000000' });
  const province = await makeUnit(db, { kind: 'province' });
  const commune = await makeUnit(db, { parent_id: province.id });
  const { desk } = await makeDesk(db, { unit: commune, domains: ['land', 'health'] });
  kioskKey = (await pairKioskDevice(db, { deskId: desk.id })).key;
  const receipts = await pairKioskDevice(db, { deskId: desk.id, purpose: 'receipts' });
  receiptKey = receipts.key;
  const admin = await makeOfficial(db, 'admin', province);
  const viewer = await makeOfficial(db, 'viewer', commune);
  adminCookie = (await signIn(server, admin.username)).cookie;
  const rated = (await (
    await server.post(
      '/api/v1/public/responses',
      quickRating({ deskCode: desk.code, answers: { overall: 1 }, comment: 'Chờ lâu' }),
    )
  ).json()) as { id: number };
  const target = await db
    .insertInto('target')
    .values({ unit_id: commune.id, year: 2026, metric: 'tthc', threshold: 90 })
    .returning('id')
    .executeTakeFirstOrThrow();
  const domain = await db.selectFrom('domain').select('id').where('code', '=', 'land').executeTakeFirstOrThrow();
  const token = await makeDossierToken(db, desk);
  const started = await server.request('POST', '/api/v1/officials/reports/exports', {
    body: { unitId: commune.id, period: '2026', format: 'csv' },
    headers: { cookie: adminCookie },
  });
  const { id: exportId } = (await started.json()) as { id: string };
  // The export is written in the background; the fingerprints below must not see it move.
  await exportsSettled();
  fixtures = {
    unitId: String(commune.id),
    parentId: province.id,
    intoUnitId: province.id,
    deskCode: desk.code,
    domain: 'land',
    domains: ['land'],
    questionnaireId: 'quick-1',
    answers: { overall: 4 },
    period: '2026',
    year: '2026',
    username: 'fuzz.nobody',
    currentPassword: 'not-the-password',
    url: 'https://chat.example.vn/hooks/sipas',
    email: 'can.bo@example.gov.vn',
    opensAt: '07:30',
    closesAt: '17:00',
  };
  pathFixtures = { code: desk.code, token };
  pathIds = {
    units: String(commune.id),
    desks: String(desk.id),
    devices: String(receipts.device.id),
    targets: String(target.id),
    users: String(viewer.id),
    'follow-ups': String(rated.id),
    domains: String(domain.id),
    reports: exportId,
  };
  fingerprint = await tableFingerprint(db);
});

/** Resolves once no export is being written in the background. */
async function exportsSettled(): Promise<void> {
  await vi.waitFor(
    async () => {
      const running = await db.selectFrom('report_export').select('id').where('status', '=', 'running').execute();
      if (running.length > 0) throw new Error(`${running.length} exports still running`);
    },
    { timeout: 60_000, interval: 20 },
  );
}

async function inBatches<T>(items: T[], size: number, each: (item: T) => Promise<void>): Promise<void> {
  for (let start = 0; start < items.length; start += size)
    await Promise.all(items.slice(start, start + size).map(each));
}

function expectWellRefused(status: number, text: string, context: string): void {
  // Plans are read a few at a time: this test's own bursts may find every reader busy (503
  // with Retry-After), which is the server protecting itself, not a fault.
  if (status === 503 && text.includes('"plan_extraction_busy"')) return;
  expect(status, context).toBeLessThan(500);
  if (status >= 400) {
    const error = (JSON.parse(text) as { error?: { code?: unknown; message?: unknown } }).error;
    expect(typeof error?.code, context).toBe('string');
    expect(typeof error?.message, context).toBe('string');
    // The schemas must refuse what the database cannot hold, before it is asked.
    expect(error?.code, context).not.toBe('value_refused');
  }
}

describe('every field of every request schema, at the edges of the database types', () => {
  it('finds the routes and their schemas from the application itself', () => {
    expect(routes.length).toBeGreaterThan(30);
    const paths = routes.map((route) => `${route.method} ${route.path}`);
    expect(paths).toContain('POST /api/v1/public/responses');
    expect(paths).toContain('POST /api/v1/officials/targets');
  });

  for (const route of routes) {
    it(`${route.method} ${route.path}`, async () => {
      const base = Object.fromEntries(route.targets.map((target) => [target.target, baseOf(route, target)])) as Record<
        Target['target'],
        Record<string, unknown>
      >;
      // The request to start from passes validation, so a hostile value is what any refusal is about.
      for (const target of route.targets) {
        const parsed = target.schema.safeParse(base[target.target]);
        expect(
          parsed.success,
          `${target.target} base ${JSON.stringify(base[target.target])}: ${parsed.error?.message}`,
        ).toBe(true);
      }
      const statuses = new Set<number>();
      for (const target of route.targets) {
        const shape = defOf(inputSchema(target.schema)).shape as Record<string, z.ZodType> | undefined;
        for (const [field, fieldSchema] of Object.entries(shape ?? {})) {
          const scalars: unknown[] = [...STRINGS, ...lengthValues(maxLengthOf(fieldSchema))];
          if (target.target === 'json') scalars.push(...NUMBERS, true, null);
          const values: unknown[] = [...scalars];
          if (target.target === 'json') {
            values.push([], {}, { a: 1 });
            // Inside lists and maps too: each element, and each value of a map such as the answers.
            const type = defOf(inputSchema(fieldSchema)).type;
            if (type === 'array') values.push(...scalars.map((value) => [value]));
            if (type === 'record') {
              const key = Object.keys((base.json[field] as Record<string, unknown>) ?? {})[0] ?? 'overall';
              values.push(...scalars.map((value) => ({ [key]: value })));
              values.push(...STRINGS.map((name) => ({ [name]: 4 })));
            }
          }
          await exportsSettled();
          const before = await fingerprint();
          let refusedOnly = true;
          // A few requests at a time: the server is the same one a busy desk would have.
          await inBatches(values, 8, async (value) => {
            const parts = { ...base, [target.target]: { ...base[target.target], [field]: value } };
            const { response, text, path } = await send(route, parts);
            statuses.add(response.status);
            if (response.status < 400) refusedOnly = false;
            expectWellRefused(
              response.status,
              text,
              `${route.method} ${path} ${target.target}.${field}=${JSON.stringify(value).slice(0, 80)} → ${response.status} ${text.slice(0, 300)}`,
            );
          });
          if (target.target === 'json') {
            for (const raw of RAW_NUMBERS) {
              const body = JSON.stringify({ ...base.json, [field]: 0 }).replace(`"${field}":0`, `"${field}":${raw}`);
              const { response, text, path } = await send(route, base, body);
              if (response.status < 400) refusedOnly = false;
              expectWellRefused(
                response.status,
                text,
                `${route.method} ${path} json.${field}=${raw} → ${response.status} ${text.slice(0, 300)}`,
              );
            }
          }
          // An export started by an accepted request of an earlier field writes in the background.
          await exportsSettled();
          if (refusedOnly)
            expect(await fingerprint(), `${route.method} ${route.path} ${target.target}.${field}`).toBe(before);
        }
      }
      expect([...statuses].some((status) => status >= 400)).toBe(true);
    }, 120_000);
  }
});

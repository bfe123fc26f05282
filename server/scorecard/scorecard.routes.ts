import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import zlib, { brotliCompressSync, gzipSync } from 'node:zlib';
import { Hono, type Context } from 'hono';
import { z } from 'zod';
import type { AppEnv } from '../app-env.ts';
import { AppError } from '../errors.ts';
import { unitCode } from '../fields.ts';
import { periodSchema } from '../reports/periods.ts';
import { validate } from '../validation.ts';
import { badgeSvg } from './badge.ts';
import { scorecardCsv } from './open-data.ts';
import {
  buildScorecard,
  findPublicUnit,
  latestQuarter,
  PUBLIC_PERIOD_KINDS,
  releasedPeriods,
  yearOfQuarter,
  type PublicUnit,
  type Scorecard,
} from './scorecard.ts';

/**
 * `/p/<unit code>`: a unit's public scorecard page, its open data (`data.json`,
 * `data.csv`) and its badge (`badge.svg`), for units whose manager opted in; any other
 * code answers 404, the same as a code that does not exist.
 *
 * Answers are cheap under public traffic: figures are read from the stored releases
 * (never from raw ratings), each answer is kept in memory for `MAX_AGE_SECONDS` with its
 * compressed forms, carries an ETag (a hash of the answer) and `Cache-Control: public`,
 * and a revalidation with the same ETag gets a 304 without a body. Whether the unit is
 * still opted in is checked on every request.
 */

/** How long browsers, proxies and this process may keep an answer. */
export const MAX_AGE_SECONDS = 60;
/** Answers kept: a page with its compressed forms is about 40 KB, so at most some 20 MB. */
const CACHE_ENTRIES = 500;

/** The periods of open data: any released month, quarter, first 6 or 9 months, or year. */
const publicPeriod = periodSchema.refine(
  (period) => (PUBLIC_PERIOD_KINDS as readonly string[]).includes(period.kind),
  'must be a month, quarter, 2026-H1, 2026-9M or a year',
);
const language = z.enum(['vi', 'en']).default('vi');
export const dataQuerySchema = z.object({
  period: publicPeriod.optional().describe('A released period; by default the newest released quarter'),
});
export const badgeQuerySchema = dataQuerySchema.extend({ lang: language.describe('vi (default) or en') });
export const codeParamSchema = z.object({ code: z.string().max(200).describe('The unit’s code') });

interface Answer {
  body: Buffer;
  type: string;
  etag: string;
  expires: number;
  compressed: { br?: Buffer; gzip?: Buffer };
  status: 200 | 400 | 404;
}

const answers = new Map<string, Answer>();
/** Answers being made: requests arriving meanwhile wait for the same one. */
const making = new Map<string, Promise<Answer>>();

function remember(key: string, answer: Omit<Answer, 'etag' | 'expires' | 'compressed'>): Answer {
  const entry: Answer = {
    ...answer,
    etag: `W/"${createHash('sha256').update(answer.body).digest('base64url').slice(0, 27)}"`,
    expires: Date.now() + MAX_AGE_SECONDS * 1000,
    compressed: {},
  };
  if (answers.size >= CACHE_ENTRIES) answers.delete(answers.keys().next().value!);
  answers.set(key, entry);
  return entry;
}

async function cached(key: string, make: () => Promise<Omit<Answer, 'etag' | 'expires' | 'compressed'>>) {
  const hit = answers.get(key);
  if (hit && hit.expires > Date.now()) return hit;
  let pending = making.get(key);
  if (!pending) {
    pending = make()
      .then((answer) => remember(key, answer))
      .finally(() => making.delete(key));
    making.set(key, pending);
  }
  return pending;
}

const matches = (header: string | undefined, etag: string) =>
  header !== undefined &&
  header.split(',').some((tag) => tag.trim() === '*' || tag.trim().replace(/^W\//, '') === etag.replace(/^W\//, ''));

/**
 * Sends an answer: 304 when the client holds it already, otherwise brotli or gzip when
 * accepted (compressed once per cached answer).
 */
function send(c: Context<AppEnv>, answer: Answer, options: { crossOrigin?: boolean } = {}) {
  if (answer.status === 200) {
    c.header('ETag', answer.etag);
    c.header('Cache-Control', `public, max-age=${MAX_AGE_SECONDS}`);
  } else {
    // A unit may opt in any time: its address must not stay "not found" in a cache.
    c.header('Cache-Control', 'no-cache');
  }
  c.header('Vary', 'Accept-Encoding');
  if (options.crossOrigin) {
    // Open data and the badge are for other sites to fetch and embed; nothing else is.
    c.header('Access-Control-Allow-Origin', '*');
    c.header('Cross-Origin-Resource-Policy', 'cross-origin');
  }
  if (answer.status === 200 && matches(c.req.header('if-none-match'), answer.etag)) return c.body(null, 304);
  c.header('Content-Type', answer.type);
  const accepted = c.req.header('accept-encoding') ?? '';
  if (answer.body.length >= 1024) {
    if (/\bbr\b/.test(accepted)) {
      answer.compressed.br ??= brotliCompressSync(answer.body, {
        params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 9 },
      });
      c.header('Content-Encoding', 'br');
      return c.body(new Uint8Array(answer.compressed.br), answer.status);
    }
    if (/\bgzip\b/.test(accepted)) {
      answer.compressed.gzip ??= gzipSync(answer.body, { level: 9 });
      c.header('Content-Encoding', 'gzip');
      return c.body(new Uint8Array(answer.compressed.gzip), answer.status);
    }
  }
  return c.body(new Uint8Array(answer.body), answer.status);
}

const notPublished = () => new AppError('scorecard_not_found');

/** The opted-in unit named in the path; anything else is the same 404. */
async function unitOf(c: Context<AppEnv>): Promise<PublicUnit> {
  const code = unitCode.safeParse(c.req.param('code'));
  const unit = code.success ? await findPublicUnit(c.var.db, code.data) : undefined;
  if (!unit) throw notPublished();
  return unit;
}

/** The released period asked for, or by default the newest released quarter. */
async function scorecardOf(c: Context<AppEnv>, unit: PublicUnit, period: string | undefined): Promise<Scorecard> {
  const key = period ?? latestQuarter(await releasedPeriods(c.var.db, unit.id));
  const card = key ? await buildScorecard(c.var.db, unit, key, c.var.config.publicBaseUrl) : undefined;
  if (!card) throw new AppError('period_not_released');
  return card;
}

/** What the page renders: the quarter, the year so far (or the last full year), and the links. */
export interface ScorecardPageProps {
  language: 'vi' | 'en';
  quarter: Scorecard;
  year: Scorecard | undefined;
  /** Released quarters of the unit, newest first, for earlier pages. */
  quarters: string[];
  /** Released periods of the unit, newest first, for the open data links. */
  periods: string[];
  baseUrl: string;
}
export type PageError = { language: 'vi' | 'en'; status: 400 | 404; code: string };

type RenderScorecard = (props: { page: ScorecardPageProps } | { error: PageError }) => string;

// The built pages (as in web-app.routes.ts, which mounts these routes).
const webRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../dist/web');
const rendererFile = path.resolve(webRoot, '../ssr/scorecard.js');
let renderer: { modified: number; render: Promise<RenderScorecard> } | undefined;

/** The page renderer built by `npm run build` (`dist/ssr`), loaded again after a rebuild. */
async function loadRenderer(): Promise<RenderScorecard> {
  let modified: number;
  try {
    modified = (await stat(rendererFile)).mtimeMs;
  } catch {
    throw new AppError('web_app_not_built');
  }
  if (renderer?.modified !== modified) {
    const url = `${pathToFileURL(rendererFile).href}?built=${modified}`;
    renderer = {
      modified,
      render: import(url).then((module: { renderScorecard: RenderScorecard }) => module.renderScorecard),
    };
  }
  return renderer.render;
}

async function pageHtml(props: { page: ScorecardPageProps } | { error: PageError }): Promise<string> {
  let shell: string;
  try {
    shell = await readFile(path.join(webRoot, 'scorecard.html'), 'utf8');
  } catch {
    throw new AppError('web_app_not_built');
  }
  const render = await loadRenderer();
  const language = 'page' in props ? props.page.language : props.error.language;
  const title =
    'page' in props
      ? `${props.page.quarter.unit.name} — ${language === 'vi' ? 'mức độ hài lòng' : 'citizen satisfaction'}`
      : language === 'vi'
        ? 'Không tìm thấy trang'
        : 'Page not found';
  const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;');
  return shell
    .replace('<html lang="vi">', `<html lang="${language}">`)
    .replace(/<title>[^<]*<\/title>/, `<title>${escape(title)}</title>`)
    .replace('<div id="app"></div>', () => `<div id="app">${render(props)}</div>`);
}

const pageQuerySchema = z.object({
  period: z
    .string()
    .regex(/^\d{4}-Q[1-4]$/)
    .optional(),
  lang: language,
});

async function errorPage(language: 'vi' | 'en', status: 400 | 404, code: string) {
  return { body: Buffer.from(await pageHtml({ error: { language, status, code } })), type: HTML, status };
}

const HTML = 'text/html; charset=UTF-8';

export const scorecardRoutes = new Hono<AppEnv>()
  .get('/:code', async (c) => {
    const lang = c.req.query('lang') === 'en' ? 'en' : 'vi';
    const query = pageQuerySchema.safeParse(c.req.query());
    const code = unitCode.safeParse(c.req.param('code'));
    const unit = code.success ? await findPublicUnit(c.var.db, code.data) : undefined;
    if (!unit) return send(c, await cached(`page-404|${lang}`, () => errorPage(lang, 404, 'scorecard_not_found')));
    if (!query.success) return send(c, await cached(`page-400|${lang}`, () => errorPage(lang, 400, 'invalid_request')));
    const answer = await cached(`page|${unit.id}|${query.data.period ?? ''}|${lang}`, async () => {
      const periods = await releasedPeriods(c.var.db, unit.id);
      const quarters = periods.filter((period) => /-Q[1-4]$/.test(period));
      const quarter = quarters.find((key) => key === (query.data.period ?? quarters[0]));
      const card = quarter ? await buildScorecard(c.var.db, unit, quarter, c.var.config.publicBaseUrl) : undefined;
      if (!quarter || !card) return errorPage(lang, 404, 'period_not_released');
      const yearKey = yearOfQuarter(quarter, periods);
      const year = yearKey ? await buildScorecard(c.var.db, unit, yearKey, c.var.config.publicBaseUrl) : undefined;
      const page: ScorecardPageProps = {
        language: lang,
        quarter: card,
        year,
        quarters,
        periods,
        baseUrl: c.var.config.publicBaseUrl,
      };
      return { body: Buffer.from(await pageHtml({ page })), type: HTML, status: 200 as const };
    });
    return send(c, answer);
  })
  .get('/:code/data.json', validate('param', codeParamSchema), validate('query', dataQuerySchema), async (c) => {
    const unit = await unitOf(c);
    const { period } = c.req.valid('query');
    const answer = await cached(`json|${unit.id}|${period?.key ?? ''}`, async () => ({
      body: Buffer.from(JSON.stringify(await scorecardOf(c, unit, period?.key))),
      type: 'application/json; charset=UTF-8',
      status: 200 as const,
    }));
    return send(c, answer, { crossOrigin: true });
  })
  .get('/:code/data.csv', validate('param', codeParamSchema), validate('query', dataQuerySchema), async (c) => {
    const unit = await unitOf(c);
    const { period } = c.req.valid('query');
    const answer = await cached(`csv|${unit.id}|${period?.key ?? ''}`, async () => ({
      body: Buffer.from(scorecardCsv(await scorecardOf(c, unit, period?.key)), 'utf8'),
      type: 'text/csv; charset=UTF-8',
      status: 200 as const,
    }));
    c.header('Content-Disposition', `inline; filename="scorecard-${unit.code}-${period?.key ?? 'latest'}.csv"`);
    return send(c, answer, { crossOrigin: true });
  })
  .get('/:code/badge.svg', validate('param', codeParamSchema), validate('query', badgeQuerySchema), async (c) => {
    const unit = await unitOf(c);
    const { period, lang } = c.req.valid('query');
    const answer = await cached(`badge|${unit.id}|${period?.key ?? ''}|${lang}`, async () => ({
      body: Buffer.from(badgeSvg(await scorecardOf(c, unit, period?.key), lang)),
      type: 'image/svg+xml; charset=UTF-8',
      status: 200 as const,
    }));
    return send(c, answer, { crossOrigin: true });
  });

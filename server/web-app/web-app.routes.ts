import { serveStatic } from '@hono/node-server/serve-static';
import { Hono, type Context } from 'hono';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import zlib, { brotliCompressSync, gzipSync } from 'node:zlib';
import type { AppEnv } from '../app-env.ts';
import { DOSSIER_TOKEN_PATTERN } from '../dossiers/dossier.repository.ts';
import { AppError } from '../errors.ts';
import { deskCode } from '../fields.ts';
import { loadDeskSurvey, loadDossierSurvey } from '../survey/survey.routes.ts';
import type { Survey } from '../survey/survey.schema.ts';
import { scorecardRoutes } from '../scorecard/scorecard.routes.ts';
import { followUpPageRoutes } from '../comments/follow-up-page.ts';

export const webRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../dist/web');
const relativeRoot = path.relative(process.cwd(), webRoot) || '.';
const surveyRenderer = path.resolve(webRoot, '../ssr/render.js');

/** What the survey page finds embedded in its HTML: the survey, or why there is none. */
export type EmbeddedSurvey = { survey: Survey } | { error: { status: number; code: string } };

type RenderSurvey = (props: {
  source: { deskCode: string } | { dossierToken: string };
  embedded: EmbeddedSurvey;
}) => string;

let renderer: { modified: number; render: Promise<RenderSurvey> } | undefined;

/** The survey renderer built by `npm run build`, loaded again when a build replaces it. */
async function loadSurveyRenderer(): Promise<RenderSurvey> {
  let modified: number;
  try {
    modified = (await stat(surveyRenderer)).mtimeMs;
  } catch {
    throw notBuilt();
  }
  if (renderer?.modified !== modified) {
    const url = `${pathToFileURL(surveyRenderer).href}?built=${modified}`;
    renderer = { modified, render: import(url).then((module: { renderSurvey: RenderSurvey }) => module.renderSurvey) };
  }
  return renderer.render;
}

const notBuilt = () => new AppError('web_app_not_built');

/**
 * Sends a page compressed when the browser takes it: a citizen's first screen on slow
 * mobile data is mostly this HTML. (Built assets are compressed once, at build time.)
 */
function compressedHtml(c: Context<AppEnv>, html: string, status: 200 | 404 | 409) {
  c.header('Cache-Control', 'no-cache');
  c.header('Vary', 'Accept-Encoding');
  const accepted = c.req.header('accept-encoding') ?? '';
  if (html.length < 1024 || !/\b(br|gzip)\b/.test(accepted)) return c.html(html, status);
  const brotli = /\bbr\b/.test(accepted);
  const body = brotli
    ? brotliCompressSync(html, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 5 } })
    : gzipSync(html);
  c.header('Content-Encoding', brotli ? 'br' : 'gzip');
  c.header('Content-Type', 'text/html; charset=UTF-8');
  return c.body(new Uint8Array(body), status);
}

async function htmlPage(c: Context<AppEnv>, file: string, status: 200 | 404 | 409 = 200, embedded?: EmbeddedSurvey) {
  let html: string;
  try {
    // Read per request (a kilobyte, from the page cache) so a rebuild never serves stale asset names.
    html = await readFile(path.join(webRoot, file), 'utf8');
  } catch {
    throw notBuilt();
  }
  if (embedded) {
    const source =
      c.req.param('code') !== undefined ? { deskCode: c.req.param('code')! } : { dossierToken: c.req.param('token')! };
    const form = (await loadSurveyRenderer())({ source, embedded });
    // `<` is escaped so that no text in the data can close the script element.
    const json = JSON.stringify(embedded).replace(/</g, '\\u003c');
    html = html
      .replace('<div id="app"></div>', () => `<div id="app">${form}</div>`)
      .replace(
        /(<script id="survey-data" type="application\/json">)[^<]*(<\/script>)/,
        (_, open: string, close: string) => `${open}${json}${close}`,
      );
  }
  return compressedHtml(c, html, status);
}

/** Loads a survey for embedding; an error the citizen should see becomes the page's state. */
async function embed(load: () => Promise<Survey>): Promise<{ status: 200 | 404 | 409; embedded: EmbeddedSurvey }> {
  try {
    return { status: 200, embedded: { survey: await load() } };
  } catch (error) {
    if (error instanceof AppError && (error.status === 404 || error.status === 409)) {
      return { status: error.status, embedded: { error: { status: error.status, code: error.code } } };
    }
    throw error;
  }
}

/**
 * The pages built by Vite (`npm run build`) and their assets. Each audience has its own
 * entry: a citizen's phone loads only the survey's code.
 */
export const webAppRoutes = new Hono<AppEnv>()
  .use('/assets/*', async (c, next) => {
    await next();
    if (c.res.status === 200) c.header('Cache-Control', 'public, max-age=31536000, immutable');
  })
  .use('/assets/*', serveStatic({ root: relativeRoot, precompressed: true }))
  .get('/sw.js', async (c, next) => {
    c.header('Cache-Control', 'no-cache');
    c.header('Service-Worker-Allowed', '/');
    return serveStatic({ root: relativeRoot, path: 'sw.js', precompressed: true })(c, next);
  })
  .get('/', (c) => htmlPage(c, 'index.html'))
  .get('/s/:code', async (c) => {
    const typed = c.req.param('code');
    const code = deskCode.safeParse(typed);
    // A code typed from a poster in capitals leads to the desk's one address.
    if (code.success && code.data !== typed) return c.redirect(`/s/${code.data}`, 301);
    const { status, embedded } = code.success
      ? await embed(() => loadDeskSurvey(c.var.db, code.data))
      : { status: 404 as const, embedded: { error: { status: 404, code: 'desk_not_found' } } };
    return htmlPage(c, 'survey.html', status, embedded);
  })
  .get('/r/:token', async (c) => {
    const token = c.req.param('token');
    const { status, embedded } = DOSSIER_TOKEN_PATTERN.test(token)
      ? await embed(() => loadDossierSurvey(c.var.db, token))
      : { status: 404 as const, embedded: { error: { status: 404, code: 'dossier_token_not_found' } } };
    return htmlPage(c, 'survey.html', status, embedded);
  })
  // Units' public scorecards and their open data (scorecard/).
  .route('/p', scorecardRoutes)
  .route('/f', followUpPageRoutes) // comments/: the reply a citizen reads with a code
  // The kiosk shell is the same for every desk, so its service worker can keep it offline.
  .get('/kiosk/:code', (c) => htmlPage(c, 'kiosk.html'))
  // The officials' app routes its own pages.
  .get('/officials', (c) => c.redirect('/officials/'))
  .get('/officials/*', (c) => htmlPage(c, 'officials.html'));

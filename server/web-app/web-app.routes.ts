import { serveStatic } from '@hono/node-server/serve-static';
import { Hono } from 'hono';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AppEnv } from '../app-env.ts';

export const webRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../dist/web');
const relativeRoot = path.relative(process.cwd(), webRoot) || '.';

/** Serves the web app built by Vite (`npm run build`): hashed assets cached for a year. */
export const webAppRoutes = new Hono<AppEnv>()
  .use('/assets/*', async (c, next) => {
    await next();
    if (c.res.status === 200) c.header('Cache-Control', 'public, max-age=31536000, immutable');
  })
  .use('/assets/*', serveStatic({ root: relativeRoot }))
  .get('/', async (c, next) => {
    if (!existsSync(path.join(webRoot, 'index.html'))) {
      return c.text('The web app is not built yet: run `npm run build`.', 503);
    }
    c.header('Cache-Control', 'no-cache');
    return serveStatic({ root: relativeRoot, path: 'index.html' })(c, next);
  });

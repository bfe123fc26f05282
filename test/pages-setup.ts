import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { chooseBrowser } from './browser/browser.ts';

const execFileAsync = promisify(execFile);

/**
 * For the tests of the pages: builds the web app once for the run, and says which
 * Chromium will drive the pages (unpacking npm's on its first use).
 */
export default async function setup() {
  const [browser] = await Promise.all([chooseBrowser(), buildWebApp()]);
  console.log(`Page tests run in ${browser.description}`);
}

/**
 * The pages under test are the built ones, built exactly as `npm start` builds them (in
 * a process of its own: the test environment would change the build).
 */
async function buildWebApp(): Promise<void> {
  for (const mode of ['production', 'officials', 'ssr']) {
    await execFileAsync(
      process.execPath,
      [path.resolve('node_modules/vite/bin/vite.js'), 'build', '--mode', mode, '--logLevel', 'error'],
      { env: { ...process.env, NODE_ENV: 'production' } },
    );
  }
}

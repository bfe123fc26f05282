import { createReadStream, createWriteStream, existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createBrotliDecompress } from 'node:zlib';
import { chromium, type Browser } from 'playwright-core';
import { extract } from 'tar-fs';

/*
 * The one Chromium that the page tests, the fault tests and the bench drive.
 *
 * Debian's at /usr/bin/chromium when the machine has it; otherwise the Chromium that the
 * @sparticuz/chromium package carries inside itself (a headless build with the few shared
 * libraries it needs), so that `npm install && npm test` needs nothing else on the machine.
 * SIPAS_TEST_BROWSER=npm takes the npm one even where Debian's is installed (as CI does, to
 * prove the tests pass without it); SIPAS_TEST_BROWSER=debian insists on Debian's.
 *
 * Only the package's binaries are used, not its launcher: that one is made for AWS Lambda
 * (`--single-process`, `--disable-web-security`, files unpacked to fixed paths in /tmp) and
 * would weaken what the page tests prove. Both browsers run with the same flags.
 *
 * @sparticuz/chromium 153 is the newest Chromium on npm; playwright-core 1.65 is made for
 * Chromium 159 and drives 153 over the DevTools protocol. After an update of either,
 * `SIPAS_TEST_BROWSER=npm npx vitest run test/browser` tells whether they still agree.
 */

const require = createRequire(import.meta.url);

export const DEBIAN_CHROMIUM = '/usr/bin/chromium';

/** No sandbox (tests may run as root), no GPU, and no calls home: this machine has no network. */
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'];

export interface BrowserChoice {
  /** What ran, for the test output: "Debian's Chromium" or "Chromium 153 from npm (@sparticuz/chromium)". */
  description: string;
  executablePath: string;
  /** Variables for the browser process only: the npm build's libraries and fonts. */
  env?: Record<string, string>;
}

let chosen: Promise<BrowserChoice> | undefined;

/** Which Chromium to drive, unpacking the npm one on first use (a few seconds, once per install). */
export function chooseBrowser(): Promise<BrowserChoice> {
  chosen ??= choose();
  return chosen;
}

async function choose(): Promise<BrowserChoice> {
  const wanted = process.env.SIPAS_TEST_BROWSER ?? '';
  if (!['', 'npm', 'debian'].includes(wanted)) {
    throw new Error(`SIPAS_TEST_BROWSER is "${wanted}": leave it unset, or set it to "npm" or "debian"`);
  }
  if (wanted === 'debian' || (wanted === '' && existsSync(DEBIAN_CHROMIUM))) {
    if (!existsSync(DEBIAN_CHROMIUM)) {
      throw new Error(`SIPAS_TEST_BROWSER=debian, but there is no ${DEBIAN_CHROMIUM}: apt-get install chromium`);
    }
    return { description: `Debian's Chromium (${DEBIAN_CHROMIUM})`, executablePath: DEBIAN_CHROMIUM };
  }
  return npmChromium();
}

/** Starts the chosen Chromium, headless. The caller closes it. */
export async function launchBrowser(): Promise<Browser> {
  const { executablePath, env } = await chooseBrowser();
  return chromium.launch({ executablePath, args: FLAGS, ...(env ? { env: { ...process.env, ...env } } : {}) });
}

/**
 * The package ships Chromium brotli-compressed; it is unpacked once into
 * node_modules/.cache, next to the package, into a folder named after its version. Each
 * process unpacks into a folder of its own and renames it into place, so that test
 * workers starting at once never run a half-written binary.
 */
async function npmChromium(): Promise<BrowserChoice> {
  const packageDir = path.resolve(path.dirname(require.resolve('@sparticuz/chromium')), '..');
  const { version } = JSON.parse(await fs.readFile(path.join(packageDir, 'package.json'), 'utf8')) as {
    version: string;
  };
  const dir = path.resolve(packageDir, '../../.cache', `sipas-chromium-${version}`);
  const executablePath = path.join(dir, 'chromium');
  if (!existsSync(executablePath)) await unpack(path.join(packageDir, 'bin'), dir);
  return {
    description: `Chromium ${version.split('.')[0]} from npm (@sparticuz/chromium ${version})`,
    executablePath,
    env: {
      // The libraries it was built with (NSS, expat), so that none need be installed.
      LD_LIBRARY_PATH: [path.join(dir, 'lib'), process.env.LD_LIBRARY_PATH].filter(Boolean).join(':'),
      // DejaVu, from npm too (the posters use it): the same fonts on every machine, Vietnamese included.
      FONTCONFIG_FILE: path.join(dir, 'fonts.conf'),
    },
  };
}

async function unpack(bin: string, dir: string): Promise<void> {
  await fs.mkdir(path.dirname(dir), { recursive: true });
  const staging = await fs.mkdtemp(`${dir}.unpacking-`);
  try {
    await fs.chmod(staging, 0o755);
    await Promise.all([
      pipeline(
        createReadStream(path.join(bin, 'chromium.br')),
        createBrotliDecompress(),
        createWriteStream(path.join(staging, 'chromium'), { mode: 0o755 }),
      ),
      // Amazon Linux's NSS and expat, into lib/.
      pipeline(createReadStream(path.join(bin, 'al2023.tar.br')), createBrotliDecompress(), extract(staging)),
      fs.writeFile(path.join(staging, 'fonts.conf'), fontConfig(path.join(dir, 'fontconfig-cache'))),
    ]);
    await fs.rename(staging, dir);
  } catch (error) {
    await fs.rm(staging, { recursive: true, force: true });
    // Another process got there first: its copy is as good as this one.
    if (!existsSync(path.join(dir, 'chromium'))) throw error;
  }
}

function fontConfig(cacheDir: string): string {
  const dejavu = path.join(path.dirname(require.resolve('dejavu-fonts-ttf/package.json')), 'ttf');
  const alias = (generic: string, family: string) =>
    `  <alias><family>${generic}</family><prefer><family>${family}</family></prefer></alias>`;
  return [
    '<?xml version="1.0"?>',
    '<!DOCTYPE fontconfig SYSTEM "fonts.dtd">',
    '<fontconfig>',
    `  <dir>${dejavu}</dir>`,
    `  <cachedir>${cacheDir}</cachedir>`,
    alias('sans-serif', 'DejaVu Sans'),
    alias('serif', 'DejaVu Serif'),
    alias('monospace', 'DejaVu Sans Mono'),
    '</fontconfig>',
    '',
  ].join('\n');
}

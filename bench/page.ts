import type { Browser } from 'playwright-core';
import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { webRoot } from '../server/web-app/web-app.routes.ts';
import { launchBrowser } from '../test/browser/browser.ts';

/** Lighthouse's "Slow 4G" profile: a cheap phone on poor mobile data. */
export const SLOW_PHONE = { cpuSlowdown: 4, latencyMs: 150, downloadKbps: 1600, uploadKbps: 750 };

export interface PageBytes {
  /** Gzipped bytes of the JavaScript a page loads (its entry and every chunk it preloads). */
  jsGzip: number;
  cssGzip: number;
  htmlGzip: number;
}

export interface PageTimings {
  bytes: PageBytes;
  /** Bytes the survey page's load put on the wire (headers excluded). */
  surveyTransferred: number;
  staticTransferred: number;
  /** Size of the static page once decompressed. */
  staticRawBytes: number;
  /** Medians over the runs, in ms from the start of navigation. */
  staticFirstPaint: number;
  /** A static page of one paragraph: what latency alone costs. */
  floorFirstPaint: number;
  surveyFirstPaint: number;
  surveyFirstFace: number;
  runs: number;
}

const gzipSize = (bytes: Buffer | string) => gzipSync(bytes).length;

/** What a browser downloads for the survey page, read from the page the server sends. */
export async function surveyBytes(surveyUrl: string): Promise<PageBytes> {
  const html = await (await fetch(surveyUrl)).text();
  const referenced = (pattern: RegExp) => [...html.matchAll(pattern)].map((match) => match[1]!);
  const sum = async (urls: string[]) => {
    let total = 0;
    for (const url of new Set(urls))
      total += gzipSize(Buffer.from(await (await fetch(new URL(url, surveyUrl))).arrayBuffer()));
    return total;
  };
  return {
    jsGzip: await sum([
      ...referenced(/<script[^>]+src="([^"]+)"/g),
      ...referenced(/<link rel="modulepreload"[^>]*href="([^"]+)"/g),
    ]),
    cssGzip:
      (await sum(referenced(/<link rel="stylesheet"[^>]*href="([^"]+)"/g))) +
      gzipSize(Buffer.concat(referenced(/<style[^>]*>([^<]*)<\/style>/g).map((css) => Buffer.from(css)))),
    htmlGzip: gzipSize(html),
  };
}

const SYLLABLES =
  'anh ba bác bản bảo bộ cán cấp chính chủ chứng công cơ của dân dịch dụng đất đề điện đơn được gia giải giấy hành hạn hồ hộ hợp kết khai không lệ lý mẫu một nhà nhận nộp phí phòng quả quy quyền sinh số sơ sử tài tên thẩm theo thời thủ thuế tiếp tịch trả trình tục tư việc vụ xã xác xây xin ý'.split(
    ' ',
  );

/**
 * A plain page of prose with no script or stylesheet, sent with the same compression as
 * the survey and as many bytes on the wire: the fastest a page of this size class paints.
 * It is written among the built assets, so the same server serves it the same way.
 */
async function writeStaticPage(
  name: string,
  wireBytes: number,
): Promise<{ path: string; rawBytes: number; remove: () => Promise<void> }> {
  let state = 7;
  const next = () => (state = (state * 1103515245 + 12345) % 2147483648);
  const sentence = () =>
    `${Array.from({ length: 12 }, () => SYLLABLES[next() % SYLLABLES.length]).join(' ')} ${next() % 10_000}.`;
  const lead = `<p>${sentence()}</p>`;
  const prose: string[] = [];
  const page = (count: number) => {
    while (prose.length < count) prose.push(`<p>${Array.from({ length: 4 }, sentence).join(' ')}</p>`);
    return `<!doctype html><html lang="vi"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Trang tĩnh</title></head><body><h1>Trang tĩnh để so sánh</h1>${lead}${prose.slice(0, count).join('')}</body></html>`;
  };
  const brotli = (text: string) => brotliCompressSync(text, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } });
  const short = (count: number) => brotli(page(count)).length < wireBytes;
  // The fewest paragraphs that reach the wire size, found by doubling then halving:
  // compressing a whole page at brotli's best quality is slow.
  let high = 16;
  while (short(high)) high *= 2;
  let low = 0;
  while (low < high) {
    const middle = Math.floor((low + high) / 2);
    if (short(middle)) low = middle + 1;
    else high = middle;
  }
  const html = page(low);
  const file = path.join(webRoot, 'assets', `${name}.html`);
  await writeFile(file, html);
  await writeFile(`${file}.br`, brotli(html));
  await writeFile(`${file}.gz`, gzipSync(html, { level: 9 }));
  return {
    path: `/assets/${name}.html`,
    rawBytes: Buffer.byteLength(html),
    remove: () =>
      Promise.all([file, `${file}.gz`, `${file}.br`].map((name) => rm(name, { force: true }))).then(() => {}),
  };
}

interface Visit {
  firstPaint: number;
  firstFace: number | undefined;
  transferred: number;
}

// Notes when a survey answer first appears, at the frame that paints it.
const FACE_OBSERVER = `
  new MutationObserver((_, observer) => {
    if (!document.querySelector('input[type=radio]')) return;
    observer.disconnect();
    requestAnimationFrame(() => { window.__firstFace = performance.now(); });
  }).observe(document, { childList: true, subtree: true });
`;

async function visit(browser: Browser, url: string, waitForFace: boolean): Promise<Visit> {
  const context = await browser.newContext({
    viewport: { width: 360, height: 740 },
    isMobile: true,
    hasTouch: true,
    locale: 'vi-VN',
    serviceWorkers: 'block',
  });
  try {
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.emulateNetworkConditions', {
      offline: false,
      latency: SLOW_PHONE.latencyMs,
      downloadThroughput: (SLOW_PHONE.downloadKbps * 1000) / 8,
      uploadThroughput: (SLOW_PHONE.uploadKbps * 1000) / 8,
    });
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: SLOW_PHONE.cpuSlowdown });
    let transferred = 0;
    cdp.on('Network.loadingFinished', (event) => (transferred += event.encodedDataLength));
    await page.addInitScript(FACE_OBSERVER);
    await page.goto(url, { waitUntil: 'load' });
    if (waitForFace) await page.waitForFunction(() => '__firstFace' in window, undefined, { timeout: 30_000 });
    await page.waitForFunction(() => performance.getEntriesByName('first-contentful-paint').length > 0, undefined, {
      timeout: 30_000,
    });
    const times = await page.evaluate(() => {
      const firstPaint = performance.getEntriesByName('first-contentful-paint')[0]!.startTime;
      const faceFrame = (window as unknown as { __firstFace?: number }).__firstFace;
      // A face in the page before its first paint shows with that paint.
      return { firstPaint, firstFace: faceFrame === undefined ? undefined : Math.max(faceFrame, firstPaint) };
    });
    return { ...times, transferred };
  } finally {
    await context.close();
  }
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return Math.round(sorted[Math.floor(sorted.length / 2)]!);
};

/**
 * Loads the survey of a desk and a static page of the same size class, alternately, in
 * fresh browser contexts with the CPU and network of a cheap phone on slow data.
 */
export async function timeCitizenPage(
  baseUrl: string,
  deskCode: string,
  runs: number,
  onRun: (done: number) => void,
): Promise<PageTimings> {
  const surveyUrl = `${baseUrl}/s/${deskCode}`;
  const bytes = await surveyBytes(surveyUrl);
  const browser = await launchBrowser();
  const written: Awaited<ReturnType<typeof writeStaticPage>>[] = [];
  try {
    // One visit of each first, unmeasured, to warm the caches; the survey's tells its bytes on the wire.
    const sameSize = await writeStaticPage('bench-static-page', (await visit(browser, surveyUrl, true)).transferred);
    const floor = await writeStaticPage('bench-floor-page', 0);
    written.push(sameSize, floor);
    for (const page of written) await visit(browser, `${baseUrl}${page.path}`, false);
    const staticVisits: Visit[] = [];
    const floorVisits: Visit[] = [];
    const surveyVisits: Visit[] = [];
    for (let run = 0; run < runs; run++) {
      staticVisits.push(await visit(browser, `${baseUrl}${sameSize.path}`, false));
      surveyVisits.push(await visit(browser, surveyUrl, true));
      floorVisits.push(await visit(browser, `${baseUrl}${floor.path}`, false));
      onRun(run + 1);
    }
    return {
      bytes,
      surveyTransferred: median(surveyVisits.map((one) => one.transferred)),
      staticTransferred: median(staticVisits.map((one) => one.transferred)),
      staticFirstPaint: median(staticVisits.map((one) => one.firstPaint)),
      staticRawBytes: sameSize.rawBytes,
      floorFirstPaint: median(floorVisits.map((one) => one.firstPaint)),
      surveyFirstPaint: median(surveyVisits.map((one) => one.firstPaint)),
      surveyFirstFace: median(surveyVisits.map((one) => one.firstFace!)),
      runs,
    };
  } finally {
    await browser.close();
    for (const page of written) await page.remove();
  }
}

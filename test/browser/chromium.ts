import { createRequire } from 'node:module';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, expect } from 'vitest';
import { launchBrowser } from './browser.ts';

const require = createRequire(import.meta.url);

/** Chromium, headless (Debian's or npm's: see `browser.ts`); closed when the test file ends. */
export async function launchChromium(): Promise<Browser> {
  const browser = await launchBrowser();
  afterAll(() => browser.close());
  return browser;
}

/** A phone of the cheap kind citizens use: 360 CSS pixels wide, touch. */
export function phone(browser: Browser, options: { bypassCSP?: boolean } = {}): Promise<BrowserContext> {
  return browser.newContext({
    viewport: { width: 360, height: 740 },
    isMobile: true,
    hasTouch: true,
    locale: 'vi-VN',
    ...options,
  });
}

/** A tablet standing at the desk, landscape. */
export function tablet(browser: Browser, options: { bypassCSP?: boolean } = {}): Promise<BrowserContext> {
  return browser.newContext({ viewport: { width: 1024, height: 700 }, hasTouch: true, locale: 'vi-VN', ...options });
}

/**
 * Runs axe-core on the page and fails on any serious or critical violation. The page's
 * context must be created with `bypassCSP`, since axe is injected as a script.
 */
export async function expectAccessible(page: Page, label: string): Promise<void> {
  await page.addScriptTag({ path: require.resolve('axe-core/axe.min.js') });
  const violations = await page.evaluate(async () => {
    const result = await (
      window as unknown as {
        axe: {
          run(): Promise<{ violations: { id: string; impact: string; help: string; nodes: { target: string[] }[] }[] }>;
        };
      }
    ).axe.run();
    return result.violations.map((violation) => ({
      id: violation.id,
      impact: violation.impact,
      help: violation.help,
      targets: violation.nodes.map((node) => node.target.join(' ')),
    }));
  });
  const serious = violations.filter((violation) => violation.impact === 'serious' || violation.impact === 'critical');
  expect(serious, `${label}: ${JSON.stringify(serious, null, 2)}`).toEqual([]);
}

/** Fails when the page scrolls sideways: content must reflow at this width. */
export async function expectNoSidewaysScroll(page: Page): Promise<void> {
  const overflow = await page.evaluate(
    () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
  );
  expect(overflow).toBeLessThanOrEqual(0);
}

/** Every visible control is at least 48 × 48 CSS pixels. */
export async function expectLargeTargets(page: Page): Promise<void> {
  const small = await page.evaluate(() =>
    [...document.querySelectorAll<HTMLElement>('button, a, textarea, .tile, .chip')]
      .filter((element) => element.offsetParent !== null)
      .map((element) => ({ text: element.textContent?.trim().slice(0, 30), box: element.getBoundingClientRect() }))
      .filter(({ box }) => box.width < 48 || box.height < 48)
      .map(({ text, box }) => `${text} ${Math.round(box.width)}×${Math.round(box.height)}`),
  );
  expect(small).toEqual([]);
}

import type { Browser, BrowserContextOptions, Page } from 'playwright-core';

/**
 * A page of the officials' app, signed in as `account` through the sign-in form, on the
 * dashboard it opens on. A script error or a Content Security Policy violation fails the
 * test that causes it.
 *
 * @example const page = await signedInPage(browser, server.baseUrl, manager)
 */
export async function signedInPage(
  browser: Browser,
  baseUrl: string,
  account: { username: string; password: string },
  options: BrowserContextOptions = {},
): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1366, height: 768 }, locale: 'vi-VN', ...options });
  const page = await context.newPage();
  page.on('pageerror', (error) => {
    throw error;
  });
  page.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) throw new Error(message.text());
  });
  await page.goto(`${baseUrl}/officials/`);
  await page.getByLabel('Tên đăng nhập').fill(account.username);
  await page.getByLabel('Mật khẩu').fill(account.password);
  await page.getByRole('button', { name: 'Đăng nhập' }).click();
  await page.getByRole('heading', { name: /Mức độ hài lòng/ }).waitFor();
  return page;
}

import { copyFileSync } from 'node:fs';
import path from 'node:path';

import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';

import { hasBrowser, launchBrowser, openPage, screenshot } from '../helpers/browser.js';
import { ROOT, startServer } from '../helpers/server-process.js';
import { tempDir } from '../helpers/temp-dir.js';
import { addUserTo } from '../helpers/users.js';

const canRun = hasBrowser();
const WAIT = { timeout: 30_000 };
const PASSWORD = 'a long enough password';

/** Signs in with the keyboard alone: the name field has the focus, Tab goes to the password, Enter submits. */
async function signInWithKeyboard(page: Page, name: string, password = PASSWORD): Promise<void> {
  await page.locator('#name:focus').waitFor(WAIT);
  await page.keyboard.type(name);
  await page.keyboard.press('Tab');
  await page.keyboard.type(password);
  await page.keyboard.press('Enter');
}

describe.skipIf(!canRun)('signing in, in a real browser', () => {
  it('shows a signed-out visitor only /login, signs in each role back to the page asked for, and signs out', async () => {
    const dataDir = tempDir();
    const server = await startServer(dataDir);
    await addUserTo(dataDir, 'vera', 'viewer', PASSWORD);
    await addUserTo(dataDir, 'sam', 'supervisor', PASSWORD);
    await addUserTo(dataDir, 'ada', 'admin', PASSWORD);
    const browser = await launchBrowser();

    const { page, errors } = await openPage(browser, `${server.url}/`, { width: 390, height: 844 });
    expect(new URL(page.url()).pathname).toBe('/login');
    await screenshot(page, 'login');
    const wide = await openPage(browser, `${server.url}/login`, { width: 1200, height: 700 });
    const file = await screenshot(wide.page, 'login-page');
    if (process.env['TELEHOOK_UPDATE_DOCS'] === '1')
      copyFileSync(file, path.join(ROOT, 'docs/login-page.png'));
    expect(wide.errors).toEqual([]);
    for (const path of ['/calls/some-call', '/calls', '/followups', '/?token=not-a-token']) {
      await page.goto(`${server.url}${path}`);
      expect(new URL(page.url()).pathname, path).toBe('/login');
      expect(await page.locator('h1').textContent()).toBe('Sign in to telehook');
    }

    await page.goto(`${server.url}/`);
    await signInWithKeyboard(page, 'vera', 'a wrong password');
    await page.locator('#error').filter({ hasText: 'Wrong name or password.' }).waitFor(WAIT);
    expect(new URL(page.url()).pathname).toBe('/login');

    await page.locator('#name').fill('');
    await page.locator('#name').focus();
    await signInWithKeyboard(page, 'vera');
    await page.waitForURL(`${server.url}/`, WAIT);
    await page.locator('.signed-in').filter({ hasText: 'vera (viewer)' }).waitFor(WAIT);
    // The wallboard's live stream rides on the session cookie.
    await page.locator('#updated').filter({ hasText: 'updated' }).waitFor(WAIT);

    await page.locator('.signed-in button').click();
    await page.waitForURL(/\/login$/, WAIT);
    await page.goto(`${server.url}/`);
    expect(new URL(page.url()).pathname).toBe('/login');

    for (const [name, role] of [
      ['sam', 'supervisor'],
      ['ada', 'admin'],
    ] as const) {
      const context = await browser.newContext();
      const other = await context.newPage();
      await other.goto(`${server.url}/calls/some-call`);
      expect(new URL(other.url()).search).toBe('?next=%2Fcalls%2Fsome-call');
      await signInWithKeyboard(other, name);
      await other.waitForURL(`${server.url}/calls/some-call`, WAIT);
      await other
        .locator('.signed-in')
        .filter({ hasText: `${name} (${role})` })
        .waitFor(WAIT);
      await context.close();
    }
    expect(errors.filter((error) => !/401|Unauthorized/.test(error))).toEqual([]);
  });
});

import { copyFileSync } from 'node:fs';
import path from 'node:path';

import type { Browser, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';

import { hasBrowser, launchBrowser, openPage, screenshot } from '../helpers/browser.js';
import { testSchema } from '../helpers/pg-schema.js';
import { ROOT, startServer } from '../helpers/server-process.js';
import { tempDir } from '../helpers/temp-dir.js';
import { addUserTo } from '../helpers/users.js';

const canRun = hasBrowser();
const WAIT = { timeout: 30_000 };
const PASSWORD = 'a long enough password';
const NEW_PASSWORD = 'another long password';

/** A server on a fresh SQLite data directory, or on a fresh PostgreSQL schema. */
async function serverOn(engine: 'sqlite' | 'postgres') {
  const dataDir = tempDir();
  const databaseUrl =
    engine === 'postgres' ? testSchema(expect.getState().currentTestName ?? 'users-page').url : undefined;
  const server = await startServer(dataDir, [], databaseUrl ? { TELEHOOK_DATABASE_URL: databaseUrl } : {});
  const addUser = (name: string, role: 'viewer' | 'supervisor' | 'admin') =>
    addUserTo(dataDir, name, role, PASSWORD, databaseUrl);
  return { server, addUser };
}

async function signIn(page: Page, name: string, password = PASSWORD): Promise<void> {
  await page.locator('#name').fill(name);
  await page.locator('#password').fill(password);
  await page.locator('#password').press('Enter');
}

/** The status of a request made by the page itself, with its session cookie. */
const statusOf = (page: Page, method: string, url: string, body?: object) =>
  page.evaluate(
    async ([method, url, body]) =>
      (
        await fetch(url, {
          method,
          headers: body ? { 'content-type': 'application/json' } : {},
          body: body ? JSON.stringify(body) : null,
        })
      ).status,
    [method, url, body] as const,
  );

async function usersOf(page: Page): Promise<Record<string, string>> {
  const { items } = await page.evaluate(
    async () => (await (await fetch('/api/users')).json()) as { items: { name: string; role: string }[] },
  );
  return Object.fromEntries(items.map((user) => [user.name, user.role]));
}

const PAGES = ['Wallboard', 'Calls', 'Follow-ups', 'Reports'];

/**
 * Opens each page and reads its navigation once the session is known (People comes with it): the links, the
 * current one, and whether each link goes where it says.
 */
async function navigationOf(page: Page, base: string, paths: readonly string[]) {
  const seen: { path: string; links: string[]; current: string[]; hrefs: string[] }[] = [];
  for (const path of paths) {
    await page.goto(`${base}${path}`);
    await page.locator('.signed-in').waitFor(WAIT);
    const links = page.locator('nav[data-pages] a');
    seen.push({
      path,
      links: await links.allTextContents(),
      current: await page.locator('nav[data-pages] a[aria-current="page"]').allTextContents(),
      hrefs: await links.evaluateAll((all) => all.map((link) => link.getAttribute('href') ?? '')),
    });
  }
  return seen;
}

async function newSignedInPage(browser: Browser, url: string, name: string, password = PASSWORD) {
  const opened = await openPage(browser, url, { width: 1200, height: 700 });
  expect(new URL(opened.page.url()).pathname).toBe('/login');
  await signIn(opened.page, name, password);
  await opened.page.waitForURL(url, WAIT);
  return opened;
}

describe.skipIf(!canRun).each(['sqlite', 'postgres'] as const)(
  'the People page in a real browser (%s)',
  (engine) => {
    it('lets an admin add a person, change their role and password and remove them, but never the last admin', async () => {
      const { server, addUser } = await serverOn(engine);
      await addUser('ada', 'admin');
      await addUser('sam', 'supervisor');
      await addUser('vera', 'viewer');
      const browser = await launchBrowser();
      const { page, dialogs, errors } = await newSignedInPage(browser, `${server.url}/users`, 'ada');
      const rowOf = (name: string) => page.locator(`#people tr[data-name="${name}"]`);
      await rowOf('ada').filter({ hasText: '(you)' }).waitFor(WAIT);
      expect(await page.locator('#people-link').getAttribute('aria-current')).toBe('page');

      // Add a supervisor with the keyboard: name, role, password, Enter.
      await page.locator('#add-name').focus();
      await page.keyboard.type('ravi');
      await page.keyboard.press('Tab');
      await page.locator('#add-role:focus').selectOption('supervisor');
      await page.keyboard.press('Tab');
      await page.keyboard.type(PASSWORD);
      await page.keyboard.press('Enter');
      await page.locator('#notice').filter({ hasText: 'ravi added as supervisor.' }).waitFor(WAIT);
      expect(await rowOf('ravi').getByLabel('Role of ravi').inputValue()).toBe('supervisor');
      expect(await page.locator('#add-name').inputValue()).toBe('');

      // Its role, then its password.
      await rowOf('ravi').getByLabel('Role of ravi').selectOption('viewer');
      await rowOf('ravi').getByRole('button', { name: 'Change role' }).click();
      await page.locator('#notice').filter({ hasText: 'ravi is now viewer.' }).waitFor(WAIT);
      expect(await usersOf(page)).toEqual({
        ada: 'admin',
        ravi: 'viewer',
        sam: 'supervisor',
        vera: 'viewer',
      });
      await rowOf('ravi').getByRole('button', { name: 'Set password' }).click();
      await page.getByLabel('New password for ravi').fill(NEW_PASSWORD);
      await page.keyboard.press('Enter');
      await page.locator('#notice').filter({ hasText: 'New password set for ravi' }).waitFor(WAIT);
      const file = await screenshot(page, 'users-page');
      if (process.env['TELEHOOK_UPDATE_DOCS'] === '1')
        copyFileSync(file, path.join(ROOT, 'docs/users-page.png'));

      // The new password signs ravi in, as a viewer; the old one does not.
      const ravi = await newSignedInPage(browser, `${server.url}/calls`, 'ravi', NEW_PASSWORD);
      await ravi.page.locator('.signed-in').filter({ hasText: 'ravi (viewer)' }).waitFor(WAIT);
      expect(await statusOf(ravi.page, 'POST', '/api/session', { name: 'ravi', password: PASSWORD })).toBe(
        401,
      );

      // Removing asks first: Escape keeps ravi; Remove, then "Remove ravi", removes, and ends ravi's session.
      await rowOf('ravi').getByRole('button', { name: 'Remove' }).click();
      await rowOf('ravi').getByText('Remove ravi? They are signed out at once.').waitFor(WAIT);
      await page.keyboard.press('Escape');
      await rowOf('ravi').getByRole('button', { name: 'Set password' }).waitFor(WAIT);
      await rowOf('ravi').getByRole('button', { name: 'Remove' }).focus();
      await page.keyboard.press('Enter');
      // The confirmation's Cancel has the focus; the button before it removes.
      await page.keyboard.press('Shift+Tab');
      await page.keyboard.press('Enter');
      await page.locator('#notice').filter({ hasText: 'ravi removed.' }).waitFor(WAIT);
      await rowOf('ravi').waitFor({ state: 'detached', ...WAIT });
      expect(await statusOf(ravi.page, 'GET', '/api/session')).toBe(401);

      // A name taken already: the server's reason, shown.
      await page.locator('#add-name').fill('sam');
      await page.locator('#add-password').fill(PASSWORD);
      await page.getByRole('button', { name: 'Add', exact: true }).click();
      await page
        .locator('#error')
        .filter({ hasText: 'Could not add sam: A user "sam" exists already.' })
        .waitFor(WAIT);

      // The only admin can neither be removed nor demoted, and the page says why.
      await rowOf('ada').getByRole('button', { name: 'Remove' }).click();
      await rowOf('ada').getByRole('button', { name: 'Remove ada' }).click();
      await page
        .locator('#error')
        .filter({ hasText: 'Could not remove ada: ada is the only admin' })
        .waitFor(WAIT);
      await rowOf('ada').getByRole('button', { name: 'Set password' }).waitFor(WAIT);
      await rowOf('ada').getByLabel('Role of ada').selectOption('supervisor');
      await rowOf('ada').getByRole('button', { name: 'Change role' }).click();
      await page
        .locator('#error')
        .filter({ hasText: 'Could not change the role of ada: ada is the only admin' })
        .waitFor(WAIT);
      // The list is read again: ada's role shows as it still is.
      await expect.poll(() => rowOf('ada').getByLabel('Role of ada').inputValue(), WAIT).toBe('admin');
      expect(await usersOf(page)).toEqual({ ada: 'admin', sam: 'supervisor', vera: 'viewer' });

      // It fits a phone.
      await page.setViewportSize({ width: 390, height: 844 });
      await screenshot(page, 'users-page-phone');
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
      expect(dialogs).toEqual([]);
      expect(errors).toEqual([]);
    });

    it('shows a supervisor no People link and "admins only" on /users, and the API refuses them', async () => {
      const { server, addUser } = await serverOn(engine);
      await addUser('ada', 'admin');
      await addUser('sam', 'supervisor');
      const browser = await launchBrowser();
      const { page, errors } = await newSignedInPage(browser, `${server.url}/calls`, 'sam');
      await page.locator('.signed-in').filter({ hasText: 'sam (supervisor)' }).waitFor(WAIT);
      expect(await page.locator('#people-link').count()).toBe(0);
      await page.goto(`${server.url}/users`);
      await page.locator('#forbidden').filter({ hasText: 'Admins only' }).waitFor(WAIT);
      expect(await page.locator('#people-panel').isHidden()).toBe(true);
      expect(await page.locator('#add-panel').isHidden()).toBe(true);
      expect(await page.locator('#people-link').count()).toBe(0);
      expect(await statusOf(page, 'GET', '/api/users')).toBe(403);
      expect(
        await statusOf(page, 'POST', '/api/users', { name: 'mallory', role: 'admin', password: PASSWORD }),
      ).toBe(403);
      expect(await statusOf(page, 'PATCH', '/api/users/sam', { role: 'admin' })).toBe(403);
      expect(await statusOf(page, 'DELETE', '/api/users/ada')).toBe(403);

      // Every page has the same navigation, from one place; a call's page too.
      const key = crypto.randomUUID();
      const waiting = {
        type: 'event',
        direction: 'inbound',
        status: 'waiting',
        from: 919812300009,
        to: 918000000000,
      };
      const call = { ...waiting, appid: 2222223, cmiuuid: key, conversation_uuid: key, time: Date.now() };
      expect((await fetch(server.ingestUrl, { method: 'POST', body: JSON.stringify(call) })).status).toBe(
        200,
      );
      const paths = ['/', '/calls', '/followups', '/reports', '/users', `/calls/${key}`];
      const current = ['Wallboard', 'Calls', 'Follow-ups', 'Reports'];
      const hrefs = ['/', '/calls', '/followups', '/reports'];
      expect(await navigationOf(page, server.url, paths)).toEqual(
        paths.map((path, n) => ({ path, links: PAGES, current: current.slice(n, n + 1), hrefs })),
      );

      // An admin's pages carry the link.
      const admin = await newSignedInPage(browser, `${server.url}/calls`, 'ada');
      expect(await navigationOf(admin.page, server.url, paths)).toEqual(
        paths.map((path, n) => ({
          path,
          links: [...PAGES, 'People'],
          current: [...current, 'People'].slice(n, n + 1),
          hrefs: [...hrefs, '/users'],
        })),
      );
      await admin.page.goto(`${server.url}/calls`);
      await admin.page.locator('#people-link').click();
      await admin.page.waitForURL(`${server.url}/users`, WAIT);
      await admin.page.locator('#people tr[data-name="sam"]').waitFor(WAIT);
      expect(errors).toEqual([]);
      expect(admin.errors).toEqual([]);
    });
  },
);

import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';

import { type Browser, chromium, type Page } from 'playwright-core';
import { onTestFinished } from 'vitest';

import { ROOT } from './server-process.js';

/** Debian's Chromium (never a downloaded browser). */
const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';

/**
 * Whether browser tests can run. In CI (TELEHOOK_TEST_STRICT=1) a missing browser is a failure, not a skip.
 */
export function hasBrowser(): boolean {
  const found = existsSync(CHROMIUM);
  if (!found && process.env['TELEHOOK_TEST_STRICT'] === '1') {
    throw new Error(
      `No browser at ${CHROMIUM}: install Debian's chromium (apt-get install chromium) or set CHROMIUM_PATH.`,
    );
  }
  return found;
}

/** Launches headless Chromium as this machine allows it (no sandbox as root, no background networking). */
export async function launchBrowser(): Promise<Browser> {
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  onTestFinished(async () => browser.close());
  return browser;
}

/** A page that records dialogs (alert, confirm) and script errors, which no test expects. */
export async function openPage(browser: Browser, url: string, viewport = { width: 1920, height: 1080 }) {
  const page = await browser.newPage({ viewport });
  const dialogs: string[] = [];
  const errors: string[] = [];
  page.on('dialog', (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  page.on('pageerror', (error) => errors.push(String(error)));
  page.on('console', (message) => {
    if (
      message.type() === 'error' &&
      !/net::ERR_CONNECTION_REFUSED|Failed to load resource/.test(message.text())
    )
      errors.push(message.text());
  });
  await page.goto(url);
  return { page, dialogs, errors };
}

/** Saves a screenshot under test-results/ (kept by CI for inspection). */
export async function screenshot(page: Page, name: string): Promise<string> {
  const dir = path.join(ROOT, 'test-results');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

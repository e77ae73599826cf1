import { copyFileSync, readFileSync } from 'node:fs';
import path from 'node:path';

import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';

import { generateScenario, type ScenarioName, type ScheduledPayload } from '../../src/scenarios/index.js';
import { hasBrowser, launchBrowser, openPage, screenshot } from '../helpers/browser.js';
import { ROOT, startServer } from '../helpers/server-process.js';
import { tempDir } from '../helpers/temp-dir.js';

const canRun = hasBrowser();
const WAIT = { timeout: 30_000 };

async function send(ingestUrl: string, payloads: readonly ScheduledPayload[]): Promise<void> {
  for (const { payload } of payloads) {
    const response = await fetch(ingestUrl, { method: 'POST', body: JSON.stringify(payload) });
    expect(response.status).toBe(200);
  }
}
const keyOf = (payloads: readonly ScheduledPayload[]): string =>
  payloads.find((p) => typeof p.payload['conversation_uuid'] === 'string')!.payload[
    'conversation_uuid'
  ] as string;
const viewerTokenOf = (dataDir: string): string =>
  (JSON.parse(readFileSync(path.join(dataDir, 'tokens.json'), 'utf8')) as { viewerToken: string })
    .viewerToken;

/** Four calls of the last hour, oldest first: who called, and what became of them. */
const CALLS: { name: ScenarioName; from: string; team: string; agent?: string }[] = [
  { name: 'incoming-answered', from: '919811100001', team: 'Sales' },
  { name: 'incoming-abandoned', from: '919822200002', team: 'Support' },
  { name: 'outgoing-answered', from: '919833300003', team: 'Sales', agent: '202' },
  { name: 'incoming-missed-voicemail', from: '919844400004', team: '<img src=x onerror=alert(1)>' },
];

async function serverWithCalls() {
  const dataDir = tempDir();
  const server = await startServer(dataDir);
  const keys: string[] = [];
  const teams: string[] = [];
  for (const [index, call] of CALLS.entries()) {
    const payloads = generateScenario(call.name, {
      seed: 40 + index,
      startAt: Date.now() - 3600_000 + index * 600_000,
      from: call.from,
      team: call.team,
      agent: call.agent,
    });
    await send(server.ingestUrl, payloads);
    keys.push(keyOf(payloads));
    teams.push(payloads.map((p) => p.payload['team']).find((team) => typeof team === 'string') as string);
  }
  return { server, keys, teams, token: viewerTokenOf(dataDir) };
}

const rowKeys = (page: Page) =>
  page.locator('#calls tr').evaluateAll((rows) => rows.map((row) => row.getAttribute('data-key')));

describe.skipIf(!canRun)('the call history page in a real browser', () => {
  it('filters the calls, keeps the filters in its URL, pages them, downloads them and opens a call', async () => {
    const { server, keys, teams, token } = await serverWithCalls();
    const browser = await launchBrowser();
    const { page, dialogs, errors } = await openPage(browser, `${server.url}/calls?token=${token}`, {
      width: 1280,
      height: 800,
    });
    await page.locator('#calls tr').nth(3).waitFor(WAIT);
    expect(await rowKeys(page)).toEqual([...keys].reverse());
    // The hostile team name is text, not an element.
    expect(await page.locator('#calls').textContent()).toContain('<img src=x onerror=alert(1)>');
    expect(await page.locator('#calls img').count()).toBe(0);
    const file = await screenshot(page, 'calls-page');
    if (process.env['TELEHOOK_UPDATE_DOCS'] === '1')
      copyFileSync(file, path.join(ROOT, 'docs/calls-page.png'));

    await page.getByLabel('Number contains').fill('22200');
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.waitForURL(/numberContains=22200/);
    await page.locator('#status').filter({ hasText: '1 shown' }).waitFor(WAIT);
    expect(await rowKeys(page)).toEqual([keys[1]]);

    await page.getByLabel('Number contains').fill('');
    await page.getByLabel('Direction').selectOption('inbound');
    await page.getByLabel('Team').fill(teams[0]!);
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.locator('#status').filter({ hasText: '1 shown' }).waitFor(WAIT);
    expect(await rowKeys(page)).toEqual([keys[0]]);

    // The CSV link downloads the same filtered set.
    const csv = await (
      await fetch(new URL((await page.locator('#csv').getAttribute('href'))!, server.url))
    ).text();
    expect(csv.split('\r\n').filter((line) => line.includes(keys[0]!))).toHaveLength(1);
    expect(csv).not.toContain(keys[1]);

    // A link shows the same view: another tab opened on this URL lists the same rows.
    const second = await openPage(browser, page.url());
    await second.page.locator('#status').filter({ hasText: '1 shown' }).waitFor(WAIT);
    expect(await rowKeys(second.page)).toEqual([keys[0]]);
    expect(await second.page.getByLabel('Team').inputValue()).toBe(teams[0]);
    expect(await second.page.getByLabel('Direction').inputValue()).toBe('inbound');

    // Pages of two, oldest first: the next page, and back.
    await page.goto(`${server.url}/calls?token=${token}&limit=2&order=asc`);
    await page.locator('#status').filter({ hasText: '2 shown' }).waitFor(WAIT);
    expect(await rowKeys(page)).toEqual(keys.slice(0, 2));
    await page.getByRole('button', { name: 'Next page' }).click();
    await page.waitForURL(/after=/);
    await page.locator(`#calls tr[data-key="${keys[2]}"]`).waitFor(WAIT);
    expect(await rowKeys(page)).toEqual(keys.slice(2));
    await page.goBack();
    await page.locator(`#calls tr[data-key="${keys[0]}"]`).waitFor(WAIT);
    await page.getByRole('button', { name: /Started/ }).click();
    await page.locator(`#calls tr[data-key="${keys[3]}"]`).waitFor(WAIT);
    expect(await rowKeys(page)).toEqual([keys[3], keys[2]]);

    // A column's header sorts by it, from the keyboard too: the URL, aria-sort and the rows follow the API's order.
    const sortedKeys = async (query: string) =>
      (
        (await (
          await fetch(`${server.url}/api/calls?limit=2&${query}`, {
            headers: { authorization: `Bearer ${token}` },
          })
        ).json()) as { items: { key: string }[] }
      ).items.map((call) => call.key);
    await page.getByRole('button', { name: /^Team/ }).focus();
    await page.keyboard.press('Enter');
    await page.waitForURL(/sort=team&order=asc/);
    const teamHeader = page.locator('th', { has: page.getByRole('button', { name: /^Team/ }) });
    expect(await teamHeader.getAttribute('aria-sort')).toBe('ascending');
    expect(await page.locator('th[aria-sort]').count()).toBe(1);
    await page.locator(`#calls tr[data-key="${(await sortedKeys('sort=team&order=asc'))[0]}"]`).waitFor(WAIT);
    expect(await rowKeys(page)).toEqual(await sortedKeys('sort=team&order=asc'));
    await page.getByRole('button', { name: /^Team/ }).click();
    await page.waitForURL(/sort=team(?!&order=asc)/);
    await page.locator(`#calls tr[data-key="${(await sortedKeys('sort=team'))[0]}"]`).waitFor(WAIT);
    expect(await teamHeader.getAttribute('aria-sort')).toBe('descending');
    expect(await rowKeys(page)).toEqual(await sortedKeys('sort=team'));
    expect(await page.locator('#csv').getAttribute('href')).toContain('sort=team&order=desc');

    // The keyboard reaches a call's link; Enter opens the call's page.
    const shown = (await rowKeys(page))[0]!;
    await page.locator(`#calls tr[data-key="${shown}"] a`).focus();
    await page.keyboard.press('Enter');
    await page.waitForURL(new RegExp(`/calls/${shown}`));
    await page.locator('#timeline tr').first().waitFor(WAIT);
    expect(dialogs).toEqual([]);
    expect(errors).toEqual([]);
  });

  it('opens a call with a click on its row, and fits a phone', async () => {
    const { server, keys, token } = await serverWithCalls();
    const browser = await launchBrowser();
    const { page, errors } = await openPage(browser, `${server.url}/calls?token=${token}&outcome=abandoned`, {
      width: 390,
      height: 844,
    });
    await page.locator(`#calls tr[data-key="${keys[1]}"]`).waitFor(WAIT);
    expect(await page.getByLabel('Outcome').inputValue()).toBe('abandoned');
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await screenshot(page, 'calls-page-phone');
    await page.locator(`#calls tr[data-key="${keys[1]}"] td`).nth(6).click();
    await page.waitForURL(new RegExp(`/calls/${keys[1]}`));
    expect(errors).toEqual([]);
  });
});

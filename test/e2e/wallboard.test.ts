import { copyFileSync, readFileSync } from 'node:fs';
import path from 'node:path';

import { describe, expect, it } from 'vitest';

import { generateScenario, type ScheduledPayload } from '../../src/scenarios/index.js';
import { hasBrowser, launchBrowser, openPage, screenshot } from '../helpers/browser.js';
import { ROOT, startServer } from '../helpers/server-process.js';
import { tempDir } from '../helpers/temp-dir.js';

const canRun = hasBrowser();
// Generous: CI machines are shared, and a missed call appears only once its CDR is folded.
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
const tokensOf = (dataDir: string) =>
  JSON.parse(readFileSync(path.join(dataDir, 'tokens.json'), 'utf8')) as { viewerToken: string };

describe.skipIf(!canRun)('wallboard in a real browser', () => {
  it('shows a call in the queue without a reload, ticks its wait, moves it to answered, and lists a missed call', async () => {
    const dataDir = tempDir();
    const server = await startServer(dataDir);
    const browser = await launchBrowser();
    const { page, errors } = await openPage(browser, `${server.url}/?token=${tokensOf(dataDir).viewerToken}`);
    await page.locator('#updated').filter({ hasText: 'updated' }).waitFor(WAIT);

    const answered = generateScenario('incoming-answered', {
      seed: 11,
      startAt: Date.now() - 3000,
      team: 'Sales',
    });
    const key = keyOf(answered);
    const waitingIndex = answered.findIndex((p) => p.payload['status'] === 'waiting');
    await send(server.ingestUrl, answered.slice(0, waitingIndex + 1));
    const row = page.locator(`#queue tr[data-key="${key}"]`);
    await row.waitFor(WAIT);
    const waited = row.locator('[data-started]');
    const samples: string[] = [];
    for (let n = 0; n < 8; n += 1) {
      samples.push(`${await page.evaluate(() => Date.now())} ${await waited.textContent()}`);
      await page.waitForTimeout(250);
    }
    expect(new Set(samples.map((sample) => sample.split(' ')[1])).size, samples.join('\n')).toBeGreaterThan(
      1,
    );
    expect(await page.locator('[data-field="waitingNow"]').textContent()).toBe('1');
    await screenshot(page, 'wallboard-waiting');

    await send(server.ingestUrl, answered.slice(waitingIndex + 1));
    await row.waitFor({ state: 'detached', ...WAIT });
    await page.locator('[data-field="answered"]').filter({ hasText: /^1$/ }).waitFor(WAIT);

    const missed = generateScenario('incoming-missed-voicemail', { seed: 12, startAt: Date.now() - 200_000 });
    await send(server.ingestUrl, missed);
    await page.locator(`#missed tr[data-key="${keyOf(missed)}"]`).waitFor(WAIT);
    await screenshot(page, 'wallboard');
    expect(errors).toEqual([]);
  });

  it('renders a hostile team name as text: nothing runs, and the page sends a strict CSP', async () => {
    const dataDir = tempDir();
    const server = await startServer(dataDir);
    const response = await fetch(`${server.url}/`);
    expect(response.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(response.headers.get('content-security-policy')).not.toContain('unsafe-inline');
    const browser = await launchBrowser();
    const { page, dialogs, errors } = await openPage(
      browser,
      `${server.url}/?token=${tokensOf(dataDir).viewerToken}`,
    );
    await page.locator('#updated').filter({ hasText: 'updated' }).waitFor(WAIT);

    const hostile = '<img src=x onerror=alert(1)>';
    const call = generateScenario('incoming-agent-no-answer', {
      seed: 13,
      startAt: Date.now() - 5000,
      team: hostile,
    });
    const ringing = call.findIndex((p) => p.payload['status'] === 'started');
    await send(server.ingestUrl, call.slice(0, ringing + 1));
    const row = page.locator(`#queue tr[data-key="${keyOf(call)}"]`);
    await row.waitFor(WAIT);
    await page.waitForTimeout(1500);
    expect(await row.textContent()).toContain(hostile.replace(/_\d+$/, ''));
    expect(await page.locator('img').count()).toBe(0);
    expect(dialogs).toEqual([]);
    expect(errors).toEqual([]);
  });

  it('shows "disconnected" when the server goes away and recovers when it is back', async () => {
    const dataDir = tempDir();
    let server = await startServer(dataDir);
    const port = new URL(server.url).port;
    const browser = await launchBrowser();
    const { page } = await openPage(browser, `${server.url}/?token=${tokensOf(dataDir).viewerToken}`);
    await page.locator('#updated').filter({ hasText: 'updated' }).waitFor(WAIT);
    expect(await page.locator('#banner').isHidden()).toBe(true);

    server.child.kill('SIGTERM');
    await server.exited;
    await page.locator('#banner').waitFor({ state: 'visible', ...WAIT });
    await screenshot(page, 'wallboard-disconnected');

    server = await startServer(dataDir, ['--port', port]);
    await page.locator('#banner').waitFor({ state: 'hidden', timeout: 30_000 });
    const call = generateScenario('incoming-abandoned', { seed: 14, startAt: Date.now() - 2000 });
    await send(server.ingestUrl, call.slice(0, 1));
    await page.locator(`#queue tr[data-key="${keyOf(call)}"]`).waitFor(WAIT);
  });

  it("opens a call's page with its timeline and raw events", async () => {
    const dataDir = tempDir();
    const server = await startServer(dataDir);
    const call = generateScenario('incoming-agent-no-answer', { seed: 15, startAt: Date.now() - 600_000 });
    await send(server.ingestUrl, call);
    const browser = await launchBrowser();
    const { page, errors } = await openPage(
      browser,
      `${server.url}/calls/${keyOf(call)}?token=${tokensOf(dataDir).viewerToken}`,
    );
    await page.locator('#timeline tr').first().waitFor(WAIT);
    expect(await page.locator('#timeline tr').count()).toBe(call.length);
    expect(await page.locator('#timeline pre').first().textContent()).toContain('"cmiuuid"');
    expect(await page.locator('#agents tr').count()).toBeGreaterThanOrEqual(2);
    await screenshot(page, 'call-page');
    expect(errors).toEqual([]);
  });

  it('is usable on a phone', async () => {
    const dataDir = tempDir();
    const server = await startServer(dataDir);
    const browser = await launchBrowser();
    const { page } = await openPage(browser, `${server.url}/?token=${tokensOf(dataDir).viewerToken}`, {
      width: 390,
      height: 844,
    });
    await page.locator('#updated').filter({ hasText: 'updated' }).waitFor(WAIT);
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    expect(width).toBeLessThanOrEqual(390);
    const file = await screenshot(page, 'wallboard-phone');
    if (process.env['TELEHOOK_UPDATE_DOCS'] === '1')
      copyFileSync(file, path.join(ROOT, 'docs/wallboard-phone.png'));
  });
});

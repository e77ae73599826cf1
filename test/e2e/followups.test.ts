import { copyFileSync } from 'node:fs';
import path from 'node:path';

import { describe, expect, it } from 'vitest';

import { generateScenario, type ScenarioName } from '../../src/scenarios/index.js';
import { hasBrowser, launchBrowser, screenshot } from '../helpers/browser.js';
import { ROOT, startServer } from '../helpers/server-process.js';
import { tempDir } from '../helpers/temp-dir.js';
import { addUserTo } from '../helpers/users.js';

const canRun = hasBrowser();
const WAIT = { timeout: 30_000 };
const PASSWORD = 'a long enough password';
const CALLER = '919812300001';
const OTHER = '919812300002';
/** Two more callers, so that the README's screenshot shows a list. */
const MORE = ['919812300003', '919812300004'];

describe.skipIf(!canRun)('the follow-up list in a real browser', () => {
  it('shows a missed caller live, keeps it after an unanswered call back, clears it when a call back is answered, and lets only a supervisor mark one handled', async () => {
    const dataDir = tempDir();
    const server = await startServer(dataDir);
    await addUserTo(dataDir, 'vera', 'viewer', PASSWORD);
    await addUserTo(dataDir, 'sam', 'supervisor', PASSWORD);
    const play = async (name: ScenarioName, from: string, minutesAgo: number) => {
      for (const { payload } of generateScenario(name, {
        from,
        startAt: Date.now() - minutesAgo * 60_000,
        seed: minutesAgo,
      }))
        expect(
          (await fetch(server.ingestUrl, { method: 'POST', body: JSON.stringify(payload) })).status,
        ).toBe(200);
    };
    const browser = await launchBrowser();
    const signIn = async (name: string) => {
      const context = await browser.newContext({ viewport: { width: 1200, height: 700 } });
      const page = await context.newPage();
      await page.goto(`${server.url}/followups`);
      await page.locator('#name').fill(name);
      await page.locator('#password').fill(PASSWORD);
      await page.locator('#password').press('Enter');
      await page.waitForURL(`${server.url}/followups`, WAIT);
      await page.locator('#summary').filter({ hasText: 'to call back' }).waitFor(WAIT);
      return page;
    };

    const supervisor = await signIn('sam');
    const viewer = await signIn('vera');
    await play('incoming-abandoned', CALLER, 60);
    const row = supervisor.locator(`#entries tr[data-number="${CALLER}"]`);
    await row.waitFor(WAIT);
    await viewer.locator(`#entries tr[data-number="${CALLER}"]`).waitFor(WAIT);
    await play('incoming-missed-voicemail', CALLER, 50);
    await row.filter({ hasText: '2: 1 abandoned, 1 voicemail' }).waitFor(WAIT);

    await play('outgoing-missed', CALLER, 40);
    await row.filter({ hasText: 'not reached' }).waitFor(WAIT);
    await play('incoming-abandoned', MORE[0]!, 45);
    await play('incoming-missed-voicemail', MORE[1]!, 35);
    await supervisor.locator(`#entries tr[data-number="${MORE[1]}"]`).waitFor(WAIT);
    await supervisor.locator('#summary').filter({ hasText: '3 callers to call back' }).waitFor(WAIT);
    const file = await screenshot(supervisor, 'followups');
    if (process.env['TELEHOOK_UPDATE_DOCS'] === '1')
      copyFileSync(file, path.join(ROOT, 'docs/followups-page.png'));

    await play('outgoing-answered', CALLER, 30);
    await row.waitFor({ state: 'detached', ...WAIT });
    await viewer.locator(`#entries tr[data-number="${CALLER}"]`).waitFor({ state: 'detached', ...WAIT });
    await supervisor.goto(`${server.url}/followups?status=done`);
    await supervisor
      .locator(`#entries tr[data-number="${CALLER}"]`)
      .filter({ hasText: 'Called back and reached' })
      .waitFor(WAIT);

    // A viewer sees no way to mark a caller handled, and the API refuses one anyway.
    await play('incoming-abandoned', OTHER, 20);
    const viewerRow = viewer.locator(`#entries tr[data-number="${OTHER}"]`);
    await viewerRow.waitFor(WAIT);
    expect(await viewerRow.locator('button').count()).toBe(0);
    const refused = await viewer.evaluate(
      async (number) =>
        (
          await fetch(`/api/followups/${number}/handled`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ note: 'sneaky' }),
          })
        ).status,
      OTHER,
    );
    expect(refused).toBe(403);

    await supervisor.goto(`${server.url}/followups`);
    const otherRow = supervisor.locator(`#entries tr[data-number="${OTHER}"]`);
    await otherRow.locator('button', { hasText: 'Mark handled' }).click();
    await supervisor.keyboard.type('Reached on WhatsApp');
    await supervisor.keyboard.press('Tab');
    await supervisor.keyboard.press('Enter');
    await otherRow.waitFor({ state: 'detached', ...WAIT });
    // The viewer's list clears too, over the live stream.
    await viewerRow.waitFor({ state: 'detached', ...WAIT });
    await supervisor.goto(`${server.url}/followups?status=done`);
    await supervisor
      .locator(`#entries tr[data-number="${OTHER}"]`)
      .filter({ hasText: 'Handled by sam' })
      .filter({ hasText: 'Reached on WhatsApp' })
      .waitFor(WAIT);
  });
});

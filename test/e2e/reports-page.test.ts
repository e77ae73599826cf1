import { copyFileSync, readFileSync } from 'node:fs';
import path from 'node:path';

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

const CALLS: { name: ScenarioName; from: string; agent?: string }[] = [
  { name: 'incoming-answered', from: '919811100001' },
  { name: 'incoming-abandoned', from: '919811100001' },
  { name: 'incoming-agent-no-answer', from: '919822200002', agent: '202' },
  { name: 'outgoing-answered', from: '919833300003', agent: '203' },
  { name: 'incoming-missed-voicemail', from: '919844400004' },
  { name: 'incoming-answered', from: '919811100001', agent: '202' },
];

interface Figures {
  [field: string]: number | null;
}

describe.skipIf(!canRun)('the reports page in a real browser', () => {
  it('shows the figures /api/stats gives for the same period, per agent and per team, and the repeat callers', async () => {
    const dataDir = tempDir();
    const server = await startServer(dataDir);
    const started = Date.now() - 3 * 3600_000;
    for (const [index, call] of CALLS.entries())
      await send(
        server.ingestUrl,
        generateScenario(call.name, {
          seed: 60 + index,
          startAt: started + index * 900_000,
          from: call.from,
          agent: call.agent,
        }),
      );
    const { viewerToken } = JSON.parse(readFileSync(path.join(dataDir, 'tokens.json'), 'utf8')) as {
      viewerToken: string;
    };
    const browser = await launchBrowser();
    const { page, errors, dialogs } = await openPage(browser, `${server.url}/reports?token=${viewerToken}`, {
      width: 1280,
      height: 900,
    });
    await page.locator('body[data-loaded]').waitFor(WAIT);

    // The same period as the page asks for: the last seven days of the browser's calendar, in its zone.
    const period = await page.evaluate(() => {
      const today = new Date();
      return {
        from: new Date(today.getFullYear(), today.getMonth(), today.getDate() - 6).getTime(),
        to: new Date(today.getFullYear(), today.getMonth(), today.getDate() + 1).getTime(),
        tz: Intl.DateTimeFormat().resolvedOptions().timeZone,
      };
    });
    const stats = async (groupBy: string) => {
      const response = await fetch(
        `${server.url}/api/stats?from=${period.from}&to=${period.to}&tz=${period.tz}&groupBy=${groupBy}`,
        { headers: { authorization: `Bearer ${server.apiToken}` } },
      );
      return (await response.json()) as { totals: Figures; groups: Figures[] };
    };
    const byDay = await stats('day');
    expect(byDay.totals['offered']).toBe(5);
    for (const field of [
      'offered',
      'answered',
      'abandoned',
      'serviceLevel',
      'asaSec',
      'ahtSec',
      'outboundPlaced',
    ]) {
      const shown = await page.locator(`.report-tiles [data-field="${field}"]`).getAttribute('data-value');
      expect(shown, field).toBe(byDay.totals[field] === null ? '' : String(byDay.totals[field]));
    }

    const agents = (await stats('agent')).groups;
    expect(await page.locator('#agents tbody tr').count()).toBe(agents.length);
    for (const agent of agents) {
      const row = page
        .locator('#agents tbody tr')
        .filter({ hasText: String(agent['agent']).replace(/_\d+$/, '') });
      for (const field of ['offered', 'answered', 'rangNotAnswered', 'outboundPlaced'])
        expect(await row.locator(`td[data-key="${field}"]`).textContent(), field).toBe(String(agent[field]));
    }
    const teams = (await stats('team')).groups;
    expect(await page.locator('#teams tbody tr').count()).toBe(teams.length);
    expect(await page.locator('#teams td[data-key="offered"]').allTextContents()).toEqual(
      teams.map((team) => String(team['offered'])),
    );
    expect(await page.locator('#repeat tbody tr').count()).toBe(1);
    expect(await page.locator('#repeat td[data-key="calls"]').textContent()).toBe('3');
    expect(await page.locator('#repeat td[data-key="answered"]').textContent()).toBe('2');
    expect(await page.locator('#outcomes-chart canvas').count()).toBe(1);

    // Sorting by a header, from the keyboard.
    await page.locator('#agents th[data-key="agent"] button').focus();
    await page.keyboard.press('Enter');
    const names = await page.locator('#agents td[data-key="agent"]').allTextContents();
    expect(names).toEqual([...names].sort((a, b) => a.localeCompare(b)));
    expect(await page.locator('#agents th[data-key="agent"]').getAttribute('aria-sort')).toBe('ascending');

    // A table's CSV holds its rows.
    const download = page.waitForEvent('download');
    await page.locator('section[data-table="agents"] button.csv').click();
    const csv = readFileSync(await (await download).path(), 'utf8');
    expect(csv.split('\r\n')[0]).toBe(
      'agent,team,offered,answered,rangNotAnswered,talkSec,ahtSec,outboundPlaced',
    );
    expect(csv.trim().split('\r\n')).toHaveLength(1 + agents.length);

    const file = await screenshot(page, 'reports-page');
    if (process.env['TELEHOOK_UPDATE_DOCS'] === '1')
      copyFileSync(file, path.join(ROOT, 'docs/reports-page.png'));

    // Per 15 minutes, business hours: the page asks /api/stats for the same and shows its totals.
    await page.locator('select[name=groupBy]').selectOption('15min');
    await page.getByRole('button', { name: 'Show' }).click();
    await page.waitForURL(/groupBy=15min/);
    await page.locator('body[data-loaded="2"]').waitFor(WAIT);
    expect(await page.locator('.report-tiles [data-field="offered"]').textContent()).toBe('5');
    await page.emulateMedia({ media: 'print' });
    expect(await page.locator('#filters').isHidden()).toBe(true);
    expect(dialogs).toEqual([]);
    expect(errors).toEqual([]);
  });
});

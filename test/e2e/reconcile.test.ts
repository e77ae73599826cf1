import path from 'node:path';

import pino from 'pino';
import { describe, expect, it, onTestFinished } from 'vitest';

import { buildApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { createFakeTelecmi, FAKE_SECRET } from '../../src/fake-telecmi/index.js';
import { simulateCallCentre } from '../../src/scenarios/index.js';
import { createSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { generateToken } from '../../src/tokens.js';
import { hasBrowser, launchBrowser, openPage } from '../helpers/browser.js';
import { tempDir } from '../helpers/temp-dir.js';

const START = Date.parse('2024-06-06T09:00:00Z');
const WINDOW = {
  from: new Date(START - 3_600_000).toISOString(),
  to: new Date(START + 86_400_000).toISOString(),
};

describe.skipIf(!hasBrowser())('the wallboard and the call page show what reconcile runs recovered', () => {
  it('shows the last run with the calls recovered, then its error; the call page says the call came from TeleCMI history', async () => {
    const fake = createFakeTelecmi();
    const origin = await fake.listen(0);
    onTestFinished(() => fake.close());
    const simulation = simulateCallCentre({
      product: 'chub',
      agents: 2,
      teams: ['Sales'],
      calls: 5,
      arrivalPerSec: 1 / 120,
      meanTalkSec: 60,
      meanPatienceSec: 600,
      seed: 41,
      startAt: START,
    });
    fake.history.add(
      simulation.payloads.map((sent) => sent.payload),
      'chub',
    );
    const dir = tempDir();
    const config = loadConfig({
      env: {
        TELEHOOK_TELECMI_APPID: '2222223',
        TELEHOOK_TELECMI_SECRET: FAKE_SECRET,
        TELEHOOK_TELECMI_API_URL: origin,
      },
      overrides: { dataDir: dir, logLevel: 'silent' },
    });
    const store = createSqliteStore({ file: path.join(dir, 'telehook.db') });
    const tokens = { ingestToken: generateToken(), apiToken: generateToken(), viewerToken: generateToken() };
    const app = await buildApp(config, { store, logger: pino({ level: 'silent' }), tokens });
    await app.listen({ port: 0, host: '127.0.0.1' });
    onTestFinished(async () => {
      await app.close();
      await store.close();
    });
    const address = app.server.address();
    const base = `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`;
    const run = async () => {
      const started = await app.inject({
        method: 'POST',
        url: '/api/reconcile/runs',
        headers: { authorization: `Bearer ${tokens.apiToken}` },
        payload: WINDOW,
      });
      expect(started.statusCode).toBe(202);
      await app.reconciler!.settled();
      await app.projection.settled();
    };

    const browser = await launchBrowser();
    onTestFinished(() => browser.close());
    const { page } = await openPage(browser, `${base}/?token=${tokens.viewerToken}`);
    const banner = page.locator('#reconcile');
    // No run yet: nothing is shown.
    await page.locator('#clock').filter({ hasText: /\d/ }).waitFor({ timeout: 15_000 });
    expect(await banner.isHidden()).toBe(true);

    await run();
    await page.reload();
    await banner.filter({ hasText: 'calls recovered' }).waitFor({ timeout: 15_000 });
    expect(await banner.textContent()).toMatch(/^History checked .+: 5 calls recovered$/);

    // TeleCMI refuses the secret on the next run: the wallboard shows that run's error.
    fake.faults.add({ answer: 'status', status: 407 });
    await run();
    await page.reload();
    await banner.filter({ hasText: 'failed' }).waitFor({ timeout: 15_000 });
    expect(await banner.textContent()).toMatch(/^History check failed .+: TELECMI_AUTH_FAILED: /);
    expect(await banner.getAttribute('data-status')).toBe('failed');
    expect(await banner.textContent()).not.toContain(FAKE_SECRET);

    const call = simulation.calls[0]!;
    const { page: callPage } = await openPage(browser, `${base}/calls/${call.key}?token=${tokens.apiToken}`);
    const recovered = callPage.locator('#recovered');
    await recovered.waitFor({ state: 'visible', timeout: 15_000 });
    expect(await recovered.textContent()).toMatch(
      /^Recovered from TeleCMI's history on .+: no webhook of this call/,
    );
    expect(await callPage.locator('#timeline').textContent()).toContain('cdr (TeleCMI history)');
  }, 90_000);
});

import pino from 'pino';
import { describe, expect, it, onTestFinished } from 'vitest';

import { loadConfig } from '../../src/config.js';
import { createFakeTelecmi, FAKE_SECRET } from '../../src/fake-telecmi/index.js';
import { openApp } from '../../src/open-app.js';
import { generateToken } from '../../src/tokens.js';
import { tempDir } from '../helpers/temp-dir.js';

interface RunsPage {
  items: { status: string; from: string; to: string; rowsFetched: number }[];
  next: string | null;
}

describe('periodic reconcile runs', () => {
  it('start by themselves over the last window, with the TeleCMI client built from the settings', async () => {
    const fake = createFakeTelecmi();
    const origin = await fake.listen(0);
    onTestFinished(() => fake.close());
    const dir = tempDir();
    const config = loadConfig({
      env: {
        TELEHOOK_TELECMI_APPID: '2222223',
        TELEHOOK_TELECMI_SECRET: FAKE_SECRET,
        TELEHOOK_TELECMI_API_URL: origin,
        TELEHOOK_RECONCILE_WINDOW: '2h',
      },
      overrides: { dataDir: dir, logLevel: 'silent' },
    });
    const tokens = { ingestToken: generateToken(), apiToken: generateToken(), viewerToken: generateToken() };
    // The setting's minimum is a minute; the period comes in through the app's deps instead.
    const { app, close } = await openApp(config, {
      logger: pino({ level: 'silent' }),
      tokens,
      reconcileEveryMs: 20,
    });
    onTestFinished(close);
    const base = await app.listen({ port: 0, host: '127.0.0.1' });
    const headers = { authorization: `Bearer ${tokens.apiToken}` };

    let page: RunsPage = { items: [], next: null };
    for (let tries = 0; tries < 500; tries += 1) {
      page = (await (await fetch(`${base}/api/reconcile/runs`, { headers })).json()) as RunsPage;
      if (page.items.some((run) => run.status !== 'running')) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const run = page.items.find((item) => item.status !== 'running');
    expect(run).toMatchObject({ status: 'succeeded', rowsFetched: 0 });
    expect(Date.parse(run!.to) - Date.parse(run!.from)).toBe(2 * 3_600_000);
  });

  it('do not start without TeleCMI credentials', async () => {
    const dir = tempDir();
    const config = loadConfig({ env: {}, overrides: { dataDir: dir, logLevel: 'silent' } });
    const tokens = { ingestToken: generateToken(), apiToken: generateToken(), viewerToken: generateToken() };
    const { app, close } = await openApp(config, {
      logger: pino({ level: 'silent' }),
      tokens,
      reconcileEveryMs: 20,
    });
    onTestFinished(close);
    await app.ready();
    expect(app.reconciler).toBeNull();
  });
});

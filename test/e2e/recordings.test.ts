import { readFileSync } from 'node:fs';
import path from 'node:path';

import pino from 'pino';
import { describe, expect, it, onTestFinished } from 'vitest';

import { buildApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { createFakeTelecmi, FAKE_SECRET } from '../../src/fake-telecmi/index.js';
import { createSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { generateToken } from '../../src/tokens.js';
import { hasBrowser, launchBrowser, openPage } from '../helpers/browser.js';
import { FIXTURES_DIR } from '../helpers/fixtures.js';
import { tempDir } from '../helpers/temp-dir.js';

const ANSWERED = JSON.parse(
  readFileSync(new URL('chub-incoming-cdr-answered.json', FIXTURES_DIR), 'utf8'),
) as Record<string, unknown>;

describe.skipIf(!hasBrowser())('the call page plays the recording', () => {
  it('loads the audio element and seeks in it', async () => {
    const fake = createFakeTelecmi({ audioSeconds: 3 });
    const origin = await fake.listen(0);
    onTestFinished(() => fake.close());
    fake.history.add([ANSWERED], 'chub');
    const dir = tempDir();
    const config = loadConfig({
      env: {
        TELEHOOK_TELECMI_APPID: '2222223',
        TELEHOOK_TELECMI_SECRET: FAKE_SECRET,
        TELEHOOK_TELECMI_API_URL: origin,
      },
      overrides: { dataDir: dir, logLevel: 'silent', port: 0, host: '127.0.0.1' },
    });
    const store = createSqliteStore({ file: path.join(dir, 'telehook.db') });
    const tokens = { ingestToken: generateToken(), apiToken: generateToken(), viewerToken: generateToken() };
    const app = await buildApp(config, { store, logger: pino({ level: 'silent' }), tokens });
    await app.listen({ port: 0, host: '127.0.0.1' });
    onTestFinished(async () => {
      await app.close();
      await store.close();
    });
    await app.inject({ method: 'POST', url: `/webhooks/telecmi/${tokens.ingestToken}`, payload: ANSWERED });
    await app.projection.settled();
    const address = app.server.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;

    const browser = await launchBrowser();
    onTestFinished(() => browser.close());
    const { page } = await openPage(
      browser,
      `http://127.0.0.1:${port}/calls/${String(ANSWERED['cmiuuid'])}?token=${tokens.apiToken}`,
    );
    const audio = page.locator('#recording-audio');
    await audio.waitFor({ state: 'attached', timeout: 15_000 });
    await page.waitForFunction(
      () => (document.getElementById('recording-audio') as HTMLAudioElement).readyState >= 1,
      undefined,
      { timeout: 15_000 },
    );
    const duration = await audio.evaluate((element: HTMLAudioElement) => element.duration);
    expect(duration).toBeCloseTo(3, 0);
    const seekedTo = await audio.evaluate(
      (element: HTMLAudioElement) =>
        new Promise<number>((resolve) => {
          element.addEventListener('seeked', () => resolve(element.currentTime), { once: true });
          element.currentTime = 2;
        }),
    );
    expect(seekedTo).toBeCloseTo(2, 0);
    expect(await audio.getAttribute('src')).not.toContain(FAKE_SECRET);
  }, 60_000);
});

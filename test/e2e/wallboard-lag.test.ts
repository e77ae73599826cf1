import { describe, expect, it } from 'vitest';

import { generateScenario } from '../../src/scenarios/index.js';
import { startSetup, TOKENS } from '../helpers/app-setups.js';
import { hasBrowser, launchBrowser, openPage, screenshot } from '../helpers/browser.js';

const canRun = hasBrowser();
const WAIT = { timeout: 30_000 };

describe.skipIf(!canRun)('wallboard: calls lagging behind', () => {
  it('says "calls N s behind" while the projection is held back over 2 s, and hides it once the calls caught up', async () => {
    const setup = await startSetup('sqlite', 'wallboard-lag');
    await setup.app.listen({ port: 0, host: '127.0.0.1' });
    const address = setup.app.server.address();
    if (address === null || typeof address === 'string') throw new Error('not listening');
    const browser = await launchBrowser();
    const { page, errors } = await openPage(
      browser,
      `http://127.0.0.1:${address.port}/?token=${TOKENS.viewerToken}`,
    );
    await page.locator('#updated').filter({ hasText: 'updated' }).waitFor(WAIT);
    const notice = page.locator('#lag');
    expect(await notice.isHidden()).toBe(true);

    // A real projection, stopped: the events are acknowledged and stored, and no call moves.
    await setup.app.projection.stop();
    const flow = generateScenario('incoming-answered', { seed: 21, startAt: Date.now() - 60_000 });
    for (const { payload } of flow) expect((await setup.post(JSON.stringify(payload))).statusCode).toBe(200);
    await notice.filter({ hasText: /^calls \d+ s behind$/ }).waitFor({ state: 'visible', ...WAIT });
    const seconds = Number(/calls (\d+) s behind/.exec((await notice.textContent()) ?? '')?.[1]);
    expect(seconds).toBeGreaterThan(2);
    await screenshot(page, 'wallboard-lag');

    setup.app.projection.start();
    await notice.waitFor({ state: 'hidden', ...WAIT });
    await page.locator('[data-field="answered"]').filter({ hasText: /^1$/ }).waitFor(WAIT);
    expect(errors).toEqual([]);
  });
});

import { describe, expect, it } from 'vitest';

import { generateScenario } from '../../src/scenarios/index.js';
import { SETUPS, startSetup, TOKENS } from '../helpers/app-setups.js';
import { openSse } from '../helpers/sse-client.js';

const metric = (text: string, name: string): number =>
  Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);

describe.each(SETUPS)('the calls lagging behind the events (%s)', (setupName) => {
  it('shows the lag in /metrics and in the live stream while the projection is held back, and 0 once it caught up', async () => {
    const setup = await startSetup(setupName, `projection-lag-${setupName}`);
    await setup.app.listen({ port: 0, host: '127.0.0.1' });
    const address = setup.app.server.address();
    if (address === null || typeof address === 'string') throw new Error('not listening');
    const stream = await openSse(`http://127.0.0.1:${address.port}/api/live?token=${TOKENS.viewerToken}`);
    const snapshot = await stream.waitFor((m) => m.event === 'snapshot', 30_000);
    expect((snapshot.data as { projectionLagSeconds: number }).projectionLagSeconds).toBe(0);
    const scrape = async () => (await setup.app.inject({ url: '/metrics' })).body;
    expect(metric(await scrape(), 'telehook_projection_lag_seconds')).toBe(0);

    // Held back for real: the projection stops folding, and the events go on being acknowledged.
    await setup.app.projection.stop();
    const flow = generateScenario('incoming-answered', { seed: 20, startAt: Date.now() - 60_000 });
    for (const { payload } of flow) expect((await setup.post(JSON.stringify(payload))).statusCode).toBe(200);

    await expect
      .poll(async () => metric(await scrape(), 'telehook_projection_lag_seconds'), { timeout: 20_000 })
      .toBeGreaterThanOrEqual(2);
    const behind = await scrape();
    expect(metric(behind, 'telehook_projection_backlog_events')).toBe(flow.length);
    const lagging = await stream.waitFor(
      (m) =>
        m.event === 'stats' && ((m.data as { projectionLagSeconds?: number }).projectionLagSeconds ?? 0) >= 2,
      20_000,
    );
    expect(lagging.id).toBeNull();

    setup.app.projection.start();
    await setup.app.projection.settled(20_000);
    const caughtUp = await scrape();
    expect(metric(caughtUp, 'telehook_projection_backlog_events')).toBe(0);
    expect(metric(caughtUp, 'telehook_projection_lag_seconds')).toBe(0);
    await stream.waitFor(
      (m) =>
        m.event === 'stats' &&
        m.at > lagging.at &&
        (m.data as { projectionLagSeconds?: number }).projectionLagSeconds === 0,
      20_000,
    );
  });
});

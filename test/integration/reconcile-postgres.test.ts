import { describe, expect, it, onTestFinished } from 'vitest';

import { loadConfig } from '../../src/config.js';
import { createFakeTelecmi, FAKE_SECRET } from '../../src/fake-telecmi/index.js';
import { createLogger } from '../../src/logger.js';
import { openApp } from '../../src/open-app.js';
import { simulateCallCentre } from '../../src/scenarios/index.js';
import { TOKENS } from '../helpers/app-setups.js';
import { testSchema } from '../helpers/pg-schema.js';
import { tempDir } from '../helpers/temp-dir.js';

const START = Date.parse('2024-06-06T09:00:00Z');
const DAY = {
  from: new Date(START - 3_600_000).toISOString(),
  to: new Date(START + 86_400_000).toISOString(),
};
const AUTH = { authorization: `Bearer ${TOKENS.apiToken}` };

/** One telehook process's app on the shared PostgreSQL schema, with backfill on. */
async function openProcess(url: string, origin: string) {
  const config = loadConfig({
    env: {
      TELEHOOK_TELECMI_APPID: '2222223',
      TELEHOOK_TELECMI_SECRET: FAKE_SECRET,
      TELEHOOK_TELECMI_API_URL: origin,
    },
    overrides: { dataDir: tempDir(), databaseUrl: url, logLevel: 'silent' },
  });
  const { app, close } = await openApp(config, { logger: createLogger(config), tokens: TOKENS });
  await app.ready();
  onTestFinished(close);
  const start = (window: { from: string; to: string }) =>
    app.inject({ method: 'POST', url: '/api/reconcile/runs', headers: AUTH, payload: window });
  const settled = async () => {
    await app.reconciler!.settled();
    await app.projection.settled();
  };
  return { app, start, settled };
}

describe('PostgreSQL: reconcile runs of two processes on one database', () => {
  it('runs one window in one process at a time; the other may run another window; nothing is stored twice', async () => {
    const fake = createFakeTelecmi();
    const origin = await fake.listen(0);
    onTestFinished(() => fake.close());
    const simulation = simulateCallCentre({
      product: 'chub',
      agents: 2,
      teams: ['Sales'],
      calls: 20,
      arrivalPerSec: 1 / 60,
      meanTalkSec: 60,
      meanPatienceSec: 60,
      seed: 51,
      startAt: START,
    });
    fake.history.add(
      simulation.payloads.map((sent) => sent.payload),
      'chub',
    );
    // TeleCMI answers the first request late: the winner's run is still reading when the other asks.
    fake.faults.add({ answer: 'delay', delayMs: 500, times: 1 });
    const { url } = testSchema('reconcile two processes');
    const first = await openProcess(url, origin);
    const second = await openProcess(url, origin);

    const answers = await Promise.all([first.start(DAY), second.start(DAY)]);
    expect(answers.map((answer) => answer.statusCode).sort()).toEqual([202, 409]);
    const refused = answers.find((answer) => answer.statusCode === 409)!;
    expect(refused.json()).toMatchObject({ ok: false, error: { code: 'RECONCILE_RUN_ACTIVE' } });
    const winner = answers.find((answer) => answer.statusCode === 202)!.json<{ id: string }>().id;
    expect(refused.json<{ error: { message: string } }>().error.message).toContain(winner);
    // A window that overlaps nothing running starts at once, in either process.
    const other = await second.start({ from: '2020-01-01T00:00:00Z', to: '2020-01-02T00:00:00Z' });
    expect(other.statusCode).toBe(202);

    await Promise.all([first.settled(), second.settled()]);
    const run = (await second.app.inject({ url: `/api/reconcile/runs/${winner}`, headers: AUTH })).json();
    expect(run).toMatchObject({ status: 'succeeded', callsAdded: 20, errors: [] });
    const again = await second.start(DAY);
    expect(again.statusCode).toBe(202);
    await second.settled();
    const repeat = (
      await first.app.inject({
        url: `/api/reconcile/runs/${again.json<{ id: string }>().id}`,
        headers: AUTH,
      })
    ).json();
    expect(repeat).toMatchObject({ status: 'succeeded', eventsAdded: 0, callsAdded: 0 });
    const runs = (await first.app.inject({ url: '/api/reconcile/runs', headers: AUTH })).json<{
      items: unknown[];
    }>();
    expect(runs.items).toHaveLength(3);
    await first.settled();
    const calls = (await first.app.inject({ url: '/api/calls?limit=100', headers: AUTH })).json<{
      items: { key: string; legOnly: boolean }[];
    }>();
    const keys = calls.items.filter((call) => !call.legOnly).map((call) => call.key);
    expect(keys.sort()).toEqual(simulation.calls.map((call) => call.key).sort());
  }, 60_000);
});

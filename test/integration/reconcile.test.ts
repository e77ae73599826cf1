import pino from 'pino';
import { describe, expect, it, onTestFinished } from 'vitest';

import { buildApp } from '../../src/app.js';
import { createTelecmiApi, type TelecmiApi } from '../../src/backfill/index.js';
import { loadConfig } from '../../src/config.js';
import { createFakeTelecmi, FAKE_SECRET, type FakeTelecmi } from '../../src/fake-telecmi/index.js';
import { createPrng, simulateCallCentre } from '../../src/scenarios/index.js';
import type { Call } from '../../src/store/index.js';
import { createSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { generateToken } from '../../src/tokens.js';
import { tempDir } from '../helpers/temp-dir.js';

const START = Date.parse('2024-06-06T09:00:00Z');
const DAY = { from: START - 3_600_000, to: START + 86_400_000 };
const FAST = { tries: 3, baseDelayMs: 1, maxDelayMs: 5 };

async function startFake(): Promise<{ fake: FakeTelecmi; origin: string }> {
  const fake = createFakeTelecmi({ now: () => DAY.to });
  const origin = await fake.listen(0);
  onTestFinished(() => fake.close());
  return { fake, origin };
}

function client(origin: string, secret = FAKE_SECRET): TelecmiApi {
  const api = createTelecmiApi({ product: 'chub', appId: '2222223', secret, apiUrl: origin, retry: FAST });
  onTestFinished(() => api.close());
  return api;
}

async function startApp(api: TelecmiApi) {
  const dir = tempDir();
  const store = createSqliteStore({ file: `${dir}/telehook.db` });
  const tokens = { ingestToken: generateToken(), apiToken: generateToken(), viewerToken: generateToken() };
  const config = loadConfig({ env: {}, overrides: { dataDir: dir, logLevel: 'silent' } });
  const app = await buildApp(config, { store, logger: pino({ level: 'silent' }), tokens, telecmiApi: api });
  await app.ready();
  onTestFinished(async () => {
    await app.close();
    await store.close();
  });
  return {
    app,
    store,
    ingest: `/webhooks/telecmi/${tokens.ingestToken}`,
    auth: { authorization: `Bearer ${tokens.apiToken}` },
    viewer: { authorization: `Bearer ${tokens.viewerToken}` },
  };
}

type App = Awaited<ReturnType<typeof startApp>>;

async function runReconcile({ app, auth }: App, window = DAY) {
  const started = await app.inject({
    method: 'POST',
    url: '/api/reconcile/runs',
    headers: auth,
    payload: { from: new Date(window.from).toISOString(), to: new Date(window.to).toISOString() },
  });
  expect(started.statusCode).toBe(202);
  const { id } = started.json<{ id: string }>();
  await app.reconciler!.settled();
  await app.projection.settled();
  return (await app.inject({ url: `/api/reconcile/runs/${id}`, headers: auth })).json<{
    status: string;
    rowsFetched: number;
    eventsAdded: number;
    callsAdded: number;
    errors: { code: string; message: string }[];
  }>();
}

/** The value of one sample on /metrics (0 when absent). */
async function metric({ app }: App, sample: string): Promise<number> {
  const text = (await app.inject({ url: '/metrics' })).body;
  const line = text.split('\n').find((entry) => entry.startsWith(`${sample} `));
  return line === undefined ? 0 : Number(line.slice(sample.length + 1));
}

async function allCalls({ app, auth }: App): Promise<Call[]> {
  const calls: Call[] = [];
  for (let after: string | null = null; ;) {
    const page: { items: Call[]; next: string | null } = (
      await app.inject({ url: `/api/calls?limit=1000${after ? `&after=${after}` : ''}`, headers: auth })
    ).json();
    calls.push(...page.items);
    if (page.next === null) return calls;
    after = page.next;
  }
}

describe('reconcile runs against the fake TeleCMI (real HTTP, real SQLite)', () => {
  it('recovers a day of 300 calls with a fifth of the deliveries dropped and telehook down for an hour, /api/stats equal to the ground truth in what rows tell; a second run adds nothing', async () => {
    const { fake, origin } = await startFake();
    const simulation = simulateCallCentre({
      product: 'chub',
      agents: 6,
      teams: ['Sales', 'Support'],
      calls: 300,
      arrivalPerSec: 15 / 3600,
      meanTalkSec: 120,
      meanPatienceSec: 60,
      seed: 17,
      startAt: START,
    });
    fake.history.add(
      simulation.payloads.map((sent) => sent.payload),
      'chub',
    );
    const target = await startApp(client(origin));
    const rng = createPrng(5);
    const downFrom = START + 6 * 3_600_000;
    const downTo = downFrom + 3_600_000;
    let sent = 0;
    for (const { at, payload } of simulation.payloads) {
      if (rng.next() < 0.2 || (at >= downFrom && at < downTo)) continue;
      const answer = await target.app.inject({ method: 'POST', url: target.ingest, payload });
      expect(answer.statusCode).toBe(200);
      sent += 1;
    }
    expect(sent).toBeLessThan(simulation.payloads.length * 0.8);
    await target.app.projection.settled();

    const run = await runReconcile(target);
    expect(run).toMatchObject({ status: 'succeeded', errors: [] });
    expect(run.rowsFetched).toBeGreaterThanOrEqual(300);
    expect(run.callsAdded).toBeGreaterThan(0);
    expect(run.eventsAdded).toBeGreaterThan(run.callsAdded);

    const calls = (await allCalls(target)).filter((call) => !call.legOnly);
    const byKey = new Map(calls.map((call) => [call.key, call]));
    expect(calls).toHaveLength(300);
    const backfilled = (
      await target.app.inject({ url: '/api/events?source=backfill&limit=1000', headers: target.auth })
    ).json<{ items: { source: string; legId: string }[] }>();
    expect(backfilled.items).toHaveLength(run.eventsAdded);
    expect(backfilled.items.every((event) => event.source === 'backfill')).toBe(true);
    const fromRows = new Set(backfilled.items.map((event) => event.legId));
    for (const truth of simulation.calls) {
      const call = byKey.get(truth.key);
      expect(call, truth.key).toBeDefined();
      const expected = truth.outcome.kind;
      if (call!.closedBy === 'backfill') expect(call!.waitedSec).toBeNull();
      // A REST row has no hangup reason: where it is the call's CDR, a caller who gave up reads as missed unless
      // live events of the call tell the hangup.
      if (fromRows.has(truth.key) && expected === 'abandoned')
        expect(['abandoned', 'missed']).toContain(call!.outcome);
      else expect(call!.outcome, truth.key).toBe(expected);
    }

    // /api/stats equals the ground truth in everything a REST row tells: how many calls, answered, voicemails and
    // unanswered (a row cannot tell a caller who gave up from a queue that did), talk time, each agent's answers.
    // The wait is not in a row: ASA and the service level are not compared.
    const stats = async (groupBy = '') =>
      (
        await target.app.inject({
          url: `/api/stats?from=${DAY.from}&to=${DAY.to}${groupBy === '' ? '' : `&groupBy=${groupBy}`}`,
          headers: target.auth,
        })
      ).json<{
        totals: Record<string, number>;
        groups?: { agent: string; answered: number }[];
      }>();
    const truth = simulation.truth;
    const { totals } = await stats();
    const unanswered = (figures: Record<string, number | null>) =>
      figures['abandoned']! + figures['shortAbandoned']! + figures['missed']!;
    expect({
      offered: totals['offered'],
      answered: totals['answered'],
      voicemail: totals['voicemail'],
      unanswered: unanswered(totals),
      unknown: totals['unknown'],
      live: totals['live'],
    }).toEqual({
      offered: truth.offered,
      answered: truth.answered,
      voicemail: truth.voicemail,
      unanswered: unanswered(truth as unknown as Record<string, number>),
      unknown: 0,
      live: 0,
    });
    expect(Math.abs(totals['ahtSec']! - truth.ahtSec!)).toBeLessThanOrEqual(1);
    const { groups = [] } = await stats('agent');
    const answeredBy = Object.fromEntries(groups.map((group) => [group.agent, group.answered]));
    for (const [agent, figures] of Object.entries(truth.agents))
      expect(answeredBy[agent] ?? 0, agent).toBe(figures.answered);

    const again = await runReconcile(target);
    expect(again).toMatchObject({ status: 'succeeded', eventsAdded: 0, callsAdded: 0 });
    expect(await allCalls(target)).toHaveLength(calls.length);
    const runs = (await target.app.inject({ url: '/api/reconcile/runs', headers: target.auth })).json<{
      items: { status: string }[];
    }>();
    expect(runs.items).toHaveLength(2);
    expect(await metric(target, 'telehook_reconcile_runs_total{status="succeeded"}')).toBe(2);
    expect(await metric(target, 'telehook_reconcile_runs_total{status="failed"}')).toBe(0);
    expect(await metric(target, 'telehook_reconcile_rows_fetched_total')).toBe(
      run.rowsFetched + again.rowsFetched,
    );
    expect(await metric(target, 'telehook_reconcile_calls_recovered_total')).toBe(run.callsAdded);
  }, 120_000);

  it('fails a run with TELECMI_AUTH_FAILED on a wrong secret (407) and stores nothing', async () => {
    const { fake, origin } = await startFake();
    const simulation = simulateCallCentre({
      product: 'chub',
      agents: 2,
      teams: ['Sales'],
      calls: 20,
      arrivalPerSec: 1 / 60,
      meanTalkSec: 60,
      meanPatienceSec: 60,
      seed: 3,
      startAt: START,
    });
    fake.history.add(
      simulation.payloads.map((sent) => sent.payload),
      'chub',
    );
    const target = await startApp(client(origin, 'not-the-secret'));
    const run = await runReconcile(target);
    expect(run.status).toBe('failed');
    expect(run.errors.map((error) => error.code)).toEqual(['TELECMI_AUTH_FAILED']);
    expect(JSON.stringify(run)).not.toContain('not-the-secret');
    expect(await target.store.countEvents()).toBe(0);
    expect(await metric(target, 'telehook_reconcile_runs_total{status="failed"}')).toBe(1);
    expect(await metric(target, 'telehook_reconcile_calls_recovered_total')).toBe(0);
  });

  it('fails a run whose TeleCMI answers 500 mid-run, storing nothing; the next run stores the whole window', async () => {
    const { fake, origin } = await startFake();
    const simulation = simulateCallCentre({
      product: 'chub',
      agents: 2,
      teams: ['Sales'],
      calls: 40,
      arrivalPerSec: 1 / 60,
      meanTalkSec: 60,
      meanPatienceSec: 60,
      seed: 4,
      startAt: START,
    });
    fake.history.add(
      simulation.payloads.map((sent) => sent.payload),
      'chub',
    );
    const target = await startApp(client(origin));
    const faulted = await fetch(`${origin}/_fake/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ answer: 'status', status: 500, after: 3, times: 3 }),
    });
    expect(faulted.ok).toBe(true);
    const failed = await runReconcile(target);
    expect(failed.status).toBe('failed');
    expect(failed.errors.map((error) => error.code)).toEqual(['TELECMI_UNAVAILABLE']);
    expect(await target.store.countEvents()).toBe(0);

    const next = await runReconcile(target);
    expect(next.errors).toEqual([]);
    expect(next).toMatchObject({ status: 'succeeded', callsAdded: 40 });
    const calls = (await allCalls(target)).filter((call) => !call.legOnly);
    expect(calls).toHaveLength(40);
    expect(calls.every((call) => call.closedBy === 'backfill')).toBe(true);
  });

  it('answers RECONCILE_WINDOW_INVALID for a window that is not ISO times, RECONCILE_RUN_NOT_FOUND, and lets the viewer token list runs but not start one', async () => {
    const { origin } = await startFake();
    const target = await startApp(client(origin));
    const bad = await target.app.inject({
      method: 'POST',
      url: '/api/reconcile/runs',
      headers: target.auth,
      payload: { from: 'yesterday' },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ error: { code: 'RECONCILE_WINDOW_INVALID' } });
    const missing = await target.app.inject({ url: '/api/reconcile/runs/nope', headers: target.auth });
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toMatchObject({ error: { code: 'RECONCILE_RUN_NOT_FOUND' } });
    // The wallboard (viewer token) reads the runs; starting one takes the API token.
    const listed = await target.app.inject({ url: '/api/reconcile/runs', headers: target.viewer });
    expect(listed.statusCode).toBe(200);
    const one = await target.app.inject({ url: '/api/reconcile/runs/nope', headers: target.viewer });
    expect(one.json()).toMatchObject({ error: { code: 'RECONCILE_RUN_NOT_FOUND' } });
    const refused = await target.app.inject({
      method: 'POST',
      url: '/api/reconcile/runs',
      headers: target.viewer,
      payload: {},
    });
    expect(refused.statusCode).toBe(403);
  });
});

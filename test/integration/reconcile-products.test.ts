import pino from 'pino';
import { describe, expect, it, onTestFinished } from 'vitest';

import { buildApp } from '../../src/app.js';
import { createTelecmiApi, type TelecmiApiOptions } from '../../src/backfill/index.js';
import { loadConfig } from '../../src/config.js';
import { createFakeTelecmi, FAKE_SECRET } from '../../src/fake-telecmi/index.js';
import { createPrng, generateScenario, simulateCallCentre } from '../../src/scenarios/index.js';
import type { Call } from '../../src/store/index.js';
import { createSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { tempDir } from '../helpers/temp-dir.js';

// Reconcile runs of every product, and a TeleCMI that stops answering mid-run (real HTTP, real SQLite).
const START = Date.parse('2024-06-06T09:00:00Z');
const DAY = { from: START - 3_600_000, to: START + 86_400_000 };
const TOKENS = { ingestToken: 'ingest-token', apiToken: 'api-token', viewerToken: 'viewer-token' };
const AUTH = { authorization: `Bearer ${TOKENS.apiToken}` };

async function startFake() {
  const fake = createFakeTelecmi({ now: () => DAY.to });
  const origin = await fake.listen(0);
  onTestFinished(() => fake.close());
  return { fake, origin };
}

async function startApp(
  origin: string,
  api: Partial<TelecmiApiOptions>,
  logger: pino.Logger = pino({ level: 'silent' }),
) {
  const client = createTelecmiApi({
    product: 'chub',
    appId: '2222223',
    secret: FAKE_SECRET,
    apiUrl: origin,
    retry: { tries: 2, baseDelayMs: 1, maxDelayMs: 5 },
    ...api,
  });
  const dir = tempDir();
  const store = createSqliteStore({ file: `${dir}/telehook.db` });
  const config = loadConfig({ env: {}, overrides: { dataDir: dir, logLevel: 'silent' } });
  const app = await buildApp(config, {
    store,
    logger,
    tokens: TOKENS,
    telecmiApi: client,
  });
  await app.ready();
  onTestFinished(async () => {
    await app.close();
    await store.close();
    await client.close();
  });
  return { app, store };
}

type App = Awaited<ReturnType<typeof startApp>>;

const post = ({ app }: App, payload: unknown) =>
  app.inject({ method: 'POST', url: `/webhooks/telecmi/${TOKENS.ingestToken}`, payload: payload as object });

async function runReconcile({ app }: App) {
  const started = await app.inject({
    method: 'POST',
    url: '/api/reconcile/runs',
    headers: AUTH,
    payload: { from: new Date(DAY.from).toISOString(), to: new Date(DAY.to).toISOString() },
  });
  expect(started.statusCode).toBe(202);
  await app.reconciler!.settled();
  await app.projection.settled();
  return (
    await app.inject({ url: `/api/reconcile/runs/${started.json<{ id: string }>().id}`, headers: AUTH })
  ).json<{ status: string; eventsAdded: number; callsAdded: number; errors: { code: string }[] }>();
}

async function wholeCalls({ app }: App): Promise<Call[]> {
  const page = (await app.inject({ url: '/api/calls?limit=1000', headers: AUTH })).json<{ items: Call[] }>();
  return page.items.filter((call) => !call.legOnly);
}

describe('reconcile runs of each product', () => {
  it('CHUB India (/v1 with the token): recovers every dropped call with its outcome, once', async () => {
    const { fake, origin } = await startFake();
    const simulation = simulateCallCentre({
      product: 'chub-india',
      agents: 3,
      teams: ['Sales'],
      calls: 30,
      arrivalPerSec: 1 / 90,
      meanTalkSec: 60,
      meanPatienceSec: 45,
      seed: 31,
      startAt: START,
    });
    fake.history.add(
      simulation.payloads.map((sent) => sent.payload),
      'chub-india',
    );
    const target = await startApp(origin, { product: 'chub-india', appId: '1111113' });
    const rng = createPrng(9);
    // Every fifth call never reaches telehook (it was down), and a fifth of the other deliveries are lost.
    for (const { payload, call } of simulation.payloads)
      if (call % 5 !== 0 && rng.next() >= 0.2) expect((await post(target, payload)).statusCode).toBe(200);
    await target.app.projection.settled();
    expect((await wholeCalls(target)).filter((call) => call.closedBy === 'cdr').length).toBeLessThan(30);

    const run = await runReconcile(target);
    expect(run).toMatchObject({ status: 'succeeded', errors: [] });
    expect(run.callsAdded).toBe(simulation.calls.filter((call) => call.index % 5 === 0).length);
    const calls = await wholeCalls(target);
    expect(calls).toHaveLength(simulation.calls.length);
    // CHUB India rows carry a row id, not the call's uuid: a recovered call is keyed by it, found by its caller.
    for (const truth of simulation.calls) {
      const found = calls.filter(
        (call) => call.from === truth.from && Math.abs(call.startedAt - truth.arrivalAt) < 600_000,
      );
      expect(found, truth.from).toHaveLength(1);
      const call = found[0]!;
      // Neither a row nor CHUB India's missed CDR has a hangup reason: without the caller's hangup event (lost
      // here, or never sent), a caller who gave up reads as a call nobody answered.
      if (truth.outcome.kind === 'abandoned') expect(['abandoned', 'missed']).toContain(call.outcome);
      else expect(call.outcome, truth.from).toBe(truth.outcome.kind);
    }
    expect(fake.requests.every((request) => request.path.startsWith('/v1/'))).toBe(true);
    expect(await runReconcile(target)).toMatchObject({ status: 'succeeded', eventsAdded: 0, callsAdded: 0 });
  }, 60_000);

  it('PIOPIY (cmiuuid_cdr): completes the calls whose CDR never came with the CDR TeleCMI keeps', async () => {
    const { fake, origin } = await startFake();
    const calls = [1, 2, 3].map((seed) =>
      generateScenario('piopiy-inbound-answered', { seed, startAt: START + seed * 600_000 }).map(
        (sent) => sent.payload,
      ),
    );
    fake.history.add(calls.flat(), 'chub');
    const target = await startApp(origin, { product: 'piopiy', appId: '2222224' });
    // Every live event arrives; the CDR of the first two calls does not.
    for (const [index, payloads] of calls.entries())
      for (const payload of payloads)
        if (payload['type'] !== 'cdr' || index === 2)
          expect((await post(target, payload)).statusCode).toBe(200);
    await target.app.projection.settled();
    const open = (await wholeCalls(target)).filter((call) => call.closedBy !== 'cdr');
    expect(open).toHaveLength(2);

    const run = await runReconcile(target);
    expect(run).toMatchObject({ status: 'succeeded', eventsAdded: 2, callsAdded: 0, errors: [] });
    const after = await wholeCalls(target);
    expect(after).toHaveLength(3);
    for (const call of after) {
      expect(call).toMatchObject({ state: 'ended', outcome: 'answered' });
      expect(call.talkSec).toBeGreaterThan(0);
    }
    const cdrLookups = fake.requests.filter((request) => request.path.endsWith('cmiuuid_cdr'));
    expect(cdrLookups.length).toBeGreaterThan(0);
    const backfilled = (await target.app.inject({ url: '/api/events?source=backfill', headers: AUTH })).json<{
      items: { kind: string }[];
    }>();
    expect(backfilled.items.map((event) => event.kind)).toEqual(['cdr', 'cdr']);
    expect(await runReconcile(target)).toMatchObject({ status: 'succeeded', eventsAdded: 0, callsAdded: 0 });
  }, 60_000);

  it('fails a run whose TeleCMI stops answering mid-run (a timeout after every try), storing nothing; the next run stores the window', async () => {
    const { fake, origin } = await startFake();
    const simulation = simulateCallCentre({
      product: 'chub',
      agents: 2,
      teams: ['Sales'],
      calls: 30,
      arrivalPerSec: 1 / 60,
      meanTalkSec: 60,
      meanPatienceSec: 60,
      seed: 32,
      startAt: START,
    });
    fake.history.add(
      simulation.payloads.map((sent) => sent.payload),
      'chub',
    );
    const target = await startApp(origin, { timeoutMs: 200 });
    // The third page answers, then TeleCMI is silent for both tries of the next request.
    fake.faults.add({ answer: 'hang', after: 3, times: 2 });

    const failed = await runReconcile(target);
    expect(failed.status).toBe('failed');
    expect(failed.errors.map((error) => error.code)).toEqual(['TELECMI_TIMEOUT']);
    expect(await target.store.countEvents()).toBe(0);

    const next = await runReconcile(target);
    expect(next).toMatchObject({ status: 'succeeded', callsAdded: 30, errors: [] });
    expect(await wholeCalls(target)).toHaveLength(30);
  }, 60_000);

  it('never puts the secret in a log line or an answer, for a refused secret or a good one, even at debug level', async () => {
    const { fake, origin } = await startFake();
    fake.history.add(
      generateScenario('incoming-answered', { seed: 5, startAt: START }).map((sent) => sent.payload),
      'chub',
    );
    const lines: string[] = [];
    const logger = pino({ level: 'debug' }, { write: (line: string) => void lines.push(line) });
    const wrong = 'wrong-secret-5d1e08';
    const refused = await startApp(origin, { secret: wrong, logger }, logger);
    const failed = await runReconcile(refused);
    expect(failed.errors.map((error) => error.code)).toEqual(['TELECMI_AUTH_FAILED']);
    const good = await startApp(origin, { logger }, logger);
    expect(await runReconcile(good)).toMatchObject({ status: 'succeeded', callsAdded: 1 });
    const answers = await Promise.all(
      [refused, good].map(
        async ({ app }) => (await app.inject({ url: '/api/reconcile/runs', headers: AUTH })).body,
      ),
    );
    const text = [...lines, ...answers].join('\n');
    expect(text).toContain('reconcile run failed');
    // The client's debug lines name every request it made to TeleCMI.
    expect(text).toContain('/v2/answered');
    expect(text).not.toContain(wrong);
    expect(text).not.toContain(FAKE_SECRET);
  });
});

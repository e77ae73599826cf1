import { Validator } from '@seriousme/openapi-schema-validator';
import { describe, expect, it } from 'vitest';

import type { Call } from '../../src/store/index.js';
import { agentSummary, type CallFlow, callFlows } from '../helpers/call-flows.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';

const T0 = Date.UTC(2026, 10, 25, 9, 0, 0);
const DAY = { from: String(Date.UTC(2026, 10, 25)), to: String(Date.UTC(2026, 10, 26)) };

/** Every flow, each from its own caller (so that agent legs have one right call). */
const flowsWithCallers = (t0 = T0): CallFlow[] =>
  callFlows(t0).map((_, index) => callFlows(t0, `4470000${String(index).padStart(5, '0')}`)[index]!);

/** Sends payloads as TeleCMI would: shuffled, some twice. */
async function play(t: TestApp, payloads: Record<string, unknown>[], seed = 1): Promise<void> {
  let state = seed;
  const random = (): number => (state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const order = [...payloads, ...payloads.filter(() => random() < 0.3)].sort(() => random() - 0.5);
  for (const payload of order) {
    const response = await t.app.inject({
      method: 'POST',
      url: t.ingestPath,
      payload: JSON.stringify(payload),
    });
    expect(response.statusCode).toBe(200);
  }
}

const get = async <T>(t: TestApp, url: string): Promise<T> => {
  const response = await t.app.inject({ url, headers: t.auth });
  expect(response.statusCode, response.body).toBe(200);
  return response.json<T>();
};

describe('calls API', () => {
  it('gives every flow as the right call, sent shuffled and with duplicates', async () => {
    const t = await createTestApp({ now: () => T0 + 3600_000 });
    const flows = flowsWithCallers();
    await play(
      t,
      flows.flatMap((flow) => flow.payloads),
    );
    const page = await get<{ items: Call[]; next: string | null }>(t, '/api/calls?limit=1000');
    expect(page.items).toHaveLength(flows.length);
    for (const flow of flows) {
      const call = page.items.find((candidate) => candidate.key === flow.expected['key']);
      const { agentSummary: agents, ...fields } = flow.expected as { agentSummary?: string[] };
      expect(call).toMatchObject(fields);
      if (agents) expect(agentSummary(call!.agents)).toEqual(agents);
    }
  });

  it('gives a call by key or by any TeleCMI id with its timeline in TeleCMI time order, raw included', async () => {
    const t = await createTestApp({ now: () => T0 + 3600_000 });
    const flow = callFlows(T0)[0]!;
    await play(t, flow.payloads);
    const byLeg = await get<Call & { timeline: { raw: string; occurredAt: number; status: string }[] }>(
      t,
      `/api/calls/${flow.payloads[4]!['cmiuuid'] as string}`,
    );
    expect(byLeg.key).toBe(flow.expected['key']);
    expect(byLeg.timeline).toHaveLength(flow.payloads.length);
    expect(byLeg.timeline.map((event) => event.occurredAt)).toEqual(
      [...byLeg.timeline.map((event) => event.occurredAt)].sort((a, b) => a - b),
    );
    expect(byLeg.timeline.map((event) => JSON.parse(event.raw) as unknown)).toEqual(
      expect.arrayContaining(flow.payloads),
    );
    const missing = await t.app.inject({ url: '/api/calls/nope', headers: t.auth });
    expect(missing.statusCode).toBe(404);
    expect(missing.json<{ error: { code: string } }>().error.code).toBe('NOT_FOUND');
  });

  it('computes the metrics by their definitions, echoes the definitions, and takes per-query parameters', async () => {
    const t = await createTestApp({ now: () => T0 + 3600_000 });
    await play(
      t,
      flowsWithCallers().flatMap((flow) => flow.payloads),
    );
    type Stats = {
      totals: Record<string, number | null>;
      definitions: Record<string, string>;
      parameters: Record<string, unknown>;
      groups?: Record<string, unknown>[];
    };
    const stats = await get<Stats>(t, `/api/stats?from=${DAY.from}&to=${DAY.to}&tz=UTC`);
    // Inbound: answered (waits 30, 9, 2, 8 and one unknown; talks 60, 40, 45, 20, 120), abandoned 12 s and 40 s,
    // a short abandon of 3 s, a missed call, a voicemail. Outbound: two answered, one missed.
    expect(stats.totals).toEqual({
      offered: 10,
      answered: 5,
      abandoned: 2,
      shortAbandoned: 1,
      missed: 1,
      voicemail: 1,
      unknown: 0,
      live: 0,
      answeredWithinServiceLevel: 3,
      asaSec: 12.25,
      ahtSec: 57,
      serviceLevel: 0.5,
      abandonmentRate: 0.2,
      outboundPlaced: 3,
      outboundAnswered: 2,
    });
    expect(Object.keys(stats.definitions)).toEqual(
      expect.arrayContaining(['offered', 'asaSec', 'serviceLevel', 'abandonmentRate']),
    );
    expect(stats.parameters).toEqual({ serviceLevelSec: 20, shortAbandonSec: 5, timezone: 'UTC' });

    const tuned = await get<Stats>(
      t,
      `/api/stats?from=${DAY.from}&to=${DAY.to}&serviceLevelSec=30&shortAbandonSec=15`,
    );
    expect(tuned.totals).toMatchObject({
      answeredWithinServiceLevel: 4,
      abandoned: 1,
      shortAbandoned: 2,
      serviceLevel: 0.8,
    });

    const byTeam = await get<Stats>(t, `/api/stats?from=${DAY.from}&to=${DAY.to}&groupBy=team`);
    expect(byTeam.groups?.find((group) => group['key'] === 'Support_1111113')).toMatchObject({
      offered: 2,
      answered: 1,
    });

    const byAgent = await get<Stats>(t, `/api/stats?from=${DAY.from}&to=${DAY.to}&groupBy=agent`);
    expect(byAgent.groups?.find((group) => group['agent'] === '204_2222223')).toMatchObject({
      offered: 3,
      answered: 1,
      rangNotAnswered: 2,
    });
    expect(byAgent.groups?.find((group) => group['agent'] === '202_2222223')).toMatchObject({
      outboundPlaced: 2,
    });

    const byHour = await get<Stats>(
      t,
      `/api/stats?from=${DAY.from}&to=${DAY.to}&groupBy=hour&tz=Asia/Kolkata`,
    );
    expect(byHour.groups?.map((group) => group['key'])).toContain('2026-11-25T14:00');
    expect(byHour.groups?.find((group) => group['key'] === '2026-11-25T14:00')).toMatchObject({
      offered: 10,
    });
    // A UTC day seen from India overlaps 25 local hours (05:00 to 05:00, the first and last in part).
    expect(byHour.groups).toHaveLength(25);
  });

  it('shows waiting calls now and the longest wait', async () => {
    let now = T0 + 10_000;
    const t = await createTestApp({ now: () => now });
    const flows = flowsWithCallers();
    await play(t, [flows[0]!.payloads[0]!, flows[1]!.payloads[0]!]);
    type Stats = { now: { waitingNow: number; longestWaitSec: number } };
    expect((await get<Stats>(t, `/api/stats?from=${DAY.from}&to=${DAY.to}`)).now).toMatchObject({
      waitingNow: 2,
      longestWaitSec: 10,
    });
    now += 5000;
    expect((await get<Stats>(t, `/api/stats?from=${DAY.from}&to=${DAY.to}`)).now.longestWaitSec).toBe(15);
  });

  it('lists missed calls with their callback status', async () => {
    const t = await createTestApp({ now: () => T0 + 3600_000 });
    const caller = '441234000001';
    const missed = callFlows(T0, caller)[3]!;
    const abandoned = callFlows(T0, '441234000002')[1]!;
    const callback = callFlows(T0 + 600_000, caller)[6]!;
    await play(t, [...missed.payloads, ...abandoned.payloads, ...callback.payloads]);
    type Missed = { items: (Call & { calledBack: { at: number; by: string; key: string } | null })[] };
    const all = await get<Missed>(t, '/api/missed');
    expect(Object.fromEntries(all.items.map((call) => [call.key, call.calledBack?.key ?? null]))).toEqual({
      [missed.expected['key'] as string]: callback.expected['key'],
      [abandoned.expected['key'] as string]: null,
    });
    const notCalledBack = await get<Missed>(t, '/api/missed?calledBack=false');
    expect(notCalledBack.items.map((call) => call.key)).toEqual([abandoned.expected['key']]);
  });

  it('exports the same calls as CSV and NDJSON, streamed, with the filters', async () => {
    const t = await createTestApp({ now: () => T0 + 3600_000 });
    const flows = flowsWithCallers();
    await play(
      t,
      flows.flatMap((flow) => flow.payloads),
    );
    const ndjson = await t.app.inject({ url: '/api/calls.ndjson', headers: t.auth });
    expect(ndjson.headers['content-type']).toContain('application/x-ndjson');
    const calls = ndjson.body
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Call);
    expect(calls.map((call) => call.key).sort()).toEqual(
      flows.map((flow) => flow.expected['key'] as string).sort(),
    );
    const csv = await t.app.inject({ url: '/api/calls.csv?outcome=answered', headers: t.auth });
    expect(csv.headers['content-type']).toContain('text/csv');
    const lines = csv.body.trim().split('\r\n');
    expect(lines[0]).toMatch(/^key,direction,state,outcome,startedAt/);
    expect(lines).toHaveLength(1 + calls.filter((call) => call.outcome === 'answered').length);
    // The call history page downloads with a plain link: the token in the URL, the page's filters with it.
    const linked = await t.app.inject({
      url: `/api/calls.csv?numberContains=70000 00001&source=webhook&token=${t.tokens.viewerToken}`,
    });
    expect(linked.statusCode, linked.body).toBe(200);
    expect(linked.body.trim().split('\r\n').slice(1)).toEqual([
      expect.stringMatching(new RegExp(`^${flows[1]!.expected['key'] as string},`)),
    ]);
    expect((await t.app.inject({ url: '/api/calls.csv?source=backfill', headers: t.auth })).body.trim()).toBe(
      lines[0],
    );
  });

  it('sorts the list by a column with keyset pages, and exports the CSV in the same order', async () => {
    const t = await createTestApp({ now: () => T0 + 3600_000 });
    await play(
      t,
      flowsWithCallers().flatMap((flow) => flow.payloads),
    );
    const keys: string[] = [];
    let after = '';
    do {
      const page = await get<{ items: Call[]; next: string | null }>(
        t,
        `/api/calls?sort=waited&order=desc&limit=2${after ? `&after=${after}` : ''}`,
      );
      keys.push(...page.items.map((call) => call.key));
      after = page.next ?? '';
    } while (after);
    const all = await get<{ items: Call[] }>(t, '/api/calls?limit=1000');
    const waited = new Map(all.items.map((call) => [call.key, call.waitedSec ?? -1]));
    expect([...keys].sort()).toEqual(all.items.map((call) => call.key).sort());
    const waits = keys.map((key) => waited.get(key)!);
    expect(waits).toEqual([...waits].sort((a, b) => b - a));
    expect(new Set(waits).size).toBeGreaterThan(2);
    const csv = await t.app.inject({ url: '/api/calls.csv?sort=waited&order=desc', headers: t.auth });
    expect(
      csv.body
        .trim()
        .split('\r\n')
        .slice(1)
        .map((line) => line.split(',')[0]),
    ).toEqual(keys);
  });

  it('defuses spreadsheet formulas and quotes text in CSV', async () => {
    const t = await createTestApp({ now: () => T0 + 3600_000 });
    const flow = callFlows(T0)[3]!;
    await play(
      t,
      flow.payloads.map((payload) => ({ ...payload, team: '=HYPERLINK("http://evil","x"), Sales' })),
    );
    const csv = await t.app.inject({ url: '/api/calls.csv', headers: t.auth });
    expect(csv.body).toContain(`"'=HYPERLINK(""http://evil"",""x""), Sales"`);
  });

  it('answers bad query parameters with 400 naming the parameter', async () => {
    const t = await createTestApp();
    const cases: [string, string][] = [
      ['/api/calls?from=yesterday', 'from'],
      ['/api/calls?outcome=lost', 'outcome'],
      ['/api/calls?after=bm90LWEtY3Vyc29y', 'after'],
      ['/api/calls?limit=5000', 'limit'],
      ['/api/stats?tz=Mars/Olympus', 'tz'],
      ['/api/stats?groupBy=week', 'groupBy'],
      ['/api/stats?serviceLevelSec=0', 'serviceLevelSec'],
      ['/api/missed?calledBack=maybe', 'calledBack'],
      ['/api/calls.csv?direction=sideways', 'direction'],
      ['/api/calls?numberContains=abc', 'numberContains'],
      ['/api/calls?source=telepathy', 'source'],
      ['/api/calls?sort=mood', 'sort'],
      ['/api/calls.csv?sort=mood', 'sort'],
    ];
    for (const [url, parameter] of cases) {
      const response = await t.app.inject({ url, headers: t.auth });
      expect(response.statusCode, url).toBe(400);
      expect(response.json<{ error: { code: string; message: string } }>().error).toEqual({
        code: 'QUERY_INVALID',
        message: expect.stringContaining(`"${parameter}"`),
      });
    }
  });

  it('rebuilds the same calls from the raw events', async () => {
    const t = await createTestApp({ now: () => T0 + 3600_000 });
    await play(
      t,
      flowsWithCallers().flatMap((flow) => flow.payloads),
    );
    const before = await get<{ items: Call[] }>(t, '/api/calls?limit=1000');
    const rebuilt = await t.app.inject({ method: 'POST', url: '/api/rebuild', headers: t.auth });
    expect(rebuilt.json()).toMatchObject({ ok: true, events: expect.any(Number) });
    expect(await get<{ items: Call[] }>(t, '/api/calls?limit=1000')).toEqual(before);
  });
});

describe('OpenAPI', () => {
  it('is a valid OpenAPI 3 document generated from the routes, with every route in it', async () => {
    const t = await createTestApp();
    const document = await get<{ openapi: string; paths: Record<string, Record<string, unknown>> }>(
      t,
      '/api/openapi.json',
    );
    const validator = new Validator();
    const result = await validator.validate(document);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    const routes = [
      '/api/events',
      '/api/events/count',
      '/api/quarantine',
      '/api/calls',
      '/api/calls/{key}',
      '/api/calls.csv',
      '/api/calls.ndjson',
      '/api/missed',
      '/api/stats',
      '/api/rebuild',
      '/api/endpoints',
      '/api/endpoints/{id}',
      '/api/deliveries',
      '/api/deliveries/{id}/retry',
      '/webhooks/telecmi/{token}',
      '/webhook/cdr',
      '/healthz',
      '/readyz',
    ];
    for (const route of routes) expect(Object.keys(document.paths)).toContain(route);
    const docs = await t.app.inject({ url: '/api/docs' });
    expect([200, 302]).toContain(docs.statusCode);
  });
});

import { randomUUID } from 'node:crypto';

import { describe, expect, it, onTestFinished, vi } from 'vitest';

import { RULE_NAMES } from '../../src/alerts/index.js';
import { createTelecmiApi } from '../../src/backfill/index.js';
import { createFakeTelecmi, FAKE_SECRET } from '../../src/fake-telecmi/index.js';
import type { Delivery } from '../../src/store/index.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';

const MINUTE = 60_000;
const ZONE = 'Asia/Kolkata';
/** Local wall-clock time in Kolkata (UTC+05:30, no daylight saving) as an instant. */
const ist = (date: string, time: string): number => Date.parse(`${date}T${time}:00+05:30`);
// Monday 7 December 2026; business hours are the default, Mon-Fri 09:00-18:00.
const MON = '2026-12-07';
const TUE = '2026-12-08';
const WED = '2026-12-09';

/** The clock the test moves. Only Date is faked: the receiver stamps events with Date.now(), telehook with `now`. */
function fakeClock(start: number) {
  let time = start;
  vi.useFakeTimers({ toFake: ['Date'], now: time });
  onTestFinished(() => {
    vi.useRealTimers();
  });
  return {
    now: () => time,
    set: (at: number) => {
      time = at;
      vi.setSystemTime(time);
    },
  };
}

type Clock = ReturnType<typeof fakeClock>;

async function openApp(clock: Clock, extra: Parameters<typeof createTestApp>[0] = {}): Promise<TestApp> {
  const t = await createTestApp({
    now: clock.now,
    startDeliveryWorker: false,
    ...extra,
    overrides: { timezone: ZONE, allowPrivateEndpoints: '1', staleCallAfterMs: '7d', ...extra.overrides },
  });
  if (extra.dir === undefined) {
    const answer = await t.app.inject({
      method: 'POST',
      url: '/api/endpoints',
      headers: t.auth,
      payload: { url: 'http://127.0.0.1:9/alerts', receives: 'alerts', format: 'slack' },
    });
    expect(answer.statusCode, answer.body).toBe(201);
  }
  return t;
}

async function ingest(t: TestApp, payloads: readonly Record<string, unknown>[]): Promise<void> {
  for (const payload of payloads) {
    const answer = await t.app.inject({ method: 'POST', url: t.ingestPath, payload });
    expect(answer.statusCode, answer.body).toBeLessThan(300);
  }
  await t.app.projection.settled();
}

/** A caller waiting in the queue since `at`. */
const waiting = (at: number, team?: string): Record<string, unknown> => {
  const id = randomUUID();
  return {
    type: 'event',
    direction: 'inbound',
    conversation_uuid: id,
    cmiuuid: id,
    from: '440000000000',
    to: '440000000001',
    app_id: 2222223,
    time: at,
    status: 'waiting',
    ...(team ? { team } : {}),
  };
};

/** The CDR of an inbound call missed at `at` (the caller hung up after waiting `waitedSec`). */
const missedCdr = (at: number, from: string, waitedSec = 30): Record<string, unknown> => {
  const id = randomUUID();
  return {
    type: 'cdr',
    direction: 'inbound',
    conversation_uuid: id,
    cmiuuid: id,
    status: 'missed',
    from: Number(from),
    virtual_number: 440000000000,
    appid: 2222223,
    time: at,
    waitedsec: waitedSec,
    hangup_reason: 'recv_bye',
    team: 'Sales_2222223',
  };
};

/** The CDR of an outbound call to `to` placed at `at`: a call back. */
const outboundCdr = (at: number, to: string): Record<string, unknown> => ({
  type: 'cdr',
  direction: 'outbound',
  leg: 'a',
  call_id: randomUUID(),
  cmiuuid: randomUUID(),
  request_id: randomUUID(),
  virtual_number: '440000000000',
  appid: 2222223,
  to: Number(to),
  status: 'answered',
  user: '202_2222223',
  time: at,
  answeredsec: 15,
  hangup_reason: 'recv_bye',
});

async function alertDeliveries(t: TestApp): Promise<Delivery[]> {
  return (await t.store.listDeliveries({ limit: 1000 })).items.filter((item) =>
    item.type.startsWith('alert.'),
  );
}

const texts = (items: readonly Delivery[]): string[] =>
  items.map((item) => `${item.type}: ${(JSON.parse(item.payload) as { text: string }).text}`);

async function firing(t: TestApp) {
  return (await t.store.listAlerts({ state: 'firing', limit: 10 })).items;
}

async function setRule(t: TestApp, name: string, payload: Record<string, unknown>): Promise<void> {
  const answer = await t.app.inject({
    method: 'PUT',
    url: `/api/alerts/rules/${name}`,
    headers: t.auth,
    payload,
  });
  expect(answer.statusCode, answer.body).toBe(200);
}

/** Turns every rule but `name` off, so that a test sees one rule at work. */
async function only(t: TestApp, name: string): Promise<void> {
  for (const other of RULE_NAMES) if (other !== name) await setRule(t, other, { enabled: false });
}

/** Evaluates the rules at a time. */
async function evaluateAt(t: TestApp, clock: Clock, at: number): Promise<void> {
  clock.set(at);
  await t.app.projection.settled();
  await t.app.alerts.evaluate();
}

describe('alert rules, on an injected clock', () => {
  it('silence: counts business hours only, pausing at 18:00 and resuming at 09:00, and resolves on the next event', async () => {
    const clock = fakeClock(ist(MON, '17:45'));
    const t = await openApp(clock);
    await only(t, 'silence');
    await ingest(t, [waiting(clock.now())]);
    await evaluateAt(t, clock, ist(MON, '17:59'));
    await evaluateAt(t, clock, ist(MON, '23:30'));
    // 15 business minutes by 18:00, then nothing overnight: 19 at 09:04, 20 at 09:05.
    await evaluateAt(t, clock, ist(TUE, '09:04'));
    expect(await firing(t)).toEqual([]);
    await evaluateAt(t, clock, ist(TUE, '09:05'));
    const [alert] = await firing(t);
    expect(alert).toMatchObject({
      rule: 'silence',
      summary: 'No events from TeleCMI for 15 h 20 min',
      details: { lastEventAt: ist(MON, '17:45'), silentBusinessSec: 1200 },
    });
    await evaluateAt(t, clock, ist(TUE, '09:30'));
    clock.set(ist(TUE, '09:40'));
    await ingest(t, [waiting(clock.now())]);
    await t.app.alerts.evaluate();
    expect(await firing(t)).toEqual([]);
    expect(texts(await alertDeliveries(t))).toEqual([
      'alert.fired: 🔴 No events from TeleCMI for 15 h 20 min',
      'alert.resolved: ✅ Resolved: No events from TeleCMI for 15 h 20 min',
    ]);
  });

  it('silence: a holiday counts no business time, and nothing fires on it', async () => {
    const clock = fakeClock(ist(MON, '17:45'));
    const t = await openApp(clock, { overrides: { holidays: TUE } });
    await only(t, 'silence');
    await ingest(t, [waiting(clock.now())]);
    await evaluateAt(t, clock, ist(TUE, '12:00'));
    await evaluateAt(t, clock, ist(WED, '09:04'));
    expect(await firing(t)).toEqual([]);
    await evaluateAt(t, clock, ist(WED, '09:05'));
    expect((await firing(t)).map((alert) => alert.rule)).toEqual(['silence']);
  });

  it('a restart while an alert fires sends no second alert.fired (nor a repeat at night) and still sends its alert.resolved', async () => {
    const clock = fakeClock(ist(MON, '10:00'));
    const first = await openApp(clock);
    await only(first, 'silence');
    await ingest(first, [waiting(clock.now())]);
    await evaluateAt(first, clock, ist(MON, '10:25'));
    expect((await firing(first)).map((alert) => alert.rule)).toEqual(['silence']);
    await first.app.close();
    await first.store.close();

    const second = await openApp(clock, { dir: first.dir, tokens: first.tokens });
    await evaluateAt(second, clock, ist(MON, '10:26'));
    await evaluateAt(second, clock, ist(MON, '10:30'));
    // Over an hour since it fired, but after 18:00: a business-hours rule does not repeat at night.
    await evaluateAt(second, clock, ist(MON, '19:30'));
    clock.set(ist(MON, '19:31'));
    await ingest(second, [waiting(clock.now())]);
    await second.app.alerts.evaluate();
    expect((await alertDeliveries(second)).map((item) => item.type)).toEqual([
      'alert.fired',
      'alert.resolved',
    ]);
  });

  it('silence: when backfill is configured, its end starts a reconcile run over the silent stretch', async () => {
    const clock = fakeClock(ist(MON, '10:00'));
    const fake = createFakeTelecmi({ now: clock.now });
    const origin = await fake.listen(0);
    onTestFinished(() => fake.close());
    const api = createTelecmiApi({
      product: 'chub',
      appId: '2222223',
      secret: FAKE_SECRET,
      apiUrl: origin,
      retry: { tries: 1, baseDelayMs: 1, maxDelayMs: 1 },
    });
    onTestFinished(() => api.close());
    const t = await openApp(clock, { telecmiApi: api });
    await only(t, 'silence');
    await ingest(t, [waiting(clock.now())]);
    await evaluateAt(t, clock, ist(MON, '10:30'));
    expect((await firing(t)).map((alert) => alert.rule)).toEqual(['silence']);
    expect((await t.store.listReconcileRuns({ limit: 10 })).items).toEqual([]);
    clock.set(ist(MON, '10:40'));
    await ingest(t, [waiting(clock.now())]);
    await t.app.alerts.evaluate();
    await t.app.reconciler?.settled();
    const runs = (await t.store.listReconcileRuns({ limit: 10 })).items;
    expect(runs.map((run) => [run.from, run.to])).toEqual([[ist(MON, '10:00'), ist(MON, '10:40')]]);
  });

  it('waiting: fires once callers pile up for its "for", and resolves when the rule no longer holds', async () => {
    const clock = fakeClock(ist(MON, '11:00'));
    const t = await openApp(clock);
    await only(t, 'waiting');
    await ingest(
      t,
      [1, 2, 3, 4].map(() => waiting(clock.now())),
    );
    await evaluateAt(t, clock, ist(MON, '11:01'));
    expect(await firing(t)).toEqual([]);
    await ingest(t, [waiting(clock.now())]);
    // Five callers from 11:01: the default "for" is 30 s.
    await evaluateAt(t, clock, ist(MON, '11:01') + 1000);
    await evaluateAt(t, clock, ist(MON, '11:01') + 29_000);
    expect(await firing(t)).toEqual([]);
    await evaluateAt(t, clock, ist(MON, '11:01') + 31_000);
    expect(await firing(t)).toMatchObject([
      { rule: 'waiting', summary: '5 callers waiting (alert at 5)', details: { waitingNow: 5 } },
    ]);
    await setRule(t, 'waiting', { threshold: 6 });
    await evaluateAt(t, clock, ist(MON, '11:02'));
    expect(texts(await alertDeliveries(t))).toEqual([
      'alert.fired: 🔴 5 callers waiting (alert at 5)',
      'alert.resolved: ✅ Resolved: 5 callers waiting (alert at 5)',
    ]);
  });

  it('longest-wait: fires at its threshold and repeats at most every repeatEvery while it holds', async () => {
    const clock = fakeClock(ist(MON, '11:00'));
    const t = await openApp(clock);
    await only(t, 'longest-wait');
    await ingest(t, [waiting(clock.now())]);
    await evaluateAt(t, clock, ist(MON, '11:01') + 59_000);
    expect(await firing(t)).toEqual([]);
    await evaluateAt(t, clock, ist(MON, '11:02'));
    expect(await firing(t)).toMatchObject([
      { rule: 'longest-wait', summary: 'A caller has waited 2 min (alert at 2 min)' },
    ]);
    await evaluateAt(t, clock, ist(MON, '12:01'));
    await evaluateAt(t, clock, ist(MON, '12:02'));
    await evaluateAt(t, clock, ist(MON, '12:30'));
    const sent = await alertDeliveries(t);
    expect(sent.map((item) => [item.type, item.idempotencyKey.split(':').slice(2).join(':')])).toEqual([
      ['alert.fired', 'fired'],
      ['alert.fired', 'repeat:1'],
    ]);
    expect(texts(sent)[1]).toMatch(/^alert\.fired: 🔴 Still: A caller has waited 1 h 2 min/);
  });

  it('service-level: fires below its threshold over the last hour, only once 10 calls were offered', async () => {
    const clock = fakeClock(ist(MON, '11:00'));
    const t = await openApp(clock);
    await only(t, 'service-level');
    await setRule(t, 'service-level', { for: '0s' });
    await ingest(
      t,
      Array.from({ length: 9 }, (_, n) => missedCdr(ist(MON, '10:30') + n * 1000, `4411${n}`)),
    );
    await evaluateAt(t, clock, ist(MON, '11:00'));
    expect((await firing(t)).map((alert) => alert.rule)).not.toContain('service-level');
    await ingest(t, [missedCdr(ist(MON, '10:40'), '441199')]);
    await evaluateAt(t, clock, ist(MON, '11:01'));
    const alert = (await firing(t)).find((item) => item.rule === 'service-level');
    expect(alert).toMatchObject({ details: { offered: 10, serviceLevel: 0 } });
    // An hour later the calls have left the rolling hour.
    await evaluateAt(t, clock, ist(MON, '11:45'));
    expect((await firing(t)).map((item) => item.rule)).not.toContain('service-level');
  });

  it('missed-not-called-back: waits in business hours only, and resolves once the caller is called back', async () => {
    const clock = fakeClock(ist(MON, '17:50'));
    const t = await openApp(clock);
    await only(t, 'missed-not-called-back');
    await ingest(t, [missedCdr(ist(MON, '17:50'), '441234567890')]);
    const missed = (await t.store.listMissedCalls({ limit: 10 })).items[0]!;
    const missedAt = missed.endedAt ?? missed.startedAt;
    await evaluateAt(t, clock, ist(MON, '23:00'));
    expect(await firing(t)).toEqual([]);
    // The business minutes after the call ended, before 18:00, count too.
    const fireAt = ist(TUE, '09:00') + 30 * MINUTE - (ist(MON, '18:00') - missedAt);
    await evaluateAt(t, clock, fireAt - 1000);
    expect(await firing(t)).toEqual([]);
    await evaluateAt(t, clock, fireAt);
    expect(await firing(t)).toMatchObject([
      {
        rule: 'missed-not-called-back',
        summary: '1 missed caller not called back within 30 min (the longest waiting: 441234567890)',
      },
    ]);
    clock.set(fireAt + 5 * MINUTE);
    await ingest(t, [outboundCdr(clock.now(), '441234567890')]);
    await t.app.alerts.evaluate();
    expect(await firing(t)).toEqual([]);
  });
});

describe('the alerts API', () => {
  it('lists the rules with their defaults, changes one partially, and keeps the change across a restart', async () => {
    const t = await createTestApp();
    const list = await t.app.inject({ method: 'GET', url: '/api/alerts/rules', headers: t.auth });
    expect(list.statusCode).toBe(200);
    expect(list.json<{ items: unknown[] }>().items).toMatchObject([
      {
        name: 'waiting',
        enabled: true,
        threshold: 5,
        for: '30s',
        repeatEvery: '1h',
        team: null,
        businessHours: false,
      },
      { name: 'longest-wait', threshold: '2m', for: '0s' },
      { name: 'service-level', threshold: 0.8, for: '5m' },
      { name: 'missed-not-called-back', threshold: '30m', businessHours: true },
      { name: 'silence', threshold: '20m', businessHours: true },
    ]);
    const put = await t.app.inject({
      method: 'PUT',
      url: '/api/alerts/rules/silence',
      headers: t.auth,
      payload: { threshold: '45m', repeatEvery: '2h' },
    });
    expect(put.json()).toMatchObject({
      name: 'silence',
      enabled: true,
      threshold: '45m',
      repeatEvery: '2h',
      for: '0s',
    });
    await t.app.close();
    await t.store.close();
    const again = await createTestApp({ dir: t.dir, tokens: t.tokens });
    const rules = await again.app.inject({ method: 'GET', url: '/api/alerts/rules', headers: again.auth });
    expect(
      rules.json<{ items: { name: string }[] }>().items.find((rule) => rule.name === 'silence'),
    ).toMatchObject({
      threshold: '45m',
      repeatEvery: '2h',
    });
  });

  const refusals: [string, Record<string, unknown>, string][] = [
    ['waiting', { threshold: 2.5 }, '"threshold" of rule waiting: expected a whole number of calls'],
    ['service-level', { threshold: 80 }, '"threshold" of rule service-level: expected a fraction'],
    ['silence', { threshold: 20 }, '"threshold" of rule silence: expected a duration'],
    ['longest-wait', { for: 'soon' }, '"for" of rule longest-wait: expected a duration'],
    ['waiting', { repeatEvery: '1s' }, '"repeatEvery" of rule waiting: expected a duration from 1m'],
    ['waiting', { enabled: 'yes' }, '"enabled" of rule waiting: expected true or false'],
    ['silence', { team: 'Sales' }, '"team" does not apply to rule silence'],
    ['waiting', { treshold: 3 }, '"treshold" is not a setting of a rule'],
  ];
  it('refuses a bad setting with a message that names the field', async () => {
    const t = await createTestApp();
    for (const [name, payload, message] of refusals) {
      const answer = await t.app.inject({
        method: 'PUT',
        url: `/api/alerts/rules/${name}`,
        headers: t.auth,
        payload,
      });
      expect(answer.statusCode).toBe(400);
      expect(answer.json()).toMatchObject({ ok: false, error: { code: 'ALERT_RULE_INVALID' } });
      expect(answer.json<{ error: { message: string } }>().error.message).toContain(message);
    }
  });

  it('answers 404 for an unknown rule, and the viewer token may not change rules', async () => {
    const t = await createTestApp();
    const unknown = await t.app.inject({
      method: 'PUT',
      url: '/api/alerts/rules/queue',
      headers: t.auth,
      payload: { enabled: false },
    });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json()).toMatchObject({ error: { code: 'ALERT_RULE_NOT_FOUND' } });
    const viewer = { authorization: `Bearer ${t.tokens.viewerToken}` };
    const put = await t.app.inject({
      method: 'PUT',
      url: '/api/alerts/rules/waiting',
      headers: viewer,
      payload: { enabled: false },
    });
    expect(put.statusCode).toBe(403);
    const alerts = await t.app.inject({ method: 'GET', url: '/api/alerts?state=firing', headers: viewer });
    expect(alerts.statusCode).toBe(200);
    expect(alerts.json()).toEqual({ items: [], next: null });
  });
});

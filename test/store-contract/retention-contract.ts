import { describe, expect, it } from 'vitest';

import { createCallFold } from '../../src/calls/index.js';
import { createNumberMasker, forgetNumber, maskOldNumbers } from '../../src/retention/index.js';
import type { Call, NewEvent, Store } from '../../src/store/index.js';
import { callFlows } from '../helpers/call-flows.js';
import { newEvent, type StoreLocation } from './contract.js';
import { endpointRecord } from './delivery-contract.js';
import { storeRunner, twoConnectionsRunner } from './store-runner.js';

const T0 = Date.UTC(2026, 10, 25, 9, 0, 0);
const DAY = 86_400_000;
const rules = createCallFold({ staleAfterMs: 2 * 3600_000 });
const CALLER = '919876543210';
const OTHER = '919812345678';

const receivedAt = (input: NewEvent, at: number): NewEvent => ({
  ...input,
  event: { ...input.event, receivedAt: at },
});

async function ingest(store: Store, payloads: Record<string, unknown>[], at = T0): Promise<void> {
  for (const payload of payloads) await store.appendEvent(receivedAt(newEvent(JSON.stringify(payload)), at));
  await fold(store);
}

async function fold(store: Store): Promise<void> {
  for (;;) {
    const events = await store.listEventsToProject(500);
    if (events.length === 0) return;
    await store.projectCalls({ events, now: T0 + 3600_000 }, rules);
  }
}

async function allCalls(store: Store): Promise<Call[]> {
  const calls: Call[] = [];
  let after: string | null = null;
  do {
    const page = await store.listCalls({ limit: 100, after, order: 'asc' });
    calls.push(...page.items);
    after = page.next;
  } while (after !== null);
  return calls;
}

const quarantined = (n: number, at: number, body: string) => ({
  id: `q_${n}_${Math.random()}`,
  receivedAt: at,
  reason: 'TELECMI_NOT_TELECMI',
  message: 'not TeleCMI',
  method: 'POST',
  path: '/webhooks/telecmi',
  contentType: 'application/json',
  body: Buffer.from(body),
});

const summary = (store: Store) =>
  store.summariseCalls({ from: T0 - DAY, to: T0 + DAY, serviceLevelSec: 20, shortAbandonSec: 5 });

/** Retention and personal data: what the hourly retention and `telehook forget` ask of a store. */
export function describeRetentionContract(name: string, createLocation: () => Promise<StoreLocation>): void {
  describe(`Store contract (retention): ${name}`, () => {
    const withStore = storeRunner(createLocation);
    const withTwoConnections = twoConnectionsRunner(createLocation);

    it('deletes what is older than the cut in batches, and keeps live calls, pending deliveries and newer rows', async () => {
      await withStore(async (store) => {
        // Ended calls of a day long past, then one call still waiting, received later.
        await ingest(
          store,
          callFlows(T0, CALLER).flatMap((flow) => flow.payloads),
        );
        const live = callFlows(T0 + 2 * DAY, OTHER)[0]!.payloads[0]!;
        await ingest(store, [live], T0 + 2 * DAY);
        const events = await store.countEvents();
        const cut = T0 + DAY;
        const endpoint = endpointRecord();
        await store.createEndpoint(endpoint);
        const old = { endpointId: endpoint.id, type: 'call.ended', payload: '{}', createdAt: T0 };
        await store.enqueueDeliveries([
          { ...old, id: 'msg_sent', idempotencyKey: 'call:a', orderKey: 'a' },
          { ...old, id: 'msg_pending', idempotencyKey: 'call:b', orderKey: 'b' },
          { ...old, id: 'msg_new', idempotencyKey: 'call:c', orderKey: 'c', createdAt: T0 + 2 * DAY },
        ]);
        await store.claimDeliveries({ workerId: 'w', now: T0, leaseMs: 30_000, limit: 1, maxPerEndpoint: 1 });
        await store.recordAttempt({
          deliveryId: 'msg_sent',
          workerId: 'w',
          attempt: { at: T0, statusCode: 200, latencyMs: 5, response: 'ok', error: null },
          outcome: { status: 'delivered' },
        });
        await store.quarantineRequest(quarantined(1, T0, '[]'));
        await store.quarantineRequest(quarantined(2, T0 + 2 * DAY, '[]'));

        const batches: number[] = [];
        for (let deleted = 3; deleted === 3;)
          batches.push((deleted = await store.pruneData('events', cut, 3)));
        expect(batches.reduce((sum, n) => sum + n, 0)).toBe(events - 1);
        expect(batches.slice(0, -1).every((n) => n === 3)).toBe(true);
        expect(await store.countEvents()).toBe(1);

        expect(await store.pruneData('calls', cut, 500)).toBeGreaterThan(0);
        const calls = await allCalls(store);
        expect(calls.map((call) => call.state)).toEqual(['waiting']);
        expect(await store.pruneData('deliveries', cut, 500)).toBe(1);
        expect(await store.getDelivery('msg_sent')).toBeNull();
        expect(await store.getDelivery('msg_pending')).not.toBeNull();
        expect(await store.getDelivery('msg_new')).not.toBeNull();
        expect(await store.pruneData('quarantine', cut, 500)).toBe(1);
        expect((await store.listQuarantine({ limit: 10 })).items.map((q) => q.receivedAt)).toEqual([
          T0 + 2 * DAY,
        ]);
        // Nothing more to delete.
        for (const data of ['events', 'calls', 'deliveries', 'quarantine'] as const)
          expect(await store.pruneData(data, cut, 500)).toBe(0);
      });
    });

    it('forgets a number in events, calls, deliveries, quarantine, alerts and follow-up actions; a dry run counts it; figures and rebuilds stay right', async () => {
      await withStore(async (store) => {
        await ingest(
          store,
          callFlows(T0, CALLER).flatMap((flow) => flow.payloads),
        );
        await ingest(
          store,
          callFlows(T0 + 3600_000, OTHER).flatMap((flow) => flow.payloads),
        );
        const endpoint = endpointRecord();
        await store.createEndpoint(endpoint);
        await store.enqueueDeliveries([
          {
            id: 'msg_caller',
            endpointId: endpoint.id,
            idempotencyKey: 'call:x',
            orderKey: 'x',
            type: 'call.missed',
            payload: JSON.stringify({ from: CALLER, to: OTHER }),
            createdAt: T0,
          },
        ]);
        await store.quarantineRequest(quarantined(1, T0, `{"from":"+${CALLER}"}`));
        // A longer number that holds the caller's digits is another person's.
        await store.quarantineRequest(quarantined(2, T0, `{"from":"${CALLER}1"}`));
        // An alert that names the caller, and what a supervisor did about them.
        const alert = {
          id: 'al_forget',
          rule: 'missed-not-called-back',
          firedAt: T0,
          summary: `+${CALLER} not called back for 31 min`,
          details: { callers: [{ number: CALLER, missedAt: T0 }] },
        };
        expect(await store.fireAlert(alert, [])).toBe(true);
        await store.recordFollowupAction({
          number: CALLER,
          action: 'handled',
          note: `rang ${CALLER} from a mobile`,
          by: 'sam',
          at: T0,
        });
        await store.recordFollowupAction({
          number: OTHER,
          action: 'handled',
          note: 'texted',
          by: 'sam',
          at: T0,
        });
        const callsBefore = await allCalls(store);
        const figuresBefore = await summary(store);
        const callerCalls = callsBefore.filter((call) => call.from === CALLER).length;
        expect(callerCalls).toBeGreaterThan(1);

        const dry = await forgetNumber(store, CALLER, { dryRun: true });
        // Calls from the caller, and calls to the caller (a callback) or that name it (`callback.to`).
        expect(dry.calls).toBe(callsBefore.filter((call) => JSON.stringify(call).includes(CALLER)).length);
        expect(dry.events).toBeGreaterThanOrEqual(callerCalls);
        expect(dry).toMatchObject({ deliveries: 1, quarantine: 1, alerts: 1, followups: 1 });
        expect(await allCalls(store)).toEqual(callsBefore);

        const mask = '112345678901';
        expect(await forgetNumber(store, CALLER, { replacement: mask })).toEqual(dry);
        expect(await forgetNumber(store, CALLER, { dryRun: true })).toEqual({
          events: 0,
          calls: 0,
          deliveries: 0,
          quarantine: 0,
          alerts: 0,
          followups: 0,
        });
        const callsAfter = await allCalls(store);
        // The same calls, outcomes and times; only the caller's number changed, to the one mask.
        expect(callsAfter.map((call) => [call.key, call.outcome, call.startedAt])).toEqual(
          callsBefore.map((call) => [call.key, call.outcome, call.startedAt]),
        );
        expect(callsAfter.filter((call) => call.from === mask)).toHaveLength(callerCalls);
        expect(JSON.stringify(callsAfter)).not.toContain(CALLER);
        expect(callsAfter.filter((call) => call.from === OTHER)).toEqual(
          callsBefore.filter((call) => call.from === OTHER),
        );
        expect(await summary(store)).toEqual(figuresBefore);
        const events = (await store.listEvents({ limit: 1000 })).items;
        expect(JSON.stringify(events)).not.toContain(CALLER);
        expect((await store.getDelivery('msg_caller'))?.payload).toBe(
          JSON.stringify({ from: mask, to: OTHER }),
        );
        const kept = (await store.listQuarantine({ limit: 10 })).items.map((q) => q.raw);
        expect(kept).toEqual([`{"from":"+${mask}"}`, `{"from":"${CALLER}1"}`]);
        const [keptAlert] = (await store.listAlerts({ limit: 10 })).items;
        expect(keptAlert).toMatchObject({
          summary: `+${mask} not called back for 31 min`,
          details: { callers: [{ number: mask, missedAt: T0 }] },
        });
        const actions = await store.listFollowupActions({ from: 0 });
        expect(actions.map((action) => [action.number, action.note])).toEqual([
          [mask, `rang ${mask} from a mobile`],
          [OTHER, 'texted'],
        ]);

        // A rebuild reads the masked raw payloads (JSON numbers still numbers) and folds them into the same calls.
        await store.resetCalls();
        await fold(store);
        expect(await allCalls(store)).toEqual(callsAfter);
      });
    });

    it('masks the numbers of calls older than the cut, with their events, deliveries, alerts, follow-up actions and quarantined requests, once; figures and rebuilds stay right', async () => {
      await withStore(async (store) => {
        await ingest(
          store,
          callFlows(T0, CALLER).flatMap((flow) => flow.payloads),
        );
        await ingest(
          store,
          callFlows(T0 + 3600_000, OTHER).flatMap((flow) => flow.payloads),
        );
        // The same caller two days later: newer than the cut, kept as it is.
        const later = callFlows(T0 + 2 * DAY, CALLER)[0]!;
        await ingest(store, later.payloads, T0 + 2 * DAY);
        const endpoint = endpointRecord();
        await store.createEndpoint(endpoint);
        const delivery = { endpointId: endpoint.id, type: 'call.missed', createdAt: T0 };
        await store.enqueueDeliveries([
          {
            ...delivery,
            id: 'msg_old',
            idempotencyKey: 'call:o',
            orderKey: 'o',
            payload: JSON.stringify({ data: { from: Number(CALLER), to: OTHER } }),
          },
          {
            ...delivery,
            id: 'msg_slack',
            idempotencyKey: 'call:s',
            orderKey: 's',
            payload: JSON.stringify({ text: `Missed call from ${OTHER} to 918000000000` }),
          },
          {
            ...delivery,
            id: 'msg_new',
            idempotencyKey: 'call:n',
            orderKey: 'n',
            payload: JSON.stringify({ data: { from: CALLER } }),
            createdAt: T0 + 2 * DAY,
          },
        ]);
        await store.quarantineRequest(quarantined(1, T0, `{"from":"+${CALLER}","time":1764061200123}`));
        expect(
          await store.fireAlert(
            {
              id: 'al_old',
              rule: 'missed-not-called-back',
              firedAt: T0,
              summary: `+${CALLER} not called back for 31 min`,
              details: { callers: [{ number: CALLER, missedAt: T0 }] },
            },
            [],
          ),
        ).toBe(true);
        await store.recordFollowupAction({
          number: CALLER,
          action: 'handled',
          note: `rang ${CALLER}`,
          by: 'sam',
          at: T0,
        });
        await store.recordFollowupAction({
          number: CALLER,
          action: 'handled',
          note: 'later',
          by: 'sam',
          at: T0 + 2 * DAY,
        });
        const callsBefore = await allCalls(store);
        const figuresBefore = await summary(store);
        const missedBefore = await store.listMissedCalls({ limit: 100, from: T0 - DAY, to: T0 + DAY });
        const isOld = (call: Call) => call.startedAt < T0 + DAY;
        expect(callsBefore.filter((call) => !isOld(call)).length).toBeGreaterThan(0);

        // Small batches, as the hourly pass runs them: each goes on from where the last stopped.
        const masked = await maskOldNumbers(store, { maskNumbersAfterMs: DAY }, T0 + 2 * DAY, 3);
        expect(masked).toMatchObject({ deliveries: 2, alerts: 1, followups: 1, quarantine: 1 });
        expect(masked.calls).toBe(callsBefore.filter(isOld).length);

        const callsAfter = await allCalls(store);
        // The same calls, outcomes, times, teams and lines; the old ones without the caller's or customer's number.
        const shape = (call: Call) => [
          call.key,
          call.outcome,
          call.startedAt,
          call.team,
          call.virtualNumber,
          call.agents.length,
        ];
        expect(callsAfter.map(shape)).toEqual(callsBefore.map(shape));
        const oldText = JSON.stringify(callsAfter.filter(isOld));
        expect(oldText).not.toContain(CALLER);
        expect(oldText).not.toContain(OTHER);
        expect(callsAfter.filter((call) => !isOld(call))).toEqual(callsBefore.filter((call) => !isOld(call)));
        // One mask per number throughout the pass: the caller's old calls still share one number.
        const callerMasks = new Set(
          callsAfter
            .filter((call, i) => isOld(call) && callsBefore[i]!.from === CALLER)
            .map((call) => call.from),
        );
        expect(callerMasks.size).toBe(1);
        expect([...callerMasks][0]).toMatch(/^[1-9][0-9]{11}$/);
        expect(await summary(store)).toEqual(figuresBefore);
        const missedAfter = await store.listMissedCalls({ limit: 100, from: T0 - DAY, to: T0 + DAY });
        expect(missedAfter.items.map((call) => [call.key, call.calledBack?.key ?? null])).toEqual(
          missedBefore.items.map((call) => [call.key, call.calledBack?.key ?? null]),
        );

        const events = (await store.listEvents({ limit: 1000 })).items;
        const oldEvents = events.filter((event) => event.receivedAt < T0 + DAY);
        expect(JSON.stringify(oldEvents)).not.toContain(CALLER);
        expect(JSON.stringify(oldEvents)).not.toContain(OTHER);
        expect(
          events.filter((event) => event.receivedAt >= T0 + DAY).some((event) => event.from === CALLER),
        ).toBe(true);
        const payloadOf = async (id: string) => (await store.getDelivery(id))?.payload ?? '';
        expect(await payloadOf('msg_old')).not.toContain(CALLER);
        expect(await payloadOf('msg_slack')).toMatch(
          /^\{"text":"Missed call from [1-9][0-9]{11} to [1-9][0-9]{11}"\}$/,
        );
        expect(await payloadOf('msg_slack')).not.toContain(OTHER);
        expect(await payloadOf('msg_new')).toContain(CALLER);
        const [keptRequest] = (await store.listQuarantine({ limit: 10 })).items;
        expect(keptRequest?.raw).toMatch(/^\{"from":"\+[1-9][0-9]{11}","time":1764061200123\}$/);
        expect(keptRequest?.raw).not.toContain(CALLER);
        const [keptAlert] = (await store.listAlerts({ limit: 10 })).items;
        expect(JSON.stringify(keptAlert)).not.toContain(CALLER);
        const actions = await store.listFollowupActions({ from: 0 });
        expect(actions.map((action) => action.number === CALLER)).toEqual([false, true]);
        expect(actions[0]?.note).toBe(`rang ${actions[0]?.number}`);

        // The next pass has nothing new to go through, and changes nothing.
        expect(await maskOldNumbers(store, { maskNumbersAfterMs: DAY }, T0 + 2 * DAY, 3)).toEqual({
          calls: 0,
          deliveries: 0,
          alerts: 0,
          followups: 0,
          quarantine: 0,
        });
        expect(await allCalls(store)).toEqual(callsAfter);

        // A rebuild folds the masked events into the same calls, masked.
        await store.resetCalls();
        await fold(store);
        expect(await allCalls(store)).toEqual(callsAfter);
        expect(await summary(store)).toEqual(figuresBefore);
      });
    });

    it('stops the masking at a call still changing, and masks it once it is old', async () => {
      await withStore(async (store) => {
        const [first, second] = callFlows(T0, CALLER);
        await ingest(store, first!.payloads);
        // Only its first event: live, its last event newer than the cut.
        await ingest(store, [second!.payloads[0]!]);
        const masker = createNumberMasker();
        const live = (await allCalls(store)).find((call) => call.state !== 'ended')!;
        const cut = live.lastEventAt;
        expect(await store.maskOldNumbers('calls', cut, 500, masker)).toBeLessThan(2);
        expect((await store.getCall(live.key))?.from).toBe(CALLER);
        const end = Math.max(...(await allCalls(store)).map((call) => call.lastEventAt));
        expect(await store.maskOldNumbers('calls', end + 1, 500, masker)).toBeGreaterThan(0);
        expect(JSON.stringify(await allCalls(store))).not.toContain(CALLER);
      });
    });

    it('folds masked what another connection forgot after the events were stored, and after their calls were folded', async () => {
      await withTwoConnections(async (store, other) => {
        const [first, second] = callFlows(T0, CALLER);
        // The first call folded (a store may remember its events), the second one's first event stored, unfolded
        // (a store may hold what it stored, to fold it).
        await ingest(store, first!.payloads.slice(0, 2));
        await store.appendEvent(receivedAt(newEvent(JSON.stringify(second!.payloads[0]!)), T0));

        // `telehook forget` from another process, before this one folds.
        await forgetNumber(other, CALLER, { replacement: '919000000001' });
        const listed = await store.listEventsToProject(500);
        const folded = await store.projectCalls({ events: listed, now: T0 + 3600_000 }, rules);
        expect(JSON.stringify(folded)).not.toContain(CALLER);
        await ingest(store, first!.payloads.slice(2));
        expect(JSON.stringify(await allCalls(store))).not.toContain(CALLER);
        expect((await allCalls(store)).map((call) => call.from)).toEqual(['919000000001', '919000000001']);
      });
    });

    it('folds masked the events it listed before another connection forgot their number', async () => {
      await withTwoConnections(async (store, other) => {
        const [first, second] = callFlows(T0, CALLER);
        // One call folded (a store may remember its events), every event of the next stored, none folded.
        await ingest(store, first!.payloads);
        for (const payload of second!.payloads)
          await store.appendEvent(receivedAt(newEvent(JSON.stringify(payload)), T0));
        // Listed to be folded (as the projection lists its next batch), then forgotten elsewhere, then folded.
        const listed = await store.listEventsToProject(500);
        expect(JSON.stringify(listed)).toContain(CALLER);
        await forgetNumber(other, CALLER, { replacement: '919000000001' });
        const folded = await store.projectCalls({ events: listed, now: T0 + 3600_000 }, rules);
        expect(JSON.stringify(folded)).not.toContain(CALLER);
        expect(JSON.stringify(await allCalls(store))).not.toContain(CALLER);
        expect((await allCalls(store)).map((call) => call.from)).toEqual(['919000000001', '919000000001']);
      });
    });
  });
}

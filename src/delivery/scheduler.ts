import type { FastifyBaseLogger } from 'fastify';

import { createSerialRun } from '../serial-run.js';
import type { Call, Endpoint, FoldedBatch, NewDelivery, Store, StoredEvent } from '../store/index.js';
import { isFinal, matchesCall, matchesEvent } from './filters.js';
import { callBody, callType, eventBody, eventType } from './formats.js';

export interface DeliverySchedulerOptions {
  readonly store: Store;
  readonly logger: FastifyBaseLogger;
  readonly now: () => number;
  readonly newId: () => string;
  /** The call as GET /api/calls/:key gives it (with its timeline); wired by app.ts. */
  readonly callData: (call: Call) => Promise<unknown>;
  /** Told when new deliveries were enqueued (the worker wakes up). */
  readonly onEnqueued?: () => void;
  /**
   * Events are committed in the order of their cursors (one process on SQLite): a folded batch whose events are
   * all at or before the scheduler's position is a refold (a rebuild, a lost calls file) of events it has already
   * handled, and enqueues nothing; forwarding it would send endpoints events from before they existed.
   * @defaultValue false
   */
  readonly cursorsInCommitOrder?: boolean;
}

/** The name of the scheduler's position among the events (Store.getDeliveryCursor). */
const CURSOR = 'events';
const BATCH = 500;
/** Folded batches held in memory at most; past that, the scheduler reads from the store. */
const MAX_QUEUED = 50;

const position = (cursor: string | null): number => (cursor === null ? 0 : Number(cursor));

/**
 * Turns folded events into deliveries, off the ingest path: it follows the call projection (told of each folded
 * batch), enqueues every event for the `events` endpoints whose filter it passes, and one notification per call
 * whose outcome became final for the `calls` endpoints. The deliveries and the scheduler's position are saved in
 * one transaction, and a delivery's idempotency key (`event:<id>`, `call:<key>`) makes enqueueing twice a no-op:
 * after a crash it reads the events it had not finished from the store, and nothing is enqueued twice.
 */
export function createDeliveryScheduler(options: DeliverySchedulerOptions) {
  const { store, logger, now } = options;
  const queue: FoldedBatch[] = [];
  let cursor: string | null = null;
  let isCatchingUp = true;
  let isStopped = false;
  /** A position reached without enqueueing anything, not saved yet (see drain). */
  let unsaved: string | null = null;
  let isSaveDue = false;
  let saveTimer: NodeJS.Timeout | null = null;

  const deliveriesFor = async (
    endpoints: readonly Endpoint[],
    events: readonly StoredEvent[],
    finalCalls: readonly Call[],
  ): Promise<NewDelivery[]> => {
    const created = now();
    const deliveries: NewDelivery[] = [];
    const eventEndpoints = endpoints.filter((endpoint) => endpoint.receives === 'events');
    const callEndpoints = endpoints.filter((endpoint) => endpoint.receives === 'calls');
    for (const event of eventEndpoints.length > 0 ? events : []) {
      for (const endpoint of eventEndpoints) {
        if (!matchesEvent(endpoint.filter, event)) continue;
        deliveries.push({
          id: `msg_${options.newId()}`,
          endpointId: endpoint.id,
          idempotencyKey: `event:${event.id}`,
          orderKey: event.callKey ?? event.id,
          type: eventType(event),
          payload: eventBody(endpoint.format, event, created),
          createdAt: created,
        });
      }
    }
    for (const call of callEndpoints.length > 0 ? finalCalls : []) {
      const matching = callEndpoints.filter((endpoint) => matchesCall(endpoint.filter, call));
      if (matching.length === 0) continue;
      const data = matching.some((endpoint) => endpoint.format === 'json')
        ? await options.callData(call)
        : null;
      for (const endpoint of matching) {
        deliveries.push({
          id: `msg_${options.newId()}`,
          endpointId: endpoint.id,
          idempotencyKey: `call:${call.key}`,
          orderKey: call.key,
          type: callType(call),
          payload: callBody(endpoint.format, call, data, created),
          createdAt: created,
        });
      }
    }
    return deliveries;
  };

  const enabledEndpoints = async (): Promise<Endpoint[]> =>
    (await store.listEndpoints()).filter((endpoint) => endpoint.enabled);

  const enqueue = async (deliveries: NewDelivery[], to: string | null): Promise<void> => {
    const save = (): Promise<number> =>
      store.enqueueDeliveries(deliveries, to === null ? undefined : { name: CURSOR, position: to });
    // A retryable failure (with several processes on PostgreSQL: a serialization failure or a deadlock with
    // another process's enqueue) is retried here: the catch-up after a failure starts from the shared cursor,
    // which another process may have moved past this batch.
    let added: number;
    for (let attempt = 1; ; attempt += 1) {
      try {
        added = await save();
        break;
      } catch (error) {
        if (attempt >= 3 || (error as { retryable?: unknown }).retryable !== true) throw error;
        await new Promise((resolve) => setTimeout(resolve, 20 * attempt));
      }
    }
    if (to !== null) cursor = to;
    if (added > 0) options.onEnqueued?.();
  };

  /** Reads, from the store, the events folded after the cursor (after a restart or an error). */
  const catchUp = async (): Promise<void> => {
    cursor = await store.getDeliveryCursor(CURSOR);
    const folded = await store.getProjectionPosition();
    if (cursor === null) {
      // First start: forward what arrives from now on, not the history.
      if (folded !== null) await enqueue([], folded);
      return;
    }
    while (position(cursor) < position(folded)) {
      const page = await store.listEvents({ after: cursor, limit: BATCH });
      const events = page.items.filter((event) => position(event.cursor) <= position(folded));
      const last = events.at(-1);
      if (!last) return;
      const endpoints = await enabledEndpoints();
      const calls = new Map<string, Call>();
      if (endpoints.some((endpoint) => endpoint.receives === 'calls')) {
        for (const event of events) {
          if (event.kind !== 'cdr' || event.callKey === null) continue;
          const call = await store.getCall(event.callKey);
          if (call && isFinal(call)) calls.set(call.key, call);
        }
      }
      await enqueue(await deliveriesFor(endpoints, events, [...calls.values()]), last.cursor);
    }
  };

  const drain = async (): Promise<void> => {
    if (isCatchingUp) {
      queue.length = 0;
      await catchUp();
      isCatchingUp = false;
    }
    for (let batch = queue.shift(); batch; batch = queue.shift()) {
      // Not filtered by the cursor: with several processes on one PostgreSQL, a fold may hold events stored
      // before the cursor (sequence numbers are not committed in order). An event enqueued already (by the
      // catch-up) is recognised by its idempotency key.
      const { events } = batch;
      if (batch.replayed === true) continue;
      if (
        options.cursorsInCommitOrder === true &&
        events.length > 0 &&
        events.every((event) => position(event.cursor) <= position(cursor))
      )
        continue;
      const finalCalls = batch.changed.filter(isFinal);
      if (events.length === 0 && finalCalls.length === 0) continue;
      const endpoints = await enabledEndpoints();
      const last = events.reduce<string | null>(
        (max, event) => (position(event.cursor) > position(max) ? event.cursor : max),
        null,
      );
      // The cursor only moves forward.
      const to = last !== null && position(last) > position(cursor) ? last : null;
      const deliveries = await deliveriesFor(endpoints, events, finalCalls);
      if (deliveries.length > 0) {
        await enqueue(deliveries, to);
        unsaved = null;
      } else if (to !== null) {
        // Nothing to send (no endpoint, or none whose filter matches): the position is saved at most once a
        // second, not after every fold. A write per fold (a transaction on this thread's connection, waiting for
        // the lock of the one SQLite writer thread of the time) cost a quarter of the receiver's event loop under
        // load. After a crash the catch-up reads these events again and enqueues nothing for them (the same
        // endpoints, the same filters), except for an endpoint created in that second: hence persist() on every
        // change.
        cursor = to;
        unsaved = to;
        saveTimer ??= setTimeout(() => {
          saveTimer = null;
          isSaveDue = true;
          void run();
        }, 1000);
      }
    }
    if (isSaveDue && unsaved !== null) {
      const to = unsaved;
      await enqueue([], to);
      if (unsaved === to) unsaved = null;
    }
    isSaveDue = false;
  };

  const runner = createSerialRun(drain, {
    onError: (error) => {
      // What was not enqueued is read again from the store on the next run.
      isCatchingUp = true;
      logger.error({ err: error }, 'delivery scheduling failed; retrying in 1 s');
    },
    isStopped: () => isStopped,
  });
  const { run } = runner;

  return {
    /** Catches up with the events folded while it was not running. */
    start(): Promise<void> {
      isStopped = false;
      isCatchingUp = true;
      return run();
    },
    /** A batch was folded into calls (the projection's onFolded): schedule its deliveries. */
    folded(batch: FoldedBatch): void {
      if (isStopped) return;
      // Far behind (a large backlog folded at once): read the events back from the store instead of holding them.
      if (queue.length >= MAX_QUEUED) {
        queue.length = 0;
        isCatchingUp = true;
      }
      queue.push(batch);
      void run();
    },
    /** Resolves when every batch it was told of is enqueued. */
    async settled(): Promise<void> {
      while (runner.running) await runner.running;
    },
    /** Saves its position now (an endpoint was added or changed: what follows is for it). */
    async persist(): Promise<void> {
      isSaveDue = true;
      await run();
      while (runner.running) await runner.running;
    },
    async stop(): Promise<void> {
      isStopped = true;
      runner.cancelRetry();
      if (saveTimer) clearTimeout(saveTimer);
      await runner.running;
      if (unsaved !== null) await enqueue([], unsaved).catch(() => undefined);
    },
  };
}

export type DeliveryScheduler = ReturnType<typeof createDeliveryScheduler>;

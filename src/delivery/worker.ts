import type { FastifyBaseLogger } from 'fastify';

import { coerceError } from '../errors.js';
import { redactUrl } from '../redact.js';
import type { AttemptOutcome, Delivery, Endpoint, Store } from '../store/index.js';
import { classifyStatus, HONOURS_RETRY_AFTER, nextAttemptAt, parseRetryAfter } from './retry-policy.js';
import type { Sender } from './sender.js';
import { signPayload } from './signing.js';

export interface DeliveryWorkerOptions {
  readonly store: Store;
  readonly sender: Sender;
  readonly logger: FastifyBaseLogger;
  readonly now: () => number;
  /** Unique among the workers sharing a store. */
  readonly workerId: string;
  /** Delay before each attempt, ms (the first is usually 0). */
  readonly schedule: readonly number[];
  /** An endpoint failing for this long without a success is disabled. */
  readonly disableAfterMs: number;
  /** Most attempts in flight. @defaultValue 64 */
  readonly concurrency?: number;
  /** Most attempts in flight to one endpoint. @defaultValue 16 */
  readonly perEndpoint?: number;
  /** How often due deliveries are looked for when nothing wakes the worker. @defaultValue 1000 */
  readonly pollMs?: number;
  /** How long a claim lasts; longer than the longest attempt. @defaultValue 120 s */
  readonly leaseMs?: number;
}

/** A token bucket per endpoint, for its rate limit (per second). */
interface Bucket {
  tokens: number;
  at: number;
}

/**
 * Sends what is due: claims deliveries from the store (a lease, so that a crashed worker's claims are taken over
 * and two workers never send the same delivery at once), signs and sends each, records the attempt and when to try
 * again. Different calls and endpoints go in parallel; one call's deliveries to an endpoint one after the other
 * (the store hands out only the oldest pending one of each call). A slow endpoint only fills its own slots.
 */
export function createDeliveryWorker(options: DeliveryWorkerOptions) {
  const { store, sender, logger, now } = options;
  const concurrency = options.concurrency ?? 64;
  const perEndpoint = options.perEndpoint ?? 16;
  const pollMs = options.pollMs ?? 1000;
  const leaseMs = options.leaseMs ?? 120_000;
  const inFlight = new Map<string, number>();
  const buckets = new Map<string, Bucket>();
  const pending = new Set<Promise<void>>();
  let total = 0;
  let isStopped = true;
  let isShuttingDown = false;
  let loop: Promise<void> | null = null;
  let wakeUp: (() => void) | null = null;
  let isWoken = false;
  let delivered = 0;

  /** Endpoints this worker must not claim for now: at their concurrency or their rate limit. */
  const busyEndpoints = (endpoints: Map<string, Endpoint>): string[] => {
    const busy: string[] = [];
    for (const [id, count] of inFlight) if (count >= perEndpoint) busy.push(id);
    for (const endpoint of endpoints.values()) {
      if (endpoint.rateLimit === null) continue;
      const bucket = refill(endpoint);
      if (bucket.tokens < 1) busy.push(endpoint.id);
    }
    return busy;
  };

  const refill = (endpoint: Endpoint): Bucket => {
    const rate = endpoint.rateLimit ?? Infinity;
    const bucket = buckets.get(endpoint.id) ?? { tokens: rate, at: now() };
    const time = now();
    bucket.tokens = Math.min(Math.max(rate, 1), bucket.tokens + ((time - bucket.at) / 1000) * rate);
    bucket.at = time;
    buckets.set(endpoint.id, bucket);
    return bucket;
  };

  const secretsOf = (endpoint: Endpoint, at: number): string[] =>
    endpoint.previousSecret !== null && (endpoint.previousSecretExpiresAt ?? 0) > at
      ? [endpoint.secret, endpoint.previousSecret]
      : [endpoint.secret];

  const disable = async (endpoint: Endpoint, reason: string): Promise<void> => {
    const at = now();
    await store.updateEndpoint(endpoint.id, {
      enabled: false,
      disabledReason: reason,
      disabledAt: at,
      updatedAt: at,
    });
    logger.warn({ endpoint: endpoint.id, url: redactUrl(endpoint.url), reason }, 'endpoint disabled');
  };

  const attempt = async (delivery: Delivery, endpoint: Endpoint): Promise<void> => {
    const at = now();
    const timestamp = Math.floor(at / 1000);
    const sent = await sender.send(
      {
        url: endpoint.url,
        body: delivery.payload,
        timeoutMs: endpoint.timeoutMs,
        headers: {
          'content-type': 'application/json',
          'user-agent': 'telehook',
          'webhook-id': delivery.id,
          'webhook-timestamp': String(timestamp),
          'webhook-signature': signPayload(secretsOf(endpoint, at), delivery.id, timestamp, delivery.payload),
        },
      },
      at,
    );
    // Cut short by a shutdown: not an attempt of the endpoint's; the claim is released and it is sent again.
    if (isShuttingDown && sent.statusCode === null) return;
    const finished = now();
    const verdict = classifyStatus(sent.statusCode);
    let outcome: AttemptOutcome;
    if (verdict === 'delivered') outcome = { status: 'delivered' };
    else if (verdict === 'permanent') outcome = { status: 'failed' };
    else {
      const retryAfter =
        sent.statusCode !== null && HONOURS_RETRY_AFTER.has(sent.statusCode)
          ? parseRetryAfter(sent.retryAfter, finished)
          : null;
      const next = nextAttemptAt(options.schedule, delivery.retryStep, finished, retryAfter);
      outcome = next === null ? { status: 'failed' } : { status: 'pending', nextAttemptAt: next };
    }
    const { retryAfter: _ignored, ...record } = sent;
    const result = await store.recordAttempt({
      deliveryId: delivery.id,
      workerId: options.workerId,
      attempt: record,
      outcome,
    });
    if (!result.recorded) {
      logger.warn({ delivery: delivery.id }, 'delivery claim expired before its attempt was recorded');
      return;
    }
    if (outcome.status === 'delivered') delivered += 1;
    else {
      logger.info(
        {
          delivery: delivery.id,
          endpoint: endpoint.id,
          attempt: delivery.attemptCount + 1,
          statusCode: sent.statusCode,
          error: sent.error,
          status: outcome.status,
        },
        'delivery attempt failed',
      );
    }
    if (verdict === 'gone') await disable(endpoint, 'the endpoint answered 410 Gone');
    else if (result.failingSince !== null && finished - result.failingSince >= options.disableAfterMs) {
      const days = Math.round((finished - result.failingSince) / 86_400_000);
      await disable(
        endpoint,
        `failing since ${new Date(result.failingSince).toISOString()} (${days} days without a success)`,
      );
    }
  };

  const dispatch = (delivery: Delivery, endpoint: Endpoint): void => {
    total += 1;
    inFlight.set(endpoint.id, (inFlight.get(endpoint.id) ?? 0) + 1);
    if (endpoint.rateLimit !== null) refill(endpoint).tokens -= 1;
    const task = attempt(delivery, endpoint)
      .catch((error: unknown) =>
        logger.error({ err: coerceError(error), delivery: delivery.id }, 'delivery attempt failed to record'),
      )
      .finally(() => {
        total -= 1;
        const left = (inFlight.get(endpoint.id) ?? 1) - 1;
        if (left === 0) inFlight.delete(endpoint.id);
        else inFlight.set(endpoint.id, left);
        pending.delete(task);
        wake();
      });
    pending.add(task);
  };

  /** Claims what is due and can be sent now, and starts sending it; resolves with how many were claimed. */
  const claimOnce = async (): Promise<number> => {
    const room = concurrency - total;
    // Claim in batches: a claim per finished attempt would cost a query per delivery.
    if (room <= 0 || (total > 0 && room < Math.min(8, concurrency))) return 0;
    const endpoints = new Map(
      (await store.listEndpoints())
        .filter((endpoint) => endpoint.enabled)
        .map((endpoint) => [endpoint.id, endpoint]),
    );
    const busy = busyEndpoints(endpoints);
    const claimable = [...endpoints.values()].filter((endpoint) => !busy.includes(endpoint.id));
    // Every endpoint is at its limit (a dead one holding its slots): nothing to ask the store.
    if (claimable.length === 0) return 0;
    const claim = (limit: number, maxPerEndpoint: number, skipEndpoints: string[]) =>
      store.claimDeliveries({
        workerId: options.workerId,
        now: now(),
        leaseMs,
        limit,
        maxPerEndpoint,
        skipEndpoints,
      });
    // Rate-limited endpoints are claimed one by one, no more than their tokens; the others together.
    const limited = claimable.filter((endpoint) => endpoint.rateLimit !== null);
    const claimed = await claim(room, perEndpoint, [...busy, ...limited.map((endpoint) => endpoint.id)]);
    for (const endpoint of limited) {
      const left = room - claimed.length;
      const tokens = Math.floor(refill(endpoint).tokens);
      if (left <= 0 || tokens < 1) continue;
      const others = [...endpoints.keys()].filter((id) => id !== endpoint.id);
      claimed.push(...(await claim(left, Math.min(perEndpoint, tokens), others)));
    }
    for (const delivery of claimed) {
      const endpoint = endpoints.get(delivery.endpointId) ?? (await store.getEndpoint(delivery.endpointId));
      if (endpoint) dispatch(delivery, endpoint);
    }
    return claimed.length;
  };

  function wake(): void {
    isWoken = true;
    wakeUp?.();
  }

  const sleep = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      if (isWoken || isStopped) return resolve();
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        wakeUp = null;
        resolve();
      }
      wakeUp = done;
    });

  const runLoop = async (): Promise<void> => {
    while (!isStopped) {
      isWoken = false;
      let claimed = 0;
      try {
        claimed = await claimOnce();
      } catch (error) {
        logger.error({ err: coerceError(error) }, 'claiming deliveries failed; retrying');
      }
      // A full claim means more may be due: claim again as soon as there is room.
      if (claimed === 0 || total >= concurrency) await sleep(pollMs);
    }
  };

  return {
    start(): void {
      if (!isStopped) return;
      isStopped = false;
      loop = runLoop();
    },
    /** New deliveries were enqueued, or one was replayed: look for due work now. */
    wake,
    /**
     * Sends everything due now and waits for those attempts (tests drive the schedule with a fake clock this way,
     * without the background loop).
     */
    async runDue(): Promise<number> {
      let attempts = 0;
      for (;;) {
        const claimed = await claimOnce();
        attempts += claimed;
        if (pending.size === 0) {
          if (claimed === 0) return attempts;
          continue;
        }
        await Promise.race(pending);
      }
    },
    /** Deliveries delivered by this worker since it started. */
    get delivered(): number {
      return delivered;
    },
    /**
     * Stops claiming, aborts the attempts in flight (a dead endpoint would hold a shutdown for its whole timeout),
     * and releases the claims of those not answered, so that they are sent again after the restart.
     */
    async stop(): Promise<void> {
      isStopped = true;
      isShuttingDown = true;
      wakeUp?.();
      await loop;
      await sender.destroy();
      await Promise.allSettled([...pending]);
      await store.releaseClaims(options.workerId).catch(() => undefined);
    },
  };
}

export type DeliveryWorker = ReturnType<typeof createDeliveryWorker>;

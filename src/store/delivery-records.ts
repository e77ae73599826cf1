/**
 * The records of forwarding, in the words of design.md: an **endpoint** is a downstream destination, a
 * **delivery** is one event (or one call notification) to one endpoint, an **attempt** is one HTTP try of it.
 * Plain data: delivery/ decides what goes where and when; the adapters only keep it.
 */

/**
 * What an endpoint receives: every event as it arrives, one notification per call when its outcome is final, or
 * `alert.fired` and `alert.resolved` when an alert rule fires and resolves.
 */
export type EndpointReceives = 'events' | 'calls' | 'alerts';

/** `json`: our JSON; `slack` and `teams`: a readable message for an incoming-webhook URL. */
export type EndpointFormat = 'json' | 'slack' | 'teams';

/**
 * Which events or calls an endpoint gets: each key lists accepted values (any of them matches); absent keys
 * match everything. Events: kind, status, direction, team, number, appId. Calls: outcome, team, direction.
 */
export interface EndpointFilter {
  readonly kind?: string[];
  readonly status?: string[];
  readonly direction?: string[];
  readonly team?: string[];
  readonly number?: string[];
  readonly appId?: string[];
  readonly outcome?: string[];
}

/** A downstream destination. */
export interface Endpoint {
  /** `ep_<ulid>` */
  readonly id: string;
  readonly url: string;
  readonly description: string | null;
  readonly receives: EndpointReceives;
  readonly format: EndpointFormat;
  readonly filter: EndpointFilter;
  /** Most requests per second to this endpoint; null for no limit. */
  readonly rateLimit: number | null;
  /** How long one attempt may take, ms. */
  readonly timeoutMs: number;
  readonly enabled: boolean;
  /** Why it was disabled (by hand, a 410, failing for days); null while enabled. */
  readonly disabledReason: string | null;
  readonly disabledAt: number | null;
  /** The signing secret, `whsec_<base64>`. */
  readonly secret: string;
  /** After a rotation: the previous secret, also signed with until `previousSecretExpiresAt`. */
  readonly previousSecret: string | null;
  readonly previousSecretExpiresAt: number | null;
  /** When attempts started failing without a success since; null when the last attempt succeeded. */
  readonly failingSince: number | null;
  readonly createdAt: number;
  readonly updatedAt: number;
}

/** Fields of an endpoint that can change; absent fields are kept. */
export type EndpointChanges = Partial<Omit<Endpoint, 'id' | 'createdAt'>> & { readonly updatedAt: number };

/** pending: to be sent (or being sent); delivered: a 2xx was received; failed: retries exhausted (a dead letter). */
export type DeliveryStatus = 'pending' | 'delivered' | 'failed';

/** A delivery to enqueue. */
export interface NewDelivery {
  /** `msg_<ulid>`: the `webhook-id`, stable across retries. */
  readonly id: string;
  readonly endpointId: string;
  /** At most one delivery per endpoint and key (`event:<event id>`, `call:<call key>`): enqueueing again is a no-op. */
  readonly idempotencyKey: string;
  /** Deliveries of one endpoint with the same order key are sent one after the other, in enqueue order (the call). */
  readonly orderKey: string;
  /** e.g. `call.missed`, `event.cdr` */
  readonly type: string;
  /** The request body, exactly as it is sent. */
  readonly payload: string;
  readonly createdAt: number;
}

/** One HTTP try of a delivery. */
export interface DeliveryAttempt {
  readonly at: number;
  /** The answer's status; null when there was none (refused, timed out, blocked). */
  readonly statusCode: number | null;
  readonly latencyMs: number;
  /** The first 1 KiB of the answer's body. */
  readonly response: string | null;
  /** Why there was no answer (e.g. `timeout`, `ECONNREFUSED`). */
  readonly error: string | null;
}

/** A delivery as the API shows it. */
export interface Delivery {
  readonly id: string;
  readonly endpointId: string;
  readonly idempotencyKey: string;
  readonly orderKey: string;
  readonly type: string;
  readonly payload: string;
  readonly status: DeliveryStatus;
  /** Attempts made so far (all of them, also before a replay). */
  readonly attemptCount: number;
  /** Position in the retry schedule: attempts since it was enqueued or last replayed. */
  readonly retryStep: number;
  /** When the next attempt is due, for a pending delivery. */
  readonly nextAttemptAt: number | null;
  readonly createdAt: number;
  readonly deliveredAt: number | null;
  /** Oldest first. Empty in lists that do not ask for them. */
  readonly attempts: DeliveryAttempt[];
}

/** What a worker asks for when it claims work. */
export interface ClaimRequest {
  /** Who claims: recorded attempts must come from the claimer. */
  readonly workerId: string;
  readonly now: number;
  /** The claim expires after this long; another worker may then take the delivery over. */
  readonly leaseMs: number;
  /** Most deliveries claimed. */
  readonly limit: number;
  /** Most deliveries of any one endpoint in this claim (a slow endpoint does not take every slot). */
  readonly maxPerEndpoint: number;
  /** Endpoints not to claim for now (at their concurrency or rate limit in this worker). */
  readonly skipEndpoints?: string[];
}

/** How an attempt ended, for the delivery. */
export type AttemptOutcome =
  | { readonly status: 'delivered' }
  | { readonly status: 'pending'; readonly nextAttemptAt: number }
  | { readonly status: 'failed' };

export interface AttemptRecord {
  readonly deliveryId: string;
  readonly workerId: string;
  readonly attempt: DeliveryAttempt;
  readonly outcome: AttemptOutcome;
}

export interface AttemptResult {
  /** False when the worker's claim had expired and was taken over: nothing was recorded. */
  readonly recorded: boolean;
  /** The endpoint's `failingSince` after this attempt. */
  readonly failingSince: number | null;
}

export interface DeliveryQuery {
  readonly status?: DeliveryStatus;
  readonly endpointId?: string;
  /** Enqueued at or after, epoch ms. */
  readonly since?: number;
  /** A cursor from a previous page's `next`. */
  readonly after?: string | null;
  readonly limit: number;
}

/** Failed deliveries of an endpoint enqueued at or after `since`, to send again from `now`. */
export interface RetryQuery {
  readonly endpointId: string;
  readonly since: number;
  readonly now: number;
}

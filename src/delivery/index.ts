export { BlockedAddressError, isPrivateAddress } from './address-guard.js';
export { createGuardedLookup, type Resolve, type ResolvedAddress } from './connect-guard.js';
export {
  createEndpointService,
  DEFAULT_TIMEOUT_MS,
  type EndpointInput,
  type EndpointService,
} from './endpoints.js';
export { FILTER_KEYS, isFinal, matchesCall, matchesEvent } from './filters.js';
export { callBody, callType, describeCall, eventBody } from './formats.js';
export { classifyStatus, DEFAULT_RETRY_SCHEDULE, nextAttemptAt, parseRetryAfter } from './retry-policy.js';
export { deliveryRoutes, parseSince } from './routes.js';
export { createDeliveryScheduler, type DeliveryScheduler, type FoldedEvents } from './scheduler.js';
export { createSender, type Sender } from './sender.js';
export { generateSecret, signPayload } from './signing.js';
export { createDeliveryWorker, type DeliveryWorker } from './worker.js';

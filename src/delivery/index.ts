export {
  BlockedAddressError,
  isLocalhostName,
  isPrivateAddress,
  refusalOfAddress,
  refusalOfHost,
} from './address-guard.js';
export {
  createGuardedConnector,
  createGuardedLookup,
  type Resolve,
  type ResolvedAddress,
  resolveWithSystem,
} from './connect-guard.js';
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
export { createDeliveryWorker, type DeliveryWorker, redactUrl } from './worker.js';

export { createLiveBus, type LiveBatch, type LiveBus, type LiveBusOptions, type LiveFrame } from './bus.js';
export { type EventSummary, formatMessage, type LiveMessage } from './messages.js';
export { createLivePublisher } from './publisher.js';
export { type LiveRouteOptions, liveRoutes } from './sse-route.js';

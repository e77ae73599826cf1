export { createLiveBus, type LiveBus } from './bus.js';
export { type EventSummary, formatMessage, type LiveMessage, summariseEvent } from './messages.js';
export { createLivePublisher, type FoldedUpdate } from './publisher.js';
export { type LiveRouteOptions, liveRoutes } from './sse-route.js';

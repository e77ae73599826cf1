export { createGuardedLookup, type Resolve, type ResolvedAddress } from './connect-guard.js';
export { createEndpointService, type EndpointInput, type EndpointService } from './endpoints.js';
export { alertBody, type AlertNotice } from './formats.js';
export { deliveryRoutes } from './routes.js';
export { createDeliveryScheduler, type DeliveryScheduler } from './scheduler.js';
export { createSender, type Sender } from './sender.js';
export { generateSecret } from './signing.js';
export { createDeliveryWorker, type DeliveryWorker } from './worker.js';

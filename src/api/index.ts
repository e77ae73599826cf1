export { createAuthorizer } from './auth.js';
export { type CallsApi, callsRoutes } from './calls-routes.js';
export { eventsRoutes } from './events-routes.js';
export { exportStream } from './export.js';
export { toCallFilter } from './query-params.js';

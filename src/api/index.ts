export { createAuthorizer, VIEWER_ROUTE } from './auth.js';
export { type CallsApi, callsRoutes } from './calls-routes.js';
export { eventsRoutes } from './events-routes.js';
export { CSV_COLUMNS, csvRow, exportStream, scanCalls } from './export.js';
export { parseTimeParam, toCallFilter } from './query-params.js';

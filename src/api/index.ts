export { requireBearer } from './auth.js';
export { eventsRoutes } from './events-routes.js';

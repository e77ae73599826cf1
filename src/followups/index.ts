export { foldFollowups, type Followup } from './fold.js';
export { DEFAULT_WINDOW_MS, followupRoutes } from './routes.js';

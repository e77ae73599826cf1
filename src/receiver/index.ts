export type { AcceptedAnswer, ReceiverDeps } from './ingest.js';
export { INGEST_PATHS, receiverRoutes } from './routes.js';

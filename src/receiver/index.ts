export { type AcceptedAnswer, dedupeKeyOf, type ReceiverDeps } from './ingest.js';
export { INGEST_PATHS, receiverRoutes } from './routes.js';

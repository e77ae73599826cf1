/**
 * Backfill from TeleCMI's call history: the client of TeleCMI's REST API (lists page by page, PIOPIY CDR look-ups,
 * the play API). See docs/telecmi-rest.md.
 */
export { TELECMI_API_ERROR_CODES, TelecmiApiError, type TelecmiApiErrorCode } from './api-error.js';
export { type ApiBase, PRODUCT_APIS, type ProductApi, type RestList } from './endpoints.js';
export { describeBackfill, telecmiApiFromConfig, type TelecmiSettings } from './from-config.js';
export { MATCH_TOLERANCE_MS, matchRow, type RowMatch } from './match.js';
export { type PageCursor, type RestPage, type RestRow } from './paging.js';
export { type PlayAnswer, type PlayOptions } from './play.js';
export { backfillDedupeKey, type ReconcileCounts, reconcileWindow } from './reconciler.js';
export { type RetryPolicy } from './retry-policy.js';
export { reconcileRoutes, type ReconcileRunJson, reconcileRunJson } from './routes.js';
export { createReconciler, lastFinishedRuns, type Reconciler, RUN_LEASE_MS } from './runs.js';
export {
  type ApiLogger,
  type CallOptions,
  createTelecmiApi,
  type ListOptions,
  type TelecmiApi,
  type TelecmiApiOptions,
  type TimeWindow,
} from './telecmi-api.js';

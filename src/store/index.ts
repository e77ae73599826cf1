export type {
  AppendResult,
  NewEvent,
  NewQuarantinedRequest,
  Page,
  PageQuery,
  QuarantinedRequest,
  Store,
  StoredEvent,
} from './store.js';
export { isCursor } from './store.js';

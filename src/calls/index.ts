export { bucketsOf } from '../time-zone.js';
export { byTelecmiTime } from './event-order.js';
export { type CallFoldOptions, createCallFold, type ProjectOne } from './fold.js';
export { chooseCallKey, identifiersOf } from './identifiers.js';
export {
  type AgentFigures,
  DEFINITIONS,
  type Figures,
  type MetricParameters,
  summariseFacts,
} from './metrics.js';
export {
  type CallProjection,
  createCallProjection,
  type FoldedBatch,
  foldInThisThread,
} from './projection.js';
export { projectCall, type ProjectionOptions } from './projector.js';
export { type CallsService, createCallsService, type GroupBy, type StatsQuery } from './service.js';

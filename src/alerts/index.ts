export { type BusinessCalendar, createBusinessCalendar } from './business-hours.js';
export { type AlertReadings, describeDuration } from './conditions.js';
export {
  type AlertEvaluator,
  type AlertNotice,
  type AlertView,
  alertView,
  createAlertEvaluator,
} from './evaluator.js';
export { alertsRoutes } from './routes.js';
export { RULE_NAMES, RULES } from './rules.js';

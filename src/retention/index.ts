export { forgetNumber, type ForgetResult, maskOf, normaliseNumber } from './forget.js';
export {
  createNumberMasker,
  MASKING_BATCH,
  type MaskingResult,
  type MaskingSettings,
  maskOldNumbers,
  numbersIn,
  personalNumbers,
} from './masking.js';
export {
  applyRetention,
  RETENTION_BATCH,
  RETENTION_EVERY_MS,
  retentionIsOn,
  type RetentionResult,
  type RetentionSettings,
} from './retention.js';

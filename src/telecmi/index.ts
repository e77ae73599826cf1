/**
 * telehook/telecmi — read TeleCMI webhook payloads. Pure: no I/O, no dependency on the rest of telehook.
 *
 * @example
 * import { normalise, parse } from 'telehook/telecmi';
 * const result = parse(requestBody, request.headers['content-type']);
 * if (result.ok) console.log(normalise(result.value, { id: 'evt-1', receivedAt: Date.now() }));
 * else console.log(result.error.code, result.error.message);
 */
export { CallEvent, EventKind, Product } from './call-event.js';
export { canonicalJson } from './canonical.js';
export { CALL_ID_KEYS, classifyKind, classifyProduct, isTelecmiShaped } from './classify.js';
export { toDigits, toEpochMs, toFlag, toJsonValue, toNumber } from './coerce.js';
export { exceedsDepth, LIMITS } from './limits.js';
export { normalise, type ReceiptMeta } from './normalise.js';
export { parse, type ParsedPayload, parseQuery, type ParseResult, type PayloadFormat } from './parse.js';
export { CdrPayload } from './payloads/cdr.js';
export { LiveEventPayload } from './payloads/live-event.js';
export {
  PiopiyCmiuuidCdrAnswer,
  PiopiyRestCdr,
  RestCdrPage,
  RestCdrRow,
  RestVoicemailPage,
  RestVoicemailRow,
} from './payloads/rest-cdr.js';
export { RoutingRequestPayload } from './payloads/routing-request.js';
export {
  createVoicemailMatcher,
  parseRestRow,
  type PiopiyLookup,
  type RestCallList,
  type RestProduct,
  type RestRowSource,
  restRowToPayload,
  type VoicemailWindow,
} from './rest-row.js';
export { TELECMI_ERROR_CODES, TelecmiError, type TelecmiErrorCode } from './telecmi-error.js';

import type { EventKind, Product } from './call-event.js';
import { toLowerText, toText } from './coerce.js';

type Payload = Readonly<Record<string, unknown>>;

/** Keys that identify a call or a leg; a payload needs one of these or an app id to be TeleCMI's. */
export const CALL_ID_KEYS = [
  'cmiuuid',
  'cmiuid',
  'conversation_uuid',
  'call_id',
  'request_id',
  'parent_uid',
] as const;
const APP_ID_KEYS = ['app_id', 'appid'] as const;

/** Keys only PIOPIY sends (docs/telecmi-payloads.md §6). */
const PIOPIY_KEYS = [
  'ws_status',
  'vn',
  'call_rate',
  'balance',
  'start_time',
  'end_time',
  'answer_time',
  'duration',
  'out',
  'api_init',
  'action',
];
/** Keys only CHUB and CHUB India send (§3, §4). */
const CHUB_KEYS = [
  'app_id',
  'user',
  'team',
  'answeredsec',
  'waitedsec',
  'hangup_reason',
  'custom',
  'call_id',
  'virtual_number',
  'click_to_call',
  'ivr_name',
  'record',
  'filename',
  'voicemail',
  'voicename',
];
/** Keys that only a call detail record carries. */
const CDR_KEYS = [
  'duration',
  'start_time',
  'end_time',
  'answer_time',
  'call_rate',
  'balance',
  'answeredsec',
  'waitedsec',
  'billedsec',
  'filename',
  'voicename',
  'hangup_reason',
];
/** PIOPIY prefixes its live statuses: in_answered, out_started, stream_connected (§9.8). */
const PIOPIY_STATUS_PREFIX = /^(in|out|stream)_/;

const has = (payload: Payload, key: string): boolean => {
  const value = payload[key];
  return value !== undefined && value !== null && value !== '';
};
const hasAny = (payload: Payload, keys: readonly string[]): boolean => keys.some((key) => has(payload, key));

/** Whether the payload carries a call identifier or an app id, the least a TeleCMI payload has. */
export function isTelecmiShaped(payload: Payload): boolean {
  return (
    CALL_ID_KEYS.some((key) => toText(payload[key]) !== null) ||
    APP_ID_KEYS.some((key) => toText(payload[key]) !== null)
  );
}

/**
 * What a payload is. `type` decides when it says `cdr` or `event`; otherwise (current PIOPIY payloads have no
 * `type`, §9.7) the shape does: no status means a routing request (CHUB HTTP flow, PIOPIY answer_url), a
 * prefixed PIOPIY status a live event, CDR-only fields or the status `missed` a CDR, anything else a live event.
 */
export function classifyKind(payload: Payload): EventKind {
  const type = toLowerText(payload['type']);
  if (type === 'cdr') return 'cdr';
  if (type === 'event') return 'event';
  const status = toLowerText(payload['status']);
  if (status === null) return 'routing-request';
  if (PIOPIY_STATUS_PREFIX.test(status)) return 'event';
  if (hasAny(payload, CDR_KEYS) || status === 'missed') return 'cdr';
  return 'event';
}

/**
 * Which product sent a payload. PIOPIY-only fields or statuses win, then CHUB-only fields; a live event with
 * `appid` and `leg` is PIOPIY's (CHUB live events say `app_id`), and a routing request with an app id is the CHUB
 * HTTP flow while one with `time` is a PIOPIY answer_url request.
 */
export function classifyProduct(payload: Payload, kind: EventKind): Product {
  const status = toLowerText(payload['status']);
  if (hasAny(payload, PIOPIY_KEYS) || (status !== null && PIOPIY_STATUS_PREFIX.test(status))) return 'piopiy';
  if (hasAny(payload, CHUB_KEYS)) return 'chub';
  if (kind === 'event' && has(payload, 'appid') && has(payload, 'leg')) return 'piopiy';
  if (kind === 'routing-request') {
    if (has(payload, 'appid')) return 'chub';
    if (has(payload, 'time')) return 'piopiy';
  }
  return 'unknown';
}

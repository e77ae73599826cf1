import type { CdrPayload, LiveEventPayload, RoutingRequestPayload } from '../telecmi/index.js';
import { createRequestId, createUuid } from './identifiers.js';
import { CDR_DELAY_MS, sortByTime } from './incoming-call.js';
import type { Prng } from './prng.js';
import { APP_IDS, type ScheduledPayload, SECOND } from './types.js';

/**
 * PIOPIY (programmable voice) calls, key for key and type for type as the documented samples
 * (docs/telecmi-payloads.md §6): `appid`, no `type` on current live events, prefixed statuses, `time` in epoch
 * milliseconds but `start_time`/`answer_time`/`end_time` in epoch seconds, `extra_params` as JSON text.
 */

/** An inbound call answered by your PIOPIY app. Times are whole seconds. */
export interface PiopiyInboundCall {
  /** The caller, E.164 digits. */
  readonly from: string;
  /** PIOPIY requests your answer_url. */
  readonly arrivalAt: number;
  /** Your app's answer (`in_answered`). */
  readonly answeredAt: number;
  readonly endedAt: number;
}

/** An API call that rings one number (leg A), then another (leg B), and bridges them. Times are whole seconds. */
export interface PiopiyOutboundCall {
  /** Leg A's number (your agent), E.164 digits. */
  readonly first: string;
  /** Leg B's number (the customer). */
  readonly second: string;
  readonly startedAt: number;
  /** Leg A answers; leg B starts ringing. */
  readonly firstAnsweredAt: number;
  /** Leg B answers and the two are bridged. */
  readonly bridgedAt: number;
  readonly endedAt: number;
}

/** How the PIOPIY renderers write a call. */
export interface PiopiyRenderOptions {
  readonly rng: Prng;
  readonly call: number;
  /** Your PIOPIY number. */
  readonly did: string;
  /** `extra_params`, as JSON text. */
  readonly extraParams: string;
}

const toSeconds = (ms: number): number => ms / SECOND;
const balance = (rng: Prng): string => (rng.int(100_000_000, 999_999_999) / 1e6).toFixed(6);

/**
 * An inbound PIOPIY call: the answer_url request, `in_answered`, the leg-A `hangup` (the earlier sample, the
 * only hangup captured, §6.2) and the answered CDR (§6.6).
 */
export function renderPiopiyInbound(
  call: PiopiyInboundCall,
  options: PiopiyRenderOptions,
): ScheduledPayload[] {
  const appid = APP_IDS.piopiy;
  const uuid = createUuid(options.rng);
  const { did, extraParams } = options;
  const at = (time: number, template: string, payload: Record<string, unknown>): ScheduledPayload => ({
    at: time,
    call: options.call,
    template,
    payload,
  });
  return sortByTime([
    // The answer_url sample has strings for numbers (§6.7).
    at(call.arrivalAt, 'piopiy-answer-url-request', {
      action: 'inbound',
      from: call.from,
      to: did,
      time: call.arrivalAt,
      cmiuuid: uuid,
    } satisfies RoutingRequestPayload),
    at(call.answeredAt, 'piopiy-incoming-event-answered', {
      appid,
      conversation_uuid: uuid,
      direction: 'inbound',
      from: Number(call.from),
      leg: 'a',
      status: 'in_answered',
      time: call.answeredAt,
      to: Number(did),
      cmiuuid: uuid,
      extra_params: extraParams,
    } satisfies LiveEventPayload),
    at(call.endedAt, 'piopiy-incoming-event-hangup-earlier', {
      extra_params: extraParams,
      type: 'event',
      leg: 'a',
      conversation_uuid: uuid,
      time: call.endedAt,
      to: did,
      from: call.from,
      cmiuuid: uuid,
      direction: 'inbound',
      appid,
      status: 'hangup',
    } satisfies LiveEventPayload),
    at(call.endedAt + CDR_DELAY_MS, 'piopiy-incoming-cdr-answered', {
      to: Number(did),
      appid,
      time: call.arrivalAt,
      start_time: toSeconds(call.arrivalAt),
      end_time: toSeconds(call.endedAt),
      from: Number(call.from),
      direction: 'inbound',
      // As in the sample: end_time − answer_time.
      duration: toSeconds(call.endedAt - call.answeredAt),
      extra_params: extraParams,
      cmiuuid: uuid,
      call_rate: '0.450000',
      balance: balance(options.rng),
      conversation_uuid: uuid,
      answer_time: toSeconds(call.answeredAt),
      leg: 'a',
      status: 'answered',
      type: 'cdr',
    } satisfies CdrPayload),
  ]);
}

/**
 * An outbound PIOPIY call: `out_started` and `out_answered` on leg A, `out_started` and `out_bridged` on leg B,
 * all with `conversation_uuid` == `request_id` (§6.3, §6.4), then leg A's answered CDR. PIOPIY's outbound answered
 * CDR was captured only for PIOPIY India (§6.9), so that sample is the template.
 */
export function renderPiopiyOutbound(
  call: PiopiyOutboundCall,
  options: PiopiyRenderOptions,
): ScheduledPayload[] {
  const appid = APP_IDS.piopiy;
  const requestId = createRequestId(options.rng);
  const legA = createUuid(options.rng);
  const legB = createUuid(options.rng);
  const did = Number(options.did);
  const event = (leg: 'a' | 'b', status: string, time: number): ScheduledPayload => ({
    at: time,
    call: options.call,
    template: `piopiy-outgoing-event-${status.replace('out_', '')}-leg-${leg}`,
    payload: {
      appid,
      callerid: did,
      conversation_uuid: requestId,
      direction: 'outbound',
      extra_params: options.extraParams,
      from: did,
      leg,
      request_id: requestId,
      status,
      time,
      to: Number(leg === 'a' ? call.first : call.second),
      cmiuuid: leg === 'a' ? legA : legB,
      vn: did,
    } satisfies LiveEventPayload,
  });
  return sortByTime([
    event('a', 'out_started', call.startedAt),
    event('a', 'out_answered', call.firstAnsweredAt),
    event('b', 'out_started', call.firstAnsweredAt),
    event('b', 'out_bridged', call.bridgedAt),
    {
      at: call.endedAt + CDR_DELAY_MS,
      call: options.call,
      template: 'piopiy-india-outgoing-cdr-answered-leg-a',
      payload: {
        to: Number(call.first),
        appid,
        time: call.startedAt,
        from: did,
        extra_params: options.extraParams,
        direction: 'outbound',
        // Leg A's CDR: from leg A's answer to the end, as the inbound sample counts from answer_time.
        duration: toSeconds(call.endedAt - call.firstAnsweredAt),
        cmiuuid: legA,
        conversation_uuid: requestId,
        request_id: requestId,
        // A string in the sample (the table says number, §6.9); the same number as `vn`.
        callerid: options.did,
        vn: did,
        out: true,
        status: 'answered',
        leg: 'a',
        type: 'cdr',
      } satisfies CdrPayload,
    },
  ]);
}

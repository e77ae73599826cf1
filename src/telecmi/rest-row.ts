import { toDigits, toEpochMs, toText } from './coerce.js';
import type { ParseResult } from './parse.js';
import { TelecmiError } from './telecmi-error.js';

type Row = Readonly<Record<string, unknown>>;

/** The REST API a row came from: CHUB (global), CHUB India or PIOPIY (docs/telecmi-rest.md). */
export type RestProduct = 'chub' | 'chub-india' | 'piopiy';

/**
 * The call history list a CHUB or CHUB India row came from, in CHUB's spelling (CHUB India's paths are
 * `/v1/outanswered` and `/v1/outmissed`).
 */
export type RestCallList = 'answered' | 'missed' | 'out_answered' | 'out_missed';

/** A PIOPIY CDR look-up: by a leg's cmiuuid, or every leg of a click/API request. */
export type PiopiyLookup = 'cmiuuid_cdr' | 'requestid_cdr';

/** What a row alone does not say: where it came from. Everything a row is read with, so it can be read again. */
export interface RestRowSource {
  readonly product: RestProduct;
  readonly list: RestCallList | PiopiyLookup;
  /** The app id the rows were asked for (REST rows do not repeat it). */
  readonly appId: string | number;
  /** `cmiuuid_cdr`: the cmiuuid asked for (the answer does not repeat it). */
  readonly cmiuuid?: string;
  /** `requestid_cdr`: the request id asked for. */
  readonly requestId?: string;
  /** A missed row's voicemail, from the voicemail list ({@link createVoicemailMatcher}). */
  readonly voicemail?: Row | null;
  /**
   * The key of the known call the row is the CDR of, when no id ties them (CHUB India rows carry only a row id):
   * read as the row's `conversation_uuid`, so the row folds into that call instead of making a second one.
   */
  readonly call?: string;
}

/** A user id, `<extension>_<appid>`: what CHUB India's outanswered rows put in `from`. */
const USER_ID = /^\d+_\d+$/;
const CALL_LISTS: readonly string[] = ['answered', 'missed', 'out_answered', 'out_missed'];

/**
 * Turns one REST row into a payload in webhook vocabulary (a `type: "cdr"` payload), so that {@link normalise}
 * reads it like a webhook CDR: `cmiuid` (or CHUB India's `_id`) → `cmiuuid`, `agent` → `user`, `billedsec` →
 * `answeredsec` on the answered lists, direction and status from the list (PIOPIY rows carry their own), `leg: "a"`
 * (a history row is the call, i.e. the caller's leg). Values keep their types (`record: "true"`, numbers as
 * strings or numbers): normalise absorbs them. Pure; every assumption is listed in docs/telecmi-rest.md.
 *
 * @throws TypeError when `source` is inconsistent (a PIOPIY look-up without the id asked for, a CHUB list for
 *   PIOPIY): a caller's mistake, not bad input.
 * @example
 * restRowToPayload({ cmiuid: 'c1', agent: '101_1111113', billedsec: 15, from: 919100000000, time: 1571119921000 },
 *   { product: 'chub', list: 'answered', appId: 1111113 });
 * // { type: 'cdr', appid: 1111113, direction: 'inbound', leg: 'a', status: 'answered', cmiuuid: 'c1', …, answeredsec: 15 }
 */
export function restRowToPayload(row: Row, source: RestRowSource): Record<string, unknown> {
  return source.product === 'piopiy' ? piopiyPayload(row, source) : historyPayload(row, source);
}

function historyPayload(row: Row, source: RestRowSource): Record<string, unknown> {
  if (!CALL_LISTS.includes(source.list))
    throw new TypeError(
      `${source.product} has no REST list ${source.list}: expected ${CALL_LISTS.join(', ')}.`,
    );
  const isOutbound = source.list.startsWith('out_');
  const isAnswered = source.list.endsWith('answered');
  const from = row['from'];
  const fromIsUser = typeof from === 'string' && USER_ID.test(from.trim());
  const payload: Record<string, unknown> = {
    type: 'cdr',
    appid: source.appId,
    direction: isOutbound ? 'outbound' : 'inbound',
    leg: 'a',
    status: isAnswered ? 'answered' : 'missed',
  };
  put(payload, 'cmiuuid', row['cmiuid'] ?? row['cmiuuid'] ?? row['_id']);
  put(payload, 'conversation_uuid', source.call);
  put(payload, 'user', row['agent'] ?? (fromIsUser ? from : undefined));
  put(payload, 'from', fromIsUser ? undefined : from);
  put(payload, 'to', row['to']);
  put(payload, 'time', row['time']);
  if (isAnswered) put(payload, 'answeredsec', row['billedsec'] ?? row['duration']);
  put(payload, 'record', row['record']);
  put(payload, 'filename', row['filename']);
  const voicename =
    source.voicemail === undefined || source.voicemail === null
      ? null
      : toText(source.voicemail['voicename']);
  if (!isAnswered && voicename !== null) {
    payload['voicemail'] = true;
    payload['voicename'] = voicename;
  }
  return payload;
}

function piopiyPayload(row: Row, source: RestRowSource): Record<string, unknown> {
  if (source.list === 'cmiuuid_cdr' && !source.cmiuuid)
    throw new TypeError('A cmiuuid_cdr row needs the cmiuuid it was asked for (source.cmiuuid).');
  if (source.list === 'requestid_cdr' && !source.requestId)
    throw new TypeError('A requestid_cdr row needs the request id it was asked for (source.requestId).');
  if (source.list !== 'cmiuuid_cdr' && source.list !== 'requestid_cdr')
    throw new TypeError(`piopiy has no REST list ${source.list}: expected cmiuuid_cdr or requestid_cdr.`);
  const payload: Record<string, unknown> = { type: 'cdr', appid: source.appId };
  put(payload, 'cmiuuid', source.list === 'cmiuuid_cdr' ? source.cmiuuid : undefined);
  put(payload, 'request_id', source.requestId);
  for (const key of ['direction', 'leg', 'status', 'from', 'to', 'time', 'duration', 'balance'])
    put(payload, key, row[key]);
  put(payload, 'call_rate', row['rate']);
  return payload;
}

function put(payload: Record<string, unknown>, key: string, value: unknown): void {
  if (value !== undefined && value !== null && value !== '') payload[key] = value;
}

/**
 * Reads one REST row, given as the exact text received, into what {@link normalise} takes: a `cdr` whose
 * `payload` is {@link restRowToPayload}'s and whose `raw` is the row's text, unchanged (that text is what is
 * stored). Never throws on bad input: a row that is not JSON, or not one object, is an error result.
 *
 * @example
 * const parsed = parseRestRow('{"cmiuid":"c1","agent":"101_1111113","billedsec":15}', { product: 'chub', list: 'answered', appId: 1111113 });
 * if (parsed.ok) normalise(parsed.value, { id: '01J…', receivedAt: Date.now() }).agent; // '101_1111113'
 */
export function parseRestRow(raw: string, source: RestRowSource): ParseResult {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch (error) {
    return fail('TELECMI_UNPARSEABLE', `The REST row is not valid JSON (${(error as Error).message}).`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return fail('TELECMI_NOT_AN_OBJECT', 'A REST row must be one JSON object.');
  return {
    ok: true,
    value: {
      payload: restRowToPayload(value as Row, source),
      format: 'json',
      raw,
      kind: 'cdr',
      product: source.product === 'piopiy' ? 'piopiy' : 'chub',
    },
  };
}

const fail = (code: 'TELECMI_UNPARSEABLE' | 'TELECMI_NOT_AN_OBJECT', message: string): ParseResult => ({
  ok: false,
  error: new TelecmiError(code, message),
});

/** How far a voicemail row's time may be from its missed call's. */
export interface VoicemailWindow {
  /** After the missed row's time: the caller waits in the queue before the voicemail. @defaultValue 30 min */
  readonly afterMs?: number;
  /** Before it (clocks and roundings). @defaultValue 5 s */
  readonly beforeMs?: number;
}

/**
 * Ties missed rows to voicemail rows, which name no call: a voicemail belongs to the missed call of the same
 * caller (`from`, as digits) whose time it follows most closely within the window. Each voicemail is given once,
 * so two missed calls of one caller do not share one. Feed it the whole voicemail list of a window, then ask per
 * missed row, in any order.
 *
 * @example
 * const matcher = createVoicemailMatcher(voicemailRows);
 * const source = { product: 'chub', list: 'missed', appId, voicemail: matcher.match(row) } as const;
 */
export function createVoicemailMatcher(
  voicemails: readonly Row[],
  window: VoicemailWindow = {},
): { match(missed: Row): Row | null } {
  const afterMs = window.afterMs ?? 30 * 60_000;
  const beforeMs = window.beforeMs ?? 5_000;
  const unclaimed = new Set(voicemails);
  return {
    match(missed) {
      const caller = toDigits(missed['from']);
      const time = toEpochMs(missed['time']);
      if (caller === null || time === null) return null;
      let best: Row | null = null;
      let bestDistance = Infinity;
      for (const voicemail of unclaimed) {
        const at = toEpochMs(voicemail['time']);
        if (at === null || toDigits(voicemail['from']) !== caller) continue;
        if (at < time - beforeMs || at > time + afterMs) continue;
        const distance = Math.abs(at - time);
        if (distance < bestDistance) [best, bestDistance] = [voicemail, distance];
      }
      if (best !== null) unclaimed.delete(best);
      return best;
    },
  };
}

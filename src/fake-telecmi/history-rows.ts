import { createHash } from 'node:crypto';

import { type CallEvent, normalise, parse, type RestProduct } from '../telecmi/index.js';

/** The lists the fake keeps, per product: CHUB's four lists and voicemails, and PIOPIY's CDRs. */
export type HistoryList = 'answered' | 'missed' | 'out_answered' | 'out_missed' | 'voicemail' | 'piopiy';

/** One row of the fake's history, as the REST API will answer it. */
export interface HistoryRow {
  readonly appId: string;
  readonly product: RestProduct;
  readonly list: HistoryList;
  /** What makes two posts of one CDR one row: the leg id and the list. */
  readonly id: string;
  /** Epoch ms: what the window selects on, and the order of the pages (newest first). */
  readonly time: number;
  /** The row, with the value types of its endpoint (docs/telecmi-rest.md). */
  readonly row: Record<string, unknown>;
  /** PIOPIY: the request id, for `requestid_cdr` (whose rows have numbers where `cmiuuid_cdr` has strings). */
  readonly requestId?: string;
  readonly requestRow?: Record<string, unknown>;
  /** A recording or voicemail file the play API will serve. */
  readonly file?: string;
}

/** What one webhook payload became. */
export type Conversion = { readonly rows: HistoryRow[] } | { readonly ignored: string };

/** Digits as a JSON number when they fit one exactly (REST rows send most numbers as numbers). */
const asNumber = (digits: string | null): number | string | undefined =>
  digits === null ? undefined : /^\d{1,15}$/.test(digits) ? Number(digits) : digits;
const rowId = (legId: string, list: string): string =>
  createHash('sha1').update(`${legId}:${list}`).digest('hex').slice(0, 24);
const money = (value: unknown, digits: number): number => {
  const number = typeof value === 'number' ? value : Number(value);
  return Number.isFinite(number) ? Number(number.toFixed(digits)) : 0;
};

/**
 * Turns one webhook payload, as simulate and trigger generate it, into the rows TeleCMI's history would hold for
 * it: a call's CDR (CHUB, CHUB India) becomes a row of its list, plus a voicemail row when a voicemail was left; a
 * PIOPIY CDR becomes the answer of `cmiuuid_cdr` (and of `requestid_cdr` when it has a request id). Live events,
 * routing requests and an agent leg's "user missed" CDR are not history rows (ignored, with the reason).
 * `product` tells CHUB India from CHUB, which their payloads do not.
 */
export function historyRowsOf(payload: unknown, product: 'chub' | 'chub-india'): Conversion {
  const parsed = parse(JSON.stringify(payload), 'application/json');
  if (!parsed.ok) return { ignored: parsed.error.message };
  const event = normalise(parsed.value, { id: 'history', receivedAt: 0 });
  if (event.kind !== 'cdr') return { ignored: `a ${event.kind}, not a CDR` };
  if (event.appId === null || event.legId === null || event.occurredAt === null)
    return { ignored: 'a CDR without appid, cmiuuid or time' };
  if (event.product === 'piopiy') return { rows: piopiyRows(event, parsed.value.payload) };
  if (event.leg === 'b') return { ignored: "an agent leg's CDR (the history lists hold calls)" };
  if (event.status !== 'answered' && event.status !== 'missed') return { ignored: `status ${event.status}` };
  return { rows: product === 'chub' ? chubRows(event) : chubIndiaRows(event) };
}

function listOf(event: CallEvent): 'answered' | 'missed' | 'out_answered' | 'out_missed' {
  const answered = event.status === 'answered';
  if (event.direction === 'outbound') return answered ? 'out_answered' : 'out_missed';
  return answered ? 'answered' : 'missed';
}

function base(
  event: CallEvent,
  product: RestProduct,
  list: HistoryList,
  row: Record<string, unknown>,
): HistoryRow {
  return { appId: event.appId!, product, list, id: `${event.legId}:${list}`, time: event.occurredAt!, row };
}

/** A voicemail row: left when the queue gave up, `waitedsec` after the call's time. */
function voicemailRow(event: CallEvent, product: RestProduct, extra: Record<string, unknown>): HistoryRow[] {
  if (event.voicemail === null) return [];
  const time = event.occurredAt! + (event.waitedSec ?? 0) * 1000;
  const row = { ...extra, time, from: asNumber(event.from), voicename: event.voicemail };
  return [{ ...base(event, product, 'voicemail', row), time, file: event.voicemail }];
}

function chubRows(event: CallEvent): HistoryRow[] {
  const list = listOf(event);
  const talk = event.answeredSec ?? 0;
  const isOut = list.startsWith('out_');
  const caller = isOut
    ? String(event.virtualNumber ?? event.callerId ?? event.from ?? '')
    : asNumber(event.from);
  const called =
    isOut || list === 'answered' ? asNumber(event.to) : asNumber(event.virtualNumber ?? event.to);
  const row: Record<string, unknown> = { cmiuid: event.legId, duration: talk };
  if (event.agent !== null) row['agent'] = event.agent;
  if (list.endsWith('answered')) row['notes'] = [];
  row['billedsec'] = talk;
  if (event.recording !== null) row['filename'] = event.recording;
  row['rate'] = list === 'out_answered' ? 0.0231 : 0;
  if (list.endsWith('answered')) row['record'] = event.recorded === false ? 'false' : 'true';
  Object.assign(row, { name: '', from: caller, to: called, time: event.occurredAt });
  if (row['to'] === undefined) delete row['to'];
  const file = event.recording === null ? {} : { file: event.recording };
  return [{ ...base(event, 'chub', list, row), ...file }, ...voicemailRow(event, 'chub', {})];
}

function chubIndiaRows(event: CallEvent): HistoryRow[] {
  const list = listOf(event);
  const isOut = list.startsWith('out_');
  const row: Record<string, unknown> = { _id: rowId(event.legId!, list) };
  const to = asNumber(isOut || list === 'answered' ? event.to : (event.virtualNumber ?? event.to));
  if (to !== undefined) row['to'] = to;
  row['time'] = event.occurredAt;
  row['from'] = isOut ? (event.agent ?? asNumber(event.callerId)) : asNumber(event.from);
  if (event.agent !== null) row['agent'] = event.agent;
  row['billedsec'] = event.answeredSec ?? 0;
  row['rate'] = list === 'out_answered' ? '0.6' : '0.00';
  if (list.endsWith('answered')) row['record'] = event.recorded === false ? 'false' : 'true';
  if (event.recording !== null) row['filename'] = event.recording;
  row['name'] = '';
  const file = event.recording === null ? {} : { file: event.recording };
  const voicemailId = { _id: rowId(event.legId!, 'voicemail') };
  return [
    { ...base(event, 'chub-india', list, row), ...file },
    ...voicemailRow(event, 'chub-india', voicemailId),
  ];
}

function piopiyRows(event: CallEvent, payload: Readonly<Record<string, unknown>>): HistoryRow[] {
  const common = {
    duration: event.durationSec ?? 0,
    from: asNumber(event.from),
    to: asNumber(event.to),
    time: event.occurredAt,
    leg: event.leg ?? 'a',
    direction: event.direction,
    status: event.phase,
  };
  // cmiuuid_cdr sends balance and rate as strings, requestid_cdr as numbers (§8).
  const balance = money(payload['balance'], 6);
  const rate = money(payload['call_rate'], 6);
  const row = { ...common, balance: balance.toFixed(6), rate: rate.toFixed(6) };
  const requestRow = { ...common, balance, rate };
  return [
    {
      ...base(event, 'piopiy', 'piopiy', row),
      id: event.legId!,
      ...(event.requestId === null ? {} : { requestId: event.requestId, requestRow }),
    },
  ];
}

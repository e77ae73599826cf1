import { setImmediate as yieldToIngest } from 'node:timers/promises';

import type { Config } from '../config.js';
import type { Call, MaskedData, NumberMasker, Store } from '../store/index.js';
import { maskOf, normaliseNumber } from './forget.js';

/** Rows per transaction, as retention deletes them: ingest commits between two batches. */
export const MASKING_BATCH = 500;

/** Calls first: the masks they give their numbers are then used for the same numbers in what follows them. */
const KINDS: readonly MaskedData[] = ['calls', 'deliveries', 'alerts', 'followups', 'quarantine'];

/** How many rows of each kind a pass went through. */
export type MaskingResult = Record<MaskedData, number>;

export type MaskingSettings = Pick<Config, 'maskNumbersAfterMs'>;

const isNumber = (value: string | null): value is string =>
  value !== null && normaliseNumber(value) === value;

/**
 * A call's personal numbers: the caller of an inbound call, the customer of an outbound one (both when the
 * direction is unknown), and the phones agents were rung on. Not your virtual number, nor the number an inbound
 * call dialled or an outbound one showed: those are the business's, and reports by line still need them.
 */
export function personalNumbers(call: Call): string[] {
  const numbers = call.agents.map((agent) => agent.number);
  if (call.direction !== 'outbound') numbers.push(call.from);
  if (call.direction !== 'inbound') numbers.push(call.to);
  return [...new Set(numbers.filter(isNumber))].filter((number) => number !== call.virtualNumber);
}

/** Keys under which telehook's and TeleCMI's JSON carry a phone number. */
const NUMBER_KEYS = new Set(['from', 'to', 'number', 'callerId', 'callerid', 'caller_id', 'agent_number']);
/** A number in a readable text: "from 919876543210 to …" (Slack and Teams bodies), "+919876543210 not called back". */
const NUMBER_IN_WORDS = /(?:\b(?:from|to) \+?|\+)([0-9]{6,20})(?![0-9])/g;

/**
 * The numbers in a text kept beside the calls: the values of number fields (`from`, `to`, `number`, …) of its
 * JSON, at any depth, and numbers written after "from", "to" or "+" (a readable message or summary).
 */
export function numbersIn(text: string): string[] {
  const found = new Set<string>();
  for (const match of text.matchAll(NUMBER_IN_WORDS)) found.add(match[1]!);
  const walk = (value: unknown): void => {
    if (Array.isArray(value)) value.forEach(walk);
    else if (value !== null && typeof value === 'object')
      for (const [key, field] of Object.entries(value)) {
        if (NUMBER_KEYS.has(key) && (typeof field === 'string' || typeof field === 'number')) {
          const number = normaliseNumber(String(field));
          if (number !== null) found.add(number);
        } else if (typeof field === 'string' && field.startsWith('{')) {
          // JSON in a string: an event's raw payload in a delivery's body.
          walk(parseJson(field));
        } else walk(field);
      }
  };
  walk(parseJson(text));
  return [...found];
}

const parseJson = (text: string): unknown => {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
};

/**
 * One masker per pass: a number gets one random mask (forget's format) throughout the pass, so that a missed call
 * and its callback masked together still match. Not kept after the pass: the mask of a number is never written
 * next to the number, so nothing can undo it.
 */
export function createNumberMasker(): NumberMasker {
  const masks = new Map<string, string>();
  return {
    numbersOfCall: personalNumbers,
    numbersIn,
    maskOf: (number) => {
      let mask = masks.get(number);
      if (mask === undefined) masks.set(number, (mask = maskOf(number)));
      return mask;
    },
  };
}

/**
 * Masks the phone numbers of calls (with their events) and of deliveries, alerts, follow-up actions and
 * quarantined requests older than the setting, in batches of {@link MASKING_BATCH} rows, giving the event loop
 * back to ingest between them. Each pass goes on from where the last stopped (the store keeps the position).
 *
 * @example
 * const masked = await maskOldNumbers(store, config, Date.now()); // { calls: 340, deliveries: 12, … }
 */
export async function maskOldNumbers(
  store: Store,
  settings: MaskingSettings,
  now: number,
  batch = MASKING_BATCH,
): Promise<MaskingResult> {
  const result: MaskingResult = { calls: 0, deliveries: 0, alerts: 0, followups: 0, quarantine: 0 };
  if (settings.maskNumbersAfterMs === null) return result;
  const before = now - settings.maskNumbersAfterMs;
  const masker = createNumberMasker();
  for (const data of KINDS) {
    for (;;) {
      const done = await store.maskOldNumbers(data, before, batch, masker);
      result[data] += done;
      if (done < batch) break;
      await yieldToIngest();
    }
  }
  return result;
}

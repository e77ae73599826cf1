import { randomInt } from 'node:crypto';
import { setImmediate as yieldToIngest } from 'node:timers/promises';

import type { NumberData, Store } from '../store/index.js';

const KINDS: readonly NumberData[] = ['events', 'calls', 'deliveries', 'quarantine', 'alerts', 'followups'];
const BATCH = 500;

/** How many rows of each kind held the number (and were changed, unless it was a dry run). */
export type ForgetResult = Record<NumberData, number>;

/** A phone number as telehook keeps it (digits only), or null when `text` is not one. */
export function normaliseNumber(text: string): string | null {
  const digits = text.replace(/[\s()+.-]/g, '');
  return /^\d{6,20}$/.test(digits) ? digits : null;
}

/**
 * The mask of a number: a random number of as many digits, its first not 0 (TeleCMI sends numbers as JSON numbers
 * too, and a leading zero would make the raw payload unreadable). Random, not derived from the number: a hash of
 * a phone number is undone by trying every number.
 */
export function maskOf(number: string): string {
  let mask = String(1 + randomInt(9));
  while (mask.length < number.length) mask += String(randomInt(10));
  return mask;
}

/**
 * Replaces one person's phone number everywhere telehook keeps it (events' raw payloads, calls, deliveries,
 * quarantined requests, alerts, follow-up actions) with one mask, in batches that give the event loop back between them. The same mask
 * everywhere: that person's calls still match each other (a missed call and its callback). With `dryRun`,
 * changes nothing and counts what it would change.
 */
export async function forgetNumber(
  store: Store,
  number: string,
  options: { readonly dryRun?: boolean; readonly replacement?: string } = {},
): Promise<ForgetResult> {
  const replacement = options.dryRun ? null : (options.replacement ?? maskOf(number));
  const result: ForgetResult = { events: 0, calls: 0, deliveries: 0, quarantine: 0, alerts: 0, followups: 0 };
  for (const data of KINDS) {
    let after: string | null = null;
    do {
      const batch = await store.replaceNumber(data, { number, replacement }, after, BATCH);
      result[data] += batch.changed;
      after = batch.next;
      if (after !== null) await yieldToIngest();
    } while (after !== null);
  }
  return result;
}

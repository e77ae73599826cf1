import type { Prng } from './prng.js';

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const HEX = '0123456789abcdef';

/**
 * A UUID v4 drawn from `rng`: the shape of TeleCMI's `cmiuuid`, `conversation_uuid` and CHUB `call_id`
 * (docs/telecmi-payloads.md §2).
 *
 * @example
 * createUuid(createPrng(1)); // 'xxxxxxxx-xxxx-4xxx-[89ab]xxx-xxxxxxxxxxxx'
 */
export function createUuid(rng: Prng): string {
  let text = '';
  for (let i = 0; i < 32; i += 1) {
    let nibble = rng.int(0, 15);
    if (i === 12) nibble = 4; // version 4
    if (i === 16) nibble = 8 | (nibble & 3); // RFC 4122 variant
    text += HEX[nibble];
    if (i === 7 || i === 11 || i === 15 || i === 19) text += '-';
  }
  return text;
}

/**
 * A 43-character base62 id: the shape of a click-to-call `request_id` and of PIOPIY's outbound
 * `conversation_uuid` (§2, §6.3).
 */
export function createRequestId(rng: Prng, length = 43): string {
  let text = '';
  for (let i = 0; i < length; i += 1) text += BASE62[rng.int(0, 61)];
  return text;
}

/** `count` random decimal digits (the random part of TeleCMI's recording file names). */
export function createDigits(rng: Prng, count: number): string {
  let text = '';
  for (let i = 0; i < count; i += 1) text += String(rng.int(0, 9));
  return text;
}

/**
 * A phone number (E.164 digits, no `+`) that does not start with 0, so that it survives being sent as a JSON
 * number, as CHUB CDRs and CHUB India payloads send numbers (§9.2).
 */
export function createPhoneNumber(rng: Prng, shape: { prefix: string; length: number }): string {
  return shape.prefix + String(rng.int(1, 9)) + createDigits(rng, shape.length - shape.prefix.length - 1);
}

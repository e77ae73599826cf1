import type { CallEvent } from '../../telecmi/index.js';

/**
 * The dedupe key as the SQLite store indexes it: the payload's own time (8 bytes, big-endian epoch ms) before the
 * SHA-256 of its canonical JSON.
 *
 * Why the time first: a SHA-256 lands at a random place in the unique index, so every event of a commit changed
 * its own index page, written to the log and again at the checkpoint, and once the index outgrows the page cache,
 * read from disk first. Events arrive roughly in the order of their own times, so with the time first the keys of
 * a commit land on the last few pages (`npm run bench:insert`, bench/README.md). The time
 * comes from the payload only (never from when it arrived), so the same payload always gets the same key and a
 * repeat is still found.
 */
export function storedDedupeKey(hashHex: string, event: CallEvent): Buffer {
  return keyWithTime(dedupeTimeOf(event), Buffer.from(hashHex, 'hex'));
}

/** `time` (8 bytes, big-endian) followed by `hash`. */
export function keyWithTime(time: number, hash: Buffer): Buffer {
  const key = Buffer.alloc(8 + hash.length);
  key.writeBigUInt64BE(BigInt(time), 0);
  hash.copy(key, 8);
  return key;
}

/** The payload's own time: TeleCMI's `time`, else a CDR's end or start; 0 when it has none. */
export function dedupeTimeOf(event: CallEvent): number {
  const time = Math.floor(event.occurredAt ?? event.endedAt ?? event.startedAt ?? 0);
  return Number.isSafeInteger(time) && time > 0 ? time : 0;
}

import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';

/** The documented TeleCMI samples that the tests use too. */
const FIXTURES_DIR = new URL('../../test/fixtures/telecmi/', import.meta.url);

export interface Fixture {
  /** File name without `.json`. */
  readonly name: string;
  readonly payload: Readonly<Record<string, unknown>>;
}

/** Time fields that move together with `time` when a payload is freshened (PIOPIY CDRs carry them in seconds). */
const TIME_FIELDS = ['time', 'start_time', 'answer_time', 'end_time'] as const;

/** Epoch values below this are seconds (PIOPIY), above it milliseconds. */
const MS_THRESHOLD = 1e11;

/** The fixtures with a `cmiuuid`: every documented payload whose identifier can be made fresh. */
export function loadFixtures(dir: URL = FIXTURES_DIR): Fixture[] {
  return readdirSync(dir)
    .filter((file) => file.endsWith('.json'))
    .sort()
    .map((file) => ({
      name: file.replace(/\.json$/, ''),
      payload: JSON.parse(readFileSync(new URL(file, dir), 'utf8')) as Record<string, unknown>,
    }))
    .filter((fixture) => typeof fixture.payload['cmiuuid'] === 'string');
}

/**
 * A copy of a payload as a new call would send it: `cmiuuid` is `id`; `conversation_uuid` is `id` too when it
 * equalled `cmiuuid` (leg A), else `otherId` (leg B keeps a call id of its own); `time` is `nowMs` in the unit
 * the sample used, and the other time fields move by the same amount. Key order and every other value are kept.
 */
export function freshen(
  payload: Readonly<Record<string, unknown>>,
  ids: { readonly id: string; readonly otherId: string; readonly caller?: number },
  nowMs: number,
): Record<string, unknown> {
  const fresh: Record<string, unknown> = { ...payload, cmiuuid: ids.id };
  // Every other call identifier of the sample is fresh too, or every body would join the same call.
  for (const field of ['call_id', 'request_id', 'parent_uid'] as const) {
    if (typeof payload[field] === 'string') fresh[field] = `${ids.otherId}-${field}`;
  }
  // A fresh caller too: telehook links agent legs to calls by the caller's number, and in real traffic callers
  // differ; the samples' few numbers would make every call look like one switchboard's.
  const from = payload['from'];
  if (ids.caller !== undefined && (typeof from === 'number' || typeof from === 'string')) {
    const digits = String(from);
    const replaced =
      digits.slice(0, 4) +
      String(ids.caller % 10 ** Math.max(1, digits.length - 4)).padStart(digits.length - 4, '0');
    fresh['from'] = typeof from === 'number' ? Number(replaced) : replaced;
  }
  if (typeof payload['conversation_uuid'] === 'string') {
    fresh['conversation_uuid'] = payload['conversation_uuid'] === payload['cmiuuid'] ? ids.id : ids.otherId;
  }
  const time = payload['time'];
  if (typeof time === 'number') {
    const shiftMs = nowMs - toMs(time);
    for (const field of TIME_FIELDS) {
      const value = payload[field];
      if (typeof value !== 'number') continue;
      fresh[field] = value < MS_THRESHOLD ? value + Math.round(shiftMs / 1000) : value + shiftMs;
    }
  }
  return fresh;
}

/**
 * `size` request bodies, cycling through the fixtures, each with fresh identifiers: generated before the load
 * starts, so that their cost is not measured, and all different, so that dedupe never short-cuts the work.
 */
export function buildBodies(
  fixtures: readonly Fixture[],
  size: number,
  newId: () => string = randomUUID,
  nowMs: number = Date.now(),
): Buffer[] {
  if (fixtures.length === 0) throw new Error('no fixture with a cmiuuid');
  const bodies = new Array<Buffer>(size);
  for (let index = 0; index < size; index += 1) {
    const fixture = fixtures[index % fixtures.length] as Fixture;
    const payload = freshen(fixture.payload, { id: newId(), otherId: newId(), caller: index }, nowMs);
    bodies[index] = Buffer.from(JSON.stringify(payload), 'utf8');
  }
  return bodies;
}

function toMs(epoch: number): number {
  return epoch < MS_THRESHOLD ? epoch * 1000 : epoch;
}

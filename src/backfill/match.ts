import type { Call, Store } from '../store/index.js';
import type { CallEvent } from '../telecmi/index.js';

/**
 * How far a REST row's time may be from a known call's start or answer for the two to be one call, when no id ties
 * them (CHUB India rows carry a row id, not the call's cmiuuid). A minute: the row's `time` and the live events'
 * come from TeleCMI's clocks, seconds apart at most in every sample; one caller does not call the same number
 * twice within it in a way that matters to the figures.
 */
export const MATCH_TOLERANCE_MS = 60_000;

/** What a REST row is to telehook's history. */
export type RowMatch =
  /** No call of it is known: its row is the call (closedBy "backfill"). */
  | { readonly kind: 'new' }
  /** A call with this id is known but has no CDR (it was dropped, or telehook was down at the end): the row completes it. */
  | { readonly kind: 'completes'; readonly call: Call }
  /** The call is known with its CDR, by id or by caller, number, direction and time: the row adds nothing. */
  | { readonly kind: 'known'; readonly call: Call; readonly by: 'id' | 'details' };

const hasCdr = (call: Call): boolean => call.closedBy === 'cdr' || call.closedBy === 'backfill';

/**
 * The match rule (README "Complete history"): first the row's id against every TeleCMI id of the known calls
 * (a CHUB `cmiuid` is the call's cmiuuid, which is also its conversation_uuid); a call found by id that has no CDR
 * yet is completed by the row. Without an id match, a call of the same direction, the same caller, the same
 * number (the row's `to` is the number called, or the agent's phone) and a start or answer within
 * {@link MATCH_TOLERANCE_MS} of the row's time is the same call: the row adds nothing (with no shared id it could
 * not be folded into it, and a second copy of the call would count it twice).
 */
export async function matchRow(
  store: Pick<Store, 'getCall' | 'listCalls'>,
  event: CallEvent,
  toleranceMs: number = MATCH_TOLERANCE_MS,
): Promise<RowMatch> {
  for (const id of [event.legId, event.conversationUuid, event.requestId]) {
    if (id === null) continue;
    const call = await store.getCall(id);
    if (call !== null) return hasCdr(call) ? { kind: 'known', call, by: 'id' } : { kind: 'completes', call };
  }
  const time = event.occurredAt;
  if (time === null || event.from === null) return { kind: 'new' };
  const page = await store.listCalls({
    // An answered row's time is the answer: the call started up to its wait earlier (an hour covers any queue).
    from: time - toleranceMs - 3_600_000,
    to: time + toleranceMs + 1,
    number: event.from,
    limit: 200,
  });
  const near = (at: number | null): boolean => at !== null && Math.abs(at - time) <= toleranceMs;
  const call = page.items.find(
    (candidate) =>
      candidate.direction === event.direction &&
      candidate.from === event.from &&
      (event.to === null ||
        candidate.to === event.to ||
        candidate.virtualNumber === event.to ||
        candidate.agents.some((leg) => leg.number === event.to)) &&
      (near(candidate.startedAt) || near(candidate.answeredAt)),
  );
  return call === undefined ? { kind: 'new' } : { kind: 'known', call, by: 'details' };
}

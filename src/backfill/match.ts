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
  /**
   * A call is known but has no CDR (it was dropped, or telehook was down at the end): the row completes it. Found
   * by details (no shared id), the row must be read as that call's (`RestRowSource.call`) to fold into it.
   */
  | { readonly kind: 'completes'; readonly call: Call; readonly by: 'id' | 'details' }
  /** The call is known with its CDR, by id or by caller, number, direction and time: the row adds nothing. */
  | { readonly kind: 'known'; readonly call: Call; readonly by: 'id' | 'details' };

const hasCdr = (call: Call): boolean => call.closedBy === 'cdr' || call.closedBy === 'backfill';

/**
 * The match rule (README "Complete history"): first the row's id against every TeleCMI id of the known calls
 * (a CHUB `cmiuid` is the call's cmiuuid, which is also its conversation_uuid); a call found by id that has no CDR
 * yet is completed by the row. Without an id match, a call of the same direction, the same caller, the same
 * number (the row's `to` is the number called, or the agent's phone: see {@link isSameNumber}) and a start or answer within
 * {@link MATCH_TOLERANCE_MS} of the row's time is the same call: the row adds nothing when that call has its CDR,
 * and completes it otherwise (read with the call's key as its conversation_uuid, so that it folds into that call
 * rather than making a second copy that would count the call twice).
 */
export async function matchRow(
  store: Pick<Store, 'getCall' | 'listCalls'>,
  event: CallEvent,
  toleranceMs: number = MATCH_TOLERANCE_MS,
): Promise<RowMatch> {
  for (const id of [event.legId, event.conversationUuid, event.requestId]) {
    if (id === null) continue;
    const call = await store.getCall(id);
    if (call !== null)
      return hasCdr(call) ? { kind: 'known', call, by: 'id' } : { kind: 'completes', call, by: 'id' };
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
      isSameNumber(candidate, event) &&
      (near(candidate.startedAt) || near(candidate.answeredAt)),
  );
  if (call === undefined) return { kind: 'new' };
  return hasCdr(call) ? { kind: 'known', call, by: 'details' } : { kind: 'completes', call, by: 'details' };
}

/**
 * Whether the row's `to` (the number called, or the phone of the agent who answered) fits the call. CHUB India's
 * live events name the agent but never the agent's phone, and a call whose agent legs were lost names neither: a
 * call that knows no agent's phone cannot contradict the row, so caller, direction and time decide alone.
 */
function isSameNumber(candidate: Call, event: CallEvent): boolean {
  if (event.to === null || candidate.to === event.to || candidate.virtualNumber === event.to) return true;
  if (candidate.agents.some((leg) => leg.number === event.to)) return true;
  if (event.agent !== null && candidate.agents.some((leg) => leg.agent === event.agent)) return true;
  return candidate.agents.every((leg) => leg.number === null);
}

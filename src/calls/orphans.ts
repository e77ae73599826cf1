import type { Call, CallSearch } from '../store/index.js';

/**
 * Agent-only legs. TeleCMI's "incoming user missed" CDR (one per agent who let the call ring out) carries the
 * agent's leg id, the caller's number and a time, but in the documented sample no conversation_uuid
 * (docs/telecmi-payloads.md §3.12). When nothing else links it, it joins the inbound call from the same number
 * that was live at that time. Until then it is a `legOnly` call, never counted as a call. Such a join is an
 * inference: it is revised when the calls around it change (see fold.ts).
 */

/** How far before the leg the caller's call may have started (a long queue). */
const LOOK_BACK_MS = 2 * 60 * 60 * 1000;
/** Clock skew between the leg's time and the call's first event. */
const SLACK_MS = 60 * 1000;

/** What places an agent's leg: the caller's number and when the leg happened. */
export interface LegClue {
  readonly from: string | null;
  readonly at: number;
}

/** The clue of an agent-only leg. */
export const legOf = (orphan: Call): LegClue => ({
  from: orphan.from,
  at: orphan.agents[0]?.rangAt ?? orphan.startedAt,
});

export function parentSearch(leg: LegClue): CallSearch | null {
  if (leg.from === null) return null;
  return { from: leg.from, startedFrom: leg.at - LOOK_BACK_MS, startedTo: leg.at + SLACK_MS };
}

export function orphanSearch(call: Call): CallSearch | null {
  if (call.from === null || call.direction !== 'inbound') return null;
  return {
    from: call.from,
    startedFrom: call.startedAt - SLACK_MS,
    startedTo: (call.endedAt ?? call.startedAt + LOOK_BACK_MS) + SLACK_MS,
  };
}

/**
 * For a new inbound call, where the calls are whose legs joined by inference it may take: a leg goes to the
 * latest call that fits it, so only calls that started before this one, within a leg's look-back, can lose one.
 */
export function rivalSearch(call: Call): CallSearch | null {
  if (call.from === null || call.direction !== 'inbound' || call.legOnly) return null;
  return {
    from: call.from,
    startedFrom: call.startedAt - LOOK_BACK_MS - SLACK_MS,
    startedTo: call.startedAt,
  };
}

/** Whether the leg can be part of the call: an inbound call from its number, live at the leg's time. */
export function fits(call: Call, leg: LegClue): boolean {
  return (
    !call.legOnly &&
    call.direction === 'inbound' &&
    call.from === leg.from &&
    call.startedAt <= leg.at + SLACK_MS &&
    call.startedAt >= leg.at - LOOK_BACK_MS &&
    (call.endedAt === null || call.endedAt >= leg.at - SLACK_MS)
  );
}

/**
 * The caller's call for an agent leg: among inbound calls from the same number, the one that started last at or
 * before the leg (with slack) and had not ended well before it. A function of the candidates only, so the
 * choice does not depend on arrival order.
 */
export function pickParent(leg: LegClue, candidates: readonly Call[]): Call | null {
  const fitting = candidates.filter((call) => fits(call, leg));
  fitting.sort((a, b) => b.startedAt - a.startedAt || a.key.localeCompare(b.key));
  return fitting[0] ?? null;
}

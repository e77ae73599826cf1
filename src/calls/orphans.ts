import type { Call, CallSearch } from '../store/index.js';

/**
 * Agent-only legs. TeleCMI's "incoming user missed" CDR (one per agent who let the call ring out) carries the
 * agent's leg id, the caller's number and a time, but in the documented sample no conversation_uuid
 * (docs/telecmi-payloads.md §3.12). When nothing else links it, it joins the inbound call from the same number
 * that was live at that time. Until then it is a `legOnly` call, never counted as a call.
 */

/** How far before the leg the caller's call may have started (a long queue). */
const LOOK_BACK_MS = 2 * 60 * 60 * 1000;
/** Clock skew between the leg's time and the call's first event. */
const SLACK_MS = 60 * 1000;

/** When the agent's leg happened. */
const legTime = (orphan: Call): number => orphan.agents[0]?.rangAt ?? orphan.startedAt;

export function parentSearch(orphan: Call): CallSearch | null {
  if (orphan.from === null) return null;
  const at = legTime(orphan);
  return { from: orphan.from, startedFrom: at - LOOK_BACK_MS, startedTo: at + SLACK_MS };
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
 * The caller's call for an agent leg: among inbound calls from the same number, the one that started last at or
 * before the leg (with slack) and had not ended well before it. A function of the candidates only, so the
 * choice does not depend on arrival order.
 */
export function pickParent(orphan: Call, candidates: Call[]): Call | null {
  const at = legTime(orphan);
  const fitting = candidates.filter(
    (call) =>
      !call.legOnly &&
      call.direction === 'inbound' &&
      call.startedAt <= at + SLACK_MS &&
      (call.endedAt === null || call.endedAt >= at - SLACK_MS),
  );
  fitting.sort((a, b) => b.startedAt - a.startedAt || a.key.localeCompare(b.key));
  return fitting[0] ?? null;
}

import type { CallEvent } from '../telecmi/index.js';

/** Where a status sits in a call's life, to order events that share a TeleCMI time. */
const PHASE_RANK: Record<string, number> = {
  waiting: 0,
  started: 1,
  ringing: 1,
  answered: 2,
  bridged: 2,
  connected: 3,
  disconnected: 4,
  hangup: 5,
  missed: 6,
};

/** The status without its PIOPIY prefix, or '' when there is none. */
export const phaseOf = (event: CallEvent): string => event.phase ?? '';

/** An agent's leg (leg b): the side TeleCMI dials to reach a user. */
export const isAgentLeg = (event: CallEvent): boolean => event.leg === 'b';

/**
 * TeleCMI time order: by `time`, then live events before CDRs, then by status rank, then by content, never by
 * arrival; so that the same set of events always sorts the same way.
 */
export function byTelecmiTime(a: CallEvent, b: CallEvent): number {
  return (
    (a.occurredAt ?? Number.MAX_SAFE_INTEGER) - (b.occurredAt ?? Number.MAX_SAFE_INTEGER) ||
    Number(a.kind === 'cdr') - Number(b.kind === 'cdr') ||
    (PHASE_RANK[phaseOf(a)] ?? 9) - (PHASE_RANK[phaseOf(b)] ?? 9) ||
    (a.leg ?? '').localeCompare(b.leg ?? '') ||
    compareText(a.raw, b.raw)
  );
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

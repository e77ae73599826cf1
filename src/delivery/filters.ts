import type { Call, EndpointFilter, StoredEvent } from '../store/index.js';

/** The filter keys each kind of endpoint accepts. */
export const FILTER_KEYS = {
  events: ['kind', 'status', 'direction', 'team', 'number', 'appId'],
  calls: ['outcome', 'team', 'direction'],
  alerts: [],
} as const satisfies Record<string, readonly (keyof EndpointFilter)[]>;

const isAnyOf = (accepted: readonly string[] | undefined, value: string | null): boolean =>
  accepted === undefined || accepted.length === 0 || (value !== null && accepted.includes(value));

/** A team matches with or without its app-id suffix: `Sales` matches `Sales_2222223`. */
const isTeam = (accepted: readonly string[] | undefined, team: string | null): boolean =>
  accepted === undefined ||
  accepted.length === 0 ||
  (team !== null && accepted.some((name) => name === team || name === teamName(team)));

/** A TeleCMI team without its app-id suffix: `Sales_2222223` → `Sales`. */
export function teamName(team: string): string {
  return team.replace(/_\d+$/, '');
}

/** Whether an event passes an events endpoint's filter. */
export function matchesEvent(filter: EndpointFilter, event: StoredEvent): boolean {
  const numbers = [event.from, event.to, event.virtualNumber].filter((n): n is string => n !== null);
  return (
    isAnyOf(filter.kind, event.kind) &&
    isAnyOf(filter.status, event.status) &&
    isAnyOf(filter.direction, event.direction) &&
    isTeam(filter.team, event.team) &&
    isAnyOf(filter.appId, event.appId) &&
    (filter.number === undefined ||
      filter.number.length === 0 ||
      numbers.some((n) => filter.number!.includes(n)))
  );
}

/** Whether a call passes a calls endpoint's filter. */
export function matchesCall(filter: EndpointFilter, call: Call): boolean {
  return (
    isAnyOf(filter.outcome, call.outcome) &&
    isTeam(filter.team, call.team) &&
    isAnyOf(filter.direction, call.direction)
  );
}

/** A call's outcome is final when its CDR arrived or it was closed as stale: then it is notified, once. */
export function isFinal(call: Call): boolean {
  return !call.legOnly && (call.closedBy === 'cdr' || call.closedBy === 'stale');
}

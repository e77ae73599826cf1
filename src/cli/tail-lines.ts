import type { EventSummary } from '../live/index.js';
import type { Call } from '../store/index.js';
import type { colorsFor } from './command-io.js';
import { UsageError } from './usage-error.js';

/** One line of `telehook tail`: an event, or a call that ended. */
export interface TailLine {
  /** When it happened: TeleCMI's time of the event (else its receipt), or the end of the call. */
  readonly at: number;
  /** The event's kind (event, cdr, routing-request), or `call` for a call that ended. */
  readonly kind: string;
  /** The event's status; for a call, its outcome. */
  readonly status: string | null;
  readonly direction: string | null;
  readonly leg: string | null;
  readonly from: string | null;
  readonly to: string | null;
  /** The event's agent; for a call, who answered (inbound) or placed it (outbound). */
  readonly agent: string | null;
  /** Every agent the line concerns (for a call, every agent rung too): what `--filter agent=` matches. */
  readonly agents: readonly string[];
  readonly team: string | null;
  readonly callKey: string | null;
  /** A call's figures; absent for an event. */
  readonly call?: {
    readonly outcome: string | null;
    readonly waitedSec: number | null;
    readonly talkSec: number | null;
  };
}

/** The keys `--filter key=value` accepts, and the values of a line each one matches. */
const FILTER_FIELDS = {
  status: (line) => [line.status],
  kind: (line) => [line.kind],
  direction: (line) => [line.direction],
  leg: (line) => [line.leg],
  team: (line) => [line.team],
  agent: (line) => line.agents,
  outcome: (line) => [line.call?.outcome ?? null],
  from: (line) => [line.from],
  to: (line) => [line.to],
  number: (line) => [line.from, line.to],
  call: (line) => [line.callKey],
} satisfies Record<string, (line: TailLine) => readonly (string | null)[]>;

export type FilterKey = keyof typeof FILTER_FIELDS;
export const FILTER_KEYS = Object.keys(FILTER_FIELDS) as FilterKey[];

/** One `--filter`: `key=value`, or `key!=value` to leave such lines out. */
export interface Filter {
  readonly key: FilterKey;
  readonly value: string;
  readonly isNegated: boolean;
}

/**
 * Reads `--filter` values: `status=missed`, `team!=Support`. Repeating a key keeps lines that match any of its
 * values; different keys must all match.
 */
export function parseFilters(flag: string, values: readonly string[]): Filter[] {
  return values.map((text) => {
    const match = /^\s*([a-z]+)\s*(!?=)\s*([^=\s].*?)\s*$/.exec(text);
    const key = match?.[1] as FilterKey | undefined;
    if (match === null || key === undefined || !(key in FILTER_FIELDS))
      throw new UsageError(
        `${flag}: ${JSON.stringify(text)} is not a filter: expected key=value or key!=value, with a key among ${FILTER_KEYS.join(', ')}.`,
      );
    return { key, value: match[3]!, isNegated: match[2] === '!=' };
  });
}

/**
 * Whether a value matches what a filter names: case aside, a team or agent by its name without TeleCMI's app-id
 * suffix too (`Sales` matches `Sales_2222223`, `204` matches `204_2222223`), a number without `+` or spaces, a
 * call by the start of its key (as `tail` shows it).
 */
function isMatch(key: FilterKey, wanted: string, value: string | null): boolean {
  if (value === null) return false;
  const have = value.toLowerCase();
  const want = wanted.toLowerCase();
  if (key === 'call') return have.startsWith(want);
  if (key === 'from' || key === 'to' || key === 'number')
    return have === want.replace(/^\+/, '').replace(/[\s\-().]/g, '');
  if (key === 'team' || key === 'agent') return have === want || have.replace(/_\d+$/, '') === want;
  return have === want;
}

/** Whether a line passes every filter. */
export function passesFilters(line: TailLine, filters: readonly Filter[]): boolean {
  const byKey = new Map<string, Filter[]>();
  for (const filter of filters) {
    const group = `${filter.key}${filter.isNegated ? '!' : ''}`;
    byKey.set(group, [...(byKey.get(group) ?? []), filter]);
  }
  for (const group of byKey.values()) {
    const matched = group.some((filter) =>
      FILTER_FIELDS[filter.key](line).some((value) => isMatch(filter.key, filter.value, value)),
    );
    if (matched === group[0]!.isNegated) return false;
  }
  return true;
}

/** The line of an event message. */
export function eventLine(event: EventSummary): TailLine {
  return {
    at: event.occurredAt ?? event.receivedAt,
    kind: event.kind,
    status: event.status,
    direction: event.direction,
    leg: event.leg,
    from: event.from,
    to: event.to,
    agent: event.agent,
    agents: event.agent === null ? [] : [event.agent],
    team: event.team,
    callKey: event.callKey,
  };
}

/** The line of a call that ended. */
export function callLine(call: Call): TailLine {
  const agent = call.answeredBy ?? call.placedBy;
  return {
    at: call.endedAt ?? call.lastEventAt,
    kind: 'call',
    status: call.outcome,
    direction: call.direction,
    leg: null,
    from: call.from,
    to: call.to,
    agent,
    agents: [...new Set([...(agent === null ? [] : [agent]), ...call.agents.map((leg) => leg.agent)])],
    team: call.team,
    callKey: call.key,
    call: { outcome: call.outcome, waitedSec: call.waitedSec, talkSec: call.talkSec },
  };
}

type Colors = ReturnType<typeof colorsFor>;

/** Seconds as people read them: `12 s`, `3m20s`, `1h02m`; `–` when unknown. */
export function formatSeconds(seconds: number | null): string {
  if (seconds === null) return '–';
  const whole = Math.round(seconds);
  if (whole < 60) return `${whole} s`;
  if (whole < 3600) return `${Math.floor(whole / 60)}m${String(whole % 60).padStart(2, '0')}s`;
  return `${Math.floor(whole / 3600)}h${String(Math.floor((whole % 3600) / 60)).padStart(2, '0')}m`;
}

function colourOf(status: string | null, c: Colors): (text: string) => string {
  const phase = (status ?? '').replace(/^(in|out|stream)_/, '');
  if (phase === 'answered' || phase === 'bridged') return c.green;
  if (phase === 'missed' || phase === 'abandoned' || phase === 'unknown') return c.red;
  if (phase === 'voicemail') return c.magenta;
  if (phase === 'waiting' || phase === 'started' || phase === 'ringing') return c.yellow;
  if (phase === 'hangup') return c.dim;
  return (text) => text;
}

/**
 * The line as printed: time, kind, status, direction and leg, caller → number, agent and team, and the call's
 * short key; a call adds how long the caller waited and talked.
 *
 * @example
 * // 09:00:12  event   waiting    inbound  a  447700900123 → 442080000100              Sales_2222223    #3fa2b1c4
 */
export function formatLine(line: TailLine, c: Colors, timeZone?: string): string {
  const time = new Date(line.at).toLocaleTimeString('en-GB', { hour12: false, timeZone });
  const status = (line.status ?? '–').padEnd(10);
  const route = [line.from, line.to === null ? null : `→ ${line.to}`]
    .filter((part) => part !== null)
    .join(' ')
    .padEnd(31);
  const who = [line.agent, line.team].filter((part) => part !== null).join(' ');
  const key = line.callKey === null ? '' : c.dim(`#${line.callKey.slice(0, 8)}`);
  if (line.call === undefined) {
    return [
      c.dim(time),
      (line.kind === 'routing-request' ? 'routing' : line.kind).padEnd(7),
      colourOf(line.status, c)(status),
      `${(line.direction ?? '').padEnd(8)} ${(line.leg ?? '').padEnd(1)}`,
      route,
      who.padEnd(30),
      key,
    ]
      .join('  ')
      .trimEnd();
  }
  const by =
    line.agent === null
      ? ''
      : line.direction === 'outbound'
        ? `placed by ${line.agent}`
        : line.call.outcome === 'answered'
          ? `answered by ${line.agent}`
          : '';
  return [
    c.dim(time),
    c.bold('ended  '),
    c.bold(colourOf(line.status, c)(status)),
    `${(line.direction ?? '').padEnd(8)}  `,
    route,
    `${by}${by !== '' && line.team !== null ? ' ' : ''}${line.team ?? ''}`.padEnd(30),
    `waited ${formatSeconds(line.call.waitedSec)}, talked ${formatSeconds(line.call.talkSec)}`,
    key,
  ]
    .join('  ')
    .trimEnd();
}

import { EventHeap } from './event-heap.js';
import { createPhoneNumber } from './identifiers.js';
import type { IncomingOutcome } from './incoming-call.js';
import type { Prng } from './prng.js';
import { type Agent, SECOND } from './types.js';

/** The parameters of one run of {@link CallCentre}; times and durations are milliseconds. */
export interface CallCentreParams {
  readonly agents: readonly Agent[];
  /** Full team ids (`Sales_2222223`); each caller queues for one. */
  readonly teams: readonly string[];
  readonly calls: number;
  readonly startAt: number;
  readonly arrivalPerSec: number;
  readonly meanTalkSec: number;
  readonly meanPatienceSec: number;
  readonly ringOutProbability: number;
  readonly ringTimeoutMs: number;
  readonly maxWaitMs: number;
  readonly voicemailProbability: number;
  /** What random caller numbers look like. */
  readonly callerNumbers: { readonly prefix: string; readonly length: number };
}

/** A caller, as the run leaves it. */
export interface Caller {
  readonly index: number;
  readonly arrivalAt: number;
  readonly from: string;
  readonly team: string;
  readonly patienceMs: number;
  readonly talkMs: number;
  readonly hungUpBy: 'caller' | 'agent';
  readonly leavesVoicemail: boolean;
  readonly voicemailMs: number;
  readonly legs: Leg[];
  readonly tried: Set<string>;
  ringing: Leg | null;
  /** Answered, or gone: nothing but the end of the talk can happen to it any more. */
  done: boolean;
  outcome: IncomingOutcome | null;
  waitMs: number;
}

/** One agent's phone ringing for a caller. */
export interface Leg {
  readonly agent: Agent;
  readonly startedAt: number;
  endedAt: number;
  answeredAt: number | null;
}

interface AgentState {
  readonly agent: Agent;
  readonly order: number;
  busy: boolean;
  freeSince: number;
}

type SimEvent =
  | { at: number; priority: number; kind: 'arrival'; index: number }
  | { at: number; priority: number; kind: 'ring-end'; caller: Caller; leg: Leg; answered: boolean }
  | { at: number; priority: number; kind: 'patience' | 'timeout' | 'talk-end'; caller: Caller };

/** Ties at one instant: an answer beats a hangup, a caller's hangup beats the queue's timeout. */
const PRIORITY = { ringEnd: 0, patience: 1, timeout: 2, talkEnd: 3, arrival: 4 } as const;

/** An exponential duration in whole seconds, at least one, in milliseconds. */
const wholeSeconds = (rng: Prng, meanSec: number): number =>
  Math.max(1, Math.round(rng.exponential(meanSec))) * SECOND;

/**
 * The discrete-event engine behind simulateCallCentre(): an agenda of timed events, FIFO queues per team, and
 * agents who are free, ringing or talking. Each random stream has one use, so that changing, say, how rings
 * are drawn leaves the arrivals and the callers as they were.
 */
export class CallCentre {
  readonly #params: CallCentreParams;
  readonly #streams: { arrivals: Prng; callers: Prng; rings: Prng; numbers: Prng };
  readonly #agents: AgentState[];
  readonly #queues: Map<string, Caller[]>;
  readonly #callers: Caller[] = [];
  readonly #numbers = new Set<string>();
  readonly #agenda = new EventHeap<SimEvent>();
  #clockSec = 0;

  constructor(
    params: CallCentreParams,
    streams: { arrivals: Prng; callers: Prng; rings: Prng; numbers: Prng },
  ) {
    this.#params = params;
    this.#streams = streams;
    this.#agents = params.agents.map((agent, order) => ({ agent, order, busy: false, freeSince: 0 }));
    this.#queues = new Map(params.teams.map((team) => [team, []]));
  }

  /** Runs every call to its end; returns the callers in arrival order. */
  run(): readonly Caller[] {
    const agenda = this.#agenda;
    if (this.#params.calls > 0)
      agenda.push({ at: this.#params.startAt, priority: PRIORITY.arrival, kind: 'arrival', index: 0 });
    while (agenda.size > 0) {
      const at = agenda.peek()!.at;
      while (agenda.peek()?.at === at) this.#handle(agenda.pop()!);
      // Free agents and waiting callers are matched once everything due at this instant has happened.
      this.#dispatch(at);
    }
    return this.#callers;
  }

  #handle(event: SimEvent): void {
    if (event.kind === 'arrival') return this.#arrive(event.index, event.at);
    const { caller, at } = event;
    if (event.kind === 'talk-end') {
      const leg = caller.legs[caller.legs.length - 1]!;
      leg.endedAt = at;
      this.#free(leg.agent, at);
      caller.outcome = { kind: 'answered', endedAt: at, hungUpBy: caller.hungUpBy };
      return;
    }
    if (caller.done) return;
    if (event.kind === 'ring-end') return this.#ringEnd(caller, event.leg, event.answered, at);

    // The caller's patience ran out, or the queue's maximum wait was reached.
    if (caller.ringing !== null) {
      caller.ringing.endedAt = at;
      this.#free(caller.ringing.agent, at);
      caller.ringing = null;
    }
    this.#leaveQueue(caller);
    caller.done = true;
    caller.waitMs = at - caller.arrivalAt;
    if (event.kind === 'patience') caller.outcome = { kind: 'abandoned', endedAt: at };
    else if (caller.leavesVoicemail)
      caller.outcome = { kind: 'voicemail', voicemailAt: at, endedAt: at + caller.voicemailMs };
    else caller.outcome = { kind: 'missed', endedAt: at };
  }

  #arrive(index: number, at: number): void {
    const { callers, numbers, arrivals } = this.#streams;
    const params = this.#params;
    let from = createPhoneNumber(numbers, params.callerNumbers);
    while (this.#numbers.has(from)) from = createPhoneNumber(numbers, params.callerNumbers);
    this.#numbers.add(from);
    const caller: Caller = {
      index,
      arrivalAt: at,
      from,
      team: callers.pick(params.teams),
      patienceMs: wholeSeconds(callers, params.meanPatienceSec),
      talkMs: wholeSeconds(callers, params.meanTalkSec),
      hungUpBy: callers.chance(0.5) ? 'caller' : 'agent',
      leavesVoicemail: callers.chance(params.voicemailProbability),
      voicemailMs: callers.int(5, 30) * SECOND,
      legs: [],
      tried: new Set(),
      ringing: null,
      done: false,
      outcome: null,
      waitMs: 0,
    };
    this.#callers.push(caller);
    this.#queues.get(caller.team)!.push(caller);
    this.#agenda.push({ at: at + caller.patienceMs, priority: PRIORITY.patience, kind: 'patience', caller });
    this.#agenda.push({ at: at + params.maxWaitMs, priority: PRIORITY.timeout, kind: 'timeout', caller });
    if (index + 1 < params.calls) {
      // A Poisson process: exponential gaps, kept exact and only the arrival times rounded to the second.
      this.#clockSec += arrivals.exponential(1 / params.arrivalPerSec);
      const next = params.startAt + Math.floor(this.#clockSec) * SECOND;
      this.#agenda.push({ at: next, priority: PRIORITY.arrival, kind: 'arrival', index: index + 1 });
    }
  }

  #ringEnd(caller: Caller, leg: Leg, answered: boolean, at: number): void {
    if (caller.ringing !== leg) return;
    caller.ringing = null;
    if (answered) {
      leg.answeredAt = at;
      caller.done = true;
      caller.waitMs = at - caller.arrivalAt;
      this.#agenda.push({ at: at + caller.talkMs, priority: PRIORITY.talkEnd, kind: 'talk-end', caller });
      return;
    }
    leg.endedAt = at;
    this.#free(leg.agent, at);
    const teamSize = this.#agents.filter((state) => state.agent.team === caller.team).length;
    // Once every agent of the team has been tried, the hunt starts over.
    if (caller.tried.size >= teamSize) caller.tried.clear();
    // Back where its arrival puts it: still ahead of those who came later.
    const queue = this.#queues.get(caller.team)!;
    const position = queue.findIndex((other) => other.index > caller.index);
    queue.splice(position < 0 ? queue.length : position, 0, caller);
  }

  #dispatch(at: number): void {
    for (const [team, queue] of this.#queues) {
      const free = this.#agents.filter((state) => !state.busy && state.agent.team === team);
      for (const caller of [...queue]) {
        if (free.length === 0) break;
        let chosen: AgentState | null = null;
        for (const state of free) {
          if (caller.tried.has(state.agent.id)) continue;
          // The agent free the longest takes the call (agents are in order, so ties go to the first).
          if (chosen === null || state.freeSince < chosen.freeSince) chosen = state;
        }
        if (chosen === null) continue;
        free.splice(free.indexOf(chosen), 1);
        this.#ring(caller, chosen, at);
      }
    }
  }

  #ring(caller: Caller, state: AgentState, at: number): void {
    const { rings } = this.#streams;
    this.#leaveQueue(caller);
    state.busy = true;
    const leg: Leg = { agent: state.agent, startedAt: at, endedAt: at, answeredAt: null };
    caller.legs.push(leg);
    caller.ringing = leg;
    caller.tried.add(state.agent.id);
    const answered = !rings.chance(this.#params.ringOutProbability);
    const ringMs = answered
      ? Math.min(rings.int(2, 8) * SECOND, this.#params.ringTimeoutMs)
      : this.#params.ringTimeoutMs;
    this.#agenda.push({
      at: at + ringMs,
      priority: PRIORITY.ringEnd,
      kind: 'ring-end',
      caller,
      leg,
      answered,
    });
  }

  #free(agent: Agent, at: number): void {
    const state = this.#agents.find((candidate) => candidate.agent.id === agent.id)!;
    state.busy = false;
    state.freeSince = at;
  }

  #leaveQueue(caller: Caller): void {
    const queue = this.#queues.get(caller.team)!;
    const position = queue.indexOf(caller);
    if (position >= 0) queue.splice(position, 1);
  }
}

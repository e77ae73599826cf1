import { CallCentre, type Caller } from './call-centre.js';
import { computeGroundTruth, type GroundTruth, type TruthCall } from './ground-truth.js';
import { type IncomingCall, renderIncomingCall } from './incoming-call.js';
import { createPrng } from './prng.js';
import {
  type Agent,
  agentPhone,
  APP_IDS,
  BUSINESS_NUMBERS,
  CALLER_NUMBERS,
  type ScheduledPayload,
  SECOND,
  teamId,
  toWholeSecond,
} from './types.js';

/** The call centre to simulate. Durations are seconds. */
export interface SimulationOptions {
  /** @defaultValue `chub` */
  readonly product?: 'chub' | 'chub-india';
  /** Number of agents, spread over the teams in turn (agent i is in team i mod teams); ids 201_<appid>, 202_… */
  readonly agents: number;
  /** Team names; each call queues for one of them, at random. Each needs at least one agent. */
  readonly teams: readonly string[];
  readonly calls: number;
  /** Mean arrivals per second of the Poisson arrival process. */
  readonly arrivalPerSec: number;
  /** Mean of the exponential talk time. */
  readonly meanTalkSec: number;
  /** Mean of the exponential caller patience: unanswered by then, the caller hangs up. */
  readonly meanPatienceSec: number;
  /** Probability that a rung agent does not answer. @defaultValue 0.1 */
  readonly ringOutProbability?: number;
  /** A ring not answered ends after this long, and the next free agent is tried. @defaultValue 20 */
  readonly ringTimeoutSec?: number;
  /** Longest wait in the queue; then a voicemail or, without one, missed. @defaultValue 300 */
  readonly maxWaitSec?: number;
  /** Probability that a caller reaching the maximum wait leaves a voicemail. @defaultValue 0.5; always 1 for chub-india */
  readonly voicemailProbability?: number;
  /** The first arrival, epoch ms (rounded down to a second). @defaultValue now */
  readonly startAt?: number;
  /** @defaultValue 1 */
  readonly seed?: number;
  /** Add `conversation_uuid` to the leg-B "user missed" CDRs (undocumented). @defaultValue false */
  readonly userMissedConversationUuid?: boolean;
}

/** One simulated call: what happened, and how long the caller waited and talked. */
export interface SimulatedCall extends IncomingCall, TruthCall {
  readonly index: number;
  /** The call's conversation_uuid, the key telehook files the call under. */
  readonly key: string;
  /** The caller's patience, seconds: unanswered by then, they hang up. */
  readonly patienceSec: number;
}

/** What {@link simulateCallCentre} returns. */
export interface Simulation {
  readonly calls: readonly SimulatedCall[];
  readonly agents: readonly Agent[];
  /** Every payload of every call, in the order TeleCMI would send them. */
  readonly payloads: readonly ScheduledPayload[];
  readonly truth: GroundTruth;
}

/**
 * Simulates an inbound call centre, event by event: Poisson arrivals (the first at `startAt`) queue FIFO per
 * team; the team's agent free the longest rings the longest-waiting caller they have not rung yet; a ring is
 * answered after 2–8 s or rings out after the ring timeout; an answered call lasts its talk time; a caller whose
 * patience runs out hangs up; a caller still waiting at the maximum wait leaves a voicemail or is dropped
 * (missed). Times are whole seconds. Returns the calls, every payload TeleCMI would send for them (as
 * renderIncomingCall writes them) and the ground truth. The same options and seed give the same result.
 *
 * @throws RangeError on options that cannot be simulated (no agent, a team without agents, a rate ≤ 0…).
 * @example
 * const { truth, payloads } = simulateCallCentre({ agents: 8, teams: ['Sales', 'Support'], calls: 500,
 *   arrivalPerSec: 2 / 60, meanTalkSec: 180, meanPatienceSec: 60, seed: 7 });
 */
export function simulateCallCentre(options: SimulationOptions): Simulation {
  validate(options);
  const product = options.product ?? 'chub';
  const appId = APP_IDS[product];
  const teams = options.teams.map((name) => teamId(name, appId));
  const agents: Agent[] = Array.from({ length: options.agents }, (_, order) => {
    const id = `${201 + order}_${appId}`;
    return { id, team: teams[order % teams.length] ?? '', phone: agentPhone(id) };
  });
  const seed = createPrng(options.seed ?? 1);
  const callers = new CallCentre(
    {
      agents,
      teams,
      calls: options.calls,
      startAt: toWholeSecond(options.startAt ?? Date.now()),
      arrivalPerSec: options.arrivalPerSec,
      meanTalkSec: options.meanTalkSec,
      meanPatienceSec: options.meanPatienceSec,
      ringOutProbability: options.ringOutProbability ?? 0.1,
      ringTimeoutMs: (options.ringTimeoutSec ?? 20) * SECOND,
      maxWaitMs: (options.maxWaitSec ?? 300) * SECOND,
      // CHUB India CDRs carry no hangup_reason, so a dropped call would read as abandoned (its caller's leg
      // also ends before any answer): there, a queue that gives up always offers voicemail.
      voicemailProbability: product === 'chub-india' ? 1 : (options.voicemailProbability ?? 0.5),
      callerNumbers: CALLER_NUMBERS[product],
    },
    {
      arrivals: seed.fork('arrivals'),
      callers: seed.fork('callers'),
      rings: seed.fork('rings'),
      numbers: seed.fork('numbers'),
    },
  ).run();

  const ids = seed.fork('ids');
  const rendered = callers.map((caller) => {
    const call = toSimulatedCall(caller);
    const payloads = renderIncomingCall(call, {
      product,
      rng: ids,
      call: call.index,
      did: BUSINESS_NUMBERS[product],
      custom: JSON.stringify({ simulated: 'telehook', scenario: 'simulate' }),
      userMissedConversationUuid: options.userMissedConversationUuid ?? false,
    });
    // The caller's first event names the conversation: the key telehook files the call under.
    const first = payloads[0]?.payload ?? {};
    const key = [first['conversation_uuid'], first['cmiuuid']].find((id) => typeof id === 'string');
    return { call: { ...call, key: key ?? '' }, payloads };
  });
  const calls = rendered.map(({ call }) => call);
  const payloads = rendered
    .flatMap((one) => one.payloads)
    // Stable: payloads of one second keep their call's order.
    .sort((a, b) => a.at - b.at);
  const lastAt = payloads.length === 0 ? null : payloads[payloads.length - 1]!.at;
  return { calls, agents, payloads, truth: computeGroundTruth(calls, agents, lastAt) };
}

function toSimulatedCall(caller: Caller): Omit<SimulatedCall, 'key'> {
  const { outcome } = caller;
  if (outcome === null) throw new Error(`Call ${caller.index} did not end: a bug in the simulation.`);
  const answered = caller.legs.find((leg) => leg.answeredAt !== null);
  return {
    index: caller.index,
    arrivalAt: caller.arrivalAt,
    from: caller.from,
    team: caller.team,
    legs: caller.legs.map((leg) => ({ ...leg })),
    outcome,
    waitSec: caller.waitMs / SECOND,
    talkSec: answered?.answeredAt == null ? null : (outcome.endedAt - answered.answeredAt) / SECOND,
    patienceSec: caller.patienceMs / SECOND,
  };
}

function validate(options: SimulationOptions): void {
  const fail = (message: string): never => {
    throw new RangeError(message);
  };
  const positive = (value: number | undefined, name: string): void => {
    if (value !== undefined && !(Number.isFinite(value) && value > 0))
      fail(`${name} must be a number above 0.`);
  };
  const probability = (value: number | undefined, name: string): void => {
    if (value !== undefined && !(value >= 0 && value <= 1)) fail(`${name} must be from 0 to 1.`);
  };
  if (!Number.isInteger(options.agents) || options.agents < 1)
    fail('agents must be a whole number of at least 1.');
  if (!Number.isInteger(options.calls) || options.calls < 0)
    fail('calls must be a whole number of at least 0.');
  if (options.teams.length === 0 || options.teams.some((team) => team.trim() === ''))
    fail('teams must name at least one team, none of them empty.');
  if (new Set(options.teams).size !== options.teams.length) fail('teams must not repeat a team.');
  if (options.agents < options.teams.length)
    fail('every team needs an agent: agents must be at least the number of teams.');
  positive(options.arrivalPerSec, 'arrivalPerSec');
  positive(options.meanTalkSec, 'meanTalkSec');
  positive(options.meanPatienceSec, 'meanPatienceSec');
  positive(options.ringTimeoutSec, 'ringTimeoutSec');
  positive(options.maxWaitSec, 'maxWaitSec');
  probability(options.ringOutProbability, 'ringOutProbability');
  probability(options.voicemailProbability, 'voicemailProbability');
}

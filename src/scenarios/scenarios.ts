import { createPhoneNumber } from './identifiers.js';
import { type IncomingCall, renderIncomingCall } from './incoming-call.js';
import { type OutgoingCall, renderOutgoingCall } from './outgoing-call.js';
import { renderPiopiyInbound, renderPiopiyOutbound } from './piopiy-calls.js';
import { createPrng, type Prng } from './prng.js';
import {
  type Agent,
  agentId,
  agentPhone,
  APP_IDS,
  BUSINESS_NUMBERS,
  CALLER_NUMBERS,
  type ScenarioProduct,
  type ScheduledPayload,
  SECOND,
  teamId,
  toWholeSecond,
} from './types.js';

/** Options of {@link generateScenario}. */
export interface ScenarioOptions {
  /** @defaultValue the scenario's first product (`chub`, or `piopiy` for the PIOPIY scenarios) */
  readonly product?: ScenarioProduct;
  /** The customer's number (the caller of an incoming call, the number dialled by an outgoing one). @defaultValue a random one */
  readonly from?: string;
  /** The team name, with or without the app-id suffix. @defaultValue `Sales` */
  readonly team?: string;
  /** The agent rung first (or who makes the call), extension or full id. @defaultValue `201` */
  readonly agent?: string;
  /** When the call starts, epoch ms (rounded down to a second). @defaultValue now */
  readonly startAt?: number;
  /** @defaultValue 1 */
  readonly seed?: number;
  /** Add `conversation_uuid` to leg-B "user missed" CDRs (undocumented). @defaultValue false */
  readonly userMissedConversationUuid?: boolean;
}

interface ScenarioContext {
  readonly name: ScenarioName;
  readonly product: ScenarioProduct;
  readonly rng: Prng;
  readonly ids: Prng;
  readonly from: string;
  readonly team: string;
  readonly agent: Agent;
  /** Another agent of the same team (the next extension). */
  readonly otherAgent: Agent;
  readonly t0: number;
  readonly userMissedConversationUuid: boolean;
}

interface Scenario {
  readonly description: string;
  readonly products: readonly ScenarioProduct[];
  readonly build: (context: ScenarioContext) => ScheduledPayload[];
}

/** The built-in scenarios, by name. */
export const SCENARIO_NAMES = [
  'incoming-answered',
  'incoming-abandoned',
  'incoming-missed-voicemail',
  'incoming-agent-no-answer',
  'outgoing-answered',
  'outgoing-missed',
  'piopiy-inbound-answered',
  'piopiy-outbound-bridged',
] as const;

/** The name of a built-in scenario. */
export type ScenarioName = (typeof SCENARIO_NAMES)[number];

const seconds = (rng: Prng, min: number, max: number): number => rng.int(min, max) * SECOND;
const RING_TIMEOUT = 20 * SECOND;

const incoming = (context: ScenarioContext, call: IncomingCall): ScheduledPayload[] =>
  renderIncomingCall(call, {
    product: context.product === 'chub-india' ? 'chub-india' : 'chub',
    rng: context.ids,
    call: 0,
    did: BUSINESS_NUMBERS[context.product],
    custom: JSON.stringify({ simulated: 'telehook', scenario: context.name }),
    userMissedConversationUuid: context.userMissedConversationUuid,
  });

const outgoing = (context: ScenarioContext, call: OutgoingCall): ScheduledPayload[] =>
  renderOutgoingCall(call, {
    product: context.product === 'chub-india' ? 'chub-india' : 'chub',
    rng: context.ids,
    call: 0,
    callerId: BUSINESS_NUMBERS[context.product],
    custom: JSON.stringify({ simulated: 'telehook', scenario: context.name }),
    extraParams: JSON.stringify({ click2call: 'true', scenario: context.name }),
  });

const answeredBy = (rng: Prng): 'caller' | 'agent' => (rng.chance(0.5) ? 'caller' : 'agent');

const SCENARIOS: Record<ScenarioName, Scenario> = {
  'incoming-answered': {
    description: 'a caller waits, an agent is rung and answers, they talk, one hangs up',
    products: ['chub', 'chub-india'],
    build: (context) => {
      const { rng, t0 } = context;
      const ring = t0 + seconds(rng, 2, 6);
      const answer = ring + seconds(rng, 3, 10);
      const end = answer + seconds(rng, 30, 240);
      return incoming(context, {
        arrivalAt: t0,
        from: context.from,
        team: context.team,
        legs: [{ agent: context.agent, startedAt: ring, answeredAt: answer, endedAt: end }],
        outcome: { kind: 'answered', endedAt: end, hungUpBy: answeredBy(rng) },
      });
    },
  },
  'incoming-abandoned': {
    description: 'a caller waits while every agent is busy, and hangs up after 10–60 s',
    products: ['chub', 'chub-india'],
    build: (context) =>
      incoming(context, {
        arrivalAt: context.t0,
        from: context.from,
        team: context.team,
        legs: [],
        outcome: { kind: 'abandoned', endedAt: context.t0 + seconds(context.rng, 10, 60) },
      }),
  },
  'incoming-missed-voicemail': {
    description: 'an agent rings out, the queue gives up after 60 s and the caller leaves a voicemail',
    products: ['chub', 'chub-india'],
    build: (context) => {
      const { rng, t0 } = context;
      const ring = t0 + seconds(rng, 2, 6);
      const voicemailAt = t0 + 60 * SECOND;
      return incoming(context, {
        arrivalAt: t0,
        from: context.from,
        team: context.team,
        legs: [{ agent: context.agent, startedAt: ring, answeredAt: null, endedAt: ring + RING_TIMEOUT }],
        outcome: { kind: 'voicemail', voicemailAt, endedAt: voicemailAt + seconds(rng, 8, 30) },
      });
    },
  },
  'incoming-agent-no-answer': {
    description: "the first agent's phone rings out after 20 s, the next agent answers",
    products: ['chub', 'chub-india'],
    build: (context) => {
      const { rng, t0 } = context;
      const firstRing = t0 + seconds(rng, 2, 6);
      const secondRing = firstRing + RING_TIMEOUT;
      const answer = secondRing + seconds(rng, 3, 8);
      const end = answer + seconds(rng, 30, 240);
      return incoming(context, {
        arrivalAt: t0,
        from: context.from,
        team: context.team,
        legs: [
          { agent: context.agent, startedAt: firstRing, answeredAt: null, endedAt: secondRing },
          { agent: context.otherAgent, startedAt: secondRing, answeredAt: answer, endedAt: end },
        ],
        outcome: { kind: 'answered', endedAt: end, hungUpBy: answeredBy(rng) },
      });
    },
  },
  'outgoing-answered': {
    description: 'click-to-call: the agent answers, the customer answers, they talk',
    products: ['chub', 'chub-india'],
    build: (context) => {
      const { rng, t0 } = context;
      const agentAnsweredAt = t0 + seconds(rng, 2, 6);
      const answeredAt = agentAnsweredAt + seconds(rng, 4, 12);
      const endedAt = answeredAt + seconds(rng, 30, 240);
      const hungUpBy = rng.chance(0.5) ? 'customer' : 'agent';
      return outgoing(context, {
        agent: context.agent,
        to: context.from,
        startedAt: t0,
        agentAnsweredAt,
        outcome: { answered: true, answeredAt, endedAt, hungUpBy },
      });
    },
  },
  'outgoing-missed': {
    description: 'click-to-call: the agent answers, the customer never does',
    products: ['chub', 'chub-india'],
    build: (context) => {
      const { rng, t0 } = context;
      const agentAnsweredAt = t0 + seconds(rng, 2, 6);
      return outgoing(context, {
        agent: context.agent,
        to: context.from,
        startedAt: t0,
        agentAnsweredAt,
        outcome: { answered: false, endedAt: agentAnsweredAt + seconds(rng, 25, 45) },
      });
    },
  },
  'piopiy-inbound-answered': {
    description: 'PIOPIY: answer_url request, in_answered, hangup, answered CDR',
    products: ['piopiy'],
    build: (context) => {
      const { rng, t0 } = context;
      const answeredAt = t0 + seconds(rng, 1, 3);
      return renderPiopiyInbound(
        { from: context.from, arrivalAt: t0, answeredAt, endedAt: answeredAt + seconds(rng, 20, 180) },
        {
          rng: context.ids,
          call: 0,
          did: BUSINESS_NUMBERS.piopiy,
          extraParams: JSON.stringify({ simulated: 'telehook', scenario: context.name }),
        },
      );
    },
  },
  'piopiy-outbound-bridged': {
    description: 'PIOPIY: API call rings the agent (leg A), then the customer (leg B), bridged, answered CDR',
    products: ['piopiy'],
    build: (context) => {
      const { rng, t0 } = context;
      const firstAnsweredAt = t0 + seconds(rng, 2, 6);
      const bridgedAt = firstAnsweredAt + seconds(rng, 4, 12);
      return renderPiopiyOutbound(
        {
          first: context.agent.phone,
          second: context.from,
          startedAt: t0,
          firstAnsweredAt,
          bridgedAt,
          endedAt: bridgedAt + seconds(rng, 30, 240),
        },
        {
          rng: context.ids,
          call: 0,
          did: BUSINESS_NUMBERS.piopiy,
          extraParams: JSON.stringify({ simulated: 'telehook', scenario: context.name }),
        },
      );
    },
  },
};

/** What a built-in scenario plays, and for which products. */
export function describeScenario(name: ScenarioName): {
  description: string;
  products: readonly ScenarioProduct[];
} {
  const { description, products } = SCENARIOS[name];
  return { description, products };
}

/** Whether `name` is a built-in scenario. */
export function isScenarioName(name: string): name is ScenarioName {
  return (SCENARIO_NAMES as readonly string[]).includes(name);
}

/**
 * The payloads TeleCMI would send for one call of a built-in scenario, in the order it sends them, each with
 * the time it would send it and the fixture whose shape it follows. Same options and seed, same payloads.
 *
 * @throws RangeError when the scenario does not exist for `options.product`.
 * @example
 * generateScenario('incoming-answered', { product: 'chub', seed: 7, startAt: Date.UTC(2024, 0, 1, 9) });
 */
export function generateScenario(name: ScenarioName, options: ScenarioOptions = {}): ScheduledPayload[] {
  const scenario = SCENARIOS[name];
  const product = options.product ?? scenario.products[0] ?? 'chub';
  if (!scenario.products.includes(product)) {
    throw new RangeError(
      `Scenario ${name} is not available for ${product}; it is for ${scenario.products.join(', ')}.`,
    );
  }
  const appId = APP_IDS[product];
  const seed = createPrng(options.seed ?? 1);
  const extension = options.agent ?? '201';
  const id = agentId(extension, appId);
  const team = teamId(options.team ?? 'Sales', appId);
  const [number = '201', suffix = String(appId)] = id.split('_');
  const otherId = `${/^\d+$/.test(number) ? String(Number(number) + 1) : `${number}2`}_${suffix}`;
  return scenario.build({
    name,
    product,
    rng: seed.fork('timing'),
    ids: seed.fork('ids'),
    from: options.from ?? createPhoneNumber(seed.fork('numbers'), CALLER_NUMBERS[product]),
    team,
    agent: { id, team, phone: agentPhone(id) },
    otherAgent: { id: otherId, team, phone: agentPhone(otherId) },
    t0: toWholeSecond(options.startAt ?? Date.now()),
    userMissedConversationUuid: options.userMissedConversationUuid ?? false,
  });
}

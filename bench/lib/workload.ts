import {
  createPrng,
  describeScenario,
  generateScenario,
  SCENARIO_NAMES,
  type ScenarioName,
  type ScenarioProduct,
} from '../../src/scenarios/index.js';

/** The workloads of `npm run bench`: whole call flows (the default, judged), or every event a new call. */
export const WORKLOADS = ['calls', 'new-calls'] as const;
export type WorkloadName = (typeof WORKLOADS)[number];

export function isWorkloadName(name: string): name is WorkloadName {
  return (WORKLOADS as readonly string[]).includes(name);
}

export interface CallFlowOptions {
  /** Same seed, same bodies. @defaultValue 20 */
  readonly seed?: number;
  /** Share of the events sent a second time, a little later (TeleCMI retries). @defaultValue 0.1 */
  readonly duplicateShare?: number;
  /** Calls in progress at once, whose events are interleaved. @defaultValue 200 */
  readonly openCalls?: number;
  /** When the first call starts (epoch ms). @defaultValue now − 1 h */
  readonly startAt?: number;
  /** The fewest and most events a call may have. @defaultValue [4, 12] */
  readonly eventsPerCall?: readonly [number, number];
}

export interface CallFlowWorkload {
  /** The bodies in the order they are handed out; a repeat is the very same bytes as its original. */
  readonly bodies: Buffer[];
  readonly calls: number;
  /** Bodies that repeat an earlier one. */
  readonly duplicates: number;
  /** Calls per product and per scenario. */
  readonly products: Readonly<Record<string, number>>;
  readonly scenarios: Readonly<Record<string, number>>;
}

/** Every scenario with every product it exists for: the kinds of call, in a fixed order. */
export function callKinds(): { name: ScenarioName; product: ScenarioProduct }[] {
  return SCENARIO_NAMES.flatMap((name) =>
    describeScenario(name).products.map((product) => ({ name, product })),
  );
}

/** A caller number of the product's shape (UK, Indian, US), different for each call. */
function callerOf(product: ScenarioProduct, call: number): string {
  const digits = String(100_000_000 + call).slice(-8);
  if (product === 'piopiy') return `1917${digits.slice(-7)}`;
  return `${product === 'chub' ? '4477' : '9198'}${digits}`;
}

/**
 * At least `size` request bodies of whole TeleCMI call flows from the scenario generator (src/scenarios): every
 * scenario for every product it exists for (CHUB, CHUB India, PIOPIY; answered, abandoned, voicemail, agents
 * ringing out, outgoing, bridged, with their CDRs), each call's payloads in the order TeleCMI sends them, the
 * calls interleaved (`openCalls` at once, the next event taken from one of them at random, as concurrent calls
 * arrive over many connections), and `duplicateShare` of the events sent again a few events later. Built before
 * the load, so that generating is not measured.
 */
export function buildCallFlowBodies(size: number, options: CallFlowOptions = {}): CallFlowWorkload {
  const rng = createPrng(options.seed ?? 20);
  const duplicateShare = options.duplicateShare ?? 0.1;
  const openCalls = Math.max(1, options.openCalls ?? 200);
  const startAt = options.startAt ?? Date.now() - 3_600_000;
  const [fewest, most] = options.eventsPerCall ?? [4, 12];
  const kinds = callKinds();
  const products: Record<string, number> = {};
  const scenarios: Record<string, number> = {};
  let calls = 0;
  let tried = 0;

  const nextCall = (): Buffer[] => {
    for (;;) {
      const kind = kinds[tried % kinds.length]!;
      tried += 1;
      if (tried > kinds.length * 4 && calls === 0)
        throw new Error(`no scenario has ${fewest}–${most} events`);
      const flow = generateScenario(kind.name, {
        product: kind.product,
        seed: (options.seed ?? 20) * 1_000_003 + tried,
        from: callerOf(kind.product, tried),
        team: ['Sales', 'Support', 'Billing'][tried % 3]!,
        agent: String(201 + (tried % 40)),
        startAt: startAt + tried * 50,
      });
      if (flow.length < fewest || flow.length > most) continue;
      calls += 1;
      products[kind.product] = (products[kind.product] ?? 0) + 1;
      scenarios[kind.name] = (scenarios[kind.name] ?? 0) + 1;
      return flow.map(({ payload }) => Buffer.from(JSON.stringify(payload), 'utf8'));
    }
  };

  const open: { bodies: Buffer[]; next: number }[] = [];
  // Repeats waiting for their turn: [position in the output at which to send it, body].
  const repeats: [number, Buffer][] = [];
  const bodies: Buffer[] = [];
  let duplicates = 0;
  while (bodies.length < size) {
    const due = repeats.findIndex(([at]) => at <= bodies.length);
    if (due >= 0) {
      bodies.push(repeats.splice(due, 1)[0]![1]);
      duplicates += 1;
      continue;
    }
    while (open.length < openCalls) open.push({ bodies: nextCall(), next: 0 });
    const index = rng.int(0, open.length - 1);
    const call = open[index]!;
    const body = call.bodies[call.next]!;
    call.next += 1;
    if (call.next === call.bodies.length) open.splice(index, 1);
    bodies.push(body);
    if (rng.next() < duplicateShare / (1 - duplicateShare))
      repeats.push([bodies.length + rng.int(1, 50), body]);
  }
  return { bodies, calls, duplicates, products, scenarios };
}

/** How many different bodies are among `bodies[0 .. count)`. */
export function distinctAmong(bodies: readonly Buffer[], count: number): number {
  const seen = new Set<string>();
  for (let index = 0; index < Math.min(count, bodies.length); index += 1)
    seen.add(bodies[index]!.toString('latin1'));
  return seen.size;
}

/** The TeleCMI product whose payloads a scenario generates (docs/telecmi-payloads.md §3, §4, §6). */
export type ScenarioProduct = 'chub' | 'chub-india' | 'piopiy';

/** Every product, in the order the CLI lists them. */
export const SCENARIO_PRODUCTS: readonly ScenarioProduct[] = ['chub', 'chub-india', 'piopiy'];

/** One payload of a generated call, and when TeleCMI would send it. */
export interface ScheduledPayload {
  /** When TeleCMI would POST it, epoch milliseconds (a whole second). */
  readonly at: number;
  /** The JSON body, with the keys and value types of {@link ScheduledPayload.template}. */
  readonly payload: Record<string, unknown>;
  /** The fixture (test/fixtures/telecmi/<template>.json) whose shape the payload follows. */
  readonly template: string;
  /** Which call of the sequence it belongs to (0 for a single scenario; the call index in a simulation). */
  readonly call: number;
}

/** A TeleCMI user (agent) as the payloads name it. */
export interface Agent {
  /** `<extension>_<appid>`, e.g. `204_2222223` (§2). */
  readonly id: string;
  /** `<name>_<appid>`, e.g. `Sales_2222223`. */
  readonly team: string;
  /** The phone the agent is rung on, E.164 digits (the `to` of leg-B CDRs). */
  readonly phone: string;
}

/** The app id each product's payloads carry (the documented samples' ids). */
export const APP_IDS: Readonly<Record<ScenarioProduct, number>> = {
  chub: 2222223,
  'chub-india': 1111113,
  piopiy: 2222224,
};

/** The business number (DID) calls arrive on, per product. */
export const BUSINESS_NUMBERS: Readonly<Record<ScenarioProduct, string>> = {
  chub: '442080000100',
  'chub-india': '918069000100',
  piopiy: '19170000000',
};

/** What random caller numbers look like, per product: UK mobiles, Indian mobiles, US numbers. */
export const CALLER_NUMBERS: Readonly<Record<ScenarioProduct, { prefix: string; length: number }>> = {
  chub: { prefix: '447', length: 12 },
  'chub-india': { prefix: '919', length: 12 },
  piopiy: { prefix: '1', length: 11 },
};

/** The team name with the app-id suffix TeleCMI adds (`Sales` → `Sales_2222223`), unless it has one. */
export function teamId(name: string, appId: number): string {
  return /_\d+$/.test(name) ? name : `${name}_${appId}`;
}

/** The agent id with the app-id suffix (`204` → `204_2222223`), unless it has one. */
export function agentId(extension: string, appId: number): string {
  return extension.includes('_') ? extension : `${extension}_${appId}`;
}

/** The phone an agent is rung on, derived from the extension so that every agent has its own. */
export function agentPhone(id: string): string {
  const extension = id.split('_')[0] ?? '0';
  const digits = extension.replace(/\D/g, '').slice(-6).padStart(6, '0');
  return `919900${digits}`;
}

/** Milliseconds in a second: every generated time is a whole second. */
export const SECOND = 1000;

/** Rounds an epoch time down to its second: TeleCMI durations are whole seconds, so times are too. */
export function toWholeSecond(ms: number): number {
  return Math.floor(ms / SECOND) * SECOND;
}

/**
 * A payload and the fixture whose shape it follows. Each builder's object `satisfies` the library's type of its
 * kind (`LiveEventPayload`, `CdrPayload`, `RoutingRequestPayload` of src/telecmi/payloads/), so a key or a value
 * type the schemas do not know fails to compile; src/scenarios/validation.test.ts checks the values at run time.
 */
export interface TemplatedPayload {
  readonly template: string;
  readonly payload: Record<string, unknown>;
}

/**
 * Generators of TeleCMI payload sequences: the built-in call scenarios and a seeded call-centre simulation with
 * its ground truth. Pure: no I/O; every payload has the keys and value types of a documented sample.
 *
 * @example
 * import { generateScenario } from '../scenarios/index.js';
 * for (const { at, payload } of generateScenario('incoming-answered', { seed: 7 })) send(at, payload);
 */
export {
  type AgentTruth,
  type CallClass,
  type GroundTruth,
  listTruthCalls,
  type TruthCallSummary,
} from './ground-truth.js';
export { type AgentLeg, type IncomingCall, type IncomingOutcome } from './incoming-call.js';
export { createPrng, type Prng } from './prng.js';
export {
  describeScenario,
  generateScenario,
  isScenarioName,
  SCENARIO_NAMES,
  type ScenarioName,
  type ScenarioOptions,
} from './scenarios.js';
export {
  simulateCallCentre,
  type SimulatedCall,
  type Simulation,
  type SimulationOptions,
} from './simulation.js';
export { type Agent, SCENARIO_PRODUCTS, type ScenarioProduct, type ScheduledPayload } from './types.js';

/**
 * A local TeleCMI for development and tests: the documented REST API of CHUB, CHUB India and PIOPIY, served from
 * a history filled by `telehook simulate`/`trigger --history-url`, with fault injection. See docs/telecmi-rest.md.
 */
export { checkFault, type Fault, type Faults } from './faults.js';
export { type History, type HistoryAddResult } from './history.js';
export { type HistoryList, type HistoryRow } from './history-rows.js';
export {
  createFakeTelecmi,
  FAKE_SECRET,
  type FakeRequest,
  type FakeTelecmi,
  type FakeTelecmiOptions,
} from './server.js';
export { sampleAudio } from './wav.js';

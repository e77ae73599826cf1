import type net from 'node:net';

import { describe, expect, it } from 'vitest';

import { type SetupName, startSetup, TOKENS } from '../helpers/app-setups.js';
import { formatCounts, runFuzz } from './fuzz.js';
import { afterRunViolations } from './invariants.js';

/**
 * Issue 15, "Done when": random requests over the whole HTTP surface (bodies, encodings, content types, depths,
 * sizes, numbers, headers, paths and methods; test/fuzz/requests.ts) against a real server. No answer is a 5xx,
 * every error is in the documented shape, and after the run every read route answers 200, the wallboard gets its
 * snapshot and a normal call posted next is folded and sent to it. `npm run fuzz` runs 100,000 of these.
 */
describe('the HTTP surface under random requests (fast-check)', () => {
  it.each([
    ['sqlite', 2000],
    ['postgres', 300],
  ] as const satisfies readonly (readonly [SetupName, number])[])(
    'on %s: %i requests, no 5xx, every error in shape, the product up afterwards',
    async (setup, runs) => {
      // The delivery worker off: endpoints the run registers (public addresses) must not be called.
      const app = await startSetup(setup, `fuzz ${setup}`, undefined, { startDeliveryWorker: false });
      await app.app.listen({ port: 0, host: '127.0.0.1' });
      const port = (app.app.server.address() as net.AddressInfo).port;
      const result = await runFuzz({ port, tokens: TOKENS, runs });
      expect(
        result.report,
        `${formatCounts(result)}\n(replay: npm run fuzz -- --seed ${result.seed})`,
      ).toBeNull();
      // Answers of every kind were seen, not only one refusal over and over.
      expect([...result.statuses.keys()]).toEqual(expect.arrayContaining([200, 400, 401, 404, 405]));
      expect(await afterRunViolations(port, TOKENS)).toEqual([]);
    },
    180_000,
  );
});

import { defineConfig } from 'vitest/config';

/** Two projects: `unit` (tests next to the code) and `integration` (test/: real server, real stores, real processes). */
export default defineConfig({
  test: {
    projects: [
      { test: { name: 'unit', include: ['src/**/*.test.ts'], environment: 'node' } },
      {
        test: {
          name: 'integration',
          include: ['test/**/*.test.ts'],
          environment: 'node',
          testTimeout: 60_000,
          hookTimeout: 60_000,
          pool: 'forks',
          // A PostgreSQL for the store contract and the multi-process tests: TEST_DATABASE_URL, or a throwaway one.
          globalSetup: ['test/helpers/postgres-global-setup.ts'],
        },
      },
    ],
  },
});

import { defineConfig } from 'vitest/config';

/** `npm run bench:test`: the benchmark's own helpers, kept out of `npm test` (vitest.config.ts). */
export default defineConfig({ test: { include: ['bench/**/*.test.ts'], environment: 'node' } });

import { parseArgs } from 'node:util';

import { formatCounts, runFuzz } from './fuzz.js';
import { afterRunViolations } from './invariants.js';
import { startTarget } from './target.js';

/**
 * `npm run fuzz [-- --runs N --seed S --database-url postgres://…]`: random requests over the whole HTTP surface
 * against a real server (SQLite, or PostgreSQL with --database-url), then the checks that the product is still up.
 * Prints the counts per status and route family; exits 1 on a violation, with the request that caused it.
 */
const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '100000' },
    seed: { type: 'string' },
    'database-url': { type: 'string' },
  },
});
const runs = Number(values.runs);
if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs: a positive integer, not ${values.runs}`);
const seed = values.seed === undefined ? undefined : Number(values.seed);

const target = await startTarget(
  values['database-url'] === undefined ? {} : { databaseUrl: values['database-url'] },
);
const started = Date.now();
console.log(`fuzz: ${runs} requests against ${target.description}`);
let exitCode = 0;
try {
  const result = await runFuzz({
    port: target.port,
    tokens: target.tokens,
    runs,
    ...(seed === undefined ? {} : { seed }),
    onAnswer: (count) => {
      if (count % 5000 === 0)
        console.log(`  ${count} requests, ${Math.round((Date.now() - started) / 1000)} s`);
    },
  });
  console.log(`seed ${result.seed}, ${Math.round((Date.now() - started) / 1000)} s`);
  console.log(formatCounts(result));
  if (result.failed) {
    console.log(`\nVIOLATION:\n${result.report}`);
    exitCode = 1;
  }
  const after = await afterRunViolations(target.port, target.tokens);
  if (after.length > 0) {
    console.log(`\nAFTER THE RUN:\n${after.join('\n')}`);
    exitCode = 1;
  } else
    console.log(
      'after the run: every read route 200, the live snapshot, a normal call folded and on the wallboard',
    );
} finally {
  await target.close();
}
process.exit(exitCode);

// `npm run bench:fold`: what folding one event into its call costs in the SQLite store (the fold thread's
// work), next to what storing the same event cost in the same run. Two workloads: every event a new call (the
// ingest benchmark's bodies: a fixture with fresh ids each time, the worst case) and realistic calls (each call's
// 2–12 events one after another). Deterministic enough to show a change that the end-to-end benchmark cannot see
// through a shared machine's noise.
//
//   npm run bench:fold [-- --events 100000 --batch 50 --workload new|realistic|both]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';

import Database from 'better-sqlite3';

import { createCallFold } from '../src/calls/index.js';
import { CALLS_MIGRATIONS_DIR, loadMigrations } from '../src/store/sqlite/migrate.js';
import { callsFileOf, createSqliteStore } from '../src/store/sqlite/sqlite-store.js';
import { newEventOf, realisticBodies } from './fill.js';
import { type CostPerItem, costPerItem } from './lib/cpu.js';
import { buildBodies, loadFixtures } from './lib/payloads.js';

const { values } = parseArgs({
  options: {
    events: { type: 'string', default: '100000' },
    batch: { type: 'string', default: '50' },
    workload: { type: 'string', default: 'both' },
  },
});
if (!['both', 'new', 'realistic'].includes(values.workload)) {
  console.error(`--workload must be new, realistic or both, not ${values.workload}`);
  process.exit(2);
}
const EVENTS = Number(values.events);
const BATCH = Number(values.batch);
const END = Date.now();

async function measure(
  bodies: readonly Buffer[],
): Promise<{ append: CostPerItem; fold: CostPerItem; calls: number }> {
  const dir = mkdtempSync(path.join(tmpdir(), 'telehook-bench-fold-'));
  const file = path.join(dir, 'telehook.db');
  const store = createSqliteStore({ file });
  let closed = false;
  try {
    // The inputs are parsed and hashed before the clock starts: only the store's part is measured.
    const events = bodies.map((body, index) => newEventOf(body, END - bodies.length + index));
    const append = await costPerItem(events.length, async () => {
      for (let start = 0; start < events.length; start += BATCH)
        await Promise.all(events.slice(start, start + BATCH).map((event) => store.appendEvent(event)));
    });
    const rules = createCallFold({ staleAfterMs: 2 * 3600_000 });
    const fold = await costPerItem(events.length, async () => {
      for (;;) {
        const batch = await store.listEventsToProject(BATCH);
        if (batch.length === 0) return;
        await store.projectCalls({ events: batch, now: END }, rules);
      }
    });
    await store.close();
    closed = true;
    const db = new Database(callsFileOf(file), { readonly: true });
    const calls = db.prepare('SELECT count(*) FROM calls').pluck().get() as number;
    db.close();
    return { append, fold, calls };
  } finally {
    if (!closed) await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const schema = [loadMigrations(), loadMigrations(CALLS_MIGRATIONS_DIR)].map(
  (set) => set.migrations.at(-1)?.name,
);
console.log(
  `calls fold: ${EVENTS.toLocaleString('en')} events, folded in batches of ${BATCH} (stored in transactions of ${BATCH}), schema ${schema.join(' + ')}`,
);
const WORKLOADS: Record<'new' | 'realistic', [string, () => Buffer[]]> = {
  new: ['every event a new call', () => buildBodies(loadFixtures(), EVENTS)],
  realistic: ['realistic calls', () => [...realisticBodies({ events: EVENTS, days: 30, end: END })]],
};
const workloads =
  values.workload === 'both' ? Object.values(WORKLOADS) : [WORKLOADS[values.workload as 'new' | 'realistic']];
for (const [name, bodies] of workloads) {
  const { append, fold, calls } = await measure(bodies());
  console.log(
    `  ${name.padEnd(24)} ${calls.toLocaleString('en').padStart(8)} calls   fold CPU ${fold.cpuUs.toFixed(1).padStart(5)} µs/event` +
      ` (${(fold.cpuUs / append.cpuUs).toFixed(2)}× the store's)   wall ${fold.wallUs.toFixed(1).padStart(5)} µs/event` +
      `   [store: CPU ${append.cpuUs.toFixed(1)}, wall ${append.wallUs.toFixed(1)} µs/event]`,
  );
}

// `npm run bench:insert`: what one event's insert costs in telehook's events table (the real migrations, batches
// of 50 per transaction as group commit makes them under load, synchronous=FULL), depending on how its index keys
// fall. Deterministic enough to show what the end-to-end benchmark cannot see through a shared machine's noise.
//
//   npm run bench:insert [-- --events 1000000 --batch 50]
import { createHash, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';

import Database from 'better-sqlite3';

import { keyWithTime } from '../src/store/sqlite/dedupe-key.js';
import { loadMigrations, migrate } from '../src/store/sqlite/migrate.js';
import { type CostPerItem, costPerItem } from './lib/cpu.js';

const { values } = parseArgs({
  options: { events: { type: 'string', default: '100000' }, batch: { type: 'string', default: '50' } },
});
const EVENTS = Number(values.events);
const BATCH = Number(values.batch);

interface Variant {
  readonly name: string;
  /** The dedupe key's bytes for an event of time `time` whose payload hashes to `hash`. */
  readonly key: (time: number, hash: Buffer) => Buffer;
  /** The events' call-key index, as before migration 0010. */
  readonly callKeyIndex: boolean;
}

const VARIANTS: readonly Variant[] = [
  { name: 'SHA-256 key, call-key index (≤ 0008)', key: (_time, hash) => hash, callKeyIndex: true },
  { name: 'time + SHA-256, call-key index (0009)', key: keyWithTime, callKeyIndex: true },
  { name: 'time + SHA-256, no call-key index (now)', key: keyWithTime, callKeyIndex: false },
];

async function measure(variant: Variant): Promise<CostPerItem> {
  const dir = mkdtempSync(path.join(tmpdir(), 'telehook-bench-insert-'));
  const db = new Database(path.join(dir, 'telehook.db'));
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma('wal_autocheckpoint = 8000'); // as the store sets it
    migrate(db);
    if (variant.callKeyIndex) db.exec('CREATE INDEX events_call_key ON events (call_key)');
    const insert =
      db.prepare(`INSERT INTO events (id, received_at, dedupe_key, method, content_type, kind, product,
      status, call_key, occurred_at, raw) VALUES (?, ?, ?, 'POST', 'application/json', 'event', 'chub', 'waiting', ?, ?, ?)
      ON CONFLICT (dedupe_key) DO NOTHING`);
    const raw = Buffer.alloc(322, 0x78); // the benchmark bodies' mean size
    let now = Date.now();
    let counter = 0;
    // The inputs (UUIDs, hashes) are made before the clock starts.
    const batches = Array.from({ length: Math.ceil(EVENTS / BATCH) }, () => {
      now += 10;
      return Array.from({ length: BATCH }, (_, n) => {
        const callKey = randomUUID();
        counter += 1;
        return [
          `${now.toString(36)}${counter.toString(36).padStart(10, '0')}`.toUpperCase(),
          now,
          variant.key(now + n, createHash('sha256').update(callKey).digest()),
          callKey,
          now + n,
          raw,
        ] as const;
      });
    });
    const commit = db.transaction((rows: (typeof batches)[number]) => {
      for (const row of rows) insert.run(...row);
    });
    return await costPerItem(EVENTS, () => {
      for (const rows of batches) commit.immediate(rows);
    });
  } finally {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

console.log(
  `events table insert: ${EVENTS.toLocaleString('en')} events in batches of ${BATCH}, synchronous=FULL, schema ${loadMigrations().migrations.at(-1)?.name}`,
);
const results = [];
for (const variant of VARIANTS) results.push({ variant, ...(await measure(variant)) });
const base = results[0]!;
for (const { variant, cpuUs, wallUs } of results) {
  console.log(
    `  ${variant.name.padEnd(40)} CPU ${cpuUs.toFixed(1).padStart(5)} µs/event (${(cpuUs / base.cpuUs).toFixed(2)}×)` +
      `   wall ${wallUs.toFixed(1).padStart(5)} µs/event (${(wallUs / base.wallUs).toFixed(2)}×)`,
  );
}

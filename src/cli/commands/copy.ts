import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';

import { createCallFold } from '../../calls/index.js';
import { loadConfig } from '../../config.js';
import { openStore, SQLITE_FILE } from '../../open-app.js';
import type { Store } from '../../store/index.js';
import { TOKENS_FILE } from '../../tokens.js';
import { createProgressBar } from '../progress-bar.js';
import { UsageError } from '../usage-error.js';
import {
  checkTargetIsOurs,
  type CopiedCounts,
  copyTables,
  translatePositions,
  verifyCounts,
  withOrigins,
} from './copy-installation.js';

export interface CopyFlags {
  readonly from?: string;
  readonly to?: string;
  /** Events per batch. */
  readonly batch?: string;
}

export interface CopyResult {
  readonly events: number;
  readonly copied: number;
  readonly quarantined: number;
  readonly checksum: string;
  readonly calls: number;
  /** Rows new on the target, by table. */
  readonly tables: CopiedCounts;
}

const PAGE = 500;

/** A store location: a postgres:// URL, else a data directory (SQLite). */
async function open(
  location: string,
  mustExist: boolean,
): Promise<{ store: Store; description: string; dataDir: string | null }> {
  if (/^postgres(ql)?:\/\//.test(location))
    return {
      ...(await openStore({ dataDir: '.', databaseUrl: location, databasePoolSize: 4 })),
      dataDir: null,
    };
  const dataDir = path.resolve(location);
  if (mustExist && !existsSync(path.join(dataDir, SQLITE_FILE)))
    throw new UsageError(`--from ${location}: no telehook database (${SQLITE_FILE}) in that directory.`);
  return { ...(await openStore(loadConfig({ env: {}, overrides: { dataDir } }))), dataDir };
}

/** SHA-256 over every event's id and raw bytes, in store order, and the count. */
async function checksum(store: Store): Promise<{ count: number; sha256: string }> {
  const hash = createHash('sha256');
  let count = 0;
  let after: string | null = null;
  do {
    const page = await store.listEvents({ after, limit: 1000 });
    for (const event of page.items) {
      hash.update(`${event.id}\n${Buffer.byteLength(event.raw)}\n`).update(event.raw);
      count += 1;
    }
    after = page.next;
  } while (after !== null);
  return { count, sha256: hash.digest('hex') };
}

/**
 * Where a previous run stopped: the copy goes in store order and commits in order, so the target holds a prefix
 * of the source. Binary search on the source's cursors for the first event the target lacks.
 */
async function resumePoint(source: Store, target: Store, total: number): Promise<string | null> {
  if ((await target.countEvents()) === 0) return null;
  const isCopiedAfter = async (cursor: number): Promise<boolean> => {
    const [next] = (await source.listEvents({ after: cursor === 0 ? null : String(cursor), limit: 1 })).items;
    return next !== undefined && (await target.getEvent(next.id)) !== null;
  };
  // Cursors are positive integers; the highest is about the count, more when retention deleted events.
  let low = 0;
  let high = Math.max(1, total);
  while ((await source.listEvents({ after: String(high), limit: 1 })).items.length > 0) high *= 2;
  if (!(await isCopiedAfter(0))) return null;
  // Invariant: isCopiedAfter(low) is true, isCopiedAfter(high) is false.
  while (high - low > 1) {
    const middle = Math.floor((low + high) / 2);
    if (await isCopiedAfter(middle)) low = middle;
    else high = middle;
  }
  return String(high);
}

/**
 * `telehook copy --from ./data --to postgres://…`: moves an installation to another store. Events are copied in
 * store order, in batches, with their exact bytes, ids, receipt times, dedupe keys and sources (a backfilled row
 * stays one). Then every table that is not derived from the events (copy-installation.ts: people, endpoints and
 * their deliveries and attempts, alerts, follow-up actions, reconcile runs, quarantined requests), and the positions
 * kept among them, translated to the target's seqs. Running it again resumes: what was copied is recognised,
 * nothing is stored twice, rows changed since are brought up to date. A target holding another installation's rows
 * is refused before anything is written. At the end both sides are verified (a SHA-256 over the events' ids and raw
 * bytes in store order, and every table's count), and the target folds the events into calls.
 */
export async function runCopy(
  flags: CopyFlags,
  err: NodeJS.WriteStream = process.stderr,
): Promise<CopyResult> {
  if (!flags.from || !flags.to)
    throw new UsageError('copy needs --from <data dir or URL> and --to <postgres://… or dir>.');
  const batch = flags.batch === undefined ? PAGE : Number(flags.batch);
  if (!Number.isInteger(batch) || batch < 1 || batch > 1000)
    throw new UsageError('--batch: expected a whole number from 1 to 1000.');
  const source = await open(flags.from, true);
  try {
    const target = await open(flags.to, false);
    try {
      await checkTargetIsOurs(source.store, target.store);
      const total = await source.store.countEvents();
      err.write(`Copying ${total} events from ${source.description} to ${target.description}\n`);
      let after = await resumePoint(source.store, target.store, total);
      let done = 0;
      if (after !== null) {
        done = await target.store.countEvents();
        err.write(`Resuming after event ${after} (${done} already copied)\n`);
      }
      const progress = createProgressBar(err, total);
      let copied = 0;
      do {
        const page = await source.store.listEvents({ after, limit: batch });
        // Submitted together: the target commits them as one batch (group commit), in this order.
        const events = await withOrigins(source.store, page.items);
        const results = await Promise.all(events.map((event) => target.store.appendEvent(event)));
        copied += results.filter((result) => !result.duplicate).length;
        done += page.items.length;
        progress.update(Math.min(done, total), 'events');
        after = page.next;
      } while (after !== null);
      progress.finish();

      err.write('Verifying: counts and SHA-256 of every event in store order on both sides…\n');
      const [expected, actual] = await Promise.all([checksum(source.store), checksum(target.store)]);
      if (expected.count !== actual.count || expected.sha256 !== actual.sha256) {
        throw new Error(
          `verification failed: the source has ${expected.count} events (sha256 ${expected.sha256}), the target ` +
            `${actual.count} (sha256 ${actual.sha256}). Copy into an empty database, or run copy again.`,
        );
      }
      err.write(`Verified: ${actual.count} events, sha256 ${actual.sha256}\n`);

      const backlog = await target.store.countEventsToProject();
      const folding = createProgressBar(err, backlog);
      const rules = createCallFold({ staleAfterMs: loadConfig({ env: {} }).staleCallAfterMs });
      let folded = 0;
      for (;;) {
        const events = await target.store.listEventsToProject(PAGE);
        if (events.length === 0) break;
        await target.store.projectCalls({ events, now: Date.now() }, rules);
        folded += events.length;
        folding.update(Math.min(folded, backlog), 'events folded into calls');
      }
      folding.finish();
      const calls = (await target.store.listCallFacts({ from: 0, to: Number.MAX_SAFE_INTEGER })).length;

      // After the events: the positions among them are translated to the target's seqs.
      err.write('Copying people, endpoints and deliveries, alerts, follow-up actions, reconcile runs…\n');
      const tables = await copyTables(source.store, target.store, (table, rows) =>
        err.write(`  ${table}: ${rows}\n`),
      );
      await translatePositions(source.store, target.store);
      const counted = await verifyCounts(source.store, target.store);
      err.write(`Verified: the same number of rows on both sides: ${counted}\n`);
      const quarantined = tables.quarantine ?? 0;
      err.write(
        `Copied ${copied} new events (${actual.count} in all) and ${quarantined} quarantined requests; ${calls} calls on the target.\n` +
          'Not copied: sessions (everyone signs in again on the target).\n',
      );
      if (source.dataDir !== null && existsSync(path.join(source.dataDir, TOKENS_FILE)))
        err.write(
          `The tokens are not in the database: copy ${path.join(source.dataDir, TOKENS_FILE)} into the data directory ` +
            'of every server of the target (or set TELEHOOK_INGEST_TOKEN, TELEHOOK_API_TOKEN and TELEHOOK_VIEWER_TOKEN), ' +
            'so that the ingest URL and the API token stay the same.\n',
        );
      return { events: actual.count, copied, quarantined, checksum: actual.sha256, calls, tables };
    } finally {
      await target.store.close();
    }
  } finally {
    await source.store.close();
  }
}

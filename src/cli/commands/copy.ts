import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';

import { createCallFold } from '../../calls/index.js';
import { loadConfig } from '../../config.js';
import { openStore, SQLITE_FILE } from '../../open-app.js';
import { dedupeKeyOf } from '../../receiver/index.js';
import type { NewEvent, Store, StoredEvent } from '../../store/index.js';
import { parse, parseQuery } from '../../telecmi/index.js';
import { createProgressBar } from '../progress-bar.js';
import { UsageError } from '../usage-error.js';

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
}

const PAGE = 500;

/** A store location: a postgres:// URL, else a data directory (SQLite). */
async function open(location: string, mustExist: boolean): Promise<{ store: Store; description: string }> {
  if (/^postgres(ql)?:\/\//.test(location))
    return openStore({ dataDir: '.', databaseUrl: location, databasePoolSize: 4 });
  const dataDir = path.resolve(location);
  if (mustExist && !existsSync(path.join(dataDir, SQLITE_FILE)))
    throw new UsageError(`--from ${location}: no telehook database (${SQLITE_FILE}) in that directory.`);
  return openStore(loadConfig({ env: {}, overrides: { dataDir } }));
}

/** The event as the receiver stored it, rebuilt from what the source gives back: its exact bytes and dedupe key. */
function toNewEvent(stored: StoredEvent): NewEvent {
  const { method, contentType, cursor: _cursor, ...event } = stored;
  const body = Buffer.from(stored.raw, 'utf8');
  const parsed = method === 'GET' ? parseQuery(stored.raw) : parse(body, contentType);
  // The receiver's dedupe key: SHA-256 of the payload's canonical JSON (of the raw bytes when it no longer parses).
  const dedupeKey = parsed.ok
    ? dedupeKeyOf(parsed.value.payload, body)
    : createHash('sha256').update(body).digest('hex');
  return { event: event, body, dedupeKey, method, contentType };
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
  // Cursors are positive integers; the highest is at most about the count (rows are never deleted).
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
 * store order, in batches, with their exact bytes, ids and receipt times; quarantined requests too. Running it
 * again resumes where it stopped (what was copied is recognised, nothing is stored twice). At the end both sides
 * are verified (counts, and a SHA-256 over the events' ids and raw bytes in store order), then the target folds
 * the events into calls.
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
        const results = await Promise.all(
          page.items.map((event) => target.store.appendEvent(toNewEvent(event))),
        );
        copied += results.filter((result) => !result.duplicate).length;
        done += page.items.length;
        progress.update(Math.min(done, total), 'events');
        after = page.next;
      } while (after !== null);
      progress.finish();

      const known = new Set<string>();
      for (let page = null as string | null, first = true; first || page !== null; first = false) {
        const result = await target.store.listQuarantine({ after: page, limit: 1000 });
        for (const item of result.items) known.add(item.id);
        page = result.next;
      }
      let quarantined = 0;
      for (let page = null as string | null, first = true; first || page !== null; first = false) {
        const result = await source.store.listQuarantine({ after: page, limit: 1000 });
        for (const item of result.items) {
          if (known.has(item.id)) continue;
          const { raw: _raw, rawBase64, ...rest } = item;
          await target.store.quarantineRequest({ ...rest, body: Buffer.from(rawBase64, 'base64') });
          quarantined += 1;
        }
        page = result.next;
      }

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
      err.write(
        `Copied ${copied} new events (${actual.count} in all) and ${quarantined} quarantined requests; ${calls} calls on the target.\n`,
      );
      return { events: actual.count, copied, quarantined, checksum: actual.sha256, calls };
    } finally {
      await target.store.close();
    }
  } finally {
    await source.store.close();
  }
}

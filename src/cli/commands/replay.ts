import { existsSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import { loadConfig } from '../../config.js';
import { redactUrl } from '../../redact.js';
import type { ReceivedPeriod, StoredEvent } from '../../store/index.js';
import { type ApiTarget, findApiTarget } from '../api-target.js';
import { colorsFor, type CommandIo, processIo } from '../command-io.js';
import { parseInteger, parseMoment, parseRate, parseUrl } from '../flags.js';
import { type Answer, createSender, isAccepted } from '../http-sender.js';
import { createProgressBar } from '../progress-bar.js';
import { UsageError } from '../usage-error.js';

/** The flags of `telehook replay`. */
export interface ReplayFlags {
  readonly from?: string;
  readonly to?: string;
  readonly toUrl?: string;
  readonly rate?: string;
  readonly concurrency?: string;
  readonly server?: string;
  readonly token?: string;
  readonly data?: string;
}

/** Where the stored events come from: a server's API, or the database of a data directory. */
interface EventSource {
  readonly description: string;
  count(): Promise<number>;
  events(): AsyncIterable<StoredEvent>;
  close(): Promise<void>;
}

const PAGE = 1000;
/** Failures listed one by one in the summary; the rest are counted. */
const LISTED_FAILURES = 20;

/**
 * `telehook replay`: re-sends the events received in [--from, --to), in the order received, to another
 * receiver's ingest URL, each as it came: the exact raw bytes with the original method and content type (a GET's
 * stored query string as the query). Paced by `--rate`, up to `--concurrency` in flight (1 keeps the order
 * exact). Prints a progress bar on a terminal, then the answers counted by status and the failures. Returns the
 * exit code: 0 when every event was accepted (2xx), else 1.
 */
export async function runReplay(flags: ReplayFlags, io: CommandIo = processIo()): Promise<number> {
  if (flags.from === undefined) throw new UsageError('--from: required: when the period starts.');
  if (flags.to === undefined) throw new UsageError('--to: required: when the period ends.');
  if (flags.toUrl === undefined)
    throw new UsageError('--to-url: required: the ingest URL of the receiver to send to.');
  const period = { from: parseMoment('--from', flags.from), to: parseMoment('--to', flags.to) };
  if (period.to <= period.from) throw new UsageError(`--to: ${flags.to} is not after --from ${flags.from}.`);
  const target = parseUrl('--to-url', flags.toUrl);
  const perSecond = flags.rate === undefined ? null : parseRate('--rate', flags.rate);
  const concurrency = parseInteger('--concurrency', flags.concurrency ?? '1', 1, 256);

  const api = findApiTarget(flags);
  const source = api === null ? await openDataDirectory(flags.data, period) : fromServer(api, period);
  const c = colorsFor(io.stdout);
  const answers = new Map<number, number>();
  const failures: string[] = [];
  let failed = 0;
  let done = 0;
  let duplicates = 0;
  const started = performance.now();
  try {
    const total = await source.count();
    io.stdout.write(
      `${c.bold(`Replaying ${total} events`)} received ${new Date(period.from).toISOString()} → ${new Date(period.to).toISOString()}\n` +
        `  from ${source.description}\n  to   ${redactUrl(target)}, ${perSecond === null ? 'as fast as it answers' : `at ${flags.rate}`}, ${concurrency} at a time\n`,
    );
    const progress = createProgressBar(io.stderr, total);
    const sender = createSender(target, concurrency);
    const record = (event: StoredEvent, answer: Answer): void => {
      done += 1;
      answers.set(answer.status, (answers.get(answer.status) ?? 0) + 1);
      if (/"duplicate"\s*:\s*true/.test(answer.body)) duplicates += 1;
      if (!isAccepted(answer)) failed += 1;
      if (!isAccepted(answer) && failures.length < LISTED_FAILURES)
        failures.push(
          `${event.id} ${event.method} received ${new Date(event.receivedAt).toISOString()} ← ${answer.status === 0 ? 'no answer' : answer.status} ${answer.body.trim().slice(0, 200)}`,
        );
      progress.update(done, `${failed} failed`);
    };
    try {
      await pace(source.events(), { perSecond, concurrency }, async (event) =>
        record(event, await sender.send(asReceived(event))),
      );
    } finally {
      progress.finish();
      await sender.close();
    }
  } finally {
    await source.close();
  }

  const seconds = (performance.now() - started) / 1000;
  io.stdout.write(formatSummary({ done, seconds, answers, duplicates, failed, failures }, c));
  return failed > 0 ? 1 : 0;
}

/** A stored event as the request to make again. */
function asReceived(event: StoredEvent) {
  return {
    method: event.method === 'GET' ? ('GET' as const) : ('POST' as const),
    bytes: event.raw,
    contentType: event.method === 'GET' ? null : event.contentType,
  };
}

/**
 * Runs `send` for each item: the n-th no sooner than n ÷ `perSecond` seconds after the start (when a rate is
 * given), with at most `concurrency` running; resolves when all have finished.
 */
async function pace<T>(
  items: AsyncIterable<T>,
  options: { perSecond: number | null; concurrency: number },
  send: (item: T) => Promise<void>,
): Promise<void> {
  const started = performance.now();
  const running = new Set<Promise<void>>();
  let index = 0;
  for await (const item of items) {
    if (options.perSecond !== null) {
      const wait = started + (index * 1000) / options.perSecond - performance.now();
      if (wait > 0) await sleep(wait);
    }
    index += 1;
    while (running.size >= options.concurrency) await Promise.race(running);
    const task: Promise<void> = send(item).finally(() => running.delete(task));
    running.add(task);
  }
  await Promise.all(running);
}

function formatSummary(
  result: {
    done: number;
    seconds: number;
    answers: Map<number, number>;
    duplicates: number;
    failed: number;
    /** The first failures, described. */
    failures: string[];
  },
  c: ReturnType<typeof colorsFor>,
): string {
  const rate = result.seconds > 0 ? Math.round(result.done / result.seconds) : result.done;
  const lines = [
    '',
    c.bold(`Replayed ${result.done} events in ${result.seconds.toFixed(1)} s (${rate}/s). Answers:`),
  ];
  for (const [status, count] of [...result.answers].sort(([a], [b]) => a - b)) {
    const name = status === 0 ? 'no answer' : String(status);
    const note =
      status >= 200 && status < 300 && result.duplicates > 0
        ? `  (${result.duplicates} duplicates: already there)`
        : '';
    lines.push(
      `  ${(status >= 200 && status < 300 ? c.green : c.red)(name.padEnd(9))} ${String(count).padStart(7)}${note}`,
    );
  }
  if (result.failed > 0) {
    lines.push(c.red(`${result.failed} not accepted:`));
    lines.push(...result.failures.map((failure) => `  ${failure}`));
    if (result.failed > result.failures.length)
      lines.push(`  … and ${result.failed - result.failures.length} more`);
  }
  return `${lines.join('\n')}\n`;
}

/** The events of a period, read from a server's API page by page. */
function fromServer(api: ApiTarget, period: ReceivedPeriod): EventSource {
  const get = async <T>(route: string, query: Record<string, string>): Promise<T> => {
    const url = new URL(route, api.base);
    for (const [name, value] of Object.entries(query)) url.searchParams.set(name, value);
    let response: Response;
    try {
      response = await fetch(url, { headers: { authorization: `Bearer ${api.token ?? ''}` } });
    } catch (error) {
      const cause = (error as { cause?: { code?: string } }).cause;
      throw new UsageError(
        `Cannot read ${url.origin}${url.pathname} (${cause?.code ?? (error as Error).message}): ${api.source === '--server' ? 'check --server' : 'is the server still running?'}`,
      );
    }
    const body = (await response.json().catch(() => ({}))) as T & { error?: { message?: string } };
    if (!response.ok)
      throw new UsageError(
        `${url.origin}${url.pathname} answered ${response.status}: ${body.error?.message ?? ''}${response.status === 401 || response.status === 403 ? ' Give the API token with --token (or TELEHOOK_API_TOKEN).' : ''}`,
      );
    return body;
  };
  const range = { from: String(period.from), to: String(period.to) };
  return {
    description: `${api.base.origin}${api.base.pathname} (its API)`,
    count: async () => (await get<{ count: number }>('api/events/count', range)).count,
    async *events() {
      let after: string | null = null;
      do {
        const page: { items: StoredEvent[]; next: string | null } = await get('api/events', {
          ...range,
          limit: String(PAGE),
          ...(after === null ? {} : { after }),
        });
        yield* page.items;
        after = page.next;
      } while (after !== null);
    },
    close: async () => undefined,
  };
}

/** The events of a period, read from the database of a data directory that no server runs on. */
async function openDataDirectory(data: string | undefined, period: ReceivedPeriod): Promise<EventSource> {
  const config = loadConfig({ overrides: { dataDir: data } });
  const { openStore, SQLITE_FILE } = await import('../../open-app.js');
  const file = path.join(config.dataDir, SQLITE_FILE);
  if (config.databaseUrl === null && !existsSync(file))
    throw new UsageError(
      `No running telehook server and no database in ${config.dataDir}: pass --data with the data directory, or --server URL --token T.`,
    );
  const { store, description } = await openStore(config);
  return {
    description,
    count: () => store.countEventsReceived(period),
    async *events() {
      let after: string | null = null;
      do {
        const page = await store.listEventsReceived({ ...period, after, limit: PAGE });
        yield* page.items;
        after = page.next;
      } while (after !== null);
    },
    close: () => store.close(),
  };
}

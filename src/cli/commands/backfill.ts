import { existsSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import type { ReconcileRunJson } from '../../backfill/index.js';
import { loadConfig, parseDuration } from '../../config.js';
import { type ApiTarget, findApiTarget } from '../api-target.js';
import { colorsFor, type CommandIo, processIo } from '../command-io.js';
import { parseMoment } from '../flags.js';
import { createProgressBar } from '../progress-bar.js';
import { UsageError } from '../usage-error.js';

/** The flags of `telehook backfill`. */
export interface BackfillFlags {
  readonly since?: string;
  readonly from?: string;
  readonly to?: string;
  readonly server?: string;
  readonly token?: string;
  readonly data?: string;
  readonly json?: boolean;
}

/** Where the run is carried out: a running server (through its API), or the database of a data directory. */
interface RunHost {
  readonly description: string;
  /** Starts the run; its id. */
  start(window: { from: number; to: number }): Promise<string>;
  get(id: string): Promise<ReconcileRunJson>;
  /** What becomes of the run when the command is stopped (Ctrl-C) before it ends: a line to print. */
  interrupt(id: string): Promise<string>;
  /** Resolves once what the run stored is folded into calls (the data directory's own projection). */
  close(): Promise<void>;
}

/** What the command's options are, for tests that poll faster. */
export interface BackfillOptions {
  /** How often the run is looked at. @defaultValue 250 ms */
  readonly pollMs?: number;
  readonly now?: () => number;
  /** Aborted by Ctrl-C or SIGTERM: the command stops following the run (see {@link RunHost.interrupt}). */
  readonly signal?: AbortSignal;
}

/**
 * `telehook backfill --since 7d` (or `--from/--to`): one reconcile run over the window, through the running server
 * (`--server`, or the server running on `--data`), else directly on the data directory's database (opened as
 * `serve` opens it, with the TELEHOOK_TELECMI_* settings). Shows a progress bar of the rows read on a terminal,
 * then a summary. Returns the exit code: 0 when the run succeeded, 1 when it failed or could not start.
 */
export async function runBackfill(
  flags: BackfillFlags,
  io: CommandIo = processIo(),
  options: BackfillOptions = {},
): Promise<number> {
  const now = options.now ?? Date.now;
  const window = windowOf(flags, now());
  const api = findApiTarget(flags);
  const host = api === null ? await openDataDirectory(flags.data) : throughServer(api);
  const c = colorsFor(io.stdout);
  let run: ReconcileRunJson;
  try {
    if (flags.json !== true)
      io.stdout.write(
        `${c.bold('Reading TeleCMI call history')} ${iso(window.from)} → ${iso(window.to)}\n  through ${host.description}\n`,
      );
    const id = await host.start(window);
    const progress = createProgressBar(io.stderr, null);
    run = await host.get(id);
    while (run.status === 'running') {
      progress.update(run.rowsFetched, 'rows read from TeleCMI');
      const stopped = await sleep(options.pollMs ?? 250, false, { signal: options.signal }).catch(() => true);
      if (stopped) {
        progress.finish();
        io.stderr.write(`telehook: ${await host.interrupt(id)}\n`);
        return 130;
      }
      run = await host.get(id);
    }
    progress.finish();
  } catch (error) {
    await host.close();
    if (error instanceof RunRefused) {
      io.stderr.write(`telehook: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
  await host.close();
  io.stdout.write(flags.json === true ? `${JSON.stringify(run)}\n` : summary(run, c));
  return run.status === 'succeeded' ? 0 : 1;
}

/** The server (or the data directory) said no: backfill off, or a run already reading that window. */
class RunRefused extends Error {}

const iso = (ms: number): string => new Date(ms).toISOString();

/** `--since 7d` is the last 7 days up to now; `--from` and `--to` (default: now) name the window. */
function windowOf(flags: BackfillFlags, now: number): { from: number; to: number } {
  if (flags.since !== undefined) {
    if (flags.from !== undefined || flags.to !== undefined)
      throw new UsageError('--since: give either --since or --from/--to, not both.');
    let ms: number;
    try {
      ms = parseDuration(flags.since);
    } catch {
      throw new UsageError(`--since: "${flags.since}" is not a duration: expected e.g. 90m, 24h or 7d.`);
    }
    if (ms <= 0) throw new UsageError(`--since: "${flags.since}" is not a duration above 0.`);
    return { from: now - ms, to: now };
  }
  if (flags.from === undefined)
    throw new UsageError(
      'backfill needs a window: --since 7d, or --from 2024-06-06T00:00:00Z [--to 2024-06-07T00:00:00Z].',
    );
  const from = parseMoment('--from', flags.from);
  const to = flags.to === undefined ? now : parseMoment('--to', flags.to);
  if (to <= from) throw new UsageError(`--to: ${flags.to ?? iso(to)} is not after --from ${flags.from}.`);
  return { from, to };
}

function summary(run: ReconcileRunJson, c: ReturnType<typeof colorsFor>): string {
  const lines = [
    run.status === 'succeeded'
      ? c.green(c.bold(`Run ${run.id} succeeded`))
      : c.red(c.bold(`Run ${run.id} failed`)),
    `  window           ${run.from} → ${run.to}`,
    `  rows read        ${run.rowsFetched}`,
    `  events added     ${run.eventsAdded}`,
    `  calls recovered  ${run.callsAdded}`,
    ...run.errors.map((error) => c.red(`  ${error.code}: ${error.message}`)),
  ];
  if (run.status === 'failed')
    lines.push(
      'Nothing of a failed read is stored: run it again once TeleCMI answers (or the settings are fixed).',
    );
  return `${lines.join('\n')}\n`;
}

/** A run started through a server's API (POST /api/reconcile/runs), followed with GET /api/reconcile/runs/:id. */
function throughServer(api: ApiTarget): RunHost {
  const call = async <T>(method: 'GET' | 'POST', route: string, body?: unknown): Promise<T> => {
    const url = new URL(route, api.base);
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        headers: {
          authorization: `Bearer ${api.token ?? ''}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (error) {
      const cause = (error as { cause?: { code?: string } }).cause;
      throw new UsageError(
        `Cannot reach ${url.origin}${url.pathname} (${cause?.code ?? (error as Error).message}): ${api.source === '--server' ? 'check --server' : 'is the server still running?'}`,
      );
    }
    const answer = (await response.json().catch(() => ({}))) as T & {
      error?: { code?: string; message?: string };
    };
    if (response.status === 401 || response.status === 403)
      throw new UsageError(
        `${url.origin}${url.pathname} answered ${response.status}: give the API token with --token (or TELEHOOK_API_TOKEN).`,
      );
    if (!response.ok)
      throw new RunRefused(
        `${answer.error?.code ?? response.status}: ${answer.error?.message ?? `${url.pathname} answered ${response.status}`}`,
      );
    return answer;
  };
  return {
    description: `${api.base.origin}${api.base.pathname} (its API)`,
    start: async (window) =>
      (
        await call<{ id: string }>('POST', 'api/reconcile/runs', {
          from: iso(window.from),
          to: iso(window.to),
        })
      ).id,
    get: (id) => call<ReconcileRunJson>('GET', `api/reconcile/runs/${encodeURIComponent(id)}`),
    interrupt: async (id) =>
      `stopped following run ${id}: it goes on in the server (GET ${new URL(`api/reconcile/runs/${id}`, api.base).pathname}).`,
    close: async () => undefined,
  };
}

/**
 * A run carried out in this process on the data directory's database (or TELEHOOK_DATABASE_URL's), with the app
 * `serve` builds (not listening): the same reconciler, the same projection folding what it stored, and on
 * PostgreSQL the same lock that lets one process at a time read a window.
 */
async function openDataDirectory(data: string | undefined): Promise<RunHost> {
  const config = loadConfig({ overrides: { dataDir: data } });
  const [{ openApp, SQLITE_FILE }, { createLogger }, { generateToken }, { reconcileRunJson }] =
    await Promise.all([
      import('../../open-app.js'),
      import('../../logger.js'),
      import('../../tokens.js'),
      import('../../backfill/index.js'),
    ]);
  if (config.telecmiAppId === null || config.telecmiSecret === null)
    throw new UsageError(
      "Backfill is off: set TELEHOOK_TELECMI_APPID and TELEHOOK_TELECMI_SECRET to read TeleCMI's history.",
    );
  if (config.databaseUrl === null && !existsSync(path.join(config.dataDir, SQLITE_FILE)))
    throw new UsageError(
      `No running telehook server and no database in ${config.dataDir}: pass --data with the data directory, or --server URL --token T.`,
    );
  // The app does not listen: its tokens are never presented, so none are written to the data directory.
  const tokens = { ingestToken: generateToken(), apiToken: generateToken(), viewerToken: generateToken() };
  const opened = await openApp(config, {
    logger: createLogger({ ...config, logLevel: 'silent' }),
    tokens,
    // Forwarding is the server's job: what the run adds is scheduled here and sent when the server runs.
    startDeliveryWorker: false,
  });
  const { app, store, description } = opened;
  const reconciler = app.reconciler;
  try {
    await app.ready();
  } catch (error) {
    await opened.close();
    throw error;
  }
  return {
    description,
    async start(window) {
      const { run, started } = await reconciler!.start(window);
      if (!started)
        throw new RunRefused(
          `RECONCILE_RUN_ACTIVE: run ${run.id} is reading an overlapping window (${iso(run.from)} to ${iso(run.to)}); wait for it to end.`,
        );
      return run.id;
    },
    async get(id) {
      const run = await store.getReconcileRun(id);
      if (run === null) throw new Error(`reconcile run ${id} is gone from the store`);
      return reconcileRunJson(run);
    },
    async interrupt(id) {
      // The run ends with this process: marked failed now, so that the next run over its window need not wait for
      // its lease to run out. What it stored is kept (each row once); the next run stores the rest.
      await store.updateReconcileRun(id, {
        now: Date.now(),
        status: 'failed',
        finishedAt: Date.now(),
        errors: [
          { code: 'RECONCILE_INTERRUPTED', message: 'telehook backfill was stopped before the run ended.' },
        ],
      });
      return `stopped: run ${id} is marked failed (RECONCILE_INTERRUPTED); run telehook backfill again to complete the window.`;
    },
    async close() {
      await reconciler?.settled();
      await app.projection.settled();
      await opened.close();
    },
  };
}

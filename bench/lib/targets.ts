import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import Database from 'better-sqlite3';

import type { ServerInfo } from '../../src/cli/server-file.js';
import {
  type Exit,
  freePort,
  type ServerProcess,
  startProcess,
  stopProcess,
  waitUntilAnswering,
} from './server-process.js';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** Where `tsc -p bench/tsconfig.servers.json` writes the comparison servers, so that they run on plain node. */
const SERVERS = path.join(ROOT, 'bench/build');
/** `npm run build` writes telehook here. */
const TELEHOOK_MAIN = path.join(ROOT, 'dist/cli/main.js');
/** The node flags `npm start` runs telehook with (package.json), so that the benchmark runs it the same way. */
export const NODE_FLAGS_OF_NPM_START = (
  (
    JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: { start: string } }
  ).scripts.start.match(/--[\w-]+=\S+/g) ?? []
).filter((flag) => !flag.startsWith('--data'));
/** File names in telehook's data directory (src/cli/commands/serve.ts, src/open-app.ts, src/tokens.ts). */
const TELEHOOK_FILES = { server: 'server.json', database: 'telehook.db' } as const;

export type TargetName = 'bare' | 'express' | 'durable' | 'telehook';

/** What a durable target stored, read from its database after it stopped. */
export interface Stored {
  readonly events: number;
  readonly quarantined: number;
  /** The stored raw bodies, in commit order. */
  readonly raw: Buffer[];
}

export interface StartedTarget {
  readonly server: ServerProcess;
  /** Where the load goes. */
  readonly url: string;
  /** Stops the process (SIGTERM, then SIGKILL after 10 s). */
  readonly stop: () => Promise<Exit>;
  /** True when the target handles SIGTERM itself and should then exit 0 (telehook finishes its commits). */
  readonly stopsCleanly: boolean;
  /** For a target that stores: its database, read after stop(). */
  readonly readStored: (() => Stored) | null;
  /** Its temporary directory (its database), or null. */
  readonly dir: string | null;
  /** Removes its temporary directory. */
  readonly cleanup: () => void;
  /** telehook: its /metrics text (read with its API token), or null for the others. */
  readonly metrics: (() => Promise<string>) | null;
  /** telehook: a request to its API with its API token, or null for the others. */
  readonly api: ((path: string, method?: 'GET' | 'POST') => Promise<Response>) | null;
}

export interface Target {
  readonly name: TargetName;
  readonly label: string;
  /** True when a repeated body would be answered from the dedupe index instead of being stored. */
  readonly dedupes: boolean;
  /** `dataFrom`: a data directory to start from (--prefill); only telehook uses one. */
  start(options?: { readonly dataFrom?: string | undefined }): Promise<StartedTarget>;
}

const INGEST_PATH = '/webhook/cdr';

/** The ceiling: node:http + JSON.parse + 204. */
const bare: Target = {
  name: 'bare',
  label: 'bare node:http',
  dedupes: false,
  start: async () => startPlain('bare-http.js', []),
};

/** TeleCMI's own Express sample: what a TeleCMI customer starts from. */
const express: Target = {
  name: 'express',
  label: 'Express sample',
  dedupes: false,
  start: async () => startPlain('express-sample.js', []),
};

/** node:http + SQLite FULL + group commit: the most this architecture allows with the same durability. */
const durable: Target = {
  name: 'durable',
  label: 'durable limit',
  dedupes: false,
  start: async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'telehook-bench-durable-'));
    const file = path.join(dir, 'durable-limit.db');
    const started = await startPlain('durable-limit.js', [file]);
    return {
      ...started,
      readStored: () => readDatabase(file, false),
      dir,
      cleanup: () => rmSync(dir, { recursive: true, force: true }),
    };
  },
};

/** telehook as it ships: `telehook serve` from dist/, SQLite, tokens, logging at its default level. */
const telehook: Target = {
  name: 'telehook',
  label: 'telehook',
  dedupes: true,
  start: (options) => startTelehook([], options),
};

/** Starts telehook as `npm start` does, with `extraNodeFlags` (e.g. `--cpu-prof`) before its main module. */
export async function startTelehook(
  extraNodeFlags: readonly string[] = [],
  options: { readonly dataFrom?: string | undefined } = {},
): Promise<StartedTarget> {
  if (!existsSync(TELEHOOK_MAIN)) throw new Error(`${TELEHOOK_MAIN} is missing: run "npm run build" first`);
  const dir = mkdtempSync(path.join(tmpdir(), 'telehook-bench-data-'));
  // A database that already holds events (--prefill): its files are copied, so that every run starts from the same.
  if (options.dataFrom !== undefined) {
    for (const file of readdirSync(options.dataFrom).filter((name) => name.endsWith('.db'))) {
      copyFileSync(path.join(options.dataFrom, file), path.join(dir, file));
    }
  }
  // What the run stored is what comes after the prefilled events.
  const prefilledUpTo = options.dataFrom === undefined ? 0 : lastSeq(path.join(dir, TELEHOOK_FILES.database));
  // Only telehook's defaults: no TELEHOOK_* setting of the shell that runs the benchmark leaks in.
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('TELEHOOK_')));
  const server = startProcess(
    [
      ...NODE_FLAGS_OF_NPM_START,
      ...extraNodeFlags,
      TELEHOOK_MAIN,
      'serve',
      '--port',
      '0',
      '--host',
      '127.0.0.1',
      '--data',
      dir,
    ],
    env,
  );
  const info = await waitForServerFile(path.join(dir, TELEHOOK_FILES.server), server);
  await waitUntilAnswering(`${info.url}/`, server);
  const api = (route: string, method: 'GET' | 'POST' = 'GET'): Promise<Response> => {
    const { apiToken } = JSON.parse(readFileSync(path.join(dir, 'tokens.json'), 'utf8')) as {
      apiToken: string;
    };
    return fetch(`${info.url}${route}`, { method, headers: { authorization: `Bearer ${apiToken}` } });
  };
  return {
    server,
    url: info.ingestUrl,
    stop: () => stopProcess(server),
    stopsCleanly: true,
    readStored: () => readDatabase(path.join(dir, TELEHOOK_FILES.database), true, prefilledUpTo),
    dir,
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
    metrics: async () => (await api('/metrics')).text(),
    api,
  };
}

function lastSeq(file: string): number {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    return (db.prepare('SELECT max(seq) FROM events').pluck().get() as number | null) ?? 0;
  } finally {
    db.close();
  }
}

/** Events stored but not folded into calls yet, from telehook's /metrics text. */
export const backlogIn = (metrics: string): number =>
  Number(/^telehook_projection_backlog_events (\d+)/m.exec(metrics)?.[1] ?? NaN);

/** Every target, in the order of the first round. */
export const TARGETS: readonly Target[] = [bare, express, durable, telehook];

async function startPlain(script: string, extraArgs: string[]): Promise<StartedTarget> {
  const file = path.join(SERVERS, script);
  if (!existsSync(file))
    throw new Error(`${file} is missing: run "tsc -p bench/tsconfig.servers.json" first`);
  const port = await freePort();
  const server = startProcess([file, String(port), ...extraArgs]);
  const base = `http://127.0.0.1:${port}`;
  await waitUntilAnswering(`${base}/`, server);
  return {
    server,
    url: `${base}${INGEST_PATH}`,
    stop: () => stopProcess(server),
    stopsCleanly: false,
    readStored: null,
    dir: null,
    cleanup: () => undefined,
    metrics: null,
    api: null,
  };
}

async function waitForServerFile(
  file: string,
  server: ServerProcess,
  timeoutMs = 30_000,
): Promise<ServerInfo> {
  const started = Date.now();
  for (;;) {
    if (server.hasExited()) throw new Error(`telehook serve exited:\n${server.stderr()}`);
    if (existsSync(file)) {
      try {
        return JSON.parse(readFileSync(file, 'utf8')) as ServerInfo;
      } catch {
        // written but not complete yet: read it again
      }
    }
    if (Date.now() - started > timeoutMs)
      throw new Error(`telehook did not write ${file} in ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

function readDatabase(file: string, hasQuarantine: boolean, afterSeq = 0): Stored {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const raw = db
      .prepare('SELECT raw FROM events WHERE seq > ? ORDER BY seq')
      .pluck()
      .all(afterSeq) as Buffer[];
    const quarantined = hasQuarantine
      ? (db.prepare('SELECT count(*) FROM quarantine').pluck().get() as number)
      : 0;
    return { events: raw.length, quarantined, raw };
  } finally {
    db.close();
  }
}

import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { onTestFinished } from 'vitest';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const MAIN = path.join(ROOT, 'src/cli/main.ts');

export interface ServerProcess {
  readonly child: ChildProcess;
  /** http://localhost:PORT */
  readonly url: string;
  readonly ingestUrl: string;
  readonly apiToken: string;
  /** Everything printed so far. */
  output(): string;
  /** Resolves with the exit code (or signal) when the process ends. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Runs the telehook CLI (from source, through tsx) with arguments; resolves when it exits. */
export function runCli(
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', MAIN, ...args], {
      cwd: ROOT,
      env: { ...process.env, ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

/**
 * Starts `telehook serve` as a real process on a free port and waits for it to print its URLs. The process is
 * killed when the test ends, if it still runs.
 */
export async function startServer(
  dataDir: string,
  extraArgs: string[] = [],
  env: NodeJS.ProcessEnv = {},
): Promise<ServerProcess> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', MAIN, 'serve', '--port', '0', '--host', '127.0.0.1', '--data', dataDir, ...extraArgs],
    {
      cwd: ROOT,
      env: { ...process.env, TELEHOOK_LOG_LEVEL: 'warn', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  onTestFinished(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });

  const started = Date.now();
  while (!/Ingest URL:\s+(\S+)/.test(output)) {
    if (child.exitCode !== null) throw new Error(`telehook serve exited with ${child.exitCode}:\n${output}`);
    if (Date.now() - started > 30_000) throw new Error(`telehook serve did not start in 30 s:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  // Its stdout is not a terminal, so the banner masks the tokens: they are read where the server keeps them.
  const url = new URL(/Ingest URL:\s+(\S+)/.exec(output)![1]!).origin;
  const kept = JSON.parse(readFileSync(path.join(dataDir, 'tokens.json'), 'utf8')) as {
    ingestToken?: string;
    apiToken?: string;
  };
  const ingestToken = env['TELEHOOK_INGEST_TOKEN'] ?? kept.ingestToken;
  const apiToken = env['TELEHOOK_API_TOKEN'] ?? kept.apiToken;
  if (ingestToken === undefined || apiToken === undefined) throw new Error(`no tokens in ${dataDir}`);
  const ingestUrl = `${url}/webhooks/telecmi/${ingestToken}`;
  return { child, url, ingestUrl, apiToken, output: () => output, exited };
}

/** Waits for a promise, or fails after `ms` with what the server printed (to tell where a hang is). */
export async function within<T>(
  promise: Promise<T>,
  ms: number,
  what: string,
  server: { output(): string },
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new Error(`${what} took more than ${ms} ms; the server printed:\n${server.output().slice(-4000)}`),
        ),
      ms,
    );
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { request } from 'node:http';
import { createServer } from 'node:net';

/** A server under test, running as its own process, its stdout thrown away. */
export interface ServerProcess {
  readonly child: ChildProcess;
  readonly pid: number;
  /** What it wrote to stderr (the last 64 KiB), to explain a crash. */
  stderr(): string;
  /** True once it has exited. */
  hasExited(): boolean;
}

/** Starts `node <args>` with stdout to /dev/null (the cost of writing it stays, the terminal's does not). */
export function startProcess(args: readonly string[], env: NodeJS.ProcessEnv = process.env): ServerProcess {
  const devNull = openSync('/dev/null', 'w');
  const child = spawn(process.execPath, args, { env, stdio: ['ignore', devNull, 'pipe'] });
  closeSync(devNull);
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString('utf8')).slice(-65_536);
  });
  if (child.pid === undefined) throw new Error(`could not start node ${args.join(' ')}`);
  return {
    child,
    pid: child.pid,
    stderr: () => stderr,
    hasExited: () => child.exitCode !== null || child.signalCode !== null,
  };
}

/** How a server process ended. */
export interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** True when it did not end within the grace period after SIGTERM and was killed. */
  readonly killed: boolean;
}

/** Asks SIGTERM, waits up to `graceMs` for the process to end, then SIGKILL. Stopping twice is harmless. */
export async function stopProcess(server: ServerProcess, graceMs = 10_000): Promise<Exit> {
  let killed = false;
  if (!server.hasExited()) {
    const exited = new Promise<void>((resolve) => server.child.once('exit', () => resolve()));
    server.child.kill('SIGTERM');
    const timer = setTimeout(() => {
      killed = true;
      server.child.kill('SIGKILL');
    }, graceMs);
    await exited;
    clearTimeout(timer);
  }
  return { code: server.child.exitCode, signal: server.child.signalCode, killed };
}

/** A TCP port that was free a moment ago (the server started next binds it). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

/** Resolves once `GET url` gets any HTTP answer (a 404 or 400 will do: the server is up). */
export async function waitUntilAnswering(
  url: string,
  server: ServerProcess,
  timeoutMs = 30_000,
): Promise<void> {
  const started = Date.now();
  for (;;) {
    if (server.hasExited()) throw new Error(`the server exited before answering:\n${server.stderr()}`);
    if (await answers(url)) return;
    if (Date.now() - started > timeoutMs) throw new Error(`no answer from ${url} in ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

function answers(url: string): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = request(url, { method: 'GET', agent: false }, (response) => {
      response.resume();
      resolve(true);
    });
    probe.on('error', () => resolve(false));
    probe.end();
  });
}

/** Samples a process's resident set every `intervalMs` from /proc; the kernel's own peak (VmHWM) at the end. */
export class RssSampler {
  private maxRssKib = 0;
  private lastHwmKib = 0;
  private readonly timer: NodeJS.Timeout;
  private readonly pid: number;

  constructor(pid: number, intervalMs = 100) {
    this.pid = pid;
    this.sample();
    this.timer = setInterval(() => this.sample(), intervalMs);
  }

  /** Stops sampling; call before the process ends, so that VmHWM can still be read. */
  stop(): { sampledPeakBytes: number; hwmBytes: number } {
    clearInterval(this.timer);
    this.sample();
    return { sampledPeakBytes: this.maxRssKib * 1024, hwmBytes: this.lastHwmKib * 1024 };
  }

  private sample(): void {
    let status: string;
    try {
      status = readFileSync(`/proc/${this.pid}/status`, 'utf8');
    } catch {
      return; // the process has gone
    }
    const rss = /^VmRSS:\s+(\d+) kB/m.exec(status);
    const hwm = /^VmHWM:\s+(\d+) kB/m.exec(status);
    if (rss) this.maxRssKib = Math.max(this.maxRssKib, Number(rss[1]));
    if (hwm) this.lastHwmKib = Math.max(this.lastHwmKib, Number(hwm[1]));
  }
}

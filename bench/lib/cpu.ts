import { readFileSync } from 'node:fs';

/** Linux reports CPU times in USER_HZ ticks, 100 per second on every architecture Node runs on. */
const TICKS_PER_SECOND = 100;

/** CPU ticks of the whole machine since boot (/proc/stat): busy and total, summed over every CPU. */
export interface MachineTicks {
  readonly busy: number;
  readonly total: number;
}

export function readMachineTicks(stat: string = readFileSync('/proc/stat', 'utf8')): MachineTicks {
  const fields = (stat.split('\n', 1)[0] ?? '').trim().split(/\s+/).slice(1).map(Number);
  const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = fields;
  const busy = user + nice + system + irq + softirq + steal;
  return { busy, total: busy + idle + iowait };
}

/** CPU ticks (user + system, all threads) a process has used, from /proc/<pid>/stat; null once it has gone. */
export function readProcessTicks(pid: number): number | null {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // The command name (field 2) is in parentheses and may hold spaces: count fields after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]); // utime and stime, fields 14 and 15
}

/** Where the CPU went during one measured run. */
export interface CpuUse {
  /** CPU seconds the server process used. */
  readonly serverSeconds: number;
  /** CPU seconds this process (the load generator) used. */
  readonly loadSeconds: number;
  /** Share of the machine's CPU capacity used by everything else (other users of a shared machine), 0..1. */
  readonly otherShare: number;
}

/** Measures a window: start() before the load, stop() after it (while the server still runs). */
export class CpuMeter {
  private readonly pid: number;
  private machine: MachineTicks = { busy: 0, total: 0 };
  private server = 0;
  private self: NodeJS.CpuUsage = { user: 0, system: 0 };

  constructor(pid: number) {
    this.pid = pid;
  }

  start(): void {
    this.machine = readMachineTicks();
    this.server = readProcessTicks(this.pid) ?? 0;
    this.self = process.cpuUsage();
  }

  stop(): CpuUse {
    const machine = readMachineTicks();
    const server = (readProcessTicks(this.pid) ?? this.server) - this.server;
    const self = process.cpuUsage(this.self);
    const loadTicks = ((self.user + self.system) / 1e6) * TICKS_PER_SECOND;
    const total = machine.total - this.machine.total;
    const other = machine.busy - this.machine.busy - server - loadTicks;
    return {
      serverSeconds: server / TICKS_PER_SECOND,
      loadSeconds: loadTicks / TICKS_PER_SECOND,
      otherShare: total > 0 ? Math.max(0, other / total) : 0,
    };
  }
}

/** CPU (this process, all threads) and wall time per item, in µs. */
export interface CostPerItem {
  readonly cpuUs: number;
  readonly wallUs: number;
}

/** What `run`, which handles `items` items in this process, costs per item. */
export async function costPerItem(items: number, run: () => unknown): Promise<CostPerItem> {
  const cpu = process.cpuUsage();
  const started = performance.now();
  await run();
  const used = process.cpuUsage(cpu);
  return { cpuUs: (used.user + used.system) / items, wallUs: ((performance.now() - started) * 1000) / items };
}

/**
 * Waits, up to `maxSeconds`, for a second in which the machine is nearly idle (busy below `idleShare` of its
 * capacity), so that a run does not start while someone else's job loads the CPUs. Returns the busy share of
 * the last second measured and how long it waited.
 */
export async function waitForQuiet(
  maxSeconds: number,
  idleShare = 0.1,
): Promise<{ busyShare: number; waitedSeconds: number }> {
  const started = Date.now();
  for (;;) {
    const before = readMachineTicks();
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const after = readMachineTicks();
    const total = after.total - before.total;
    const busyShare = total > 0 ? (after.busy - before.busy) / total : 0;
    const waitedSeconds = (Date.now() - started) / 1000;
    if (busyShare < idleShare || waitedSeconds >= maxSeconds) return { busyShare, waitedSeconds };
  }
}

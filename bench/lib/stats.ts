/** Collects latencies (ms, fractional) without boxing them; grows as needed. */
export class LatencyRecorder {
  private values = new Float64Array(1 << 16);
  private length = 0;

  record(ms: number): void {
    if (this.length === this.values.length) {
      const grown = new Float64Array(this.values.length * 2);
      grown.set(this.values);
      this.values = grown;
    }
    this.values[this.length] = ms;
    this.length += 1;
  }

  get count(): number {
    return this.length;
  }

  /** The recorded values, sorted ascending (a copy). */
  sorted(): Float64Array {
    return this.values.slice(0, this.length).sort();
  }
}

/** The nearest-rank percentile (p in 0..100) of ascending values; NaN when there are none. */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] as number;
}

/** The median (the mean of the two middle values for an even count); NaN when there are none. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

/** What one measured run of one target produced. */
export interface RunResult {
  readonly target: string;
  readonly connections: number;
  readonly round: number;
  /** Mean of autocannon's per-second samples (all answers). */
  readonly requestsPerSecond: number;
  /** Latency percentiles of 2xx answers, in ms. */
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** Non-2xx answers + socket errors + timeouts. */
  readonly errors: number;
  /** CPU time the server process used per answered request, in µs: less sensitive to a busy machine than req/s. */
  readonly cpuUsPerRequest: number;
  /** Share of the machine's CPU used by processes outside the benchmark during the run, 0..1. */
  readonly otherCpuShare: number;
  /** The server process's peak resident set (VmHWM), in bytes. */
  readonly peakRssBytes: number;
}

/** One target at one connection count, over all rounds: medians, errors summed, the largest peak and noise. */
export interface Summary {
  readonly target: string;
  readonly connections: number;
  readonly rounds: number;
  readonly requestsPerSecond: number;
  /** (max − min) / median of requests per second over the rounds: how much the rounds disagree. */
  readonly spread: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly errors: number;
  readonly cpuUsPerRequest: number;
  /** The largest share of CPU that other processes took during one of the rounds. */
  readonly maxOtherCpuShare: number;
  readonly peakRssBytes: number;
  readonly maxPeakRssBytes: number;
}

/** Medians over rounds, per target and connection count, in the order the runs first appear. */
export function summarise(runs: readonly RunResult[]): Summary[] {
  const groups = new Map<string, RunResult[]>();
  for (const run of runs) {
    const key = `${run.target}\u0000${run.connections}`;
    groups.set(key, [...(groups.get(key) ?? []), run]);
  }
  return [...groups.values()].map((group) => {
    const first = group[0] as RunResult;
    const rps = group.map((run) => run.requestsPerSecond);
    const rpsMedian = median(rps);
    return {
      target: first.target,
      connections: first.connections,
      rounds: group.length,
      requestsPerSecond: rpsMedian,
      spread: rpsMedian > 0 ? (Math.max(...rps) - Math.min(...rps)) / rpsMedian : Number.NaN,
      p50Ms: median(group.map((run) => run.p50Ms)),
      p99Ms: median(group.map((run) => run.p99Ms)),
      errors: group.reduce((sum, run) => sum + run.errors, 0),
      cpuUsPerRequest: median(group.map((run) => run.cpuUsPerRequest)),
      maxOtherCpuShare: Math.max(...group.map((run) => run.otherCpuShare)),
      peakRssBytes: median(group.map((run) => run.peakRssBytes)),
      maxPeakRssBytes: Math.max(...group.map((run) => run.peakRssBytes)),
    };
  });
}

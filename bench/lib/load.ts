import autocannon from 'autocannon';

import { LatencyRecorder, percentile } from './stats.js';

/** Hands out the pre-built bodies in order, one per request, across all connections. */
export class BodyCursor {
  /** How many bodies were handed out. */
  next = 0;
  private readonly bodies: readonly Buffer[];

  constructor(bodies: readonly Buffer[]) {
    this.bodies = bodies;
  }

  take(): Buffer {
    const body = this.bodies[this.next % this.bodies.length] as Buffer;
    this.next += 1;
    return body;
  }

  get size(): number {
    return this.bodies.length;
  }
}

export interface LoadResult {
  /** Mean of autocannon's per-second samples. */
  readonly requestsPerSecond: number;
  /** From every 2xx answer's latency, with autocannon's fractional milliseconds (its own histogram rounds). */
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  readonly ok: number;
  readonly non2xx: number;
  /** Socket errors, timeouts included. */
  readonly errors: number;
  readonly timeouts: number;
  /** Requests written to a socket, answered or not. */
  readonly sent: number;
  readonly durationSeconds: number;
  readonly statusCodes: Readonly<Record<string, number>>;
  /** autocannon's own (whole-millisecond) percentiles, kept for comparison. */
  readonly autocannon: { readonly p50: number; readonly p99: number; readonly average: number };
}

/**
 * Loads `url` with `connections` keep-alive connections for `seconds`, each request a POST of the next body of
 * `cursor` with `Content-Type: application/json` (what TeleCMI's samples expect; body-parser needs it).
 */
export function runLoad(options: {
  readonly url: string;
  readonly connections: number;
  readonly seconds: number;
  readonly cursor: BodyCursor;
}): Promise<LoadResult> {
  const latencies = new LatencyRecorder();
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: options.url,
        connections: options.connections,
        duration: options.seconds,
        headers: { 'content-type': 'application/json' },
        requests: [
          {
            method: 'POST',
            setupRequest: (request) => ({ ...request, body: options.cursor.take() }),
          },
        ],
      },
      (error: unknown, result: autocannon.Result) => {
        if (error !== null && error !== undefined) {
          reject(error instanceof Error ? error : new Error(`autocannon failed: ${JSON.stringify(error)}`));
          return;
        }
        const sorted = latencies.sorted();
        resolve({
          requestsPerSecond: result.requests.average,
          p50Ms: percentile(sorted, 50),
          p99Ms: percentile(sorted, 99),
          maxMs: sorted.length > 0 ? (sorted[sorted.length - 1] as number) : Number.NaN,
          ok: result['2xx'],
          non2xx: result.non2xx,
          errors: result.errors,
          timeouts: result.timeouts,
          sent: result.requests.sent,
          durationSeconds: result.duration,
          statusCodes: Object.fromEntries(
            Object.entries(result.statusCodeStats ?? {}).map(([code, stat]) => [code, stat.count ?? 0]),
          ),
          autocannon: {
            p50: result.latency.p50,
            p99: result.latency.p99,
            average: result.latency.average,
          },
        });
      },
    );
    instance.on('response', (_client, statusCode, _bytes, responseTime) => {
      if (statusCode >= 200 && statusCode < 300) latencies.record(responseTime);
    });
  });
}

import net from 'node:net';

import fc from 'fast-check';

import { answerViolations, type WireAnswer } from './invariants.js';
import { type FuzzRequest, requestArb, requestBytes, type Tokens } from './requests.js';

/**
 * Sends the bytes of one request on a new connection and reads its answer: up to its length, the end of its
 * chunks, the end of the connection, or for a live stream its first message (then the connection is closed).
 */
export function sendRaw(
  port: number,
  bytes: Buffer,
  method: string,
  timeoutMs = 10_000,
): Promise<WireAnswer> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    let received = Buffer.alloc(0);
    let settled = false;
    const finish = (answer: WireAnswer): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(answer);
    };
    const timer = setTimeout(
      () => finish(parse(received, true) ?? { status: 0, headers: {}, body: received }),
      timeoutMs,
    );
    const parse = (data: Buffer, ended: boolean): WireAnswer | null => {
      const end = data.indexOf('\r\n\r\n');
      if (end === -1) return ended ? { status: 0, headers: {}, body: data } : null;
      const [statusLine = '', ...lines] = data.subarray(0, end).toString('latin1').split('\r\n');
      const status = /^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1];
      if (status === undefined) return { status: 0, headers: {}, body: data };
      const headers: Record<string, string> = {};
      for (const line of lines) {
        const colon = line.indexOf(':');
        headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
      }
      const rest = data.subarray(end + 4);
      const answer = (body: Buffer, snapshot?: boolean): WireAnswer => ({
        status: Number(status),
        headers,
        body,
        ...(snapshot === undefined ? {} : { snapshot }),
      });
      const code = Number(status);
      if (code === 100) return parse(rest, ended);
      if (method === 'HEAD' || code === 204 || code === 304) return answer(Buffer.alloc(0));
      if ((headers['content-type'] ?? '').startsWith('text/event-stream')) {
        const text = rest.toString('utf8');
        const at = text.indexOf('event: snapshot\n');
        if (at !== -1 && text.indexOf('\n\n', at) !== -1) return answer(rest, true);
        return ended ? answer(rest, false) : null;
      }
      if (headers['content-length'] !== undefined) {
        const length = Number(headers['content-length']);
        if (rest.length >= length) return answer(rest.subarray(0, length));
        return ended ? answer(rest) : null;
      }
      if ((headers['transfer-encoding'] ?? '').includes('chunked')) {
        const chunks: Buffer[] = [];
        let at = 0;
        for (;;) {
          const lineEnd = rest.indexOf('\r\n', at);
          if (lineEnd === -1) break;
          const size = parseInt(rest.subarray(at, lineEnd).toString('latin1'), 16);
          if (Number.isNaN(size)) break;
          if (size === 0) return answer(Buffer.concat(chunks));
          if (rest.length < lineEnd + 2 + size + 2) break;
          chunks.push(rest.subarray(lineEnd + 2, lineEnd + 2 + size));
          at = lineEnd + 2 + size + 2;
        }
        return ended ? answer(Buffer.concat(chunks)) : null;
      }
      return ended ? answer(rest) : null;
    };
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      const answer = parse(received, false);
      if (answer) finish(answer);
    });
    // A refusal may come (and the connection close) before all of a large request is written: what was received
    // is the answer.
    socket.on('error', () => {});
    socket.on('close', () => finish(parse(received, true) ?? { status: 0, headers: {}, body: received }));
    socket.write(bytes, () => {});
  });
}

export interface FuzzOptions {
  readonly port: number;
  readonly tokens: Tokens;
  readonly runs: number;
  readonly seed?: number;
  /** Called after each request (e.g. for progress). */
  readonly onAnswer?: (count: number) => void;
}

export interface FuzzResult {
  /** Requests per "<family> <method> <status>". */
  readonly counts: Map<string, number>;
  /** Requests per status. */
  readonly statuses: Map<number, number>;
  readonly failed: boolean;
  /** fast-check's report of the first failure (the shrunk request and what was wrong), or null. */
  readonly report: string | null;
  readonly seed: number;
}

/** A one-line description of a request for a report (bodies cut to their start). */
export function describeRequest(request: FuzzRequest): string {
  const body = request.body
    ? ` body(${request.body.kind}, ${request.body.bytes.length} B, ${request.body.contentType ?? '-'}${request.body.contentEncoding ? `, ${request.body.contentEncoding}` : ''}): ${JSON.stringify(request.body.bytes.subarray(0, 120).toString('latin1'))}`
    : '';
  const headers = request.headers.map(
    ([name, value]) => `${name}: ${value.length > 60 ? `${value.slice(0, 60)}…(${value.length})` : value}`,
  );
  return `${request.method} ${request.target.length > 200 ? `${request.target.slice(0, 200)}…(${request.target.length})` : request.target} [${headers.join('; ')}]${body}`;
}

/**
 * Sends `runs` random requests, one after another, and checks every answer (invariants.ts). Stops at the first
 * violation, which fast-check shrinks to a smallest request that still breaks it.
 */
export async function runFuzz(options: FuzzOptions): Promise<FuzzResult> {
  const counts = new Map<string, number>();
  const statuses = new Map<number, number>();
  let sent = 0;
  const seed = options.seed ?? Date.now() ^ (Math.random() * 0x1_0000_0000);
  const property = fc.asyncProperty(requestArb, async (request) => {
    const answer = await sendRaw(options.port, requestBytes(request, options.tokens), request.method);
    sent += 1;
    const key = `${request.family} ${request.method} ${answer.status}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
    statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
    options.onAnswer?.(sent);
    const problems = answerViolations(request, answer);
    if (problems.length > 0) throw new Error(`${answer.status}: ${problems.join('; ')}`);
  });
  const details = await fc.check(property, {
    numRuns: options.runs,
    seed,
    endOnFailure: false,
    maxSkipsPerRun: 0,
  });
  let report: string | null = null;
  if (details.failed) {
    const [request] = details.counterexample ?? [];
    report = [
      `seed ${details.seed}, path ${details.counterexamplePath ?? '-'}, after ${details.numRuns} runs (${details.numShrinks} shrinks)`,
      request ? describeRequest(request) : '(no counterexample)',
      String(details.errorInstance instanceof Error ? details.errorInstance.message : details.errorInstance),
    ].join('\n');
  }
  return { counts, statuses, failed: details.failed, report, seed };
}

/** The counts as lines: every status, then per route family and method. */
export function formatCounts(result: Pick<FuzzResult, 'counts' | 'statuses'>): string {
  const total = [...result.statuses.values()].reduce((sum, n) => sum + n, 0);
  const lines = [`${total} requests`, 'by status:'];
  for (const [status, n] of [...result.statuses].sort(([a], [b]) => a - b)) lines.push(`  ${status}  ${n}`);
  lines.push('by route family, method and status:');
  for (const [key, n] of [...result.counts].sort(([a], [b]) => a.localeCompare(b)))
    lines.push(`  ${key.padEnd(28)} ${n}`);
  return lines.join('\n');
}

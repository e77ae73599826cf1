import type { Dispatcher, request } from 'undici';

import type { DeliveryAttempt } from '../store/index.js';
import { createGuardedConnector, type Resolve, resolveWithSystem } from './connect-guard.js';

/** What one HTTP try sends. */
export interface Outgoing {
  readonly url: string;
  readonly headers: Record<string, string>;
  readonly body: string;
  readonly timeoutMs: number;
}

/** An attempt's result, with the `Retry-After` header when there was one. */
export interface Sent extends DeliveryAttempt {
  readonly retryAfter: string | null;
}

/** The first bytes of an answer that are kept with the attempt. */
const KEPT_BYTES = 1024;
/** Bytes of an answer read at most (the rest is dropped with the connection). */
const READ_BYTES = 64 * 1024;

/**
 * Sends webhooks with undici: keep-alive connections per origin, no redirects followed, a time limit per attempt,
 * and (unless private endpoints are allowed) connections only to public addresses, checked at connect time on the
 * address connected to (connect-guard.ts).
 */
export function createSender(options: {
  readonly allowPrivate: boolean;
  readonly connections?: number;
  /** What host names resolve to. @defaultValue the system's resolver */
  readonly resolve?: Resolve;
}) {
  // undici is loaded with the first attempt: a telehook that forwards nowhere never loads it (about 4 MB of
  // memory).
  let client: Promise<{ dispatcher: Dispatcher; request: typeof request }> | null = null;
  const load = () =>
    (client ??= import('undici').then(({ Agent, buildConnector, request }) => {
      const dispatcher = new Agent({
        connections: options.connections ?? 32,
        keepAliveTimeout: 10_000,
        connect: createGuardedConnector({
          resolve: options.resolve ?? resolveWithSystem,
          allowPrivate: options.allowPrivate,
          build: buildConnector,
        }),
      });
      return { dispatcher, request };
    }));

  const send = async (outgoing: Outgoing, at: number): Promise<Sent> => {
    const { dispatcher, request } = await load();
    const started = performance.now();
    const elapsed = (): number => performance.now() - started;
    const failed = (error: string): Sent => ({
      at,
      statusCode: null,
      latencyMs: elapsed(),
      response: null,
      error,
      retryAfter: null,
    });
    try {
      const answer = await request(outgoing.url, {
        method: 'POST',
        headers: outgoing.headers,
        body: outgoing.body,
        dispatcher,
        signal: AbortSignal.timeout(outgoing.timeoutMs),
      });
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of answer.body as AsyncIterable<Buffer>) {
        chunks.push(chunk);
        size += chunk.length;
        if (size >= READ_BYTES) break;
      }
      const retryAfter = answer.headers['retry-after'];
      return {
        at,
        statusCode: answer.statusCode,
        latencyMs: elapsed(),
        response: truncate(Buffer.concat(chunks)),
        error: null,
        retryAfter: Array.isArray(retryAfter) ? (retryAfter[0] ?? null) : (retryAfter ?? null),
      };
    } catch (error) {
      return failed(describeError(error));
    }
  };

  return {
    send,
    /** Closes the connections once the requests in flight are answered. */
    close: async () => (await client)?.dispatcher.close(),
    /** Aborts the requests in flight (they fail at once) and closes the connections: a prompt shutdown. */
    destroy: async () => (await client)?.dispatcher.destroy(),
  };
}

export type Sender = ReturnType<typeof createSender>;

/** The first KiB of an answer, as text (a multi-byte character cut in half is replaced). */
function truncate(bytes: Buffer): string {
  return bytes.subarray(0, KEPT_BYTES).toString('utf8');
}

/** A short reason for an attempt without an answer: the error's code and message. */
function describeError(error: unknown): string {
  const err = error as { name?: string; code?: string; message?: string; cause?: unknown };
  if (err.name === 'TimeoutError' || err.name === 'AbortError') return 'timeout: no answer in time';
  const cause = err.cause as { code?: string; message?: string } | undefined;
  const code = cause?.code ?? err.code;
  const message = cause?.message ?? err.message ?? String(error);
  return (code ? `${code}: ${message}` : message).slice(0, 500);
}

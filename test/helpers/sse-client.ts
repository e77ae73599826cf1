import { onTestFinished } from 'vitest';

import { createEventStreamParser } from '../../src/cli/event-stream.js';

export interface SseMessage {
  readonly id: string | null;
  readonly event: string;
  readonly data: unknown;
  /** performance.now() when it arrived. */
  readonly at: number;
}

/**
 * A Server-Sent Events client for tests: collects every message of a stream, read by the parser the CLI uses
 * (src/cli/event-stream.ts), so the tests read the stream as `telehook tail` does. `waitFor` resolves as soon as
 * a matching message arrives (no polling delay, so arrival times are exact). Closed when the test ends.
 */
export async function openSse(url: string, headers: Record<string, string> = {}) {
  const controller = new AbortController();
  const response = await fetch(url, { headers, signal: controller.signal });
  if (!response.ok || !response.body) throw new Error(`${url} answered ${response.status}`);
  const messages: SseMessage[] = [];
  /** The comment lines read (the server's heartbeats). */
  const comments: string[] = [];
  const waiters = new Set<() => void>();
  const parser = createEventStreamParser({
    onMessage: (message) => {
      messages.push({
        id: message.id,
        event: message.type,
        data: JSON.parse(message.data) as unknown,
        at: performance.now(),
      });
      for (const wake of waiters) wake();
    },
    onComment: (text) => {
      comments.push(text);
      for (const wake of waiters) wake();
    },
  });
  const reader = response.body.getReader();
  const pump = (async () => {
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        parser.push(value);
      }
    } catch {
      // aborted
    }
  })();
  onTestFinished(() => controller.abort());

  /** Resolves with the first value `find` returns (checked now and on each arrival), or rejects after `timeoutMs`. */
  const until = <T>(find: () => T | undefined, timeoutMs: number, what: string): Promise<T> => {
    const found = find();
    if (found !== undefined) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const wake = (): void => {
        const value = find();
        if (value === undefined) return;
        waiters.delete(wake);
        clearTimeout(timer);
        resolve(value);
      };
      const timer = setTimeout(() => {
        waiters.delete(wake);
        reject(new Error(`no ${what} within ${timeoutMs} ms (got ${messages.length} messages)`));
      }, timeoutMs);
      waiters.add(wake);
    });
  };

  return {
    response,
    messages,
    comments,
    /** The first message (already received or to come) that matches, or a rejection after `timeoutMs`. */
    waitFor: (predicate: (message: SseMessage) => boolean, timeoutMs = 10_000): Promise<SseMessage> =>
      until(() => messages.find(predicate), timeoutMs, 'matching message'),
    /** The first comment line (a heartbeat), or a rejection after `timeoutMs`. */
    waitForComment: (timeoutMs = 10_000): Promise<string> => until(() => comments[0], timeoutMs, 'comment'),
    close: (): void => controller.abort(),
    done: pump,
  };
}

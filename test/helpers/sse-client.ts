import { onTestFinished } from 'vitest';

export interface SseMessage {
  readonly id: string | null;
  readonly event: string;
  readonly data: unknown;
  /** performance.now() when it arrived. */
  readonly at: number;
}

/**
 * A Server-Sent Events client for tests: collects every message of a stream, and `waitFor` resolves as soon as a
 * matching message arrives (no polling delay, so arrival times are exact). Closed when the test ends.
 */
export async function openSse(url: string, headers: Record<string, string> = {}) {
  const controller = new AbortController();
  const response = await fetch(url, { headers, signal: controller.signal });
  if (!response.ok || !response.body) throw new Error(`${url} answered ${response.status}`);
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  const messages: SseMessage[] = [];
  const waiters = new Set<{
    predicate: (message: SseMessage) => boolean;
    resolve: (m: SseMessage) => void;
  }>();
  let buffer = '';
  const pump = (async () => {
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        buffer += decoder.decode(value, { stream: true });
        let end: number;
        while ((end = buffer.indexOf('\n\n')) !== -1) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          let id: string | null = null;
          let event = 'message';
          let data: string | null = null;
          for (const line of block.split('\n')) {
            if (line.startsWith('id: ')) id = line.slice(4);
            else if (line.startsWith('event: ')) event = line.slice(7);
            else if (line.startsWith('data: ')) data = line.slice(6);
          }
          if (data === null) continue;
          const message: SseMessage = { id, event, data: JSON.parse(data) as unknown, at: performance.now() };
          messages.push(message);
          for (const waiter of waiters) {
            if (waiter.predicate(message)) {
              waiters.delete(waiter);
              waiter.resolve(message);
            }
          }
        }
      }
    } catch {
      // aborted
    }
  })();
  onTestFinished(() => controller.abort());
  return {
    messages,
    /** The first message (already received or to come) that matches, or a rejection after `timeoutMs`. */
    waitFor(predicate: (message: SseMessage) => boolean, timeoutMs = 10_000): Promise<SseMessage> {
      const found = messages.find(predicate);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const waiter = {
          predicate,
          resolve: (message: SseMessage) => {
            clearTimeout(timer);
            resolve(message);
          },
        };
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          reject(new Error(`no matching message within ${timeoutMs} ms (got ${messages.length} messages)`));
        }, timeoutMs);
        waiters.add(waiter);
      });
    },
    close: (): void => controller.abort(),
    done: pump,
  };
}

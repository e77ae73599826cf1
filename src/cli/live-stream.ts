import { setTimeout as sleep } from 'node:timers/promises';

import { createEventStreamParser, type EventStreamMessage } from './event-stream.js';

/** How {@link followLiveStream} connects, and what it reports. */
export interface LiveStreamOptions {
  /**
   * The live stream's URL, `<server>/api/live`, or a function that finds it before each attempt (a server
   * restarted on another port is found again); a function that throws is an attempt that failed.
   */
  readonly url: URL | (() => URL);
  /** Sent as `Authorization: Bearer`. */
  readonly token: string | null;
  /** Stops following (and resolves the promise). */
  readonly signal: AbortSignal;
  /** Resume after this event cursor, as a reconnecting client does. */
  readonly lastEventId?: string;
  /** Wait before reconnecting, until the server says otherwise with `retry:`. @defaultValue 2000 */
  readonly retryMs?: number;
  /** Nothing received for this long means a dead connection (the server sends a heartbeat every 15 s). @defaultValue 45 000 */
  readonly idleTimeoutMs?: number;
  onMessage(message: EventStreamMessage): void;
  /** Connected, for the first time or again; `lastEventId` is what was sent as Last-Event-ID, if anything. */
  onConnected?(connection: { isReconnection: boolean; lastEventId: string | null }): void;
  /** Lost the stream, or could not reach it; told once per outage, not at each attempt. */
  onDisconnected?(reason: string, retryMs: number): void;
}

/** The server refused the stream for a reason that retrying will not change (token, path). */
export class LiveStreamRefused extends Error {
  override name = 'LiveStreamRefused';
  readonly status: number;

  constructor(message: string, status: number) {
    super(message);
    this.status = status;
  }
}

/** 4xx answers that a retry may cure; any other 4xx is a refusal. */
const RETRYABLE_4XX = new Set([408, 425, 429]);

/**
 * Follows telehook's live stream (`GET /api/live`) until `signal` aborts. When the stream drops, or goes silent
 * for longer than the heartbeat allows, it reconnects with `Last-Event-ID`, so that the server sends every event
 * missed meanwhile: nothing is lost across a restart of the server or of the network.
 *
 * @throws LiveStreamRefused when the server answers 401, 403, 404 or another lasting 4xx, or something that is
 * not an event stream.
 */
export async function followLiveStream(options: LiveStreamOptions): Promise<void> {
  const idleTimeoutMs = options.idleTimeoutMs ?? 45_000;
  let retryMs = options.retryMs ?? 2000;
  let lastEventId = options.lastEventId ?? '';
  let wasConnected = false;
  let isOutageTold = false;

  while (!options.signal.aborted) {
    const connection = new AbortController();
    const stop = (): void => connection.abort();
    options.signal.addEventListener('abort', stop, { once: true });
    let isIdle = false;
    let idleTimer: NodeJS.Timeout | undefined;
    const touch = (): void => {
      clearTimeout(idleTimer);
      idleTimer = setTimeout(() => {
        isIdle = true;
        connection.abort();
      }, idleTimeoutMs);
    };
    let reason: string;
    try {
      touch();
      const headers: Record<string, string> = { accept: 'text/event-stream' };
      if (options.token !== null) headers['authorization'] = `Bearer ${options.token}`;
      if (lastEventId !== '') headers['last-event-id'] = lastEventId;
      const url = typeof options.url === 'function' ? options.url() : options.url;
      const response = await fetch(url, { headers, signal: connection.signal });
      const contentType = response.headers.get('content-type') ?? '';
      if (response.ok && contentType.startsWith('text/event-stream') && response.body !== null) {
        options.onConnected?.({ isReconnection: wasConnected, lastEventId: lastEventId || null });
        wasConnected = true;
        isOutageTold = false;
        const parser = createEventStreamParser(
          {
            onMessage: (message) => {
              lastEventId = message.lastEventId;
              options.onMessage(message);
            },
            onRetry: (ms) => (retryMs = ms),
          },
          lastEventId,
        );
        const reader = response.body.getReader();
        for (let read = await reader.read(); !read.done; read = await reader.read()) {
          touch();
          parser.push(read.value);
        }
        lastEventId = parser.lastEventId;
        reason = 'the server closed the stream';
      } else {
        const detail = await describeAnswer(response);
        if (response.ok || (response.status < 500 && !RETRYABLE_4XX.has(response.status)))
          throw new LiveStreamRefused(detail, response.status);
        reason = detail;
      }
    } catch (error) {
      if (error instanceof LiveStreamRefused) throw error;
      reason = isIdle ? `nothing received for ${idleTimeoutMs / 1000} s` : describeError(error);
    } finally {
      clearTimeout(idleTimer);
      options.signal.removeEventListener('abort', stop);
    }
    if (options.signal.aborted) return;
    if (!isOutageTold) options.onDisconnected?.(reason, retryMs);
    isOutageTold = true;
    await sleep(retryMs, undefined, { signal: options.signal }).catch(() => undefined);
  }
}

async function describeAnswer(response: Response): Promise<string> {
  const text = await response.text().catch(() => '');
  let message = text.trim().slice(0, 200);
  try {
    const body = JSON.parse(text) as { error?: { code?: string; message?: string } };
    if (body.error?.message !== undefined) message = `${body.error.code ?? ''} ${body.error.message}`.trim();
  } catch {
    // Not telehook's JSON error: the text as it is.
  }
  const type = response.headers.get('content-type') ?? 'no content type';
  return response.ok
    ? `the server answered ${response.status} with ${type}, not an event stream: is this a telehook server?`
    : `the server answered ${response.status}${message === '' ? '' : `: ${message}`}`;
}

function describeError(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error));
}

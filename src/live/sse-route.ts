import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

import { ERROR_STATUS, errorBody } from '../errors.js';
import type { Store } from '../store/index.js';
import type { LiveBatch, LiveBus } from './bus.js';
import { formatMessage, summariseEvent } from './messages.js';
import { createSnapshotSharing } from './snapshots.js';

export interface LiveRouteOptions {
  readonly store: Store;
  readonly bus: LiveBus;
  /** The full current state the wallboard needs (live calls, today's figures, recent missed calls). */
  readonly snapshot: () => Promise<unknown>;
  /** Resolves when every committed event is folded (so that a snapshot is complete). */
  readonly settled: () => Promise<void>;
  /** @defaultValue 15 s */
  readonly heartbeatMs?: number;
  /** A client whose unsent output grows past this is dropped; it resyncs on reconnect. @defaultValue 1 MiB */
  readonly maxBufferedBytes?: number;
  /** At most this many missed events are replayed; a client further behind gets a snapshot only. @defaultValue 5000 */
  readonly replayLimit?: number;
  /** Streams open at once; one more is answered 503 `LIVE_TOO_MANY_CLIENTS`. @defaultValue 1000 */
  readonly maxClients?: number;
  /** Told the number of open streams whenever it changes (/metrics: telehook_live_clients). */
  readonly onClientsChanged?: (open: number) => void;
  /** The `Retry-After` of that answer, in seconds. @defaultValue 30 */
  readonly retryAfterSec?: number;
}

/**
 * `GET /api/live`: Server-Sent Events. Every connection starts with a `snapshot`; one that resumes with
 * `Last-Event-ID` (header, or `lastEventId` in the query) is then sent, from the store, every event it missed
 * and the current state of their calls, so a dropped connection leaves no gap. Then `event`, `call`,
 * `call-removed` and `stats` messages as they happen, and a heartbeat comment every 15 s.
 */
export function liveRoutes(options: LiveRouteOptions) {
  const heartbeatMs = options.heartbeatMs ?? 15_000;
  const maxBuffered = options.maxBufferedBytes ?? 1024 * 1024;
  const replayLimit = options.replayLimit ?? 5000;
  const maxClients = options.maxClients ?? 1000;
  const retryAfterSec = options.retryAfterSec ?? 30;

  const open = new Set<() => void>();
  let lastRefusalLoggedAt = 0;
  const sharedSnapshot = createSnapshotSharing(async () => {
    await options.settled();
    const position = await options.store.getProjectionPosition();
    const data = await options.snapshot();
    return { position, bytes: Buffer.from(formatMessage({ type: 'snapshot', id: position, data })) };
  });

  const stream = async (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> => {
    // HEAD (which Fastify routes here too) opens no stream: a hijacked reply to it sent headers and then never
    // ended, so the client waited forever without a status it could read. It gets the headers a GET would.
    if (request.method === 'HEAD') {
      return reply
        .code(200)
        .header('cache-control', 'no-cache, no-transform')
        .type('text/event-stream; charset=utf-8')
        .send();
    }
    if (open.size >= maxClients) {
      // Answered here rather than thrown: a full room is not a failure of the server, to be logged per request.
      if (Date.now() - lastRefusalLoggedAt > 60_000) {
        lastRefusalLoggedAt = Date.now();
        request.log.warn({ maxClients }, 'live stream full: clients refused (TELEHOOK_LIVE_MAX_CLIENTS)');
      }
      return reply
        .code(ERROR_STATUS.LIVE_TOO_MANY_CLIENTS)
        .header('retry-after', String(retryAfterSec))
        .type('application/json; charset=utf-8')
        .send(
          errorBody(
            'LIVE_TOO_MANY_CLIENTS',
            `The live stream already serves its ${maxClients} clients (setting TELEHOOK_LIVE_MAX_CLIENTS); retry in ${retryAfterSec} s.`,
          ),
        );
    }
    const raw = reply.raw;
    const lastEventId =
      request.headers['last-event-id'] ?? (request.query as { lastEventId?: string }).lastEventId;
    reply.hijack();
    raw.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });

    let isClosed = false;
    const queued: LiveBatch[] = [];
    let isSyncing = true;
    const close = (): void => {
      if (isClosed) return;
      isClosed = true;
      open.delete(close);
      options.onClientsChanged?.(open.size);
      unsubscribe();
      clearInterval(heartbeat);
      raw.end();
    };
    const write = (chunk: string | Buffer): void => {
      if (isClosed || chunk.length === 0) return;
      // A client that does not read: stop buffering for it; it resyncs from the store when it reconnects. What
      // waits is measured before the write, so that one large batch does not drop a client that reads.
      if (raw.writableLength > maxBuffered) {
        request.log.warn({ buffered: raw.writableLength }, 'live client too slow: disconnected');
        raw.destroy();
        close();
        return;
      }
      // Corked by us, the response writes now, in this slice of the bus's flush, not in a later tick where the
      // writes to a thousand sockets would add up outside the flush's time budget.
      raw.socket?.cork();
      raw.write(chunk);
      raw.socket?.uncork();
    };
    // What the snapshot (and the replay) already holds: the messages up to its position are not sent again.
    let upTo = Infinity;
    // Every client is written the same Buffer: the batch is formatted once, whatever the number of clients.
    const writeBatch = (batch: LiveBatch): void => {
      const kept = batch.frames.filter(({ message }) => message.id === null || Number(message.id) > upTo);
      write(kept.length === batch.frames.length ? batch.bytes : kept.map((frame) => frame.text).join(''));
    };
    const unsubscribe = options.bus.subscribe((batch) => {
      if (isSyncing) queued.push(batch);
      else writeBatch(batch);
    });
    const heartbeat = setInterval(() => write(': ping\n\n'), heartbeatMs);
    heartbeat.unref();
    raw.on('close', close);
    open.add(close);
    options.onClientsChanged?.(open.size);

    let position: string | null = null;
    try {
      write('retry: 2000\n\n');
      const snapshot = await sharedSnapshot();
      position = snapshot.position;
      write(snapshot.bytes);
      if (
        typeof lastEventId === 'string' &&
        /^\d+$/.test(lastEventId) &&
        position !== null &&
        Number(lastEventId) < Number(position)
      ) {
        await replay(lastEventId, position, write);
      }
    } catch (error) {
      request.log.error({ err: error }, 'live stream failed to start');
      close();
      return undefined;
    }
    isSyncing = false;
    // What was folded while the stream was starting is in the snapshot, or was just replayed from the store:
    // send only the messages after the position, now and later. Later too: when the wait for the fold timed out
    // (a slow thread), the snapshot can read a position whose fold's messages reach the bus only after it. A
    // client must not see one event twice, nor a call's older state after its newer one, and its Last-Event-ID
    // must never go back (it would be sent events again).
    upTo = position === null ? -1 : Number(position);
    for (const batch of queued.splice(0)) writeBatch(batch);
    return undefined;
  };

  /** Sends the events after `from` up to `to` from the store, then the current state of their calls. */
  const replay = async (from: string, to: string, write: (text: string) => void): Promise<void> => {
    const page = await options.store.listEvents({ after: from, limit: replayLimit });
    const events = page.items.filter((event) => Number(event.cursor) <= Number(to));
    for (const event of events)
      write(formatMessage({ type: 'event', id: event.cursor, data: summariseEvent(event) }));
    const keys = new Set(events.map((event) => event.callKey).filter((key): key is string => key !== null));
    for (const key of keys) {
      const call = await options.store.getCall(key);
      if (call && !call.legOnly) write(formatMessage({ type: 'call', id: to, data: call }));
    }
  };

  return async (app: FastifyInstance): Promise<void> => {
    // Streams never end by themselves: end them so that the server can close.
    app.addHook('preClose', async () => {
      for (const close of [...open]) close();
    });
    app.get(
      '/api/live',
      {
        config: { viewer: true, tokenInQuery: true },
        schema: {
          summary:
            'The live stream (Server-Sent Events): snapshot, event, call, call-removed and stats messages',
          produces: ['text/event-stream'],
        },
      },
      stream,
    );
  };
}

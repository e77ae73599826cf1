import http from 'node:http';

import type { FastifyBaseLogger, FastifyRequest } from 'fastify';

import type { Config } from '../config.js';
import type { ErrorCode } from '../errors.js';
import {
  createClientErrorHandler,
  createFrameworkErrorHandler,
  lingerThenDestroy,
  writeRawError,
} from './client-errors.js';

/**
 * How long connections that are idle when closing starts stay open. A client may be sending its next request on
 * one at that very moment: cut at once (Node's `server.close()` does so), that request meets a reset; kept a
 * moment, it is answered 503 SHUTTING_DOWN with `Connection: close`.
 */
const IDLE_GRACE_MS = 1000;

/**
 * An HTTP server that closes gracefully: `close()` stops listening at once, answers what arrives on open
 * connections (the app says 503 SHUTTING_DOWN while closing), and closes the connections still idle after
 * {@link IDLE_GRACE_MS}, repeatedly, until none is left.
 */
class DrainingServer extends http.Server {
  #draining = false;

  override close(callback?: (error?: Error) => void): this {
    if (!this.#draining) {
      this.#draining = true;
      const reap = setInterval(() => super.closeIdleConnections(), IDLE_GRACE_MS);
      reap.unref();
      this.once('close', () => clearInterval(reap));
    }
    return super.close(callback);
  }

  /** Called by Node's `close()`; while draining, idle connections are closed on the grace timer instead. */
  override closeIdleConnections(): void {
    if (!this.#draining) super.closeIdleConnections();
  }
}

export type HttpServerSettings = Pick<
  Config,
  'headersTimeoutMs' | 'requestTimeoutMs' | 'keepAliveTimeoutMs' | 'maxConnections'
>;

/**
 * The HTTP server under Fastify (its `serverFactory`), with every timeout and cap set on purpose (config.ts says
 * why each default) and no answer of Node's own outside the documented error shape.
 */
function createHttpServer(
  handler: http.RequestListener,
  settings: HttpServerSettings,
  hooks: { logger: FastifyBaseLogger; onDrop?: () => void },
): http.Server {
  const server = new DrainingServer(
    {
      headersTimeout: settings.headersTimeoutMs,
      requestTimeout: settings.requestTimeoutMs,
      keepAliveTimeout: settings.keepAliveTimeoutMs,
      // Node checks the two timeouts every 30 s by default, which let a slow client stay 90 s instead of 60.
      connectionsCheckingInterval: Math.max(50, Math.min(1000, Math.floor(settings.headersTimeoutMs / 4))),
      // Node answers a missing Host with a bodyless 400; the app answers it in the documented shape.
      requireHostHeader: false,
    },
    handler,
  );
  server.maxConnections = settings.maxConnections;
  // An expectation other than 100-continue: RFC 9110 lets a server ignore it, where Node would answer a bodyless 417.
  server.on('checkExpectation', handler);
  // CONNECT is a proxy's method; without this Node destroys the socket without a word.
  server.on('connect', (_request: http.IncomingMessage, socket) => {
    writeRawError(socket, 'METHOD_NOT_ALLOWED', 'CONNECT is not accepted: telehook is not a proxy.');
    lingerThenDestroy(socket);
  });
  // Node closes a connection over the cap as it arrives: say so, at most every 10 s, with how many.
  let dropped = 0;
  let lastWarning = 0;
  server.on('drop', () => {
    dropped += 1;
    hooks.onDrop?.();
    if (Date.now() - lastWarning < 10_000) return;
    lastWarning = Date.now();
    hooks.logger.warn(
      { dropped, maxConnections: settings.maxConnections },
      'connections refused: TELEHOOK_MAX_CONNECTIONS reached',
    );
    dropped = 0;
  });
  return server;
}

/**
 * The Fastify options of the process edge: the server above, and every answer Fastify or Node would give in its
 * own shape (a bad URL, a too long path segment, what the HTTP parser refuses) given in ours.
 */
export function httpEdgeOptions(
  settings: HttpServerSettings,
  hooks: {
    logger: FastifyBaseLogger;
    ingestPrefix: string;
    onIngestRejected: (code: ErrorCode, request: FastifyRequest) => void;
    onDrop?: () => void;
  },
) {
  return {
    serverFactory: (handler: http.RequestListener) => createHttpServer(handler, settings, hooks),
    // The server closes idle connections itself, after a grace (DrainingServer).
    forceCloseConnections: false,
    clientErrorHandler: createClientErrorHandler({ ...settings, logger: hooks.logger }),
    frameworkErrors: createFrameworkErrorHandler(hooks),
  } as const;
}

import http from 'node:http';
import type { Duplex } from 'node:stream';

import type { FastifyBaseLogger, FastifyError, FastifyReply, FastifyRequest } from 'fastify';

import { ERROR_STATUS, errorBody, type ErrorCode } from '../errors.js';

/**
 * After answering a request it could not read, the socket lingers this long (reading and discarding what the
 * client still sends) before it is destroyed: closing a socket with unread bytes sends a reset, which can reach the
 * client before our answer does.
 */
const LINGER_MS = 2000;

/** Writes a whole HTTP answer in the documented shape on a socket that no request object owns. */
export function writeRawError(socket: Duplex, code: ErrorCode, message: string): void {
  const status = ERROR_STATUS[code];
  const body = JSON.stringify(errorBody(code, message));
  socket.write(
    `HTTP/1.1 ${status} ${http.STATUS_CODES[status] ?? ''}\r\nContent-Type: application/json; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

/** Ends a socket after an error answer, giving the answer time to reach the client (see {@link LINGER_MS}). */
export function lingerThenDestroy(socket: Duplex): void {
  socket.end();
  socket.resume();
  const timer = setTimeout(() => socket.destroy(), LINGER_MS);
  timer.unref();
  socket.once('close', () => clearTimeout(timer));
}

const answered = new WeakSet<Duplex>();

/**
 * Fastify's `clientErrorHandler`: what Node's HTTP parser refuses before any route sees it (a bad request line,
 * headers over the size limit, a bad Content-Length, a header or request timeout) is answered in the documented
 * shape instead of Node's bodyless 400 or Fastify's own JSON.
 */
export function createClientErrorHandler(options: {
  headersTimeoutMs: number;
  requestTimeoutMs: number;
  logger: FastifyBaseLogger;
}) {
  const timeout = `The request did not arrive in time: its headers are allowed ${options.headersTimeoutMs} ms (setting TELEHOOK_HEADERS_TIMEOUT) and the whole request ${options.requestTimeoutMs} ms (TELEHOOK_REQUEST_TIMEOUT).`;
  return (error: Error & { code?: string; reason?: string }, socket: Duplex): void => {
    // A reset connection has nobody left to answer; a socket answered once is only draining.
    if (error.code === 'ECONNRESET' || socket.destroyed || answered.has(socket)) return;
    answered.add(socket);
    const { code, message } = describeClientError(error, timeout);
    options.logger.debug({ code, cause: error.code }, 'client error answered');
    // As Node does: never write into an answer that has begun (a pipelined request failing behind it).
    const inFlight = (socket as { _httpMessage?: { headersSent?: boolean } })._httpMessage;
    if (socket.writable && inFlight?.headersSent !== true) writeRawError(socket, code, message);
    // A timed-out request's parser is still live: bytes arriving later would start a request on a closed answer.
    if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') socket.destroy();
    else lingerThenDestroy(socket);
  };
}

function describeClientError(
  error: Error & { code?: string; reason?: string },
  timeout: string,
): { code: ErrorCode; message: string } {
  switch (error.code) {
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return { code: 'REQUEST_TIMEOUT', message: timeout };
    case 'HPE_HEADER_OVERFLOW':
      return {
        code: 'HEADERS_TOO_LARGE',
        message: `The request line and headers are larger than ${http.maxHeaderSize} bytes.`,
      };
    case 'HPE_CHUNK_EXTENSIONS_OVERFLOW':
      return { code: 'PAYLOAD_TOO_LARGE', message: 'The chunk extensions of the body are too large.' };
    default: {
      // llhttp's reason names what was wrong ("Invalid method encountered") and never echoes the bytes.
      const reason = (error.reason ?? '').replace(/\.$/, '');
      return {
        code: 'BAD_REQUEST',
        message: `The HTTP request could not be read${reason ? `: ${reason}` : ''} (${error.code ?? 'unknown'}).`,
      };
    }
  }
}

/**
 * Fastify's `frameworkErrors`: a URL the router cannot decode, or a path segment over its length limit. On an
 * ingest URL a too long segment is the token, and a wrong token of any length is 401. Messages never echo the
 * path, which may hold a token.
 */
export function createFrameworkErrorHandler(options: {
  ingestPrefix: string;
  onIngestRejected: (code: ErrorCode, request: FastifyRequest) => void;
}) {
  return (error: FastifyError, request: FastifyRequest, reply: FastifyReply): void => {
    const isIngest = request.url.startsWith(options.ingestPrefix);
    const { code, message } =
      error.code === 'FST_ERR_BAD_URL'
        ? {
            code: 'BAD_REQUEST' as const,
            message:
              'The URL is not valid: its percent-encoding does not decode (each "%" takes two hexadecimal digits, and the bytes must be UTF-8).',
          }
        : isIngest
          ? {
              code: 'INGEST_TOKEN_INVALID' as const,
              message:
                'Wrong ingest token: use the ingest URL printed by "telehook serve" (the token is in TELEHOOK_INGEST_TOKEN or the data directory).',
            }
          : {
              code: 'URL_TOO_LONG' as const,
              message: 'A segment of the path is longer than 300 characters.',
            };
    if (isIngest) options.onIngestRejected(code, request);
    void reply
      .code(ERROR_STATUS[code])
      .type('application/json; charset=utf-8')
      .send(errorBody(code, message));
  };
}

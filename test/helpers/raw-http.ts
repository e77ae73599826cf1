import net from 'node:net';

import type { FastifyInstance } from 'fastify';

export interface RawAnswer {
  /** 0 when the server closed the connection without answering. */
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  readonly json: unknown;
}

/** Listens on a free port of 127.0.0.1 and gives the port. */
export async function listenOnFreePort(app: FastifyInstance): Promise<number> {
  await app.listen({ port: 0, host: '127.0.0.1' });
  return (app.server.address() as net.AddressInfo).port;
}

/** Parses the first HTTP answer in what a server sent (enough for the answers telehook gives). */
export function parseAnswer(text: string): RawAnswer {
  const end = text.indexOf('\r\n\r\n');
  if (!text.startsWith('HTTP/') || end === -1) return { status: 0, headers: {}, body: text, json: undefined };
  const [statusLine = '', ...lines] = text.slice(0, end).split('\r\n');
  const headers = Object.fromEntries(
    lines.map((line) => {
      const colon = line.indexOf(':');
      return [line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim()];
    }),
  );
  const length = Number(headers['content-length'] ?? Number.NaN);
  const body = Number.isNaN(length) ? text.slice(end + 4) : text.slice(end + 4, end + 4 + length);
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    json = undefined;
  }
  return { status: Number(statusLine.split(' ')[1]), headers, body, json };
}

/**
 * Sends these exact bytes on a new connection and reads until the server closes it (or `waitMs` passes, then it
 * is closed from this side): for requests no HTTP client would send.
 */
export function rawRequest(
  port: number,
  bytes: string | Buffer,
  waitMs = 5000,
  /** Stop reading as soon as what arrived passes this (an answer that never ends, such as a stream). */
  isEnough?: (received: string) => boolean,
): Promise<RawAnswer> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1', () => socket.write(bytes));
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => socket.destroy(), waitMs);
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      if (isEnough?.(Buffer.concat(chunks).toString('utf8'))) socket.destroy();
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(parseAnswer(Buffer.concat(chunks).toString('utf8')));
    });
  });
}

/** Whether a body is exactly the documented error shape `{"ok":false,"error":{"code","message"}}`. */
export function isErrorShape(json: unknown): json is { ok: false; error: { code: string; message: string } } {
  if (typeof json !== 'object' || json === null) return false;
  const { ok, error, ...rest } = json as Record<string, unknown>;
  if (ok !== false || Object.keys(rest).length > 0 || typeof error !== 'object' || error === null)
    return false;
  const { code, message, ...more } = error as Record<string, unknown>;
  return typeof code === 'string' && typeof message === 'string' && Object.keys(more).length === 0;
}

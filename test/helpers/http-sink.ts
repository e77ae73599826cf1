import { createServer, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

import { onTestFinished } from 'vitest';

/** A request the sink received. */
export interface SinkRequest {
  readonly method: string;
  readonly path: string;
  readonly contentType: string | undefined;
  readonly body: Buffer;
  readonly headers: IncomingHttpHeaders;
}

/** How the sink answers one request: a status (with headers and a body), or `hang` to never answer. */
export type SinkAnswer = { status: number; headers?: Record<string, string>; body?: string } | 'hang';

/** A local HTTP server on a free port that records every request and answers with `status`. */
export interface HttpSink {
  readonly url: string;
  readonly requests: SinkRequest[];
  /** The answer's status; change it to make the sink fail. */
  status: number;
  /** When set, decides each answer instead of `status` (`index` counts requests from 0). */
  answer?: (request: SinkRequest, index: number) => SinkAnswer;
}

/** Starts an {@link HttpSink}, closed when the test ends. */
export async function startHttpSink(): Promise<HttpSink> {
  const sink: { -readonly [K in keyof HttpSink]: HttpSink[K] } = { url: '', requests: [], status: 200 };
  const server = createServer((request: IncomingMessage, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const received: SinkRequest = {
        method: request.method ?? '',
        path: request.url ?? '',
        contentType: request.headers['content-type'],
        body: Buffer.concat(chunks),
        headers: request.headers,
      };
      sink.requests.push(received);
      const answer = sink.answer?.(received, sink.requests.length - 1) ?? { status: sink.status };
      if (answer === 'hang') return;
      response.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
      response.end(answer.body ?? JSON.stringify({ ok: answer.status < 300 }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  onTestFinished(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  sink.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/telecmi/sink-token-0123456789`;
  return sink;
}

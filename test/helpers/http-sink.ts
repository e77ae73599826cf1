import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

import { onTestFinished } from 'vitest';

/** A request the sink received. */
export interface SinkRequest {
  readonly method: string;
  readonly path: string;
  readonly contentType: string | undefined;
  readonly body: Buffer;
}

/** A local HTTP server on a free port that records every request and answers with `status`. */
export interface HttpSink {
  readonly url: string;
  readonly requests: SinkRequest[];
  /** The answer's status; change it to make the sink fail. */
  status: number;
}

/** Starts an {@link HttpSink}, closed when the test ends. */
export async function startHttpSink(): Promise<HttpSink> {
  const sink = { url: '', requests: [] as SinkRequest[], status: 200 };
  const server = createServer((request: IncomingMessage, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      sink.requests.push({
        method: request.method ?? '',
        path: request.url ?? '',
        contentType: request.headers['content-type'],
        body: Buffer.concat(chunks),
      });
      response.writeHead(sink.status, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ ok: sink.status < 300 }));
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

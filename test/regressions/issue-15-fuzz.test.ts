import net from 'node:net';

import { describe, expect, it } from 'vitest';

import { isErrorShape, listenOnFreePort, rawRequest } from '../helpers/raw-http.js';
import { createTestApp } from '../helpers/test-app.js';

/** Issue 15: what the property test over the HTTP surface (test/fuzz) found, kept found. */
describe('issue 15 regressions: found by the HTTP fuzz', () => {
  // Fastify routes HEAD to the GET handler; the stream hijacked the reply, sent its headers and never ended, so a
  // client waited for the end of an answer that never came (the fuzz saw no answer within 10 s).
  it('answers HEAD /api/live with the headers of the stream, and ends the answer', async () => {
    const t = await createTestApp({ startDeliveryWorker: false });
    const port = await listenOnFreePort(t.app);
    const answer = await rawRequest(
      port,
      `HEAD /api/live HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${t.tokens.apiToken}\r\nConnection: close\r\n\r\n`,
    );
    expect(answer.status).toBe(200);
    expect(answer.headers['content-type']).toMatch(/^text\/event-stream/);
    expect(answer.body).toBe('');
    // The answer ends: a request pipelined after it on the same connection is answered too.
    const both = await new Promise<string>((resolve) => {
      const socket = net.connect(port, '127.0.0.1', () =>
        socket.write(
          `HEAD /api/live HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${t.tokens.apiToken}\r\n\r\n` +
            'GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
        ),
      );
      let text = '';
      const timer = setTimeout(() => socket.destroy(), 5000);
      socket.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
      socket.on('error', () => {});
      socket.on('close', () => {
        clearTimeout(timer);
        resolve(text);
      });
    });
    expect(both.match(/^HTTP\/1\.1 200/gm)).toHaveLength(2);
    expect(both).toContain('{"ok":true}');
  });

  it('answers HEAD /api/live without a token 401, in the shape a GET gets', async () => {
    const t = await createTestApp({ startDeliveryWorker: false });
    const port = await listenOnFreePort(t.app);
    const head = await rawRequest(port, 'HEAD /api/live HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    const get = await rawRequest(port, 'GET /api/live HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    expect(get.json).toSatisfy(isErrorShape);
    expect(head.status).toBe(get.status);
    expect(head.headers['content-type']).toBe(get.headers['content-type']);
  });

  it('still streams to GET /api/live after a HEAD (a snapshot first)', async () => {
    const t = await createTestApp({ startDeliveryWorker: false });
    const port = await listenOnFreePort(t.app);
    const auth = `Authorization: Bearer ${t.tokens.apiToken}`;
    await rawRequest(port, `HEAD /api/live HTTP/1.1\r\nHost: x\r\n${auth}\r\nConnection: close\r\n\r\n`);
    // The snapshot waits for the fold thread to be ready, which on a busy machine takes seconds.
    const get = await rawRequest(
      port,
      `GET /api/live HTTP/1.1\r\nHost: x\r\n${auth}\r\n\r\n`,
      20_000,
      (received) => received.includes('event: snapshot'),
    );
    expect(get.status).toBe(200);
    expect(get.body).toContain('event: snapshot');
  });
});

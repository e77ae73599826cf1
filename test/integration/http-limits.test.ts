import net from 'node:net';

import { describe, expect, it } from 'vitest';

import { isErrorShape, listenOnFreePort, parseAnswer } from '../helpers/raw-http.js';
import { createTestApp } from '../helpers/test-app.js';

const SHORT = { headersTimeoutMs: '500ms', requestTimeoutMs: '1s', keepAliveTimeoutMs: '1500ms' };

/** A client connection that records what it sent and received and whether the server closed it. */
function openClient(port: number) {
  const socket = net.connect(port, '127.0.0.1');
  const state = { sent: 0, received: '', closedByServer: false };
  socket.on('data', (chunk: Buffer) => (state.received += chunk.toString('utf8')));
  socket.on('end', () => (state.closedByServer = true));
  socket.on('error', () => {});
  const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
  const connected = new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  return {
    socket,
    state,
    closed,
    connected,
    send(text: string): void {
      if (socket.destroyed) return;
      state.sent += Buffer.byteLength(text);
      socket.write(text);
    },
    /** Sends `text` one byte every `everyMs` until the server closes the connection or the text is all sent. */
    async trickle(text: string, everyMs: number): Promise<void> {
      for (const byte of text) {
        if (socket.destroyed || state.closedByServer) return;
        this.send(byte);
        await new Promise((resolve) => setTimeout(resolve, everyMs));
      }
    },
  };
}

const until = async (condition: () => boolean): Promise<void> => {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 20));
};

describe('timeouts and the connection cap, on a listening server', () => {
  it('closes slow-loris sockets with 408 REQUEST_TIMEOUT once their headers outlast the header timeout, while other clients are answered', async () => {
    const t = await createTestApp({ overrides: SHORT });
    const port = await listenOnFreePort(t.app);
    const header = `X-Slow: ${'a'.repeat(200)}\r\n\r\n`;
    const clients = Array.from({ length: 50 }, () => openClient(port));
    await Promise.all(clients.map((client) => client.connected));
    const attacks = clients.map(async (client) => {
      client.send('GET /healthz HTTP/1.1\r\nHost: x\r\n');
      await client.trickle(header, 100);
    });
    // The server still answers everyone else meanwhile.
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
    await Promise.all(clients.map((client) => client.closed));
    await Promise.all(attacks);
    for (const { state } of clients) {
      const answer = parseAnswer(state.received);
      expect(answer.status).toBe(408);
      expect(answer.json).toSatisfy(isErrorShape);
      expect(answer.json).toMatchObject({ error: { code: 'REQUEST_TIMEOUT' } });
      // Cut long before its headers could be complete.
      expect(state.sent).toBeLessThan(header.length);
    }
  });

  it('closes a connection that never sends a byte', async () => {
    const t = await createTestApp({ overrides: SHORT });
    const client = openClient(await listenOnFreePort(t.app));
    await client.closed;
    expect(client.state.closedByServer).toBe(true);
    expect(client.state.sent).toBe(0);
  });

  it('answers 408 and stores nothing when a body trickles in slower than the request timeout', async () => {
    const t = await createTestApp({ overrides: SHORT });
    const client = openClient(await listenOnFreePort(t.app));
    const body = JSON.stringify({ type: 'cdr', cmiuuid: 'slow-body', appid: 1111111, pad: 'x'.repeat(200) });
    client.send(
      `POST ${t.ingestPath} HTTP/1.1\r\nHost: x\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n`,
    );
    await client.trickle(body, 50);
    await client.closed;
    expect(parseAnswer(client.state.received)).toMatchObject({
      status: 408,
      json: { ok: false, error: { code: 'REQUEST_TIMEOUT' } },
    });
    expect(client.state.sent).toBeLessThan(body.length);
    expect(await t.store.countEvents()).toBe(0);
  });

  it('keeps an idle keep-alive connection usable past the header timeout, and closes it silently after the keep-alive timeout', async () => {
    const t = await createTestApp({ overrides: SHORT });
    const client = openClient(await listenOnFreePort(t.app));
    const ask = 'GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n';
    client.send(ask);
    await until(() => client.state.received.includes('{"ok":true}'));
    // Idle for twice the header timeout: idle time between requests is not header time.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const before = client.state.received.length;
    client.send(ask);
    await until(() => client.state.received.length > before && client.state.received.endsWith('{"ok":true}'));
    const answered = client.state.received.length;
    await client.closed;
    expect(client.state.closedByServer).toBe(true);
    // Closed by the keep-alive timeout, which writes nothing (a header timeout would have answered 408).
    expect(client.state.received.length).toBe(answered);
  });

  it('keeps the live stream open longer than the request timeout', async () => {
    const t = await createTestApp({ overrides: SHORT });
    const client = openClient(await listenOnFreePort(t.app));
    client.send(
      `GET /api/live HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\nAuthorization: Bearer ${t.tokens.apiToken}\r\n\r\n`,
    );
    await until(() => client.state.received.includes('snapshot'));
    await new Promise((resolve) => setTimeout(resolve, 2500));
    expect(client.state.closedByServer).toBe(false);
    expect(client.state.received.startsWith('HTTP/1.1 200')).toBe(true);
    client.socket.destroy();
  });

  it('closes connections over TELEHOOK_MAX_CONNECTIONS as they arrive, and counts them', async () => {
    const t = await createTestApp({ overrides: { maxConnections: '16' } });
    const port = await listenOnFreePort(t.app);
    const held = Array.from({ length: 16 }, () => openClient(port));
    for (const client of held) client.send('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
    await until(() => held.every((client) => client.state.received.includes('{"ok":true}')));

    const extra = openClient(port);
    await extra.closed;
    expect(extra.state.received).toBe('');

    held[0]!.socket.destroy();
    const openConnections = () =>
      new Promise<number>((resolve) => t.app.server.getConnections((_error, count) => resolve(count)));
    while ((await openConnections()) >= 16) await new Promise((resolve) => setTimeout(resolve, 20));
    const metrics = await fetch(`http://127.0.0.1:${port}/metrics`);
    expect(await metrics.text()).toMatch(/^telehook_connections_dropped_total 1$/m);
    for (const client of held) client.socket.destroy();
  });
});

import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

import { describe, expect, it, onTestFinished } from 'vitest';

import type { EventStreamMessage } from './event-stream.js';
import { followLiveStream, LiveStreamRefused } from './live-stream.js';

/**
 * A local server whose answers a test scripts, one function per connection (the last one again after the end of
 * the script); records the request headers.
 */
async function startScriptedServer(script: ((response: ServerResponse) => void)[]) {
  const requests: IncomingHttpHeaders[] = [];
  const server = createServer((request, response) => {
    requests.push(request.headers);
    script[Math.min(requests.length, script.length) - 1]!(response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  onTestFinished(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return { url: new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/api/live`), requests };
}

const stream = (response: ServerResponse, text: string): void => {
  response.writeHead(200, { 'content-type': 'text/event-stream' });
  response.write(text);
};

describe('followLiveStream', () => {
  it('reconnects with Last-Event-ID after a drop and after a silence, telling each outage once', async () => {
    const controller = new AbortController();
    const messages: EventStreamMessage[] = [];
    const notices: string[] = [];
    const server = await startScriptedServer([
      (response) => {
        stream(response, 'id: 1\nevent: event\ndata: {"n":1}\n\n');
        response.end();
      },
      (response) =>
        response.writeHead(503).end('{"ok":false,"error":{"code":"SHUTTING_DOWN","message":"x"}}'),
      // Connected, then silent: no heartbeat comes.
      (response) => stream(response, 'id: 2\nevent: event\ndata: {"n":2}\n\n'),
      (response) => {
        stream(response, 'id: 3\nevent: event\ndata: {"n":3}\n\n');
        setTimeout(() => controller.abort(), 20);
      },
      (response) => response.writeHead(503).end(),
    ]);
    await followLiveStream({
      url: server.url,
      token: 'secret-token',
      signal: controller.signal,
      retryMs: 20,
      idleTimeoutMs: 300,
      onMessage: (message) => messages.push(message),
      onConnected: ({ isReconnection, lastEventId }) =>
        notices.push(`connected ${isReconnection} ${lastEventId}`),
      onDisconnected: (reason) => notices.push(`disconnected: ${reason}`),
    });
    expect(messages.map((message) => message.data)).toEqual(['{"n":1}', '{"n":2}', '{"n":3}']);
    expect(server.requests.map((headers) => headers['last-event-id'])).toEqual([undefined, '1', '1', '2']);
    expect(server.requests.every((headers) => headers.authorization === 'Bearer secret-token')).toBe(true);
    expect(notices).toEqual([
      'connected false null',
      'disconnected: the server closed the stream',
      'connected true 1',
      'disconnected: nothing received for 0.3 s',
      'connected true 2',
    ]);
  });

  it('rejects when the server refuses the token or is not a live stream, instead of retrying', async () => {
    const refused = await startScriptedServer([
      (response) =>
        response
          .writeHead(401, { 'content-type': 'application/json' })
          .end('{"ok":false,"error":{"code":"API_TOKEN_INVALID","message":"Wrong API token."}}'),
    ]);
    const follow = (url: URL) =>
      followLiveStream({ url, token: 'wrong', signal: new AbortController().signal, onMessage: () => {} });
    await expect(follow(refused.url)).rejects.toThrow(LiveStreamRefused);
    await expect(follow(refused.url)).rejects.toThrow(/401: API_TOKEN_INVALID Wrong API token/);
    const html = await startScriptedServer([
      (response) => response.writeHead(200, { 'content-type': 'text/html' }).end('<html>'),
    ]);
    await expect(follow(html.url)).rejects.toThrow(/not an event stream/);
  });

  it('keeps trying while the server cannot be reached, and stops when told', async () => {
    const controller = new AbortController();
    const notices: string[] = [];
    const following = followLiveStream({
      url: () => {
        throw new Error('no telehook server runs on the data directory');
      },
      token: null,
      signal: controller.signal,
      retryMs: 10,
      onMessage: () => {},
      onDisconnected: (reason) => notices.push(reason),
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    controller.abort();
    await following;
    expect(notices).toEqual(['no telehook server runs on the data directory']);
  });
});

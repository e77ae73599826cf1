import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { PassThrough } from 'node:stream';

import { Pool } from 'undici';
import { describe, expect, it } from 'vitest';

import { serve } from '../../src/cli/commands/serve.js';
import { ERROR_STATUS } from '../../src/errors.js';
import { loadFixtures } from '../helpers/fixtures.js';
import { isErrorShape, listenOnFreePort, rawRequest } from '../helpers/raw-http.js';
import { runCli, startServer, within } from '../helpers/server-process.js';
import { tempDir } from '../helpers/temp-dir.js';
import { createTestApp } from '../helpers/test-app.js';

/**
 * Issue 15 ("One bad request must never break the wallboard"), the HTTP surface and the process edge: answers that
 * escaped the documented shape, a long wrong token answered 414, an absurd limit answered 503, resets on SIGTERM,
 * tokens in the log stream, and the API reference outside the token. The timeouts and the connection cap are
 * proven against a listening server in test/integration/http-limits.test.ts.
 */
describe('issue 15 regressions: the HTTP surface', () => {
  const request = (lines: string[], body = ''): string => `${lines.join('\r\n')}\r\n\r\n${body}`;

  // Each was answered by Fastify or Node in a shape of its own (or with no body at all).
  it.each([
    [
      'a URL that does not decode (/webhooks/telecmi/%ZZ)',
      () => request(['GET /webhooks/telecmi/%ZZ HTTP/1.1', 'Host: x', 'Connection: close']),
      'BAD_REQUEST',
    ],
    [
      'a call key longer than 300 characters',
      () => request([`GET /api/calls/${'k'.repeat(400)} HTTP/1.1`, 'Host: x', 'Connection: close']),
      'URL_TOO_LONG',
    ],
    [
      'a 60 KB header',
      () =>
        request(['GET /healthz HTTP/1.1', 'Host: x', `X-Big: ${'y'.repeat(60_000)}`, 'Connection: close']),
      'HEADERS_TOO_LARGE',
    ],
    ['a malformed request line', () => request(['GARBAGE']), 'BAD_REQUEST'],
    ['an unknown method', () => request(['FOO /healthz HTTP/1.1', 'Host: x']), 'BAD_REQUEST'],
    [
      'a Content-Length that is not a number',
      () => request(['POST /webhook/cdr HTTP/1.1', 'Host: x', 'Content-Length: abc']),
      'BAD_REQUEST',
    ],
    [
      'both Content-Length and Transfer-Encoding',
      () =>
        request(
          ['POST /webhook/cdr HTTP/1.1', 'Host: x', 'Content-Length: 3', 'Transfer-Encoding: chunked'],
          '0\r\n\r\n',
        ),
      'BAD_REQUEST',
    ],
    [
      'a chunked body with a bad chunk size',
      (token: string) =>
        request(
          [`POST /webhooks/telecmi/${token} HTTP/1.1`, 'Host: x', 'Transfer-Encoding: chunked'],
          'zz\r\nab\r\n0\r\n\r\n',
        ),
      'BAD_REQUEST',
    ],
    [
      'an HTTP/1.1 request without Host',
      () => request(['GET /healthz HTTP/1.1', 'Connection: close']),
      'BAD_REQUEST',
    ],
    [
      'an unknown route',
      () => request(['GET /nowhere HTTP/1.1', 'Host: x', 'Connection: close']),
      'NOT_FOUND',
    ],
    [
      'PUT on an ingest URL',
      (token: string) =>
        request([
          `PUT /webhooks/telecmi/${token} HTTP/1.1`,
          'Host: x',
          'Content-Length: 0',
          'Connection: close',
        ]),
      'METHOD_NOT_ALLOWED',
    ],
    [
      'CONNECT',
      () => request(['CONNECT example.com:443 HTTP/1.1', 'Host: example.com:443']),
      'METHOD_NOT_ALLOWED',
    ],
    [
      'a body over the limit',
      (token: string) =>
        request([
          `POST /webhooks/telecmi/${token} HTTP/1.1`,
          'Host: x',
          'Content-Length: 300000',
          'Connection: close',
        ]),
      'PAYLOAD_TOO_LARGE',
    ],
    [
      'an Expect the server does not know (Node answered a bare 417)',
      () => request(['GET /nowhere HTTP/1.1', 'Host: x', 'Expect: something', 'Connection: close']),
      'NOT_FOUND',
    ],
  ] as const)('answers %s in the documented shape', async (_name, bytes, code) => {
    const t = await createTestApp();
    const port = await listenOnFreePort(t.app);
    const answer = await rawRequest(port, bytes(t.tokens.ingestToken));
    expect(answer.json, answer.body).toSatisfy(isErrorShape);
    expect(answer).toMatchObject({ status: ERROR_STATUS[code], json: { error: { code } } });
    expect(answer.body).not.toContain(t.tokens.ingestToken);
  });

  it('answers a 60 KB header in the shape to a real client too (no reset before the answer)', async () => {
    const t = await createTestApp();
    const port = await listenOnFreePort(t.app);
    const response = await fetch(`http://127.0.0.1:${port}${t.ingestPath}`, {
      method: 'POST',
      headers: { 'x-big': 'y'.repeat(60_000) },
      body: '{}',
    });
    expect(response.status).toBe(431);
    expect(await response.json()).toMatchObject({ ok: false, error: { code: 'HEADERS_TOO_LARGE' } });
  });

  it('names the body, not an empty field, when a whole API body has the wrong type', async () => {
    const t = await createTestApp();
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/endpoints',
      headers: { ...t.auth, 'content-type': 'text/plain' },
      payload: 'hello',
    });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual({
      ok: false,
      error: { code: 'QUERY_INVALID', message: 'The body is invalid: must be object.' },
    });
  });

  // An 8,000-character token was answered 414 FST_ERR_MAX_PARAM_LENGTH: the router refused the segment first.
  it('answers a wrong ingest token of any length 401 INGEST_TOKEN_INVALID, in the path or the query', async () => {
    const t = await createTestApp();
    const fixture = loadFixtures()[0]!;
    for (const length of [1, 42, 43, 300, 301, 8000]) {
      const wrong = 'x'.repeat(length);
      for (const url of [`/webhooks/telecmi/${wrong}`, `/webhook/cdr?token=${wrong}`]) {
        const response = await t.app.inject({ method: 'POST', url, payload: fixture.bytes });
        expect([length, url.slice(0, 20), response.statusCode]).toEqual([length, url.slice(0, 20), 401]);
        expect(response.json()).toMatchObject({ ok: false, error: { code: 'INGEST_TOKEN_INVALID' } });
      }
    }
    expect(await t.store.countEvents()).toBe(0);
    const metrics = await t.app.inject({ method: 'GET', url: '/metrics' });
    expect(metrics.body).toMatch(/telehook_ingest_rejected_total\{code="INGEST_TOKEN_INVALID"\} 12/);
  });

  // Ajv coerced 1e309 to Infinity and skipped minimum/maximum for it: the store got Infinity (503, or a null).
  it.each([
    '/api/events?limit=1e309',
    '/api/events?limit=-1e309',
    '/api/quarantine?limit=1e400',
    '/api/calls?limit=1e309',
    '/api/missed?limit=1e309',
    '/api/stats?serviceLevelSec=1e309',
    '/api/stats?shortAbandonSec=-1e309',
    '/api/deliveries?limit=1e309',
  ])('answers %s 400 QUERY_INVALID naming the parameter, never a 503', async (url) => {
    const t = await createTestApp();
    const response = await t.app.inject({ method: 'GET', url, headers: t.auth });
    expect(response.statusCode).toBe(400);
    const name = /\?(\w+)=/.exec(url)![1]!;
    expect(response.json()).toMatchObject({ ok: false, error: { code: 'QUERY_INVALID' } });
    expect(response.json<{ error: { message: string } }>().error.message).toContain(`"${name}"`);
  });

  // 19–33 requests in flight met a reset socket: Node's close() cut the keep-alive connections idle at that
  // instant, on which the clients were already sending their next request.
  it('answers every request in flight on SIGTERM under load, 200 after its commit or 503 SHUTTING_DOWN with Connection: close, never a reset', async () => {
    const dataDir = tempDir();
    const server = await startServer(dataDir);
    const ingestPath = new URL(server.ingestUrl).pathname;
    const fixtures = loadFixtures().filter((fixture) => typeof fixture.payload['cmiuuid'] === 'string');
    const pool = new Pool(server.url, { connections: 64 });
    const acknowledged: string[] = [];
    const answers = new Map<string, number>();
    const failures = new Map<string, number>();
    const tally = (map: Map<string, number>, key: string) => map.set(key, (map.get(key) ?? 0) + 1);
    let signalled = false;
    let refused = false;
    const worker = async (n: number): Promise<void> => {
      for (let i = 0; !refused; i++) {
        const id = randomUUID();
        const fixture = fixtures[(n + i) % fixtures.length]!;
        try {
          const response = await pool.request({
            method: 'POST',
            path: ingestPath,
            body: JSON.stringify({ ...fixture.payload, cmiuuid: id, conversation_uuid: id }),
          });
          const body = (await response.body.json()) as { id?: string; error?: { code: string } };
          tally(
            answers,
            `${response.statusCode} ${body.error?.code ?? 'ok'} ${String(response.headers.connection)}`,
          );
          if (response.statusCode === 200) acknowledged.push(body.id!);
        } catch (error) {
          const code = (error as { code?: string }).code ?? (error as Error).message;
          // Refused: the listener had closed, so nothing was sent; anything else is a request cut short.
          if (signalled && code === 'ECONNREFUSED') refused = true;
          else tally(failures, code);
        }
        if (!signalled && acknowledged.length >= 1500) {
          signalled = true;
          server.child.kill('SIGTERM');
        }
      }
    };
    const workers = Promise.all(Array.from({ length: 128 }, (_, n) => worker(n)));
    expect((await within(server.exited, 30_000, 'the shutdown', server)).code).toBe(0);
    await within(workers, 30_000, 'the clients', server);
    await pool.destroy();

    expect(Object.fromEntries(failures)).toEqual({});
    const kinds = [...answers.keys()];
    expect(
      kinds.every((kind) => ['200 ok keep-alive', '200 ok close', '503 SHUTTING_DOWN close'].includes(kind)),
      kinds.join(),
    ).toBe(true);
    // Closing started with requests on every connection: some were answered while it ran.
    expect(
      (answers.get('200 ok close') ?? 0) + (answers.get('503 SHUTTING_DOWN close') ?? 0),
    ).toBeGreaterThan(0);

    const restarted = await startServer(dataDir);
    const count = (await (
      await fetch(`${restarted.url}/api/events/count`, {
        headers: { authorization: `Bearer ${restarted.apiToken}` },
      })
    ).json()) as { count: number };
    expect(count.count).toBe(acknowledged.length);
    restarted.child.kill('SIGTERM');
    await restarted.exited;
  });

  // The banner printed every token on stdout, which is also the JSON log stream a service manager ships.
  it('masks the tokens in the banner when stdout is not a terminal, shows them on one, and telehook tokens prints them', async () => {
    const dataDir = tempDir();
    const server = await startServer(dataDir, [], { TELEHOOK_LOG_LEVEL: 'info' });
    const tokens = JSON.parse(readFileSync(path.join(dataDir, 'tokens.json'), 'utf8')) as Record<
      string,
      string
    >;
    server.child.kill('SIGTERM');
    await server.exited;
    for (const token of Object.values(tokens)) {
      expect(server.output()).not.toContain(token);
      expect(server.output()).toContain(`${token.slice(0, 4)}…`);
    }
    expect(server.output()).toContain(`telehook tokens --data ${dataDir}`);

    const printed = await runCli(['tokens', '--data', dataDir]);
    expect(printed.code).toBe(0);
    for (const token of Object.values(tokens)) expect(printed.stdout).toContain(token);

    const terminal = Object.assign(new PassThrough(), { isTTY: true });
    let shown = '';
    terminal.on('data', (chunk: Buffer) => (shown += chunk.toString()));
    const running = await serve(
      { overrides: { dataDir, port: 0, host: '127.0.0.1', logLevel: 'silent' } },
      terminal,
    );
    await running.stop();
    for (const token of Object.values(tokens)) expect(shown).toContain(token);
    expect(shown).not.toContain('telehook tokens');
  });

  // The README listed them under the API token; they answered without one. They stay public (the document holds
  // no data and helps integrators), and the README says so.
  it('serves /api/openapi.json and /api/docs without a token, as the README says, while the data needs one', async () => {
    const t = await createTestApp();
    const document = await t.app.inject({ method: 'GET', url: '/api/openapi.json' });
    expect(document.statusCode).toBe(200);
    expect(document.json()).toMatchObject({ openapi: expect.stringMatching(/^3\./) });
    expect(JSON.stringify(document.json())).not.toContain(t.tokens.apiToken);
    expect((await t.app.inject({ method: 'GET', url: '/api/docs' })).statusCode).toBe(200);
    expect((await t.app.inject({ method: 'GET', url: '/api/events' })).statusCode).toBe(401);
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    expect(readme).toMatch(/`GET \/api\/openapi\.json`, `GET \/api\/docs` \| .*without a token/);
  });
});

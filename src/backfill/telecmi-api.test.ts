import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';

import pino from 'pino';
import { describe, expect, it, onTestFinished } from 'vitest';

import { type HttpSink, type SinkRequest, startHttpSink } from '../../test/helpers/http-sink.js';
import { TelecmiApiError } from './api-error.js';
import { createTelecmiApi, type TelecmiApiOptions } from './telecmi-api.js';

const SECRET = 'sEcReT-42/+=&x';
const WINDOW = { from: 1_700_000_000_000, to: 1_700_086_400_000 };
const FAST = { tries: 3, baseDelayMs: 1, maxDelayMs: 5 };

const originOf = (sink: HttpSink): string => new URL(sink.url).origin;
const bodyOf = (request: SinkRequest): Record<string, unknown> =>
  JSON.parse(request.body.toString('utf8')) as Record<string, unknown>;
const rowsFrom = (n: number, offset = 0) =>
  Array.from({ length: n }, (_, i) => ({ cmiuid: `c${offset + i}`, time: 1_700_000_000_000 + offset + i }));

function client(sink: HttpSink, options: Partial<TelecmiApiOptions> = {}) {
  const api = createTelecmiApi({
    product: 'chub',
    appId: '1111113',
    secret: SECRET,
    apiUrl: originOf(sink),
    retry: FAST,
    ...options,
  });
  onTestFinished(() => api.close());
  return api;
}

/** A server that pages `rows` like TeleCMI was found to (3P): 10 a page whatever the limit, pages from 1. */
function pagesOf(rows: object[], options: { count?: 'count' | 'total' | 'none' } = {}) {
  return (request: SinkRequest) => {
    const page = Number(bodyOf(request)['page']);
    const cdr = rows.slice((page - 1) * 10, page * 10);
    const count = options.count ?? 'count';
    return {
      status: 200,
      body: JSON.stringify({ code: 200, ...(count === 'none' ? {} : { [count]: rows.length }), cdr }),
    };
  };
}

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of iterable) out.push(item);
  return out;
}

async function failureOf(promise: Promise<unknown>): Promise<TelecmiApiError> {
  const error = await promise.then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(TelecmiApiError);
  return error as TelecmiApiError;
}

describe('reading a history list page by page', () => {
  it('asks for pages from 1 with the documented body, and stops once the rows seen reach count (page size fixed at 10)', async () => {
    const sink = await startHttpSink();
    sink.answer = pagesOf(rowsFrom(25));
    const pages = await collect(client(sink).pages('answered', WINDOW));

    expect(pages.map((page) => [page.page, page.rows.length, page.count, page.rowsSeen])).toEqual([
      [1, 10, 25, 10],
      [2, 10, 25, 20],
      [3, 5, 25, 25],
    ]);
    expect(pages.map((page) => page.next)).toEqual([
      { page: 2, rowsSeen: 10 },
      { page: 3, rowsSeen: 20 },
      null,
    ]);
    expect(
      sink.requests.map((request) => [request.method, new URL(request.path, 'http://x').pathname]),
    ).toEqual([
      ['POST', '/v2/answered'],
      ['POST', '/v2/answered'],
      ['POST', '/v2/answered'],
    ]);
    expect(bodyOf(sink.requests[0]!)).toEqual({
      appid: 1111113,
      secret: SECRET,
      start_date: WINDOW.from,
      end_date: WINDOW.to,
      page: 1,
      limit: 20,
    });
  });

  it('never stops on a page shorter than the limit: without a count, only an empty page ends the list', async () => {
    const sink = await startHttpSink();
    sink.answer = pagesOf(rowsFrom(12), { count: 'none' });
    const rows = await collect(client(sink, { limit: 5 }).rows('missed', WINDOW));
    expect(rows.map(({ row }) => row['cmiuid'])).toEqual(rowsFrom(12).map((row) => row.cmiuid));
    expect(sink.requests.map((request) => bodyOf(request)['page'])).toEqual([1, 2, 3]);
  });

  it('resumes from a stored cursor', async () => {
    const sink = await startHttpSink();
    sink.answer = pagesOf(rowsFrom(25));
    const pages = await collect(
      client(sink).pages('out_missed', WINDOW, { cursor: { page: 2, rowsSeen: 10 } }),
    );
    expect(pages.map((page) => page.page)).toEqual([2, 3]);
    expect(pages.at(-1)?.rowsSeen).toBe(25);
  });

  it('keeps each row exactly as received, spacing and number spelling included', async () => {
    const sink = await startHttpSink();
    const text =
      '{"code":200,"count":2,"cdr":[ {"cmiuid":"a","rate": 1.500000} ,{"cmiuid":"b","name":"\\"x\\" ]"}]}';
    sink.answer = (request) =>
      bodyOf(request)['page'] === 1
        ? { status: 200, body: text }
        : { status: 200, body: '{"code":200,"cdr":[]}' };
    const rows = await collect(client(sink).rows('answered', WINDOW));
    expect(rows.map((row) => row.raw)).toEqual([
      '{"cmiuid":"a","rate": 1.500000}',
      '{"cmiuid":"b","name":"\\"x\\" ]"}',
    ]);
    expect(rows[0]!.row).toEqual({ cmiuid: 'a', rate: 1.5 });
  });

  it('speaks CHUB India: /v1 paths, the secret as token, total instead of count, no limit on voicemails', async () => {
    const sink = await startHttpSink();
    sink.answer = pagesOf(rowsFrom(3), { count: 'total' });
    const api = client(sink, { product: 'chub-india' });
    expect((await collect(api.rows('out_answered', WINDOW))).length).toBe(3);
    sink.answer = (request) => ({
      status: 200,
      body: JSON.stringify({
        code: 200,
        total: bodyOf(request)['page'] === 1 ? 1 : 1,
        voicemail: bodyOf(request)['page'] === 1 ? [{ _id: 'v', time: 1, from: 2, voicename: 'f.mp3' }] : [],
      }),
    });
    expect((await collect(api.rows('voicemail', WINDOW))).length).toBe(1);
    const [list, voicemail] = [sink.requests[0]!, sink.requests.at(-1)!];
    expect(new URL(list.path, 'http://x').pathname).toBe('/v1/outanswered');
    expect(bodyOf(list)).toMatchObject({ appid: 1111113, token: SECRET, page: 1 });
    expect(bodyOf(list)).not.toHaveProperty('secret');
    expect(new URL(voicemail.path, 'http://x').pathname).toBe('/v1/voicemail');
    expect(bodyOf(voicemail)).not.toHaveProperty('limit');
  });

  it('treats a page that repeats the previous one as a bad answer, not an endless list', async () => {
    const sink = await startHttpSink();
    sink.answer = () => ({ status: 200, body: JSON.stringify({ code: 200, cdr: rowsFrom(10) }) });
    const error = await failureOf(collect(client(sink).rows('answered', WINDOW)));
    expect(error.code).toBe('TELECMI_BAD_ANSWER');
    expect(sink.requests.length).toBe(2);
  });

  it('keeps to the app id paths that exist: PIOPIY has no list, CHUB no CDR look-up', async () => {
    const sink = await startHttpSink();
    expect(() => client(sink, { product: 'piopiy' }).pages('answered', WINDOW)).toThrow(TypeError);
    await expect(client(sink).cdrByCmiuuid('x')).rejects.toThrow(TypeError);
    await expect(client(sink, { product: 'piopiy' }).play('f.mp3')).rejects.toThrow(TypeError);
  });
});

describe('failures', () => {
  it('says TELECMI_AUTH_FAILED for a 407, at once, whether as the HTTP status or as code in the body', async () => {
    const sink = await startHttpSink();
    sink.answer = () => ({
      status: 407,
      body: JSON.stringify({ code: 407, msg: 'invalid token/auth failed' }),
    });
    const error = await failureOf(collect(client(sink).rows('answered', WINDOW)));
    expect([error.code, error.status, error.attempts, error.retryable]).toEqual([
      'TELECMI_AUTH_FAILED',
      407,
      1,
      false,
    ]);
    expect(error.message).toContain('invalid token/auth failed');

    sink.answer = () => ({ status: 200, body: JSON.stringify({ code: 407, msg: 'auth failed' }) });
    expect((await failureOf(collect(client(sink).rows('answered', WINDOW)))).code).toBe(
      'TELECMI_AUTH_FAILED',
    );
    expect(sink.requests.length).toBe(2);
  });

  it('says TELECMI_NETWORK when nothing listens, after every try', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const api = createTelecmiApi({
      product: 'chub',
      appId: '9',
      secret: SECRET,
      apiUrl: `http://127.0.0.1:${port}`,
      retry: FAST,
    });
    onTestFinished(() => api.close());
    const error = await failureOf(collect(api.rows('answered', WINDOW)));
    expect([error.code, error.attempts, error.status, error.retryable]).toEqual([
      'TELECMI_NETWORK',
      3,
      null,
      true,
    ]);
  });

  it('says TELECMI_UNAVAILABLE for a 500 after every try, and goes on when a retry succeeds', async () => {
    const sink = await startHttpSink();
    sink.answer = () => ({ status: 500, body: '<html>oops</html>' });
    const error = await failureOf(collect(client(sink).rows('answered', WINDOW)));
    expect([error.code, error.status, error.attempts]).toEqual(['TELECMI_UNAVAILABLE', 500, 3]);

    sink.requests.length = 0;
    const pager = pagesOf(rowsFrom(3));
    sink.answer = (request, index) => (index === 0 ? { status: 503, body: '' } : pager(request));
    expect((await collect(client(sink).rows('answered', WINDOW))).length).toBe(3);
    expect(sink.requests.map((request) => bodyOf(request)['page'])).toEqual([1, 1]);
  });

  it('reads a refusal with HTTP 200 from the code and msg in the body', async () => {
    const sink = await startHttpSink();
    sink.answer = () => ({ status: 200, body: JSON.stringify({ code: 400, msg: 'start_date is invalid' }) });
    const error = await failureOf(collect(client(sink).rows('answered', WINDOW)));
    expect([error.code, error.telecmiCode, error.attempts]).toEqual(['TELECMI_API_ERROR', 400, 1]);
    expect(error.message).toContain('start_date is invalid');
  });

  it('says TELECMI_TIMEOUT when TeleCMI does not answer in time, after every try', async () => {
    const sink = await startHttpSink();
    sink.answer = () => 'hang';
    const error = await failureOf(
      collect(client(sink, { timeoutMs: 150, retry: { ...FAST, tries: 2 } }).rows('answered', WINDOW)),
    );
    expect([error.code, error.attempts, error.retryable]).toEqual(['TELECMI_TIMEOUT', 2, true]);
    expect(sink.requests.length).toBe(2);
  });

  it('says TELECMI_BAD_ANSWER for a 200 that is not JSON or has no list', async () => {
    const sink = await startHttpSink();
    sink.answer = () => ({ status: 200, body: 'maintenance' });
    expect((await failureOf(collect(client(sink).rows('answered', WINDOW)))).code).toBe('TELECMI_BAD_ANSWER');
    sink.answer = () => ({ status: 200, body: '{"code":200,"count":4}' });
    expect((await failureOf(collect(client(sink).rows('answered', WINDOW)))).code).toBe('TELECMI_BAD_ANSWER');
  });
});

describe('politeness', () => {
  it('keeps at most one request in flight per app id, across clients; other apps are not held up', async () => {
    let inFlight = new Map<string, number>();
    const most = new Map<string, number>();
    let overall = 0;
    let mostOverall = 0;
    const server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const app = String((JSON.parse(Buffer.concat(chunks).toString()) as { appid: number }).appid);
        inFlight.set(app, (inFlight.get(app) ?? 0) + 1);
        most.set(app, Math.max(most.get(app) ?? 0, inFlight.get(app)!));
        overall += 1;
        mostOverall = Math.max(mostOverall, overall);
        setTimeout(() => {
          inFlight.set(app, inFlight.get(app)! - 1);
          overall -= 1;
          response.end('{"code":200,"count":0,"cdr":[]}');
        }, 40);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    onTestFinished(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const apiUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const make = (appId: string) => {
      const api = createTelecmiApi({ product: 'chub', appId, secret: SECRET, apiUrl });
      onTestFinished(() => api.close());
      return api;
    };
    const [a1, a2, b] = [make('1111113'), make('1111113'), make('2222223')];
    await Promise.all([
      ...['answered', 'missed', 'out_answered', 'out_missed'].map((list) =>
        collect(a1.rows(list as 'answered', WINDOW)),
      ),
      collect(a2.rows('voicemail', WINDOW)),
      collect(b.rows('answered', WINDOW)),
    ]);
    inFlight = new Map();
    expect(most.get('1111113')).toBe(1);
    expect(most.get('2222223')).toBe(1);
    expect(mostOverall).toBe(2);
  });
});

describe('the secret', () => {
  it('appears in no error message, no error cause and no log line, whatever fails', async () => {
    let logged = '';
    const logger = pino(
      { level: 'debug' },
      new Writable({
        write(chunk: Buffer, _encoding, done) {
          logged += chunk.toString();
          done();
        },
      }),
    );
    const sink = await startHttpSink();
    const errors: unknown[] = [];
    const answers = [
      { status: 407, body: JSON.stringify({ code: 407, msg: `bad secret ${SECRET}` }) },
      { status: 200, body: JSON.stringify({ code: 401, msg: `secret=${encodeURIComponent(SECRET)}` }) },
      { status: 500, body: SECRET },
      { status: 404, body: JSON.stringify({ code: 404, msg: `no file for ${SECRET}` }) },
    ];
    for (const answer of answers) {
      sink.answer = () => answer;
      const api = client(sink, { logger });
      errors.push(await collect(api.rows('answered', WINDOW)).catch((error: unknown) => error));
      errors.push(await api.play('a.mp3').catch((error: unknown) => error));
    }
    sink.answer = () => 'hang';
    errors.push(
      await client(sink, { logger, timeoutMs: 100 })
        .play('a.mp3')
        .catch((error: unknown) => error),
    );

    expect(errors.filter((error) => !(error instanceof TelecmiApiError))).toEqual([]);
    const texts = errors.flatMap((error) => {
      const e = error as TelecmiApiError & { cause?: Error };
      return [
        e.message,
        String(e.stack),
        JSON.stringify(e),
        e.cause?.message ?? '',
        String(e.cause?.stack ?? ''),
      ];
    });
    // The play requests did carry it, in their query: TeleCMI needs it.
    expect(
      sink.requests.some(
        (request) => new URL(request.path, 'http://x').searchParams.get('secret') === SECRET,
      ),
    ).toBe(true);
    expect(logged).toContain('TeleCMI request failed');
    for (const text of [...texts, logged]) {
      expect(text).not.toContain(SECRET);
      expect(text).not.toContain(encodeURIComponent(SECRET));
    }
    expect(client(sink).playUrlForLogs('a.mp3')).toBe(
      `${originOf(sink)}/v2/play?appid=1111113&secret=%5Bredacted%5D&file=a.mp3`,
    );
  });
});

describe('play', () => {
  it('passes Range through and answers 206 with the content headers', async () => {
    const sink = await startHttpSink();
    sink.answer = (request) => ({
      status: request.headers.range === undefined ? 200 : 206,
      headers: {
        'content-type': 'audio/wav',
        'content-length': request.headers.range === undefined ? '10' : '4',
        'accept-ranges': 'bytes',
        ...(request.headers.range === undefined ? {} : { 'content-range': 'bytes 2-5/10' }),
      },
      body: request.headers.range === undefined ? '0123456789' : '2345',
    });
    const api = client(sink, { product: 'chub-india' });
    const answer = await api.play('rec 1.mp3', { range: 'bytes=2-5' });
    expect([
      answer.status,
      answer.contentType,
      answer.contentLength,
      answer.contentRange,
      answer.acceptRanges,
    ]).toEqual([206, 'audio/wav', 4, 'bytes 2-5/10', 'bytes']);
    const chunks: Buffer[] = [];
    for await (const chunk of answer.body) chunks.push(chunk as Buffer);
    expect(Buffer.concat(chunks).toString()).toBe('2345');
    const url = new URL(sink.requests[0]!.path, 'http://x');
    expect([
      url.pathname,
      url.searchParams.get('appid'),
      url.searchParams.get('token'),
      url.searchParams.get('file'),
    ]).toEqual(['/v1/play', '1111113', SECRET, 'rec 1.mp3']);
    expect(sink.requests[0]!.headers.range).toBe('bytes=2-5');
  });

  it('says TELECMI_NOT_FOUND for a file TeleCMI does not have', async () => {
    const sink = await startHttpSink();
    sink.answer = () => ({ status: 404, body: JSON.stringify({ code: 404, msg: 'file not found' }) });
    expect((await failureOf(client(sink).play('nope.mp3'))).code).toBe('TELECMI_NOT_FOUND');
  });
});

describe('PIOPIY look-ups', () => {
  it('reads cmiuuid_cdr as one row kept as received, and a 404 as no CDR', async () => {
    const sink = await startHttpSink();
    sink.answer = (request) =>
      bodyOf(request)['cmiuuid'] === 'known'
        ? { status: 200, body: '{"cdr": {"duration":13,"rate":"1.500000"},"code":200}' }
        : { status: 404, body: '{"code":404,"msg":"cdr not found"}' };
    const api = client(sink, { product: 'piopiy', appId: '2222224' });
    expect(await api.cdrByCmiuuid('known')).toEqual({
      raw: '{"duration":13,"rate":"1.500000"}',
      row: { duration: 13, rate: '1.500000' },
    });
    expect(await api.cdrByCmiuuid('unknown')).toBeNull();
    expect(bodyOf(sink.requests[0]!)).toEqual({ appid: 2222224, secret: SECRET, cmiuuid: 'known' });
    expect(new URL(sink.requests[0]!.path, 'http://x').pathname).toBe('/v1/piopiy/cmiuuid_cdr');
  });

  it('reads requestid_cdr as every leg of the request', async () => {
    const sink = await startHttpSink();
    sink.answer = () => ({
      status: 200,
      body: JSON.stringify({ count: 2, cdr: [{ leg: 'a' }, { leg: 'b' }], code: 200 }),
    });
    const rows = await client(sink, { product: 'piopiy', appId: '2222224' }).cdrsByRequestId('req');
    expect(rows.map((row) => row.row['leg'])).toEqual(['a', 'b']);
    expect(bodyOf(sink.requests[0]!)).toMatchObject({ request_id: 'req' });
  });
});

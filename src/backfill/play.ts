import type { Readable } from 'node:stream';

import type { Dispatcher } from 'undici';

import { REDACTED } from '../redact.js';
import { errorOfAnswer, parseJson } from './answer-check.js';
import { TelecmiApiError } from './api-error.js';
import type { ApiBase, ProductApi } from './endpoints.js';
import { callOnce } from './http-call.js';
import type { ApiLogger } from './telecmi-api.js';

/** How to ask for a file. */
export interface PlayOptions {
  /** The browser's `Range` header, passed through as it is (e.g. `bytes=0-`). */
  readonly range?: string | undefined;
  readonly signal?: AbortSignal | undefined;
}

/**
 * TeleCMI's answer to a play request: 200 (the whole file), 206 (the range asked for) or 416 (a range past the
 * end), with the headers a browser's audio element needs to seek. The body must be read or destroyed.
 */
export interface PlayAnswer {
  readonly status: 200 | 206 | 416;
  readonly contentType: string | null;
  readonly contentLength: number | null;
  readonly contentRange: string | null;
  readonly acceptRanges: string | null;
  readonly body: Readable;
}

/** What the play function needs of its client. */
export interface PlayContext {
  readonly base: ApiBase;
  readonly product: ProductApi;
  readonly appId: string;
  readonly secret: string;
  readonly timeoutMs: number;
  /** The dispatcher, created with the first request. */
  readonly dispatcher: () => Promise<Dispatcher>;
  readonly logger: ApiLogger | undefined;
  readonly withRetries: <T>(
    request: string,
    signal: AbortSignal | undefined,
    once: () => Promise<T>,
  ) => Promise<T>;
}

const header = (value: string | string[] | undefined): string | null =>
  (Array.isArray(value) ? value[0] : value) ?? null;

/**
 * GETs `<origin>/v2/play?appid=…&secret=…&file=…` (CHUB India: `/v1/play` with `token`). The URL with the secret
 * is built here, at the moment of the request, and goes nowhere else; logs and errors name `GET /v2/play` and the
 * file. The app's slot is held until the answer's headers: the body is then streamed outside it, so that a paused
 * audio element cannot hold up a reconcile run. Errors as for the lists (404 is `TELECMI_NOT_FOUND`).
 */
export async function playFile(
  context: PlayContext,
  file: string,
  options: PlayOptions = {},
): Promise<PlayAnswer> {
  const path = context.product.play;
  if (path === null) throw new TypeError('This product documents no play API (PIOPIY has none).');
  if (file.trim() === '') throw new TypeError('A file name is needed to play it.');
  const request = `GET ${path}`;
  const query = new URLSearchParams({
    appid: context.appId,
    [context.product.secretField]: context.secret,
    file,
  });
  const answer = await context.withRetries(request, options.signal, async () => {
    const got = await callOnce(await context.dispatcher(), {
      method: 'GET',
      origin: context.base.origin,
      path: `${context.base.prefix}${path}?${query.toString()}`,
      name: request,
      headers: options.range === undefined ? {} : { range: options.range },
      timeoutMs: context.timeoutMs,
      signal: options.signal,
      secret: context.secret,
    });
    const type = header(got.headers['content-type']) ?? '';
    // An error may come as HTTP 200 with a JSON body (3P), and no recording is JSON.
    const isAudio = !/json|text\/html/i.test(type);
    if ((got.status === 200 || got.status === 206 || got.status === 416) && isAudio) return got;
    const text = await got.body.text().catch(() => '');
    const failure = errorOfAnswer({
      request,
      status: got.status,
      retryAfter: got.headers['retry-after'],
      json: parseJson(text),
      appId: context.appId,
      secret: context.secret,
    });
    throw (
      failure ??
      new TelecmiApiError('TELECMI_BAD_ANSWER', `TeleCMI answered ${request} with ${type}, not a file.`, {
        request,
        status: got.status,
      })
    );
  });
  context.logger?.debug(
    { request, appId: context.appId, file, range: options.range ?? null, status: answer.status },
    'TeleCMI play answered',
  );
  const length = header(answer.headers['content-length']);
  return {
    status: answer.status as PlayAnswer['status'],
    contentType: header(answer.headers['content-type']),
    contentLength: length !== null && /^\d+$/.test(length) ? Number(length) : null,
    contentRange: header(answer.headers['content-range']),
    acceptRanges: header(answer.headers['accept-ranges']),
    body: answer.body,
  };
}

/** The play URL with the secret replaced, for logs and for people. */
export function playUrlForLogs(
  context: Pick<PlayContext, 'base' | 'product' | 'appId'>,
  file: string,
): string {
  const path = context.product.play;
  if (path === null) throw new TypeError('This product documents no play API (PIOPIY has none).');
  const query = new URLSearchParams({ appid: context.appId, [context.product.secretField]: REDACTED, file });
  return `${context.base.origin}${context.base.prefix}${path}?${query.toString()}`;
}

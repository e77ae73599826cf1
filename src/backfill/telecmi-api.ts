import { setTimeout as sleep } from 'node:timers/promises';

import type { Dispatcher } from 'undici';

import type { RestProduct } from '../telecmi/index.js';
import { errorOfAnswer, isObject, parseJson } from './answer-check.js';
import { TelecmiApiError } from './api-error.js';
import { withAppSlot } from './app-slot.js';
import { apiBase, PRODUCT_APIS, type RestList, rowsKeyOf } from './endpoints.js';
import { callOnce, transportError } from './http-call.js';
import { type PageCursor, readPages, type RestPage, type RestRow } from './paging.js';
import { type PlayAnswer, playFile, type PlayOptions, playUrlForLogs } from './play.js';
import { DEFAULT_RETRY_POLICY, delayBeforeTry, type RetryPolicy } from './retry-policy.js';
import { sliceArrayElements, sliceMember } from './row-slices.js';

/** What the client logs through: a pino logger fits. Lines carry the request, never the secret. */
export interface ApiLogger {
  debug(fields: object, message: string): void;
  warn(fields: object, message: string): void;
}

/** How to reach one TeleCMI app's REST API. */
export interface TelecmiApiOptions {
  readonly product: RestProduct;
  /** The app id, digits (sent as a JSON number, as documented). */
  readonly appId: string;
  /** The app secret (CHUB India: the `token`). Never logged, never in an error or a URL that leaves the client. */
  readonly secret: string;
  /** The origin of the API (TELEHOOK_TELECMI_API_URL); the documented paths are appended. @defaultValue the product's */
  readonly apiUrl?: string | undefined;
  /** One try's time limit, until the answer's headers and between body chunks. @defaultValue 15000 */
  readonly timeoutMs?: number;
  readonly retry?: Partial<RetryPolicy>;
  /** The `limit` asked for (TeleCMI's maximum is 20; the page may hold 10 whatever is asked). @defaultValue 20 */
  readonly limit?: number;
  /** A list longer than this many pages is a bad answer. @defaultValue 10000 */
  readonly maxPages?: number;
  readonly logger?: ApiLogger | undefined;
  /** An undici dispatcher to use instead of the client's own. */
  readonly dispatcher?: Dispatcher;
}

/** A time window, epoch ms: TeleCMI's `start_date` and `end_date`. */
export interface TimeWindow {
  readonly from: number;
  readonly to: number;
}

/** A client of one app's REST API. See docs/telecmi-rest.md. */
export interface TelecmiApi {
  readonly product: RestProduct;
  readonly appId: string;
  /** The base the paths are appended to, e.g. `https://rest.telecmi.com`. */
  readonly origin: string;
  /** The pages of one list over a window, from `cursor` on (store each page with its `next` to resume there). */
  pages(list: RestList, window: TimeWindow, options?: ListOptions): AsyncIterableIterator<RestPage>;
  /** The rows of one list over a window, page after page. */
  rows(list: RestList, window: TimeWindow, options?: ListOptions): AsyncIterableIterator<RestRow>;
  /** PIOPIY: the CDR of one leg, or null when TeleCMI has none (404). */
  cdrByCmiuuid(cmiuuid: string, options?: CallOptions): Promise<RestRow | null>;
  /** PIOPIY: the CDRs of every leg of a click/API request. */
  cdrsByRequestId(requestId: string, options?: CallOptions): Promise<RestRow[]>;
  /** Streams a recording or voicemail file (Range passed through). CHUB and CHUB India only. */
  play(file: string, options?: PlayOptions): Promise<PlayAnswer>;
  /** The play URL as it may be logged: the secret replaced. */
  playUrlForLogs(file: string): string;
  /** Closes the client's connections (not those of a dispatcher that was given). */
  close(): Promise<void>;
}

export interface CallOptions {
  readonly signal?: AbortSignal | undefined;
}

export interface ListOptions extends CallOptions {
  /** Where to start: a page's `next`. @defaultValue page 1 */
  readonly cursor?: PageCursor | undefined;
}

/**
 * A client of TeleCMI's REST API for one app: the call history lists page by page, the PIOPIY CDR look-ups and
 * the play API. At most one request per app id is in flight in the process; timeouts, network failures and
 * 5xx/429 are tried again with backoff up to `retry.tries` times; a wrong secret is `TELECMI_AUTH_FAILED` at once.
 *
 * @example
 * const api = createTelecmiApi({ product: 'chub', appId: '1111113', secret, logger });
 * for await (const page of api.pages('answered', { from: Date.now() - 86_400_000, to: Date.now() }))
 *   await store(page.rows, page.next);
 */
export function createTelecmiApi(options: TelecmiApiOptions): TelecmiApi {
  const product = PRODUCT_APIS[options.product];
  const base = apiBase(options.product, options.apiUrl);
  const { appId, secret, logger } = options;
  if (!/^\d+$/.test(appId)) throw new TypeError(`A TeleCMI app id is digits, not ${JSON.stringify(appId)}.`);
  if (secret === '') throw new TypeError('A TeleCMI secret cannot be empty.');
  const limit = options.limit ?? 20;
  if (!Number.isInteger(limit) || limit < 1 || limit > 20) throw new TypeError('limit is from 1 to 20.');
  const timeoutMs = options.timeoutMs ?? 15_000;
  const policy: RetryPolicy = { ...DEFAULT_RETRY_POLICY, ...options.retry };
  // undici is loaded with the first request: a telehook without backfill never loads it (about 4 MB of memory).
  let ownDispatcher: Promise<Dispatcher> | null = null;
  const dispatcher = (): Promise<Dispatcher> =>
    options.dispatcher !== undefined
      ? Promise.resolve(options.dispatcher)
      : (ownDispatcher ??= import('undici').then(({ Agent }) => new Agent({ keepAliveTimeout: 10_000 })));
  const credentials = {
    appid: Number.isSafeInteger(Number(appId)) ? Number(appId) : appId,
    [product.secretField]: secret,
  };

  /** Tries `once` under the app's slot until it succeeds or the policy gives up. */
  const withRetries = <T>(
    request: string,
    signal: AbortSignal | undefined,
    once: () => Promise<T>,
  ): Promise<T> =>
    withAppSlot(appId, async () => {
      for (let attempt = 1; ; attempt += 1) {
        const started = performance.now();
        try {
          const result = await once();
          logger?.debug(
            { request, appId, attempt, ms: Math.round(performance.now() - started) },
            'TeleCMI answered',
          );
          return result;
        } catch (error) {
          const delay = delayBeforeTry(attempt + 1, error, policy);
          const code = error instanceof TelecmiApiError ? error.code : undefined;
          if (delay === null) {
            if (error instanceof TelecmiApiError) error.attempts = attempt;
            logger?.warn(
              { request, appId, attempt, code, status: (error as TelecmiApiError).status },
              'TeleCMI request failed',
            );
            throw error;
          }
          logger?.warn(
            { request, appId, attempt, code, delayMs: delay },
            'TeleCMI request failed; trying again',
          );
          await sleep(delay, undefined, { signal });
        }
      }
    });

  /** POSTs JSON fields to a documented path and returns the answer's object and exact text. */
  const postJson = (path: string, fields: Record<string, unknown>, signal?: AbortSignal) => {
    const request = `POST ${path}`;
    const call = {
      method: 'POST' as const,
      origin: base.origin,
      path: `${base.prefix}${path}`,
      name: request,
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ ...credentials, ...fields }),
      timeoutMs,
      signal,
      secret,
    };
    return withRetries(request, signal, async () => {
      const answer = await callOnce(await dispatcher(), call);
      let text: string;
      try {
        text = await answer.body.text();
      } catch (error) {
        if (signal?.aborted === true) throw error;
        throw transportError(error, call);
      }
      const json = parseJson(text);
      const failure = errorOfAnswer({
        request,
        status: answer.status,
        retryAfter: answer.headers['retry-after'],
        json,
        appId,
        secret,
      });
      if (failure !== null) throw failure;
      if (!isObject(json))
        throw new TelecmiApiError(
          'TELECMI_BAD_ANSWER',
          `TeleCMI answered ${request} with something other than a JSON object.`,
          {
            request,
            status: answer.status,
          },
        );
      return { json, text };
    });
  };

  const rowsOf = (json: Record<string, unknown>, text: string, key: string, request: string): RestRow[] => {
    const values = json[key];
    const count = countOf(json);
    if (!Array.isArray(values)) {
      if (values === undefined && count === 0) return [];
      throw new TelecmiApiError(
        'TELECMI_BAD_ANSWER',
        `TeleCMI's answer to ${request} has no "${key}" list.`,
        { request },
      );
    }
    const raws = sliceArrayElements(text, key);
    return values.map((row, index) => {
      if (!isObject(row))
        throw new TelecmiApiError(
          'TELECMI_BAD_ANSWER',
          `TeleCMI's ${request} has a row that is not an object.`,
          { request },
        );
      return { raw: raws?.[index] ?? JSON.stringify(row), row };
    });
  };

  const pages = (
    list: RestList,
    window: TimeWindow,
    listOptions: ListOptions = {},
  ): AsyncGenerator<RestPage> => {
    const path = product.lists[list];
    if (path === undefined)
      throw new TypeError(`${options.product} has no ${list} list (docs/telecmi-rest.md).`);
    if (!(Number.isFinite(window.from) && Number.isFinite(window.to) && window.from <= window.to))
      throw new TypeError(`A window is {from ≤ to} in epoch ms, not ${JSON.stringify(window)}.`);
    const request = `POST ${path}`;
    return readPages(
      list,
      async (page) => {
        const { json, text } = await postJson(
          path,
          // The voicemail list documents no limit.
          { start_date: window.from, end_date: window.to, page, ...(list === 'voicemail' ? {} : { limit }) },
          listOptions.signal,
        );
        return { rows: rowsOf(json, text, rowsKeyOf(list), request), count: countOf(json) };
      },
      { cursor: listOptions.cursor, maxPages: options.maxPages ?? 10_000, request },
    );
  };

  const lookupPath = (lookup: 'cmiuuid_cdr' | 'requestid_cdr'): string => {
    const path = product.lookups[lookup];
    if (path === undefined) throw new TypeError(`${options.product} has no ${lookup} look-up; PIOPIY has.`);
    return path;
  };
  const playContext = { base, product, appId, secret, timeoutMs, dispatcher, logger, withRetries };

  return {
    product: options.product,
    appId,
    origin: `${base.origin}${base.prefix}`,
    pages,
    async *rows(list, window, listOptions) {
      for await (const page of pages(list, window, listOptions)) yield* page.rows;
    },
    async cdrByCmiuuid(cmiuuid, callOptions = {}) {
      const path = lookupPath('cmiuuid_cdr');
      try {
        const { json, text } = await postJson(path, { cmiuuid }, callOptions.signal);
        const cdr = json['cdr'];
        if (!isObject(cdr))
          throw new TelecmiApiError(
            'TELECMI_BAD_ANSWER',
            `TeleCMI's answer to POST ${path} has no "cdr" object.`,
            { request: `POST ${path}` },
          );
        return { raw: sliceMember(text, 'cdr') ?? JSON.stringify(cdr), row: cdr };
      } catch (error) {
        if (error instanceof TelecmiApiError && error.code === 'TELECMI_NOT_FOUND') return null;
        throw error;
      }
    },
    async cdrsByRequestId(requestId, callOptions = {}) {
      const path = lookupPath('requestid_cdr');
      const { json, text } = await postJson(path, { request_id: requestId }, callOptions.signal);
      return rowsOf(json, text, 'cdr', `POST ${path}`);
    },
    play: (file, playOptions) => playFile(playContext, file, playOptions),
    playUrlForLogs: (file) => playUrlForLogs(playContext, file),
    close: async () => {
      await (await ownDispatcher)?.close();
    },
  };
}

/** `count` (CHUB) or `total` (CHUB India), as a number, or null. */
function countOf(json: Record<string, unknown>): number | null {
  for (const key of ['count', 'total']) {
    const value = json[key];
    const number = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
    if (typeof number === 'number' && Number.isFinite(number)) return number;
  }
  return null;
}

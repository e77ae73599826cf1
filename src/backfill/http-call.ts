import type { Readable } from 'node:stream';

import type { Dispatcher } from 'undici';

import { redactSecret } from '../redact.js';
import { TelecmiApiError } from './api-error.js';

/** One HTTP request to TeleCMI, as {@link callOnce} makes it. */
export interface HttpCall {
  readonly method: 'GET' | 'POST';
  readonly origin: string;
  /** The path with its query: the only place the play API's secret goes, and never into an error or a log. */
  readonly path: string;
  /** `POST /v2/answered`: how errors and logs name the request. */
  readonly name: string;
  readonly headers?: Record<string, string>;
  readonly body?: string;
  /** No answer (status and headers) within this long is a timeout; so is a body that stalls this long. */
  readonly timeoutMs: number;
  readonly signal?: AbortSignal | undefined;
  /** Removed from every text that reaches an error. */
  readonly secret: string;
}

/** TeleCMI's answer: the status and headers, and the body still to be read. */
export interface HttpAnswer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: Readable & { text(): Promise<string> };
}

/** undici's and Node's codes for "no answer in time" and "no connection": the two failures worth a retry. */
const TIMEOUT_CODES = new Set([
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_CONNECT_TIMEOUT',
  'ETIMEDOUT',
]);
const NETWORK_CODES = new Set([
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);

/**
 * Makes one request with undici's `request` (not `fetch`: fetch turns a 407 answer into a network error, and a
 * 407 is how TeleCMI says the secret is wrong). Resolves with any HTTP answer, whatever its status; rejects with a
 * {@link TelecmiApiError} `TELECMI_TIMEOUT` or `TELECMI_NETWORK` when no answer came, and rethrows the caller's
 * own abort as it is.
 */
export async function callOnce(dispatcher: Dispatcher, call: HttpCall): Promise<HttpAnswer> {
  try {
    const answer = await dispatcher.request({
      origin: call.origin,
      path: call.path,
      method: call.method,
      headers: call.headers,
      body: call.body ?? null,
      headersTimeout: call.timeoutMs,
      bodyTimeout: call.timeoutMs,
      signal: call.signal,
    });
    return { status: answer.statusCode, headers: answer.headers, body: answer.body };
  } catch (error) {
    if (call.signal?.aborted === true) throw error;
    throw transportError(error, call);
  }
}

/** The {@link TelecmiApiError} for a request that got no answer; anything else (a bug) is returned as it is. */
export function transportError(
  error: unknown,
  call: Pick<HttpCall, 'name' | 'secret' | 'timeoutMs'>,
): unknown {
  const code = errorCode(error);
  const detail = redactSecret(error instanceof Error ? error.message : String(error), call.secret);
  // The cause is rebuilt from the redacted message: undici's own error may hold the request, query included.
  const cause = Object.assign(new Error(detail), { code });
  if (code !== null && TIMEOUT_CODES.has(code))
    return new TelecmiApiError(
      'TELECMI_TIMEOUT',
      `TeleCMI did not answer ${call.name} within ${call.timeoutMs} ms.`,
      {
        request: call.name,
        cause,
      },
    );
  if (code !== null && (NETWORK_CODES.has(code) || /^E[A-Z]+$/.test(code)))
    return new TelecmiApiError(
      'TELECMI_NETWORK',
      `Could not reach TeleCMI for ${call.name}: ${code} ${detail}`,
      {
        request: call.name,
        cause,
      },
    );
  return error;
}

function errorCode(error: unknown): string | null {
  const own = (error as { code?: unknown } | null)?.code;
  if (typeof own === 'string') return own;
  const cause = (error as { cause?: { code?: unknown } } | null)?.cause?.code;
  return typeof cause === 'string' ? cause : null;
}

/**
 * Why a request to TeleCMI's REST API failed. These codes are the REST client's own: no HTTP answer of telehook
 * carries them as they are (a route that calls TeleCMI maps them to its own answer, e.g. a 502), so they are not
 * in src/errors.ts; docs/errors.md lists them in a table of their own.
 *
 * - `TELECMI_AUTH_FAILED`: TeleCMI refused the app id or secret (documented as 407, whether as the HTTP status or
 *   as `code` in the body; 401 and 403 too). Never retried.
 * - `TELECMI_TIMEOUT`: no answer within the time limit, after every try.
 * - `TELECMI_UNAVAILABLE`: TeleCMI answered 5xx, 429 or 408, after every try.
 * - `TELECMI_NETWORK`: no connection (refused, reset, unknown host), after every try.
 * - `TELECMI_NOT_FOUND`: 404: no such CDR or file, or a parameter missing (the play API's documented 404).
 * - `TELECMI_API_ERROR`: any other refusal: another 4xx, or a `code` other than 200 in the body, with its `msg`.
 * - `TELECMI_BAD_ANSWER`: an answer the docs do not describe (not JSON, no list, pages that do not advance).
 */
export type TelecmiApiErrorCode =
  | 'TELECMI_AUTH_FAILED'
  | 'TELECMI_TIMEOUT'
  | 'TELECMI_UNAVAILABLE'
  | 'TELECMI_NETWORK'
  | 'TELECMI_NOT_FOUND'
  | 'TELECMI_API_ERROR'
  | 'TELECMI_BAD_ANSWER';

/** Every {@link TelecmiApiErrorCode}, for catalogues and tests. */
export const TELECMI_API_ERROR_CODES: readonly TelecmiApiErrorCode[] = [
  'TELECMI_AUTH_FAILED',
  'TELECMI_TIMEOUT',
  'TELECMI_UNAVAILABLE',
  'TELECMI_NETWORK',
  'TELECMI_NOT_FOUND',
  'TELECMI_API_ERROR',
  'TELECMI_BAD_ANSWER',
];

/** The codes worth trying again after a pause: TeleCMI or the network may be back by then. */
const RETRYABLE: ReadonlySet<TelecmiApiErrorCode> = new Set([
  'TELECMI_TIMEOUT',
  'TELECMI_UNAVAILABLE',
  'TELECMI_NETWORK',
]);

/** Details of a failed request; never the secret, never a URL with a query string. */
export interface TelecmiApiErrorDetails {
  /** `POST /v2/answered`: the method and path, without query. */
  readonly request: string;
  /** The HTTP status, when TeleCMI answered. */
  readonly status?: number | null;
  /** The `code` of the answer's body, when it had one. */
  readonly telecmiCode?: number | string | null;
  /** How many times the request was made. */
  readonly attempts?: number;
  /** Seconds TeleCMI asked to wait (Retry-After). */
  readonly retryAfterSec?: number | null;
  readonly cause?: unknown;
}

/**
 * A failed request to TeleCMI's REST API, with a stable `code`. Its message says what happened and what to do,
 * and never contains the secret: every text that came from TeleCMI or the network is redacted first.
 *
 * @example
 * try { for await (const page of api.pages('answered', window)) store(page); }
 * catch (error) { if (error instanceof TelecmiApiError && error.code === 'TELECMI_AUTH_FAILED') stopRetrying(); }
 */
export class TelecmiApiError extends Error {
  override readonly name = 'TelecmiApiError';
  readonly code: TelecmiApiErrorCode;
  readonly request: string;
  readonly status: number | null;
  readonly telecmiCode: number | string | null;
  /** How many times the request was made (set when the client gives up). */
  attempts: number;
  readonly retryAfterSec: number | null;

  constructor(code: TelecmiApiErrorCode, message: string, details: TelecmiApiErrorDetails) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.code = code;
    this.request = details.request;
    this.status = details.status ?? null;
    this.telecmiCode = details.telecmiCode ?? null;
    this.attempts = details.attempts ?? 1;
    this.retryAfterSec = details.retryAfterSec ?? null;
  }

  /** Whether trying again later may work. */
  get retryable(): boolean {
    return RETRYABLE.has(this.code);
  }
}

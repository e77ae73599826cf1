/**
 * Every error telehook answers with, by stable code. The HTTP status of each lives in one table; the codes are
 * the public interface (clients and scripts match on them) and docs/errors.md lists them all (a test keeps the
 * two in sync).
 */
export const ERROR_STATUS = {
  INGEST_TOKEN_INVALID: 401,
  API_TOKEN_INVALID: 401,
  FORBIDDEN: 403,
  SIGN_IN_FAILED: 401,
  SIGN_IN_RATE_LIMITED: 429,
  SESSION_ENDED: 401,
  USER_INVALID: 400,
  USER_EXISTS: 409,
  USER_NOT_FOUND: 404,
  USER_LAST_ADMIN: 409,
  FOLLOWUP_NOT_FOUND: 404,
  TELECMI_EMPTY_BODY: 400,
  TELECMI_INVALID_ENCODING: 400,
  TELECMI_UNPARSEABLE: 400,
  TELECMI_NOT_AN_OBJECT: 422,
  TELECMI_NOT_TELECMI: 422,
  TELECMI_TOO_DEEP: 422,
  TELECMI_ID_TOO_LONG: 422,
  PAYLOAD_TOO_LARGE: 413,
  METHOD_NOT_ALLOWED: 405,
  NOT_FOUND: 404,
  BAD_REQUEST: 400,
  REQUEST_TIMEOUT: 408,
  URL_TOO_LONG: 414,
  HEADERS_TOO_LARGE: 431,
  QUERY_INVALID: 400,
  ENDPOINT_INVALID: 400,
  ENDPOINT_URL_FORBIDDEN: 422,
  ENDPOINT_NOT_FOUND: 404,
  DELIVERY_NOT_FOUND: 404,
  EVENT_NOT_STORABLE: 422,
  ALERT_RULE_INVALID: 400,
  ALERT_RULE_NOT_FOUND: 404,
  RECONCILE_OFF: 409,
  RECONCILE_WINDOW_INVALID: 400,
  RECONCILE_RUN_ACTIVE: 409,
  RECONCILE_RUN_NOT_FOUND: 404,
  STORE_UNAVAILABLE: 503,
  SHUTTING_DOWN: 503,
  LIVE_TOO_MANY_CLIENTS: 503,
  RECORDING_NOT_FOUND: 404,
  VOICEMAIL_NOT_FOUND: 404,
  RANGE_NOT_SATISFIABLE: 416,
  TELECMI_NOT_CONFIGURED: 503,
  TELECMI_PLAY_UNSUPPORTED: 501,
  TELECMI_PLAY_FAILED: 502,
  INTERNAL: 500,
} as const satisfies Record<string, number>;

/** A stable error code. */
export type ErrorCode = keyof typeof ERROR_STATUS;

/** The base of telehook's own errors: a stable `code`, the HTTP status it maps to, and a `cause`. */
export class AppError extends Error {
  override name = 'AppError';
  readonly code: ErrorCode;
  readonly statusCode: number;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.statusCode = ERROR_STATUS[code];
  }
}

/**
 * The database could not do what was asked (only a database driver's error becomes one; any other error is a bug).
 * `retryable` when trying again later may succeed (busy, disk full); `isDataError` when the database refused a value
 * of this write (out of range, invalid text, too big): the same write fails again while others succeed.
 */
export class StoreError extends AppError {
  override name = 'StoreError';
  readonly retryable: boolean;
  readonly isDataError: boolean;

  constructor(message: string, options: { cause?: unknown; retryable: boolean; isDataError?: boolean }) {
    super('STORE_UNAVAILABLE', message, options);
    this.retryable = options.retryable;
    this.isDataError = options.isDataError ?? false;
  }
}

/** A bad query parameter; the message names the parameter and what it accepts. */
export class QueryError extends AppError {
  override name = 'QueryError';
  readonly parameter: string;

  constructor(parameter: string, accepts: string) {
    super('QUERY_INVALID', `Query parameter "${parameter}" is invalid: expected ${accepts}.`);
    this.parameter = parameter;
  }
}

/** Turns anything thrown into an Error, for catch sites that log and carry on. */
export function coerceError(value: unknown): Error {
  if (value instanceof Error) return value;
  return new Error(typeof value === 'string' ? value : JSON.stringify(value));
}

/** The JSON body of every error answer. */
export interface ErrorBody {
  ok: false;
  error: { code: string; message: string };
}

export function errorBody(code: string, message: string): ErrorBody {
  return { ok: false, error: { code, message } };
}

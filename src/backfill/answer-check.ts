import { redactSecret } from '../redact.js';
import { TelecmiApiError } from './api-error.js';

/** What is known of an answer when it is judged. */
export interface AnswerFacts {
  /** `POST /v2/answered`. */
  readonly request: string;
  readonly status: number;
  readonly retryAfter: string | string[] | undefined;
  /** The body, when it is JSON. */
  readonly json: unknown;
  readonly appId: string;
  readonly secret: string;
}

const AUTH = new Set([401, 403, 407]);
const RETRY_STATUSES = new Set([408, 429]);

/**
 * The error an answer means, or null when it is a success. HTTP status and the body's `code` are both checked
 * (3P: TeleCMI may answer an error with HTTP 200 and a non-200 `code`); a wrong secret is documented as 407.
 * TeleCMI's `msg` is quoted, with the secret removed should it echo it.
 */
export function errorOfAnswer(facts: AnswerFacts): TelecmiApiError | null {
  const body = isObject(facts.json) ? facts.json : null;
  const rawCode = body?.['code'];
  const telecmiCode = typeof rawCode === 'number' || typeof rawCode === 'string' ? rawCode : null;
  const codeNumber = telecmiCode === null ? null : Number(telecmiCode);
  const msg = typeof body?.['msg'] === 'string' ? redactSecret(body['msg'], facts.secret) : null;
  const said = `HTTP ${facts.status}${telecmiCode === null ? '' : `, code ${telecmiCode}`}${msg === null ? '' : `: "${msg}"`}`;
  const details = { request: facts.request, status: facts.status, telecmiCode };
  const is = (codes: Set<number>): boolean =>
    codes.has(facts.status) || (codeNumber !== null && codes.has(codeNumber));

  if (is(AUTH))
    return new TelecmiApiError(
      'TELECMI_AUTH_FAILED',
      `TeleCMI refused app id ${facts.appId} and its secret (${facts.request}, ${said}). Check the app id, the secret and the product (TELEHOOK_TELECMI_APPID, TELEHOOK_TELECMI_SECRET, TELEHOOK_TELECMI_PRODUCT).`,
      details,
    );
  if (is(new Set([404])))
    return new TelecmiApiError(
      'TELECMI_NOT_FOUND',
      `TeleCMI found nothing for ${facts.request} (${said}).`,
      details,
    );
  const isServerError = (code: number | null): boolean => code !== null && code >= 500 && code <= 599;
  if (isServerError(facts.status) || isServerError(codeNumber) || is(RETRY_STATUSES))
    return new TelecmiApiError(
      'TELECMI_UNAVAILABLE',
      `TeleCMI failed to answer ${facts.request} (${said}).`,
      {
        ...details,
        retryAfterSec: retryAfterSec(facts.retryAfter),
      },
    );
  if (facts.status < 200 || facts.status > 299 || (codeNumber !== null && codeNumber !== 200))
    return new TelecmiApiError('TELECMI_API_ERROR', `TeleCMI refused ${facts.request} (${said}).`, details);
  return null;
}

/** Retry-After in seconds (a number of seconds or an HTTP date), or null. */
function retryAfterSec(header: string | string[] | undefined): number | null {
  const value = Array.isArray(header) ? header[0] : header;
  if (value === undefined || value.trim() === '') return null;
  if (/^\d+$/.test(value.trim())) return Number(value.trim());
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, Math.ceil((at - Date.now()) / 1000));
}

export const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** JSON.parse without throwing: undefined when the text is not JSON. */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

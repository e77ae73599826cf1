import type { EventKind, Product } from './call-event.js';
import { CALL_ID_KEYS, classifyKind, classifyProduct, isTelecmiShaped } from './classify.js';
import { toText } from './coerce.js';
import { exceedsDepth, LIMITS } from './limits.js';
import { TelecmiError } from './telecmi-error.js';

/** How the payload reached us: a JSON body, a form-encoded body, or a GET query string. */
export type PayloadFormat = 'json' | 'form' | 'query';

/** A body that was read as a TeleCMI payload. */
export interface ParsedPayload {
  /** The payload's fields, as sent (form and query values are strings). */
  readonly payload: Readonly<Record<string, unknown>>;
  readonly format: PayloadFormat;
  /** The exact text received (a leading byte-order mark included). */
  readonly raw: string;
  readonly kind: EventKind;
  readonly product: Product;
}

/** The result of {@link parse}: never thrown, always returned. */
export type ParseResult = { ok: true; value: ParsedPayload } | { ok: false; error: TelecmiError };

const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const FORM_TYPE = 'application/x-www-form-urlencoded';
/** `a=b&c=d`: what a form body or query string looks like, as opposed to a JSON or garbage body. */
const FORM_SHAPE = /^[^=&{}[\]\s]+=[^&]*(&[^=&]*=[^&]*)*&?$/;

const fail = (error: TelecmiError): ParseResult => ({ ok: false, error });

/**
 * Reads a request body as a TeleCMI payload. JSON is accepted whatever the Content-Type says (TeleCMI documents
 * none; none, `text/plain` and `application/json` are all seen), and `application/x-www-form-urlencoded` bodies
 * are read as forms. A body that is not JSON but looks like `a=b&c=d` is read as a form too. Never throws.
 *
 * @example
 * const result = parse(Buffer.from('{"cmiuuid":"x","status":"waiting","type":"event"}'), 'text/plain');
 * if (result.ok) result.value.kind; // 'event'
 */
export function parse(body: Uint8Array | string, contentType?: string | null): ParseResult {
  let text: string;
  try {
    text = typeof body === 'string' ? body : decoder.decode(body);
  } catch (cause) {
    return fail(new TelecmiError('TELECMI_INVALID_ENCODING', 'The body is not UTF-8 text.', { cause }));
  }
  const content = stripBom(text).trim();
  if (content === '')
    return fail(
      new TelecmiError('TELECMI_EMPTY_BODY', 'The request has no body: expected a TeleCMI JSON payload.'),
    );

  const isForm = (contentType ?? '').toLowerCase().includes(FORM_TYPE);
  if (content.startsWith('{') || content.startsWith('[') || !isForm) {
    const json = parseJson(content);
    if (json.ok) return fromValue(json.value, 'json', text);
    if (!FORM_SHAPE.test(content)) {
      return fail(
        new TelecmiError(
          'TELECMI_UNPARSEABLE',
          `The body is not valid JSON (${json.message}) nor a form-encoded body.`,
        ),
      );
    }
  }
  return fromFields(parseForm(content), 'form', text);
}

/**
 * Reads a GET query string (without `?` and without telehook's own `token`) as a TeleCMI payload. TeleCMI does
 * not document how GET deliveries encode the payload (§1.4), so besides plain `key=value` pairs a single
 * parameter holding a JSON object, or a query that is itself URL-encoded JSON, is accepted too (so is a form body
 * with a single JSON field).
 */
export function parseQuery(query: string): ParseResult {
  const content = query.startsWith('?') ? query.slice(1) : query;
  if (content.trim() === '')
    return fail(
      new TelecmiError('TELECMI_EMPTY_BODY', 'The request has no query string: expected TeleCMI fields.'),
    );
  if (/^%7B/i.test(content.trim())) {
    const json = parseJson(safeDecode(content));
    if (json.ok) return fromValue(json.value, 'query', query);
  }
  return fromFields(parseForm(content), 'query', query);
}

/** Form or query fields; a single field whose value is a JSON object is read as that object. */
function fromFields(fields: Record<string, unknown>, format: PayloadFormat, raw: string): ParseResult {
  const values = Object.values(fields);
  if (values.length === 1 && typeof values[0] === 'string' && values[0].trim().startsWith('{')) {
    const json = parseJson(values[0]);
    if (json.ok) return fromValue(json.value, format, raw);
  }
  return fromValue(fields, format, raw);
}

function fromValue(value: unknown, format: PayloadFormat, raw: string): ParseResult {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    const what = Array.isArray(value) ? 'an array' : value === null ? 'null' : `a ${typeof value}`;
    return fail(new TelecmiError('TELECMI_NOT_AN_OBJECT', `Expected one JSON object, got ${what}.`));
  }
  // Before anything walks it: later stages (canonical JSON, serialisers, the structured clone between threads)
  // recurse, and a value nested thousands deep overflows their stack.
  if (exceedsDepth(value)) {
    return fail(
      new TelecmiError(
        'TELECMI_TOO_DEEP',
        `Objects or arrays are nested more than ${LIMITS.maxDepth} levels deep; TeleCMI's payloads are flat.`,
      ),
    );
  }
  const payload = value as Record<string, unknown>;
  if (!isTelecmiShaped(payload)) {
    return fail(
      new TelecmiError(
        'TELECMI_NOT_TELECMI',
        'Not a TeleCMI payload: it has no call identifier (cmiuuid, conversation_uuid, call_id, request_id) and no app id (app_id or appid).',
      ),
    );
  }
  const longId = CALL_ID_KEYS.find((key) => (toText(payload[key])?.length ?? 0) > LIMITS.maxIdLength);
  if (longId !== undefined) {
    return fail(
      new TelecmiError(
        'TELECMI_ID_TOO_LONG',
        `The identifier "${longId}" is longer than ${LIMITS.maxIdLength} characters; TeleCMI's have 36 or 43.`,
      ),
    );
  }
  const kind = classifyKind(payload);
  return { ok: true, value: { payload, format, raw, kind, product: classifyProduct(payload, kind) } };
}

function parseJson(text: string): { ok: true; value: unknown } | { ok: false; message: string } {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (error) {
    return { ok: false, message: error instanceof Error ? error.message : String(error) };
  }
}

function parseForm(text: string): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  for (const [key, value] of new URLSearchParams(text)) {
    // Define rather than assign so that a key such as __proto__ stays a plain field.
    Object.defineProperty(fields, key, { value, enumerable: true, writable: true, configurable: true });
  }
  return fields;
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

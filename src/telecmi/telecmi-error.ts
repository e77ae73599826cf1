/**
 * Why a request body could not be read as a TeleCMI payload.
 *
 * - `TELECMI_EMPTY_BODY`: nothing was sent.
 * - `TELECMI_INVALID_ENCODING`: the bytes are not UTF-8 text.
 * - `TELECMI_UNPARSEABLE`: the text is neither JSON nor a form / query string.
 * - `TELECMI_NOT_AN_OBJECT`: it parsed, but to something other than one JSON object (an array, a number…).
 * - `TELECMI_NOT_TELECMI`: an object without any call identifier (`cmiuuid`, `conversation_uuid`, `call_id`,
 *   `request_id`, `parent_uid`, `cmiuid`) and without an app id (`app_id` / `appid`).
 * - `TELECMI_TOO_DEEP`: objects and arrays nested deeper than `LIMITS.maxDepth` (64) levels.
 * - `TELECMI_ID_TOO_LONG`: a call identifier longer than `LIMITS.maxIdLength` (128) characters.
 */
export type TelecmiErrorCode =
  | 'TELECMI_EMPTY_BODY'
  | 'TELECMI_INVALID_ENCODING'
  | 'TELECMI_UNPARSEABLE'
  | 'TELECMI_NOT_AN_OBJECT'
  | 'TELECMI_NOT_TELECMI'
  | 'TELECMI_TOO_DEEP'
  | 'TELECMI_ID_TOO_LONG';

/** Every {@link TelecmiErrorCode}, for catalogues and tests. */
export const TELECMI_ERROR_CODES: readonly TelecmiErrorCode[] = [
  'TELECMI_EMPTY_BODY',
  'TELECMI_INVALID_ENCODING',
  'TELECMI_UNPARSEABLE',
  'TELECMI_NOT_AN_OBJECT',
  'TELECMI_NOT_TELECMI',
  'TELECMI_TOO_DEEP',
  'TELECMI_ID_TOO_LONG',
];

/**
 * The error of the TeleCMI library. It has the same `code` / `cause` shape as the application's `AppError` but
 * lives here so that `telehook/telecmi` depends on nothing else; the receiver maps it to an HTTP status.
 *
 * @example
 * const result = parse(Buffer.from('[1,2]'), 'application/json');
 * if (!result.ok) console.log(result.error.code); // 'TELECMI_NOT_AN_OBJECT'
 */
export class TelecmiError extends Error {
  override readonly name = 'TelecmiError';
  readonly code: TelecmiErrorCode;

  constructor(code: TelecmiErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

/**
 * The limits on what a TeleCMI payload may hold, decided per field (docs/telecmi-payloads.md, "Limits"). Every
 * value TeleCMI documents is far inside them; they exist so that nothing the parser accepts can break a later
 * stage (a recursive serialiser, a database index, a date formatter, a sum).
 */
export const LIMITS = {
  /**
   * Nesting of objects and arrays in a body, the payload object itself being level 1 (TeleCMI sends flat
   * payloads: 1). Deeper bodies are refused with `TELECMI_TOO_DEEP`; a JSON-in-string field (`custom`,
   * `extra_params`, `ws_status`) whose JSON is deeper is kept as the string sent, with a warning.
   * Recursive code downstream (canonical JSON, `JSON.stringify`, the structured clone between threads) overflows
   * the stack somewhere between 2,000 and 10,000 levels; 64 leaves it far away. @defaultValue 64
   */
  maxDepth: 64,
  /**
   * Characters of a call identifier (`cmiuuid`, `cmiuid`, `conversation_uuid`, `call_id`, `request_id`,
   * `parent_uid`); TeleCMI's are 36 (UUIDs) or 43 (request ids). A longer one is refused with
   * `TELECMI_ID_TOO_LONG`: it would be a call key (indexed, and part of `/api/calls/:key`). @defaultValue 128
   */
  maxIdLength: 128,
  /**
   * Characters of the other text fields kept on an event (numbers, agent, team, status, …). A longer one is read
   * as null with a warning (the raw body keeps it): several are indexed, and PostgreSQL refuses an index entry
   * past 2,704 bytes. @defaultValue 256
   */
  maxTextLength: 256,
  /** Characters of a recording or voicemail file name (not indexed; it may be a URL). @defaultValue 2048 */
  maxFileNameLength: 2048,
  /** Longest duration (`waitedsec`, `answeredsec`, `duration`), seconds: a day. @defaultValue 86,400 */
  maxSeconds: 86_400,
  /** Earliest time accepted (`time`, `start_time`, `answer_time`, `end_time`): 2000-01-01T00:00:00Z, epoch ms. */
  earliestMs: Date.UTC(2000, 0, 1),
  /** First time no longer accepted: 2100-01-01T00:00:00Z, epoch ms. */
  latestMs: Date.UTC(2100, 0, 1),
} as const;

/**
 * Whether a value nests objects and arrays more than `limit` levels (a scalar is level 0, `{}` level 1). Walks
 * with its own stack, so it never overflows however deep the value, and stops at the first level past the limit.
 *
 * @example
 * exceedsDepth({ a: [1] }, 2); // false
 * exceedsDepth({ a: [[1]] }, 2); // true
 */
export function exceedsDepth(value: unknown, limit: number = LIMITS.maxDepth): boolean {
  const stack: { value: object; depth: number }[] = [];
  if (typeof value === 'object' && value !== null) stack.push({ value, depth: 1 });
  for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
    if (next.depth > limit) return true;
    const children: unknown[] = Array.isArray(next.value) ? next.value : Object.values(next.value);
    for (const child of children)
      if (typeof child === 'object' && child !== null) stack.push({ value: child, depth: next.depth + 1 });
  }
  return false;
}

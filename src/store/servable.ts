import type { CallEvent } from '../telecmi/index.js';
import type { Call } from './call-record.js';

/**
 * The deepest nesting of arrays and objects the store hands on. Serialising (a JSON answer, the SSE stream, the
 * message to the fold thread, a call's record) recurses once per level and overflows the stack a few
 * thousand levels down; no TeleCMI payload nests more than a few levels, so a value deeper than this is kept only
 * in `raw`.
 */
const MAX_NESTING = 64;

/** Whether `value` nests arrays and objects deeper than `max` levels. Walked without recursion, so any depth is safe. */
export function nestsDeeperThan(value: unknown, max: number): boolean {
  if (value === null || typeof value !== 'object') return false;
  const stack: { node: object; depth: number }[] = [{ node: value, depth: 1 }];
  for (let top = stack.pop(); top !== undefined; top = stack.pop()) {
    if (top.depth > max) return true;
    for (const child of Object.values(top.node))
      if (child !== null && typeof child === 'object')
        stack.push({ node: child as object, depth: top.depth + 1 });
  }
  return false;
}

/**
 * The top-level fields of a record that nothing downstream can carry, replaced: a value nested deeper than
 * {@link MAX_NESTING} or a number that is not finite becomes null, and a NUL character (which PostgreSQL text cannot
 * hold) becomes U+FFFD. `keep` names fields left as they are. Returns the record itself when nothing changed.
 */
function repair<T extends object>(record: T, keep: ReadonlySet<string>): { value: T; notes: string[] } {
  let fixed: Record<string, unknown> | null = null;
  const notes: string[] = [];
  for (const field in record) {
    if (keep.has(field)) continue;
    const value: unknown = record[field];
    let replacement = value;
    if (typeof value === 'number') {
      if (!Number.isFinite(value)) {
        replacement = null;
        notes.push(`${field}: ${String(value)} is not a finite number; null here`);
      }
    } else if (typeof value === 'string') {
      if (value.includes('\u0000')) {
        replacement = value.replaceAll('\u0000', '\uFFFD');
        notes.push(`${field}: NUL characters replaced by U+FFFD`);
      }
    } else if (nestsDeeperThan(value, MAX_NESTING)) {
      replacement = null;
      notes.push(`${field}: nested deeper than ${MAX_NESTING} levels; null here`);
    }
    if (replacement !== value) {
      fixed ??= { ...record } as Record<string, unknown>;
      fixed[field] = replacement;
    }
  }
  return { value: (fixed ?? record) as T, notes };
}

const EVENT_KEPT = new Set(['raw', 'warnings']);

/**
 * An event as the store hands it on: anything it holds can be serialised, posted to another thread and stored in
 * PostgreSQL. What had to be replaced is said in `warnings`; `raw` keeps the exact text received.
 */
export function servableEvent<E extends CallEvent>(event: E): E {
  const { value, notes } = repair(event, EVENT_KEPT);
  if (notes.length === 0) return event;
  return { ...value, warnings: [...event.warnings, ...notes.map((note) => `${note} (raw keeps it)`)] };
}

const CALL_KEPT = new Set<string>();

/** A call's stored record (its JSON text) as a Call that can be served; null when the text is not a record at all. */
export function readCallRecord(text: string): Call | null {
  let call: unknown;
  try {
    call = JSON.parse(text);
  } catch {
    return null;
  }
  if (call === null || typeof call !== 'object') return null;
  return repair(call as Call, CALL_KEPT).value;
}

/** {@link readCallRecord} for a page of records: a record that is not one is left out. */
export function readCallRecords(texts: readonly string[]): Call[] {
  const calls: Call[] = [];
  for (const text of texts) {
    const call = readCallRecord(text);
    if (call) calls.push(call);
  }
  return calls;
}

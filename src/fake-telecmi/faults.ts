/**
 * Failures the fake can be told to answer with, for tests of "TeleCMI times out or answers 500 mid-run":
 * a status (500 by default), an error `code` in a 200 body (3P: TeleCMI may answer errors so), no answer at all
 * (`hang`, until the client gives up or the fake closes), a reset connection, or a normal answer that comes late
 * (`delay`).
 */
export interface Fault {
  readonly answer: 'status' | 'body-code' | 'hang' | 'reset' | 'delay';
  /** `status`: the HTTP status. @defaultValue 500 */
  readonly status?: number;
  /** `body-code`: the body's code. @defaultValue 500 */
  readonly code?: number;
  readonly msg?: string;
  /** `delay`: how long to wait before answering normally. @defaultValue 1000 */
  readonly delayMs?: number;
  /** Only requests whose path (without query) is this one, e.g. `/v2/missed`. @defaultValue every API request */
  readonly path?: string;
  /** Let this many matching requests through first: "fail after N pages". @defaultValue 0 */
  readonly after?: number;
  /** Fail this many matching requests, then let them through again. @defaultValue every one */
  readonly times?: number;
}

/** The faults in force, and how many requests each has seen. */
export interface Faults {
  add(fault: Fault): void;
  /** The fault that applies to this request, counting it; null to answer normally. */
  take(path: string): Fault | null;
  list(): readonly Fault[];
  clear(): void;
}

const ANSWERS = new Set(['status', 'body-code', 'hang', 'reset', 'delay']);

/** Checks a fault sent to `POST /_fake/faults` or given on the command line; a message when it is wrong. */
export function checkFault(value: unknown): Fault | string {
  if (typeof value !== 'object' || value === null) return 'A fault is a JSON object.';
  const fault = value as Record<string, unknown>;
  if (!ANSWERS.has(fault['answer'] as string))
    return 'answer must be status, body-code, hang, reset or delay.';
  for (const key of ['status', 'code', 'after', 'times', 'delayMs'])
    if (fault[key] !== undefined && !(Number.isInteger(fault[key]) && (fault[key] as number) >= 0))
      return `${key} must be a whole number.`;
  if (fault['path'] !== undefined && typeof fault['path'] !== 'string') return 'path must be a string.';
  return fault as unknown as Fault;
}

export function createFaults(initial: readonly Fault[] = []): Faults {
  let faults = initial.map((fault) => ({ fault, seen: 0 }));
  return {
    add: (fault) => void faults.push({ fault, seen: 0 }),
    take(path) {
      for (const entry of faults) {
        if (entry.fault.path !== undefined && entry.fault.path !== path) continue;
        entry.seen += 1;
        const after = entry.fault.after ?? 0;
        const times = entry.fault.times ?? Infinity;
        if (entry.seen > after && entry.seen <= after + times) return entry.fault;
      }
      return null;
    },
    list: () => faults.map((entry) => entry.fault),
    clear: () => void (faults = []),
  };
}

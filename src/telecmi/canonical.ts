/**
 * The canonical JSON text of a payload: object keys sorted, no whitespace. Two deliveries of the same payload
 * give the same text whatever their key order or spacing, which makes it the input of the dedupe key.
 * It recurses once per level: {@link parse} refuses payloads nested more than `LIMITS.maxDepth` (64) levels, so
 * for anything parse accepts it stays far from the stack limit (a property test in limits.test.ts checks it).
 *
 * @example
 * canonicalJson({ b: 1, a: [{ d: 2, c: 3 }] }); // '{"a":[{"c":3,"d":2}],"b":1}'
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const record = value as Record<string, unknown>;
  const entries = Object.keys(record)
    .filter((key) => record[key] !== undefined)
    .sort()
    .map((key) => `${JSON.stringify(key)}:${canonicalJson(record[key])}`);
  return `{${entries.join(',')}}`;
}

import { fc, test as propertyTest } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';

import { canonicalJson } from './canonical.js';
import { exceedsDepth, LIMITS } from './limits.js';
import { normalise } from './normalise.js';
import { parse, parseQuery } from './parse.js';

const receipt = { id: 'id-1', receivedAt: 1 };
const head = '{"cmiuuid":"leg-1","appid":2222223,"type":"event","status":"waiting","time":1634724624830';
/** A valid event with one more field whose JSON text is `value`. */
const withField = (name: string, value: string): string => `${head},"${name}":${value}}`;
const arrays = (depth: number): string => '['.repeat(depth) + ']'.repeat(depth);
const objects = (depth: number): string => '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
/** Time-boxed: a slow machine runs fewer cases rather than timing out. */
const boxed = { interruptAfterTimeLimit: 4000 };

describe('exceedsDepth', () => {
  it.each([
    [1, 0, false],
    ['text', 0, false],
    [null, 0, false],
    [{}, 0, true],
    [{}, 1, false],
    [{ a: [1] }, 2, false],
    [{ a: [[1]] }, 2, true],
    [[{ a: {} }], 3, false],
    [[1, [2, [3]]], 2, true],
  ])('%j with limit %d → %j', (value, limit, expected) => {
    expect(exceedsDepth(value, limit)).toBe(expected);
  });

  it('walks a value 100,000 deep without overflowing the stack', () => {
    const deep = JSON.parse(arrays(100_000)) as unknown;
    expect(exceedsDepth(deep)).toBe(true);
    expect(exceedsDepth(deep, 100_000)).toBe(false);
  });

  it('takes a wide value as shallow', () => {
    expect(exceedsDepth(Array.from({ length: 50_000 }, () => ({ a: 1 })))).toBe(false);
  });
});

describe('parse limits', () => {
  it(`accepts a body nested ${LIMITS.maxDepth} levels and refuses one level more with TELECMI_TOO_DEEP`, () => {
    // The payload object is level 1, so its field holds LIMITS.maxDepth - 1 levels.
    for (const nest of [arrays, objects]) {
      expect(parse(Buffer.from(withField('x', nest(LIMITS.maxDepth - 1)))).ok).toBe(true);
      const refused = parse(Buffer.from(withField('x', nest(LIMITS.maxDepth))));
      expect(!refused.ok && refused.error.code).toBe('TELECMI_TOO_DEEP');
    }
  });

  it('refuses a deep value in a form field or a query that holds the JSON payload', () => {
    const body = `data=${encodeURIComponent(withField('x', arrays(10_000)))}`;
    const form = parse(Buffer.from(body), 'application/x-www-form-urlencoded');
    expect(!form.ok && form.error.code).toBe('TELECMI_TOO_DEEP');
    const query = parseQuery(body);
    expect(!query.ok && query.error.code).toBe('TELECMI_TOO_DEEP');
  });

  it('reads a form key a[a][a]… as one flat field, not as nesting', () => {
    const key = `a${'[a]'.repeat(10_000)}`;
    const result = parse(Buffer.from(`cmiuuid=leg-1&appid=1&${key}=1`), 'application/x-www-form-urlencoded');
    expect(result.ok && result.value.payload[key]).toBe('1');
  });

  it(`accepts identifiers of ${LIMITS.maxIdLength} characters and refuses longer ones with TELECMI_ID_TOO_LONG`, () => {
    for (const key of ['cmiuuid', 'conversation_uuid', 'call_id', 'request_id', 'parent_uid', 'cmiuid']) {
      const at = (length: number) =>
        parse(Buffer.from(JSON.stringify({ appid: 1, type: 'event', [key]: 'x'.repeat(length) })));
      expect(at(LIMITS.maxIdLength).ok).toBe(true);
      const refused = at(LIMITS.maxIdLength + 1);
      expect(!refused.ok && refused.error.code).toBe('TELECMI_ID_TOO_LONG');
      expect(!refused.ok && refused.error.message).toContain(key);
    }
    const numeric = parse(Buffer.from(withField('call_id', '1e308')));
    expect(!numeric.ok && numeric.error.code).toBe('TELECMI_ID_TOO_LONG');
  });

  it('keeps custom JSON text nested 100,000 deep as the string sent, with a warning', () => {
    const custom = arrays(100_000);
    const result = parse(Buffer.from(withField('custom', JSON.stringify(custom))));
    if (!result.ok) throw result.error;
    const event = normalise(result.value, receipt);
    expect(event.custom).toBe(custom);
    expect(event.warnings).toEqual([
      `/custom: JSON nested more than ${LIMITS.maxDepth} levels deep; kept as the string sent`,
    ]);
    expect(() => structuredClone(event)).not.toThrow();
  });
});

/** JSON text nesting arrays and objects `depth` levels deep, in the order of `kinds`. */
const nested = (kinds: readonly boolean[]): string => {
  let text = '0';
  for (const isArray of kinds) text = isArray ? `[${text},1]` : `{"k":${text},"j":[]}`;
  return text;
};
const nestingArbitrary = fc
  .tuple(fc.integer({ min: 0, max: 20_000 }), fc.boolean(), fc.boolean())
  .map(([depth, first, alternate]) =>
    nested(Array.from({ length: depth }, (_, index) => (alternate ? index % 2 === 0 : first))),
  );
/** A body built from hostile parts: deep values in a field and in `custom`, garbage, truncation. */
const hostileBody = fc
  .tuple(nestingArbitrary, nestingArbitrary, fc.constantFrom('json', 'truncated', 'form', 'query'))
  .map(([field, custom, shape]) => {
    const json = `${head},"x":${field},"custom":${JSON.stringify(custom)}}`;
    if (shape === 'truncated') return json.slice(0, Math.floor(json.length / 2));
    if (shape === 'form') return `data=${encodeURIComponent(json)}`;
    if (shape === 'query') return `?${encodeURIComponent(json)}`;
    return json;
  });

describe('limits properties', () => {
  propertyTest.prop([hostileBody], { numRuns: 60, ...boxed })(
    'parse never throws on deep or huge input, and what it accepts is at most LIMITS.maxDepth deep',
    (body) => {
      const result = body.startsWith('?')
        ? parseQuery(body)
        : parse(Buffer.from(body), body.startsWith('data=') ? 'application/x-www-form-urlencoded' : null);
      if (result.ok) expect(exceedsDepth(result.value.payload)).toBe(false);
      else expect(result.error.code).toMatch(/^TELECMI_/);
    },
  );

  propertyTest.prop([fc.oneof(hostileBody, fc.json({ maxDepth: 8 }))], { numRuns: 80, ...boxed })(
    'canonicalJson, JSON.stringify and the structured clone never throw for anything parse accepts',
    (body) => {
      const result = parse(Buffer.from(body));
      if (!result.ok) return;
      expect(JSON.parse(canonicalJson(result.value.payload))).toEqual(
        JSON.parse(JSON.stringify(result.value.payload)),
      );
      const event = normalise(result.value, receipt);
      expect(() => structuredClone(event)).not.toThrow();
      expect(() => JSON.stringify(event)).not.toThrow();
      expect(exceedsDepth(event.custom)).toBe(false);
    },
  );
});

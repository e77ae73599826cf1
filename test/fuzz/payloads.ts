import { gzipSync } from 'node:zlib';

import fc from 'fast-check';

import { loadFixtures } from '../helpers/fixtures.js';

/**
 * What a buggy integration or an attacker can put in a body: the documented TeleCMI samples with fields replaced
 * by extreme values, JSON of any shape, forms, query strings, bytes that are not text, and nesting of any depth.
 * JSON is written as text by `toJsonText`, so that numbers JSON.stringify cannot write (400 digits, 1e309) and
 * depths past the engine's recursion limit are sent as such.
 */

/** A JSON number written as given (it need not be a number JavaScript can hold). */
export interface RawJson {
  readonly raw: string;
}
export type FuzzValue = RawJson | string | boolean | null | FuzzValue[] | { [key: string]: FuzzValue };

const isRaw = (value: unknown): value is RawJson =>
  typeof value === 'object' && value !== null && !Array.isArray(value) && 'raw' in value;

/** JSON text of a value that may hold raw numbers. */
export function toJsonText(value: FuzzValue): string {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return JSON.stringify(value);
  if (isRaw(value)) return value.raw;
  if (Array.isArray(value)) return `[${value.map(toJsonText).join(',')}]`;
  return `{${Object.entries(value)
    .map(([key, item]) => `${JSON.stringify(key)}:${toJsonText(item)}`)
    .join(',')}}`;
}

export const FIXTURES = loadFixtures().map((fixture) => fixture.payload);

/** Depths around the limits: shallow, around 64 (the parser's limit), thousands, and 100,000 (about 200 KB). */
export const depthArb = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: 1, max: 80 }) },
  { weight: 2, arbitrary: fc.constantFrom(63, 64, 65, 128, 1000, 10_000) },
  { weight: 1, arbitrary: fc.integer({ min: 81, max: 100_000 }) },
);

/** Arrays or objects nested `depth` deep, as JSON text, built without recursion. */
export function nestedText(depth: number, kind: 'array' | 'object'): string {
  return kind === 'array'
    ? '['.repeat(depth) + ']'.repeat(depth)
    : '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
}

/** Numbers as TeleCMI might (or should never) write them: as JSON numbers and as strings. */
export const numberTextArb = fc.oneof(
  fc.constantFrom(
    '0',
    '-0',
    '-1',
    '1e308',
    '-1e308',
    '1e309',
    '1e-400',
    '9'.repeat(400),
    `-${'9'.repeat(400)}`,
    '123456789012345678901234567890',
    '1634720400000',
    '1634720400',
    '86401',
    '946684799',
    '4102444800000',
    '0.5',
    '1.7976931348623157e308',
    '5e-324',
  ),
  fc.integer().map(String),
  fc.double({ noNaN: true, noDefaultInfinity: true }).map((n) => (Object.is(n, -0) ? '-0' : String(n))),
  fc.bigInt({ min: -(10n ** 40n), max: 10n ** 40n }).map(String),
);
const nonFiniteTextArb = fc.constantFrom(
  'NaN',
  'Infinity',
  '-Infinity',
  '1e999',
  '0x1F',
  '',
  ' 12 ',
  '1,5',
  'null',
);

/** A value for one field. */
export const valueArb: fc.Arbitrary<FuzzValue> = fc.oneof(
  { weight: 4, arbitrary: numberTextArb.map((raw): FuzzValue => ({ raw })) },
  { weight: 2, arbitrary: fc.oneof(numberTextArb, nonFiniteTextArb) },
  { weight: 2, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.integer({ min: 129, max: 20_000 }).map((n) => 'x'.repeat(n)) },
  {
    weight: 2,
    arbitrary: fc
      .tuple(depthArb, fc.constantFrom('array' as const, 'object' as const), fc.boolean())
      .map(([depth, kind, asString]): FuzzValue => {
        const text = nestedText(depth, kind);
        // As JSON text inside a string (as `custom` comes) or as JSON itself.
        return asString ? text : { raw: text };
      }),
  },
  { weight: 1, arbitrary: fc.constantFrom<FuzzValue>(null, true, false, [], {}) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((value) => ({ raw: JSON.stringify(value) })) },
);

/** Fields TeleCMI's payloads carry (numbers, times, ids, JSON text), and a few that are not there. */
const FIELDS = [
  ...new Set([
    ...FIXTURES.flatMap((payload) => Object.keys(payload)),
    'time',
    'answeredsec',
    'waitedsec',
    'billedsec',
    'custom',
    'extra_params',
    'ws_status',
    'start_time',
    'answer_time',
    'end_time',
    '__proto__',
    'constructor',
  ]),
];

/** A documented sample with some fields replaced, removed or added. */
export const mutatedFixtureArb: fc.Arbitrary<FuzzValue> = fc
  .tuple(
    fc.constantFrom(...FIXTURES),
    fc.array(fc.tuple(fc.constantFrom(...FIELDS), fc.option(valueArb, { freq: 8 })), { maxLength: 4 }),
  )
  .map(([fixture, changes]) => {
    const payload = { ...(fixture as Record<string, FuzzValue>) };
    for (const [field, value] of changes) {
      if (value === null) delete payload[field];
      else
        Object.defineProperty(payload, field, {
          value,
          enumerable: true,
          writable: true,
          configurable: true,
        });
    }
    return payload;
  });

/** A body and the Content-Type (and Content-Encoding) it is sent with; `undefined`: no such header. */
export interface FuzzBody {
  readonly kind: string;
  readonly bytes: Buffer;
  readonly contentType?: string;
  readonly contentEncoding?: string;
}

const contentTypeArb = fc.oneof(
  fc.constantFrom(
    'application/json',
    'application/json; charset=utf-8',
    'application/json; charset=utf-16',
    'application/x-www-form-urlencoded',
    'text/plain',
    'multipart/form-data; boundary=x',
    'application/octet-stream',
    'application/xml',
    '*/*',
    'application/json;;;',
    'invalid',
    '',
  ),
  fc.string({ maxLength: 30 }).filter((text) => /^[\x20-\x7e]*$/.test(text)),
);

const formArb = fc
  .tuple(
    fc.constantFrom(...FIXTURES),
    fc.array(fc.tuple(fc.string({ maxLength: 12 }), fc.string({ maxLength: 20 }))),
  )
  .map(([fixture, extra]) =>
    [
      ...Object.entries(fixture).map(([key, value]) => [
        key,
        typeof value === 'string' ? value : JSON.stringify(value),
      ]),
      ...extra,
    ]
      .map(([key, value]) => `${encodeURIComponent(key!)}=${encodeURIComponent(value!)}`)
      .join('&'),
  );

/** `a[a][a]…=1`: a form key that nests as deep as it is long, for parsers that expand brackets. */
const deepFormKeyArb = depthArb.map((depth) => `a${'[a]'.repeat(Math.min(depth, 60_000))}=1`);

const jsonTextArb = fc.oneof(
  { weight: 6, arbitrary: mutatedFixtureArb.map(toJsonText) },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 4 }).map((value) => JSON.stringify(value)) },
  {
    weight: 1,
    arbitrary: fc
      .tuple(depthArb, fc.constantFrom('array' as const, 'object' as const))
      .map(([depth, kind]) => nestedText(depth, kind)),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom('{', '{"a":}', '[1,]', 'null', '""', '{}', '[]', '{"cmiuuid":null}'),
  },
);

/** Every kind of body, with the header its kind suggests, or a random one. */
export const bodyArb: fc.Arbitrary<FuzzBody> = fc
  .tuple(
    fc.oneof(
      { weight: 8, arbitrary: jsonTextArb.map((text) => ({ kind: 'json', bytes: Buffer.from(text) })) },
      { weight: 2, arbitrary: formArb.map((text) => ({ kind: 'form', bytes: Buffer.from(text) })) },
      {
        weight: 1,
        arbitrary: deepFormKeyArb.map((text) => ({ kind: 'deep form', bytes: Buffer.from(text) })),
      },
      {
        weight: 1,
        arbitrary: fc
          .uint8Array({ maxLength: 200 })
          .map((bytes) => ({ kind: 'bytes', bytes: Buffer.from(bytes) })),
      },
      {
        weight: 1,
        arbitrary: jsonTextArb.map((text) => ({
          kind: 'not utf-8',
          bytes: Buffer.concat([
            Buffer.from(text.slice(0, 20)),
            Buffer.from([0xff, 0xfe, 0xc3]),
            Buffer.from(text.slice(20)),
          ]),
        })),
      },
      {
        weight: 1,
        arbitrary: jsonTextArb.map((text) => ({
          kind: 'utf-16',
          bytes: Buffer.from(`\ufeff${text}`, 'utf16le'),
        })),
      },
      {
        weight: 1,
        arbitrary: jsonTextArb.map((text) => ({ kind: 'bom', bytes: Buffer.from(`\ufeff${text}`) })),
      },
      { weight: 1, arbitrary: fc.constant({ kind: 'empty', bytes: Buffer.alloc(0) }) },
      {
        weight: 1,
        // Around the body limit (256 KiB): just under, at and over.
        arbitrary: fc.integer({ min: 250_000, max: 270_000 }).map((size) => ({
          kind: 'large',
          bytes: Buffer.from(`{"custom":"${'x'.repeat(size)}","cmiuuid":"large","app_id":1}`),
        })),
      },
    ),
    fc.option(contentTypeArb, { freq: 3 }),
    fc.option(fc.constantFrom('gzip', 'deflate', 'br', 'identity', 'x-bogus', 'gzip, gzip'), { freq: 8 }),
  )
  .map(([body, contentType, encoding]) => {
    const suggested =
      body.kind === 'form' || body.kind === 'deep form'
        ? 'application/x-www-form-urlencoded'
        : 'application/json';
    return {
      ...body,
      // A gzip body labelled gzip, the others labelled but not compressed.
      bytes: encoding === 'gzip' && body.bytes.length < 100_000 ? gzipSync(body.bytes) : body.bytes,
      contentType: contentType ?? suggested,
      ...(encoding === null ? {} : { contentEncoding: encoding }),
    };
  });

/** A query string for the ingest `GET`: `key=value` pairs, or one parameter holding a JSON payload. */
export const ingestQueryArb = fc.oneof(
  formArb,
  jsonTextArb.map((text) => `payload=${encodeURIComponent(text.slice(0, 6000))}`),
  fc.constantFrom('%ZZ', 'a=%ZZ', '&&&', '=', 'a[a][a][a]=1', `a=${'9'.repeat(400)}`),
);

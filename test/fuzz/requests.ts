import fc from 'fast-check';

import {
  bodyArb,
  depthArb,
  type FuzzBody,
  ingestQueryArb,
  nestedText,
  numberTextArb,
  toJsonText,
  valueArb,
} from './payloads.js';

/**
 * Requests over the whole HTTP surface, written as the bytes that go on the wire (so that a URL that does not
 * decode, an odd header or a method no client sends is sent as it is): the ingest routes, the API's read routes,
 * the endpoint and delivery routes, the wallboard and its live stream, health, metrics, docs and unknown paths.
 */

export interface Tokens {
  readonly ingestToken: string;
  readonly apiToken: string;
  readonly viewerToken: string;
}

/** One request, before the tokens are known: `$INGEST`, `$API` and `$VIEWER` stand for them. */
export interface FuzzRequest {
  /** The route family, for the counts. */
  readonly family: 'ingest' | 'read' | 'call' | 'endpoints' | 'deliveries' | 'live' | 'dashboard' | 'other';
  readonly method: string;
  readonly target: string;
  readonly headers: readonly (readonly [string, string])[];
  readonly body?: FuzzBody;
  /** Sent with `Transfer-Encoding: chunked` rather than `Content-Length`. */
  readonly chunked?: boolean;
}

export const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'] as const;
const methodArb = (usual: readonly string[]): fc.Arbitrary<string> =>
  fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom(...usual) },
    { weight: 3, arbitrary: fc.constantFrom(...METHODS) },
    { weight: 1, arbitrary: fc.constantFrom('TRACE', 'PROPFIND', 'FOO', 'get', 'M-SEARCH', 'PURGE') },
  );

/** A path segment: ordinary, long, not decodable, encoded oddities, unicode. */
const segmentArb = fc.oneof(
  { weight: 3, arbitrary: fc.stringMatching(/^[A-Za-z0-9_-]{1,40}$/) },
  { weight: 1, arbitrary: fc.integer({ min: 200, max: 9000 }).map((n) => 'k'.repeat(n)) },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      '%ZZ',
      '%',
      '%E0%A4%A',
      '%00',
      '%2F',
      '..',
      '.',
      '%2e%2e',
      '%C3%A9',
      '%F0%9F%93%9E',
      'a%20b',
      '~',
      '*',
      '__proto__',
      'constructor',
      '%EF%BF%BF',
      '%ED%A0%80',
    ),
  },
  { weight: 1, arbitrary: fc.string({ maxLength: 20 }).map((text) => encodeURIComponent(text)) },
);

const tokenArb = (name: '$INGEST' | '$API' | '$VIEWER'): fc.Arbitrary<string> =>
  fc.oneof(
    { weight: 8, arbitrary: fc.constant(name) },
    { weight: 1, arbitrary: fc.constantFrom('$INGEST', '$API', '$VIEWER', '', 'x') },
    { weight: 1, arbitrary: segmentArb },
    { weight: 1, arbitrary: fc.integer({ min: 300, max: 8000 }).map((n) => `${name}${'t'.repeat(n)}`) },
  );

const queryValueArb = fc.oneof(
  numberTextArb,
  fc.constantFrom(
    'NaN',
    'Infinity',
    '-Infinity',
    '1e309',
    '',
    '%ZZ',
    'true',
    '2026-11-25T09:00:00+05:30',
    '9999-12-31',
    '0000-00-00',
  ),
  fc.string({ maxLength: 20 }).map(encodeURIComponent),
  fc.integer({ min: 300, max: 5000 }).map((n) => '9'.repeat(n)),
);
const QUERY_NAMES = [
  'limit',
  'after',
  'before',
  'from',
  'to',
  'since',
  'outcome',
  'direction',
  'team',
  'agent',
  'number',
  'kind',
  'status',
  'endpoint',
  'tz',
  'timeZone',
  'callKey',
  'token',
  'lastEventId',
  'format',
];
const queryArb = fc
  .array(
    fc.tuple(
      fc.oneof(
        { weight: 5, arbitrary: fc.constantFrom(...QUERY_NAMES) },
        { weight: 1, arbitrary: segmentArb },
      ),
      queryValueArb,
    ),
    { maxLength: 4 },
  )
  .map((pairs) =>
    pairs.length === 0 ? '' : `?${pairs.map(([name, value]) => `${name}=${value}`).join('&')}`,
  );

/** Authorization as the API sees it: the right token, the viewer's, a wrong one, none, odd schemes. */
const authArb = fc.oneof(
  { weight: 8, arbitrary: fc.constant<readonly [string, string][]>([['Authorization', 'Bearer $API']]) },
  { weight: 1, arbitrary: fc.constant<readonly [string, string][]>([['Authorization', 'Bearer $VIEWER']]) },
  { weight: 1, arbitrary: fc.constant<readonly [string, string][]>([]) },
  {
    weight: 1,
    arbitrary: fc
      .constantFrom(
        'Bearer',
        'Bearer ',
        'Basic YWJj',
        'bearer $API',
        `Bearer ${'x'.repeat(5000)}`,
        'Bearer $API $API',
        'Token $API',
      )
      .map((value): readonly [string, string][] => [['Authorization', value]]),
  },
);

/** Extra headers: none mostly; huge, odd, repeated or conflicting ones sometimes. */
const extraHeadersArb: fc.Arbitrary<readonly (readonly [string, string])[]> = fc.oneof(
  { weight: 6, arbitrary: fc.constant([]) },
  {
    weight: 4,
    arbitrary: fc.array(
      fc.oneof(
        fc.tuple(
          fc.constantFrom('X-Big', 'Cookie', 'User-Agent'),
          fc.integer({ min: 1000, max: 70_000 }).map((n) => 'y'.repeat(n)),
        ),
        fc.tuple(
          fc.constantFrom(
            'Accept',
            'Accept-Encoding',
            'Accept-Charset',
            'Last-Event-ID',
            'Expect',
            'X-Forwarded-For',
            'Origin',
            'Range',
            'If-None-Match',
            'Content-Language',
          ),
          fc.oneof(
            fc.constantFrom(
              '*/*',
              'text/event-stream',
              'gzip',
              '100-continue',
              'something',
              '99999999999999999999',
              'bytes=0-1',
              '-1',
            ),
            fc.string({ maxLength: 30 }).filter((s) => /^[\x20-\x7e]*$/.test(s)),
          ),
        ),
        fc.tuple(
          fc.stringMatching(/^[A-Za-z][A-Za-z0-9-]{0,30}$/),
          fc.string({ maxLength: 40 }).filter((s) => /^[\x20-\x7e]*$/.test(s)),
        ),
        // Bytes Node's parser refuses, or that are not ASCII.
        fc.constantFrom<[string, string]>(
          ['X Bad', 'v'],
          ['X-Latin', 'caf\u00e9'],
          ['X-Ctl', 'a\u0001b'],
          ['', 'empty name'],
          ['Content-Length', 'abc'],
          ['Content-Length', '-1'],
          ['Content-Length', '99999999999999999999'],
          ['Transfer-Encoding', 'gzip'],
          ['Transfer-Encoding', 'chunked, chunked'],
          ['Host', 'a'],
        ),
      ),
      { maxLength: 3 },
    ),
  },
);

const withBody = (body: FuzzBody | null): { body?: FuzzBody } => (body === null ? {} : { body });

const ingestArb: fc.Arbitrary<FuzzRequest> = fc
  .tuple(
    methodArb(['POST', 'POST', 'POST', 'GET']),
    fc.boolean(),
    tokenArb('$INGEST'),
    bodyArb,
    ingestQueryArb,
    fc.boolean(),
  )
  .map(([method, examplesPath, token, body, query, chunked]) => {
    const isGet = method === 'GET' || method === 'HEAD';
    const path = examplesPath ? `/webhook/cdr?token=${token}` : `/webhooks/telecmi/${token}`;
    const target = isGet ? `${path}${examplesPath ? '&' : '?'}${query}` : path;
    return {
      family: 'ingest' as const,
      method,
      target,
      headers: [],
      ...withBody(isGet ? null : body),
      chunked,
    };
  });

/** The read routes the invariants check afterwards, without their query (the fuzz adds its own). */
export const READ_PATHS = [
  '/api/events',
  '/api/events/count',
  '/api/calls',
  '/api/calls.csv',
  '/api/calls.ndjson',
  '/api/missed',
  '/api/stats',
  '/api/quarantine',
  '/api/deliveries',
  '/api/endpoints',
  '/api/openapi.json',
  '/healthz',
  '/readyz',
  '/metrics',
];
const readArb: fc.Arbitrary<FuzzRequest> = fc
  .tuple(methodArb(['GET', 'GET', 'HEAD']), fc.constantFrom(...READ_PATHS), queryArb, authArb)
  .map(([method, path, query, auth]) => ({
    family: 'read' as const,
    method,
    target: `${path}${query}`,
    headers: auth,
  }));

const callArb: fc.Arbitrary<FuzzRequest> = fc
  .tuple(methodArb(['GET', 'HEAD']), fc.constantFrom('/api/calls/', '/calls/'), segmentArb, queryArb, authArb)
  .map(([method, prefix, key, query, auth]) => ({
    family: 'call' as const,
    method,
    target: `${prefix}${key}${query}`,
    headers: auth,
  }));

/** Endpoint URLs: public addresses (IP literals, so that no name is resolved), private ones, and not URLs. */
const endpointUrlArb = fc.oneof(
  fc.constantFrom(
    'https://93.184.216.34/hook',
    'http://8.8.8.8:8080/x',
    'http://127.0.0.1/',
    'http://[::1]/',
    'http://[::127.0.0.1]/',
    'http://[::ffff:0:127.0.0.1]/',
    'http://[64:ff9b::a00:1]/',
    'http://localhost./',
    'http://sub.localhost/',
    'http://169.254.169.254/latest',
    'ftp://93.184.216.34/',
    'javascript:alert(1)',
    'not a url',
    '',
    `https://93.184.216.34/${'p'.repeat(3000)}`,
  ),
  fc.webUrl().filter((url) => /^https?:\/\/\d/.test(url)),
);
const endpointBodyArb: fc.Arbitrary<FuzzBody> = fc
  .record(
    {
      url: fc.oneof(endpointUrlArb, valueArb),
      receives: fc.oneof(fc.constantFrom('events', 'calls', 'both', ''), valueArb),
      format: fc.oneof(fc.constantFrom('json', 'slack', 'teams', 'xml'), valueArb),
      filter: fc.oneof(
        fc.record({ kind: fc.oneof(fc.string(), fc.array(fc.string())) }, { requiredKeys: [] }),
        valueArb,
      ),
      description: fc.oneof(fc.string({ maxLength: 600 }), valueArb),
      rateLimit: fc.oneof(
        numberTextArb.map((raw) => ({ raw })),
        valueArb,
      ),
      timeoutMs: fc.oneof(
        numberTextArb.map((raw) => ({ raw })),
        valueArb,
      ),
      enabled: fc.oneof(fc.boolean(), valueArb),
      overlapSec: numberTextArb.map((raw) => ({ raw })),
      endpoint: fc.oneof(fc.string(), valueArb),
      since: fc.oneof(fc.constantFrom('2026-01-01', '1h'), valueArb),
    },
    { requiredKeys: [] },
  )
  .chain((record) =>
    fc.oneof(
      { weight: 6, arbitrary: fc.constant(toJsonText(record as never)) },
      { weight: 1, arbitrary: depthArb.map((depth) => nestedText(depth, 'object')) },
      { weight: 1, arbitrary: fc.constantFrom('', '{', 'null', '[]', '"x"', '1e309') },
    ),
  )
  .chain((text) =>
    fc
      .constantFrom(
        'application/json',
        'application/json; charset=utf-8',
        'text/plain',
        'application/x-www-form-urlencoded',
        'application/json; charset=latin1',
        '',
      )
      .map((contentType) => ({ kind: 'endpoint', bytes: Buffer.from(text), contentType })),
  );
const endpointsArb: fc.Arbitrary<FuzzRequest> = fc
  .tuple(
    methodArb(['POST', 'GET', 'PATCH', 'DELETE']),
    fc.oneof(
      fc.constant('/api/endpoints'),
      segmentArb.map((id) => `/api/endpoints/${id}`),
      fc
        .tuple(segmentArb, fc.constantFrom('enable', 'disable', 'rotate-secret'))
        .map(([id, action]) => `/api/endpoints/${id}/${action}`),
    ),
    endpointBodyArb,
    authArb,
  )
  .map(([method, path, body, auth]) => ({
    family: 'endpoints' as const,
    method,
    target: path,
    headers: auth,
    ...withBody(method === 'GET' || method === 'HEAD' ? null : body),
  }));
const deliveriesArb: fc.Arbitrary<FuzzRequest> = fc
  .tuple(
    methodArb(['GET', 'POST']),
    fc.oneof(
      fc.constant('/api/deliveries/retry'),
      segmentArb.map((id) => `/api/deliveries/${id}`),
      segmentArb.map((id) => `/api/deliveries/${id}/retry`),
    ),
    endpointBodyArb,
    authArb,
  )
  .map(([method, path, body, auth]) => ({
    family: 'deliveries' as const,
    method,
    target: path,
    headers: auth,
    ...withBody(method === 'POST' ? body : null),
  }));

const liveArb: fc.Arbitrary<FuzzRequest> = fc
  .tuple(
    methodArb(['GET', 'GET', 'HEAD']),
    fc.oneof(
      fc.constant(''),
      tokenArb('$VIEWER').map((token) => `?token=${token}`),
      queryValueArb.map((value) => `?token=$VIEWER&lastEventId=${value}`),
      queryArb,
    ),
    fc.oneof(authArb, fc.constant<readonly [string, string][]>([])),
    fc.option(queryValueArb.map(decodeURIComponent_)),
  )
  .map(([method, query, auth, lastEventId]) => ({
    family: 'live' as const,
    method,
    target: `/api/live${query}`,
    headers: lastEventId === null ? auth : [...auth, ['Last-Event-ID', lastEventId] as const],
  }));

function decodeURIComponent_(text: string): string {
  try {
    return decodeURIComponent(text).replace(/[^\x20-\x7e]/g, '');
  } catch {
    return text;
  }
}

const dashboardArb: fc.Arbitrary<FuzzRequest> = fc
  .tuple(
    methodArb(['GET', 'HEAD']),
    fc.oneof(
      fc.constantFrom(
        '/',
        '/favicon.ico',
        '/style.css',
        '/wallboard.js',
        '/call.js',
        '/common.js',
        '/live-state.js',
        '/wallboard.html',
        '/../package.json',
        '/%2e%2e/package.json',
        '/api/docs',
        '/api/docs/',
        '/api/docs/json',
        '/api/docs/yaml',
        '/api/docs/static/index.html',
        '/api/docs/static/%ZZ',
        '/api/docs/static/../../package.json',
      ),
      segmentArb.map((segment) => `/${segment}`),
    ),
    queryArb,
    fc.oneof(authArb, fc.constant<readonly [string, string][]>([])),
  )
  .map(([method, path, query, auth]) => ({
    family: 'dashboard' as const,
    method,
    target: `${path}${query}`,
    headers: auth,
  }));

/** Unknown routes, POST /api/rebuild (rarely: it refolds everything), and request targets no router expects. */
const otherArb: fc.Arbitrary<FuzzRequest> = fc
  .tuple(
    methodArb(['GET', 'POST']),
    fc.oneof(
      {
        weight: 4,
        arbitrary: fc.array(segmentArb, { minLength: 1, maxLength: 4 }).map((parts) => `/${parts.join('/')}`),
      },
      { weight: 1, arbitrary: fc.constant('/api/rebuild') },
      {
        weight: 1,
        arbitrary: fc.constantFrom(
          '*',
          '//',
          '/api//calls',
          'http://x/api/calls',
          '/api/calls?%',
          '/api/events#x',
          '/healthz?' + 'q'.repeat(20_000),
          '/\\..\\',
        ),
      },
    ),
    authArb,
    fc.option(bodyArb, { freq: 3 }),
  )
  .map(([method, target, auth, body]) => ({
    family: 'other' as const,
    method,
    target: target === '/api/rebuild' && method === 'POST' ? '/api/rebuild' : target,
    headers: auth,
    ...withBody(method === 'GET' || method === 'HEAD' ? null : body),
  }));

/** Any request, with extra headers, over every route family. */
export const requestArb: fc.Arbitrary<FuzzRequest> = fc
  .tuple(
    fc.oneof(
      { weight: 8, arbitrary: ingestArb },
      { weight: 4, arbitrary: readArb },
      { weight: 2, arbitrary: callArb },
      { weight: 2, arbitrary: endpointsArb },
      { weight: 1, arbitrary: deliveriesArb },
      { weight: 2, arbitrary: liveArb },
      { weight: 2, arbitrary: dashboardArb },
      { weight: 1, arbitrary: otherArb },
    ),
    extraHeadersArb,
  )
  .map(([request, extra]) => ({ ...request, headers: [...request.headers, ...extra] }));

const fill = (text: string, tokens: Tokens): string =>
  text
    .replaceAll('$INGEST', tokens.ingestToken)
    .replaceAll('$API', tokens.apiToken)
    .replaceAll('$VIEWER', tokens.viewerToken);

/** The bytes of a request: request line, headers (with `Connection: close`), then the body as declared. */
export function requestBytes(request: FuzzRequest, tokens: Tokens): Buffer {
  const lines = [`${request.method} ${fill(request.target, tokens)} HTTP/1.1`, 'Host: 127.0.0.1'];
  for (const [name, value] of request.headers) lines.push(`${name}: ${fill(value, tokens)}`);
  const body = request.body;
  if (body) {
    if (body.contentType !== undefined && body.contentType !== '')
      lines.push(`Content-Type: ${body.contentType}`);
    if (body.contentEncoding !== undefined) lines.push(`Content-Encoding: ${body.contentEncoding}`);
    if (request.chunked) lines.push('Transfer-Encoding: chunked');
    else lines.push(`Content-Length: ${body.bytes.length}`);
  }
  lines.push('Connection: close');
  const head = Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1');
  if (!body) return head;
  const payload = Buffer.from(fill(body.bytes.toString('latin1'), tokens), 'latin1');
  if (!request.chunked) return Buffer.concat([head, payload]);
  const half = Math.floor(payload.length / 2);
  const chunks = [payload.subarray(0, half), payload.subarray(half)].filter((chunk) => chunk.length > 0);
  return Buffer.concat([
    head,
    ...chunks.flatMap((chunk) => [
      Buffer.from(`${chunk.length.toString(16)}\r\n`),
      chunk,
      Buffer.from('\r\n'),
    ]),
    Buffer.from('0\r\n\r\n'),
  ]);
}

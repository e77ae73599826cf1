import { fc, test as propertyTest } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';

import { normalise } from './normalise.js';
import { parse, parseQuery } from './parse.js';

const receipt = { id: 'id-1', receivedAt: 1 };
const waiting = {
  type: 'event',
  status: 'waiting',
  cmiuuid: 'leg-1',
  conversation_uuid: 'leg-1',
  app_id: 2222223,
  from: '440000000000',
  time: 1634724624830,
};

describe('parse', () => {
  it('reads JSON whatever the Content-Type says', () => {
    for (const contentType of [
      undefined,
      null,
      '',
      'text/plain',
      'application/json; charset=utf-8',
      'application/octet-stream',
    ]) {
      const result = parse(Buffer.from(JSON.stringify(waiting)), contentType);
      expect(result.ok && result.value.format).toBe('json');
    }
  });

  it('reads a form-encoded body, and a form body sent as text/plain', () => {
    const form = 'type=event&status=waiting&cmiuuid=leg-1&app_id=2222223&from=0440000000000';
    for (const contentType of ['application/x-www-form-urlencoded', 'text/plain']) {
      const result = parse(Buffer.from(form), contentType);
      expect(result.ok).toBe(true);
      if (result.ok) {
        expect(result.value.format).toBe('form');
        expect(result.value.payload['from']).toBe('0440000000000');
      }
    }
  });

  it('reads a JSON body even when it is labelled as a form', () => {
    const result = parse(Buffer.from(JSON.stringify(waiting)), 'application/x-www-form-urlencoded');
    expect(result.ok && result.value.format).toBe('json');
  });

  it('reads a form or query with one field holding the JSON payload', () => {
    const encoded = `data=${encodeURIComponent(JSON.stringify(waiting))}`;
    const query = parseQuery(encoded);
    expect(query.ok && query.value.payload['status']).toBe('waiting');
    const form = parse(Buffer.from(encoded), 'application/x-www-form-urlencoded');
    expect(form.ok && form.value.payload['app_id']).toBe(2222223);
  });

  it('reads a query that is URL-encoded JSON', () => {
    const result = parseQuery(encodeURIComponent(JSON.stringify(waiting)));
    expect(result.ok && result.value.payload['cmiuuid']).toBe('leg-1');
  });

  it('keeps a byte-order mark in raw but parses past it', () => {
    const text = `\uFEFF${JSON.stringify(waiting)}`;
    const result = parse(Buffer.from(text, 'utf8'), 'application/json');
    expect(result.ok).toBe(true);
    if (result.ok) expect(result.value.raw).toBe(text);
  });

  it.each([
    ['an empty body', Buffer.alloc(0), 'TELECMI_EMPTY_BODY'],
    ['only whitespace', Buffer.from('  \n'), 'TELECMI_EMPTY_BODY'],
    ['invalid UTF-8', Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), 'TELECMI_INVALID_ENCODING'],
    ['broken JSON', Buffer.from('{"cmiuuid": '), 'TELECMI_UNPARSEABLE'],
    ['plain text', Buffer.from('hello world'), 'TELECMI_UNPARSEABLE'],
    ['a JSON array', Buffer.from(JSON.stringify([waiting])), 'TELECMI_NOT_AN_OBJECT'],
    ['a JSON number', Buffer.from('42'), 'TELECMI_NOT_AN_OBJECT'],
    ['JSON null', Buffer.from('null'), 'TELECMI_NOT_AN_OBJECT'],
    [
      'an object without call id or app id',
      Buffer.from('{"status":"waiting","from":"44"}'),
      'TELECMI_NOT_TELECMI',
    ],
    ['an object whose ids are empty', Buffer.from('{"cmiuuid":"","appid":""}'), 'TELECMI_NOT_TELECMI'],
  ])('refuses %s with a code and a message', (_what, body, code) => {
    const result = parse(body, 'application/json');
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error.code).toBe(code);
      expect(result.error.message.length).toBeGreaterThan(10);
    }
  });

  it('accepts an object with only an app id (the earlier CHUB HTTP flow request)', () => {
    const result = parse(Buffer.from('{"from":"19170000000","appid":"1111112"}'));
    expect(result.ok && result.value.kind).toBe('routing-request');
  });

  it('keeps a __proto__ field as a plain field', () => {
    const result = parseQuery('cmiuuid=x&__proto__=y');
    expect(result.ok).toBe(true);
    if (result.ok)
      expect(Object.getOwnPropertyDescriptor(result.value.payload, '__proto__')?.value).toBe('y');
  });

  propertyTest.prop([fc.uint8Array({ maxLength: 512 }), fc.option(fc.string(), { nil: undefined })], {
    numRuns: 500,
  })('never throws on any bytes and any content type', (bytes, contentType) => {
    const result = parse(bytes, contentType);
    expect(typeof result.ok).toBe('boolean');
    if (result.ok) expect(() => normalise(result.value, receipt)).not.toThrow();
  });

  propertyTest.prop([fc.string({ maxLength: 300 })], { numRuns: 500 })(
    'never throws on any query string',
    (query) => {
      const result = parseQuery(query);
      if (result.ok) expect(() => normalise(result.value, receipt)).not.toThrow();
    },
  );

  propertyTest.prop([fc.json({ maxDepth: 3 })], { numRuns: 500 })('never throws on any JSON text', (json) => {
    const result = parse(Buffer.from(json));
    if (result.ok) expect(() => normalise(result.value, receipt)).not.toThrow();
    else expect(result.error.code).toMatch(/^TELECMI_/);
  });
});

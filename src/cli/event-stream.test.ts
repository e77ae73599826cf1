import { fc, test as propertyTest } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';

import { formatMessage, type LiveMessage } from '../live/index.js';
import { createEventStreamParser, type EventStreamMessage } from './event-stream.js';

/** A live message in its wire format; the data need not be a whole event or call here. */
const sse = (type: LiveMessage['type'], id: string | null, data: unknown): string =>
  formatMessage({ type, id, data } as LiveMessage);

/** Parses `text` fed in the chunks that `cuts` (byte offsets) make; returns the messages, retries and last id. */
function read(text: string | Uint8Array, cuts: number[] = [], lastEventId = '') {
  const bytes = typeof text === 'string' ? Buffer.from(text, 'utf8') : text;
  const messages: EventStreamMessage[] = [];
  const retries: number[] = [];
  const parser = createEventStreamParser(
    { onMessage: (message) => messages.push(message), onRetry: (ms) => retries.push(ms) },
    lastEventId,
  );
  let start = 0;
  for (const cut of [...new Set(cuts)].sort((a, b) => a - b)) {
    parser.push(bytes.subarray(start, cut));
    start = cut;
  }
  parser.push(bytes.subarray(start));
  return { messages, retries, lastEventId: parser.lastEventId };
}

describe('createEventStreamParser', () => {
  it('reads the messages of telehook’s live stream: type, data, id, retry, heartbeats', () => {
    const stream =
      'retry: 2000\n\n' +
      sse('snapshot', null, { live: [] }) +
      ': ping\n\n' +
      sse('event', '41', { kind: 'cdr', status: 'missed' }) +
      sse('call', '41', { key: 'k', team: 'Ventes été 📞' });
    expect(read(stream)).toEqual({
      messages: [
        { type: 'snapshot', data: '{"live":[]}', id: null, lastEventId: '' },
        { type: 'event', data: '{"kind":"cdr","status":"missed"}', id: '41', lastEventId: '41' },
        { type: 'call', data: '{"key":"k","team":"Ventes été 📞"}', id: '41', lastEventId: '41' },
      ],
      retries: [2000],
      lastEventId: '41',
    });
  });

  it('follows the standard: line endings, one leading space, fields without a value, comments, a BOM', () => {
    const stream =
      '\uFEFFdata:no space\r\ndata:  two spaces\rdata\nevent\n\n' +
      ': a comment\nevent: named\ndata: x\nunknown: field\n\n' +
      'data: y\n\n';
    expect(read(stream).messages).toEqual([
      { type: 'message', data: 'no space\n two spaces\n', id: null, lastEventId: '' },
      { type: 'named', data: 'x', id: null, lastEventId: '' },
      { type: 'message', data: 'y', id: null, lastEventId: '' },
    ]);
  });

  it('keeps the last event id from message to message, and takes an id from a message without data', () => {
    const { messages, lastEventId } = read(
      'id: 7\ndata: a\n\ndata: b\n\nid: 9\n\nid: bad\0id\ndata: c\n\n',
      [],
      '3',
    );
    expect(messages.map((message) => [message.data, message.id, message.lastEventId])).toEqual([
      ['a', '7', '7'],
      ['b', null, '7'],
      ['c', null, '9'],
    ]);
    expect(lastEventId).toBe('9');
    expect(read('data: a\n\n', [], '3').messages[0]!.lastEventId).toBe('3');
  });

  it('ignores a retry that is not digits, and never dispatches a message the stream ended inside', () => {
    const { messages, retries, lastEventId } = read('retry: soon\n\ndata: kept\n\nid: 5\ndata: cut off');
    expect(retries).toEqual([]);
    expect(messages.map((message) => message.data)).toEqual(['kept']);
    expect(lastEventId).toBe('');
  });

  const sample =
    'retry: 2000\r\n\r\n' +
    sse('event', '1', { team: 'Équipe 📞', from: '447700900123' }) +
    'event: call\rid: 2\rdata: {"a":\rdata: 1}\r\r: ping\r\n\r\n' +
    sse('stats', '2', { offered: 3 });
  const whole = read(sample);

  propertyTest.prop([fc.array(fc.nat({ max: Buffer.byteLength(sample) }), { maxLength: 40 })], {
    numRuns: 300,
  })('reads the same messages however the bytes are cut into chunks', (cuts) => {
    expect(read(sample, cuts)).toEqual(whole);
  });

  it('reads the sample stream as three messages', () => {
    expect(whole.messages.map((message) => [message.type, message.lastEventId])).toEqual([
      ['event', '1'],
      ['call', '2'],
      ['stats', '2'],
    ]);
    expect(whole.messages[1]!.data).toBe('{"a":\n1}');
  });
});

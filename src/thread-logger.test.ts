import { MessageChannel } from 'node:worker_threads';

import { describe, expect, it } from 'vitest';

import { createThreadLogger, type LogLine, postingLines } from './thread-logger.js';

describe('createThreadLogger', () => {
  const collect = (level: string) => {
    const lines: LogLine[] = [];
    return { lines, logger: createThreadLogger(level, (line) => lines.push(line)) };
  };

  it('posts the lines at or above its level, with the bindings of its children', () => {
    const { lines, logger } = collect('info');
    const child = logger.child({ thread: 'fold' });
    child.debug({ events: 1 }, 'not kept');
    child.info({ events: 2 }, 'kept');
    child.error('a message alone');
    expect(lines).toEqual([
      { level: 'info', fields: { thread: 'fold', events: 2 }, msg: 'kept' },
      { level: 'error', fields: { thread: 'fold' }, msg: 'a message alone' },
    ]);
  });

  it('posts an error given alone as its err field, and nothing when silent', () => {
    const { lines, logger } = collect('warn');
    const error = new Error('disk full');
    logger.error(error);
    expect(lines).toEqual([{ level: 'error', fields: { err: error }, msg: undefined }]);
    const silent = collect('silent');
    silent.logger.fatal('never');
    expect(silent.lines).toEqual([]);
  });
});

describe('postingLines', () => {
  it('posts each line as a log message, and a line that cannot be cloned without its fields', async () => {
    const { port1, port2 } = new MessageChannel();
    const received: unknown[] = [];
    port2.on('message', (message) => received.push(message));
    const post = postingLines(port1);
    post({ level: 'info', fields: { events: 2 }, msg: 'kept' });
    post({ level: 'warn', fields: { callback: () => undefined }, msg: 'a function in a field' });
    await expect.poll(() => received.length).toBe(2);
    port1.close();
    expect(received).toEqual([
      { type: 'log', line: { level: 'info', fields: { events: 2 }, msg: 'kept' } },
      { type: 'log', line: { level: 'warn', fields: {}, msg: 'a function in a field' } },
    ]);
  });
});

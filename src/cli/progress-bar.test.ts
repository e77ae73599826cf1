import { Writable } from 'node:stream';

import { describe, expect, it } from 'vitest';

import { createProgressBar } from './progress-bar.js';

function terminal(isTTY = true) {
  let text = '';
  const stream = Object.assign(
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        text += chunk.toString();
        done();
      },
    }),
    { isTTY },
  );
  return { stream, text: () => text };
}

describe('createProgressBar', () => {
  it('draws the share done of a known total', () => {
    const out = terminal();
    const bar = createProgressBar(out.stream, 4);
    bar.update(4, 'events');
    bar.finish();
    expect(out.text()).toContain('100%  4/4  events');
    expect(out.text().endsWith('\n')).toBe(true);
  });

  it('draws the count alone and a block when the total is not known', () => {
    const out = terminal();
    const bar = createProgressBar(out.stream, null);
    bar.update(37, 'rows read from TeleCMI');
    expect(out.text()).toMatch(/^\r\[░*█{6}░*\] {2}37 {2}rows read from TeleCMI$/);
  });

  it('writes nothing off a terminal', () => {
    const out = terminal(false);
    const bar = createProgressBar(out.stream, null);
    bar.update(1, 'rows');
    bar.finish();
    expect(out.text()).toBe('');
  });
});

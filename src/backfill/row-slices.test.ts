import { fc, test as property } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';

import { sliceArrayElements, sliceMember } from './row-slices.js';

describe('sliceArrayElements', () => {
  property.prop(
    [fc.array(fc.jsonValue()), fc.dictionary(fc.string(), fc.jsonValue()), fc.constantFrom(0, 1, 2)],
    {
      interruptAfterTimeLimit: 2000,
    },
  )('gives each element its exact text, which parses back to the element', (elements, others, indent) => {
    const text = JSON.stringify({ ...others, cdr: elements }, null, indent);
    const slices = sliceArrayElements(text, 'cdr');
    expect(slices).not.toBeNull();
    expect(slices!.map((slice) => JSON.parse(slice) as unknown)).toEqual(
      (JSON.parse(text) as { cdr: unknown[] }).cdr,
    );
    for (const slice of slices!) expect(text).toContain(slice);
  });

  it('keeps spacing and number spelling, and takes the last of a repeated key as JSON.parse does', () => {
    expect(sliceArrayElements('{"cdr":[1],"x":"]","cdr":[ {"a" : 1.50 }, "b\\"]" ]}', 'cdr')).toEqual([
      '{"a" : 1.50 }',
      '"b\\"]"',
    ]);
    expect(sliceArrayElements('{"cdr":[1],"cdr":null}', 'cdr')).toBeNull();
  });

  it('answers null for text that is not an object holding that array', () => {
    for (const text of ['', '[1]', '{"cdr":{}}', '{"cdr":[1,}', '{"other":[1]}', 'null'])
      expect(sliceArrayElements(text, 'cdr'), text).toBeNull();
  });
});

describe('sliceMember', () => {
  it('gives the exact text of a member', () => {
    expect(sliceMember('{"cdr": {"rate":"1.500000", "n": 1.0} ,"code":200}', 'cdr')).toBe(
      '{"rate":"1.500000", "n": 1.0}',
    );
    expect(sliceMember('{"code":200}', 'cdr')).toBeNull();
  });
});
